/**
 * berth.yml text -> a YAML document and its plain data, refusing what would cost time, memory or the stack
 * (deep nesting, alias bombs), what JavaScript objects treat specially (`__proto__`, `constructor`, `prototype`
 * keys) and overlong keys. Problems point at lines and never repeat the file's contents: a file that is not YAML of
 * berth.yml's shape is said to be so in one line.
 */
import type { Document, Node } from 'yaml';
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { CONFIG_MAX_ALIASES, CONFIG_MAX_DEPTH, CONFIG_MAX_VALUES, NAME_MAX } from './limits.js';
import type { ConfigProblem } from './problems.js';
import { ConfigError, dottedPath } from './problems.js';
import { closestKey, closestMatch } from './suggest.js';
import { yamlPastLimits } from './yaml-scan.js';

/** Keys that name parts of every JavaScript object: refused wherever they appear. */
export const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** The keys that make a mapping a berth.yml (either, or one edit away). `services` alone does not: nsswitch.conf has it. */
const IDENTIFYING_KEYS = ['app', 'service'];

/** YAML syntax errors shown before the rest are summed up. */
const SHOWN_SYNTAX_ERRORS = 5;

export interface YamlConfig {
  doc: Document;
  lines: LineCounter;
  /** The plain data, with forbidden and overlong keys removed. */
  data: unknown;
  /** Problems that do not stop reading: duplicate keys (the last wins in data), forbidden or overlong keys (removed from data). */
  problems: ConfigProblem[];
  /** Where those problems were, to keep later checks from reporting the same place again. */
  removed: PropertyKey[][];
}

type Problem = Omit<ConfigProblem, 'file'>;

const LIMIT_MESSAGES = {
  depth: `nests deeper than ${CONFIG_MAX_DEPTH} levels; berth.yml needs about 8 (environments.prod.services.web.count.schedule)`,
  values: `has more than ${CONFIG_MAX_VALUES} keys and values; a large berth.yml has a few hundred`,
  aliases: `has more than ${CONFIG_MAX_ALIASES} YAML aliases (*name); write the values out`,
} as const;

/** A YAML library message without the source it quotes (`...: "<the line>"`) and without its position. */
export function syntaxMessage(message: string): string {
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?\s*$/, '');
  const withoutSource = first.replace(/:\s*["'`].*$/, '').replace(/:\s*$/, '');
  return withoutSource.length > 120 ? `${withoutSource.slice(0, 120)}…` : withoutSource;
}

export function readYamlConfig(text: string, shownAs: string, topLevelKeys: readonly string[]): YamlConfig {
  const fail = (problems: Problem[]): never => {
    throw new ConfigError(problems.map((problem) => ({ file: shownAs, ...problem })));
  };
  const past = yamlPastLimits(text, { depth: CONFIG_MAX_DEPTH, values: CONFIG_MAX_VALUES, aliases: CONFIG_MAX_ALIASES });
  if (past) {
    const { limit, ...position } = past;
    fail([{ ...position, path: '', message: LIMIT_MESSAGES[limit] }]);
  }
  const lines = new LineCounter();
  // Duplicate keys are found below (the library's own check compares every pair of keys: quadratic).
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0) {
    const shown = doc.errors.slice(0, SHOWN_SYNTAX_ERRORS).map((error): Problem => {
      const pos = lines.linePos(error.pos[0]);
      return { line: pos.line, column: pos.col, path: '', message: `YAML syntax error: ${syntaxMessage(error.message)}` };
    });
    const more = doc.errors.length - shown.length;
    if (more > 0) shown.push({ path: '', message: `and ${more} more YAML syntax error${more === 1 ? '' : 's'}: is this a berth.yml?`, hint: 'pass the path of berth.yml with --config' });
    fail(shown);
  }
  const contents = doc.contents as Node | null;
  if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''))) {
    fail([{ path: '', message: 'the file is empty; expected at least `app:` and `service: { port: ... }`', hint: 'run `berth init` to write a commented berth.yml' }]);
  }
  if (!isMap(contents)) {
    const pos = lines.linePos(contents!.range?.[0] ?? 0);
    fail([{ line: pos.line, column: pos.col, path: '', message: `expected a mapping of keys (app:, service:, ...), got ${isSeq(contents) ? 'a list' : 'a single value'}`, ...(isScalar(contents) ? { hint: 'is this a berth.yml? pass its path with --config' } : {}) }]);
  }
  checkShape(contents as Extract<Node, { items: unknown[] }>, topLevelKeys, fail);

  const problems: Problem[] = [];
  const removed: PropertyKey[][] = [];
  const at = (node: Node | undefined) => {
    const offset = node?.range?.[0];
    if (offset === undefined) return {};
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  walkKeys(contents as Node, [], (key, keyNode, path, duplicate) => {
    if (duplicate) {
      problems.push({ ...at(keyNode), path: dottedPath(path), message: 'is set twice in the same mapping (the last one would win); keep one' });
    } else if ((FORBIDDEN_KEYS as readonly string[]).includes(key)) {
      problems.push({ ...at(keyNode), path: dottedPath(path), message: `"${key}" is not allowed as a key anywhere in berth.yml (it names a part of every JavaScript object)`, hint: 'rename it' });
      removed.push(path);
    } else if (key.length > NAME_MAX) {
      problems.push({ ...at(keyNode), path: dottedPath([...path.slice(0, -1), `${key.slice(0, 40)}…`]), message: `a key of ${key.length} characters; keys are names of at most ${NAME_MAX} characters` });
      removed.push(path);
    }
  });

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: CONFIG_MAX_ALIASES });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    const alias = excessiveAlias(doc);
    fail([{ ...at(alias), path: '', message: /Excessive alias/.test(error.message)
      ? `YAML aliases expand into more than ${CONFIG_MAX_ALIASES} copies (an alias bomb); berth reads at most ${CONFIG_MAX_ALIASES}`
      : `YAML alias error: ${syntaxMessage(error.message)}`, hint: 'write the values out, or nest fewer aliases' }]);
  }
  for (const path of removed) deleteAt(data, path);
  return { doc, lines, data, problems: problems.map((problem) => ({ file: shownAs, ...problem })), removed };
}

