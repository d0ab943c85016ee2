/**
 * The berth.yml text `berth init` writes from a compose conversion: each value with the reason it was chosen as a
 * comment, and what the compose file had that berth.yml does not, at the end. Pure text; the caller writes it.
 */
import { stringify } from 'yaml';
import { SECTION_DOCS } from '../../config/reference.js';
import { commentLines } from '../render-berth-yml.js';
import type { ComposeConversion } from './draft.js';

const WIDTH = 100;

function summary(key: string): string | undefined {
  return SECTION_DOCS.find((section) => section.key === key)?.summary;
}

function scalar(value: string | number | boolean): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false }).trimEnd();
}

/** A list of strings on one line when it fits, e.g. [celery, -A, app, worker]. */
function flowList(values: readonly string[]): string {
  return stringify(values, { collectionStyle: 'flow', lineWidth: 0, aliasDuplicateObjects: false }).trimEnd();
}

/** `# - text` wrapped at WIDTH, continuation lines indented under the text. */
function listItem(text: string): string[] {
  const lines: string[] = [];
  let line = '# -';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length + 1 + word.length > WIDTH && line.length > 4) {
      lines.push(line);
      line = '#  ';
    }
    line = `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

export interface ComposeRenderOptions {
  /** Where the `$schema` line points, relative to berth.yml. */
  schemaPath: string;
}

export function renderComposeBerthYml(conversion: ComposeConversion, options: ComposeRenderOptions): string {
  const { draft, reasons, file } = conversion;
  const out: string[] = [];
  const blank = () => out.push('');
  const comment = (text: string | undefined, indent: string) => { if (text) out.push(...commentLines(text, indent)); };

  /** key: value at `path`, with the reason for `path` above it. */
  const emit = (key: string, value: unknown, path: string, indent: string): void => {
    if (value === undefined) return;
    if (key === 'env' && value && typeof value === 'object') {
      const sources = [...new Set(Object.keys(value).map((name) => reasons[`${path}.${name}`]).filter(Boolean))];
      comment(sources.length > 0 ? sources.join('; ') : undefined, indent);
      out.push(`${indent}env:`);
      for (const [name, item] of Object.entries(value as Record<string, string>)) out.push(`${indent}  ${name}: ${scalar(item)}`);
      return;
    }
    if (key === 'secrets' && Array.isArray(value)) {
      for (const name of value as string[]) comment(reasons[`${path}.${name}`] ? `${name}: ${reasons[`${path}.${name}`]}` : undefined, indent);
      out.push(`${indent}secrets: ${flowList(value as string[])}`);
      return;
    }
    comment(reasons[path], indent);
    if (Array.isArray(value)) {
      const line = `${indent}${key}: ${flowList(value as string[])}`;
      if (line.length <= WIDTH) out.push(line);
      else {
        out.push(`${indent}${key}:`);
        for (const item of value as string[]) out.push(`${indent}  - ${scalar(item)}`);
      }
      return;
    }
    if (value !== null && typeof value === 'object') {
      out.push(`${indent}${key}:`);
      for (const [child, item] of Object.entries(value as Record<string, unknown>)) emit(child, item, `${path}.${child}`, `${indent}  `);
      return;
    }
    out.push(`${indent}${key}: ${scalar(value as string | number | boolean)}`);
  };

  out.push(`# yaml-language-server: $schema=${options.schemaPath}`);
  out.push(...commentLines(`berth.yml for ${draft.app}, written by \`berth init\` from ${file}. Each value says where it came from; what ${file} has that berth.yml does not is listed at the end.`));
  out.push(...commentLines('Check it with `berth validate`, run it on the local Docker engine with `berth deploy`. Every key is described in the berth.yml reference (docs/berth-yml.md in the berth repository).'));
  out.push('version: 1');
  blank();

  comment(summary('app'), '');
  comment(reasons.app ? `${draft.app}: ${reasons.app}.` : undefined, '');
  out.push(`app: ${scalar(draft.app)}`);
  blank();

  for (const key of ['build', 'env', 'secrets'] as const) {
    if (!draft[key]) continue;
    comment(summary(key), '');
    emit(key, draft[key], key, '');
    blank();
  }

  if (draft.service) {
    comment(summary('service'), '');
    emit('service', draft.service, 'service', '');
    blank();
  }
  if (draft.services) {
    comment(summary('services'), '');
    out.push('services:');
    Object.entries(draft.services).forEach(([name, service], index) => {
      if (index > 0) blank();
      emit(name, service, `services.${name}`, '  ');
    });
    blank();
  }

  if (draft.release) {
    comment(summary('release'), '');
    out.push('release:');
    emit('before', draft.release.before, 'release.before', '  ');
    blank();
  }

  comment(summary('database'), '');
  if (draft.database) {
    comment(reasons.database ? `Found: ${reasons.database}.` : undefined, '');
    const { engine, ...rest } = draft.database;
    if (Object.keys(rest).length === 0) out.push(`database: ${engine}`);
    else emit('database', draft.database, 'database.value', '');
  } else {
    comment(`${file} runs no PostgreSQL; uncomment to add one.`, '');
    out.push('# database: postgres');
  }
  blank();

  comment(summary('cache'), '');
  if (draft.cache) {
    comment(reasons.cache ? `Found: ${reasons.cache}.` : undefined, '');
    const { engine, ...rest } = draft.cache;
    if (Object.keys(rest).length === 0) out.push(`cache: ${engine}`);
    else emit('cache', draft.cache, 'cache.value', '');
  } else {
    comment(`${file} runs no Redis; uncomment to add one.`, '');
    out.push('# cache: redis');
  }
  blank();

  comment(summary('environments'), '');
  out.push('# environments:', `#   prod: { ${draft.services ? `services: { ${Object.keys(draft.services)[0]}: { count: 2 } }` : 'service: { count: { min: 2, max: 4, cpu: 70 } }'} }`);

  if (conversion.leftOut.length > 0) {
    blank();
    out.push(...commentLines(`Left out of ${file} (berth.yml has no place for these, or berth does it itself):`));
    for (const item of conversion.leftOut) out.push(...listItem(`${item.path}${item.what ? ` (${item.what})` : ''}: ${item.reason}`));
  }
  return `${out.join('\n')}\n`;
}
