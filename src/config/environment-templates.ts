/**
 * Environments made from a template by name: an entry under `environments` with `template: "pr-*"` is not an
 * environment itself but the overrides every environment whose name matches the pattern is made of (preview
 * environments `pr-12`, `pr-13`, ... from `environments.preview`). Kept apart from load.ts so the loader only
 * asks two questions: which names are templates, and what does an instance's override look like.
 */
import { UsageError } from '../errors.js';
import { DEFAULT_ENV } from './defaults.js';
import type { BerthFile, EnvironmentOverride } from './schema.js';
import { ENV_NAME_MAX, ENV_NAME_PATTERN } from './schema.js';
import type { FieldProblem } from './zod-problems.js';

/** A pattern is a name prefix followed by one `*`: `pr-*`, `review-*`. */
export const TEMPLATE_PATTERN = /^[a-z][a-z0-9-]*\*$/;

/**
 * Names no environment may take: the stacks `berth-<app>-registry` and `berth-<app>-ci` would collide with the
 * environment stack `berth-<app>-<env>`.
 */
export const RESERVED_ENV_NAMES = ['registry', 'ci'] as const;

export interface EnvironmentTemplate {
  /** The key under environments, e.g. `preview`. */
  name: string;
  /** As written, e.g. `pr-*`. */
  pattern: string;
  /** The pattern without its `*`, e.g. `pr-`. */
  prefix: string;
}

/** Every template declared under environments, in file order. */
export function environmentTemplates(data: Pick<BerthFile, 'environments'>): EnvironmentTemplate[] {
  const templates: EnvironmentTemplate[] = [];
  for (const [name, override] of Object.entries(data.environments ?? {})) {
    const pattern = override?.template;
    if (typeof pattern === 'string') templates.push({ name, pattern, prefix: pattern.endsWith('*') ? pattern.slice(0, -1) : pattern });
  }
  return templates;
}

export function isTemplateName(data: Pick<BerthFile, 'environments'>, name: string): boolean {
  return environmentTemplates(data).some((template) => template.name === name);
}

/** Whether an environment name matches a template's pattern. */
export function matchesTemplate(template: EnvironmentTemplate, env: string): boolean {
  return env.length > template.prefix.length && env.startsWith(template.prefix);
}

/** The template an undeclared environment name is made from, or undefined. */
export function templateFor(data: Pick<BerthFile, 'environments'>, env: string): EnvironmentTemplate | undefined {
  if (env === DEFAULT_ENV || Object.hasOwn(data.environments ?? {}, env)) return undefined;
  return environmentTemplates(data).find((template) => matchesTemplate(template, env));
}

/** A template's overrides as an instance's: without `template`, and not production unless the template says so. */
export function instanceOverride(override: EnvironmentOverride | null | undefined): EnvironmentOverride {
  const { template: _pattern, ...rest } = override ?? ({} as EnvironmentOverride);
  return { production: false, ...rest } as EnvironmentOverride;
}

/**
 * The file as if `env` were declared: when a template's pattern matches it, `environments.<env>` holds the template's
 * overrides. Names that are not valid environment names throw a UsageError (exit 2) naming the rule.
 */
export function withTemplateInstance<T extends Pick<BerthFile, 'environments'>>(data: T, env: string, shownAs: string): { data: T; template?: EnvironmentTemplate } {
  if (isTemplateName(data, env)) {
    const template = environmentTemplates(data).find((candidate) => candidate.name === env)!;
    throw new UsageError(
      `${shownAs}: "${env}" is a template for environments named ${template.pattern}, not an environment itself`,
      `pass --env ${template.prefix}<name>, e.g. --env ${template.prefix}1`,
    );
  }
  const template = templateFor(data, env);
  if (!template) return { data };
  if (!ENV_NAME_PATTERN.test(env) || env.length > ENV_NAME_MAX) {
    throw new UsageError(
      `${shownAs}: "${env}" matches the template ${template.name} (${template.pattern}) but is not a valid environment name: use 1-${ENV_NAME_MAX} lowercase letters, digits and hyphens`,
      `AWS names are derived from it; for pull requests use ${template.prefix}<number>`,
    );
  }
  const environments = { ...(data.environments ?? {}), [env]: instanceOverride(data.environments?.[template.name]) };
  return { data: { ...data, environments }, template };
}

/** Problems with the templates and reserved names, each at its `environments.<name>` path (pure). */
export function checkTemplates(data: Pick<BerthFile, 'environments'>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const declared = Object.keys(data.environments ?? {});
  for (const name of declared) {
    if ((RESERVED_ENV_NAMES as readonly string[]).includes(name)) {
      problems.push({ path: ['environments', name], atKey: true, message: `"${name}" cannot name an environment: the stack berth-<app>-${name} is berth's own`, hint: 'choose another name' });
    }
  }
  const templates = environmentTemplates(data);
  for (const template of templates) {
    const path = ['environments', template.name, 'template'];
    if (template.name === DEFAULT_ENV) {
      problems.push({ path, message: `the ${DEFAULT_ENV} environment cannot be a template`, hint: 'put the template under another name, e.g. preview' });
      continue;
    }
    if (!TEMPLATE_PATTERN.test(template.pattern)) {
      problems.push({ path, message: `"${template.pattern}" is not a template pattern: expected a name prefix followed by *, such as "pr-*"` });
      continue;
    }
    if (template.prefix.length >= ENV_NAME_MAX) {
      problems.push({ path, message: `"${template.pattern}" leaves no room: environment names are at most ${ENV_NAME_MAX} characters`, hint: 'use a shorter prefix such as "pr-*"' });
    }
    for (const name of [DEFAULT_ENV, ...declared]) {
      if (name !== template.name && matchesTemplate(template, name) && !isTemplateName(data, name)) {
        problems.push({ path, message: `"${template.pattern}" also matches the declared environment ${name}; an environment name must mean one thing`, hint: `rename ${name}, or choose another pattern` });
      }
    }
    for (const other of templates) {
      if (other.name !== template.name && TEMPLATE_PATTERN.test(other.pattern) && other.prefix.startsWith(template.prefix)) {
        problems.push({ path, message: `"${template.pattern}" overlaps the template ${other.name} ("${other.pattern}"): a name would match both`, hint: 'make the patterns disjoint' });
      }
    }
  }
  return problems;
}