/** A mapping none of whose keys belongs to berth.yml is some other file: say so once, without listing its keys. */
function checkShape(root: Extract<Node, { items: unknown[] }>, topLevelKeys: readonly string[], fail: (problems: Problem[]) => never): void {
  const keys = (root.items as unknown[]).flatMap((item) => (isPair(item) && isScalar(item.key) ? [String(item.key.value)] : []));
  if (keys.length === 0) return;
  const near = (key: string, candidates: readonly string[]) => candidates.includes(key) || closestKey(key, candidates) !== undefined;
  const identifying = (key: string) => IDENTIFYING_KEYS.includes(key) || (!topLevelKeys.includes(key) && closestMatch(key, IDENTIFYING_KEYS, { maxDistance: 1 }) !== undefined);
  if (keys.some(identifying)) return;
  const known = keys.filter((key) => near(key, topLevelKeys)).length;
  if (known * 2 >= keys.length) return;
  fail([{
    line: 1,
    column: 1,
    path: '',
    message: `is not a berth.yml: it sets neither app nor service, and ${keys.length - known} of its ${keys.length} top-level keys are not berth.yml keys`,
    hint: 'pass the path of berth.yml with --config, or run `berth init`',
  }]);
}

/** Calls visit for every mapping key, with the path of its value and whether the mapping had the key before. */
function walkKeys(node: Node, path: PropertyKey[], visit: (key: string, keyNode: Node, path: PropertyKey[], duplicate: boolean) => void): void {
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const keyPath = [...path, key];
      visit(key, pair.key as Node, keyPath, seen.has(key));
      seen.add(key);
      if (pair.value && isCollection(pair.value)) walkKeys(pair.value as Node, keyPath, visit);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      if (item && isCollection(item)) walkKeys(item as Node, [...path, index], visit);
    });
  }
}

function deleteAt(data: unknown, path: readonly PropertyKey[]): void {
  let node: unknown = data;
  for (const segment of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<PropertyKey, unknown>)[segment as string];
  }
  if (node !== null && typeof node === 'object') delete (node as Record<PropertyKey, unknown>)[path[path.length - 1] as string];
}

/**
 * The alias at which the yaml library's maxAliasCount check fails, found by repeating its count in document
 * order (each alias adds one use of its anchor; an anchor's weight is the largest use count inside it).
 */
function excessiveAlias(doc: Document): Node | undefined {
  const nodes: Node[] = [];
  const collect = (node: unknown) => {
    if (isAlias(node)) nodes.push(node as Node);
    else if (isCollection(node)) {
      if ((node as Node & { anchor?: string }).anchor) nodes.push(node as Node);
      for (const item of (node as { items: unknown[] }).items) {
        if (isPair(item)) { collect(item.key); collect(item.value); } else collect(item);
      }
    } else if (isScalar(node) && node.anchor) nodes.push(node as Node);
  };
  collect(doc.contents);
  const uses = new Map<Node, { count: number; weight: number }>();
  const targetOf = (alias: Node, before: number): Node | undefined => {
    let found: Node | undefined;
    for (let index = 0; index < before; index++) {
      const candidate = nodes[index]!;
      if (!isAlias(candidate) && (candidate as { anchor?: string }).anchor === (alias as unknown as { source: string }).source) found = candidate;
    }
    return found;
  };
  const weightOf = (node: unknown, before: number): number => {
    if (isAlias(node)) {
      const target = targetOf(node as Node, before);
      const use = target && uses.get(target);
      return use ? use.count * use.weight : 0;
    }
    if (isCollection(node)) return Math.max(0, ...(node as { items: unknown[] }).items.map((item) => weightOf(item, before)));
    if (isPair(node)) return Math.max(weightOf(node.key, before), weightOf(node.value, before));
    return 1;
  };
  for (let index = 0; index < nodes.length; index++) {
    const node = nodes[index]!;
    if (!isAlias(node)) continue;
    const target = targetOf(node, index);
    if (!target) return node;
    const use = uses.get(target) ?? { count: 0, weight: 0 };
    use.count += 1;
    if (use.weight === 0) use.weight = weightOf(target, index);
    uses.set(target, use);
    if (use.count * use.weight > CONFIG_MAX_ALIASES) return node;
  }
  return nodes.find((node) => isAlias(node));
}
