/** Turn zod issues into one-line problems that say what was wrong and what is allowed. */
import type { z } from 'zod';
import { berthJsonSchema } from './schema.js';
import { closestKey, closestMatch } from './suggest.js';
import { quoteForProblem } from './text-formats.js';

export interface FieldProblem {
  path: PropertyKey[];
  message: string;
  hint?: string;
  /** Point at the key rather than its value (unknown keys). */
  atKey?: boolean;
  /** For an unknown key with a did-you-mean: the path that was meant (its absence is the same mistake). */
  meant?: PropertyKey[];
}

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  type?: string;
};

let cachedSchema: JsonSchema | undefined;

/** The keys an object at `path` may have, found by walking the JSON Schema. */
export function knownKeysAt(path: readonly PropertyKey[]): string[] {
  cachedSchema ??= berthJsonSchema() as JsonSchema;
  let nodes: JsonSchema[] = [cachedSchema];
  for (const segment of path) {
    const next: JsonSchema[] = [];
    for (const node of nodes.flatMap(expandAnyOf)) {
      if (typeof segment === 'number') {
        if (node.items) next.push(node.items);
      } else if (node.properties?.[String(segment)]) {
        next.push(node.properties[String(segment)]!);
      } else if (typeof node.additionalProperties === 'object') {
        next.push(node.additionalProperties);
      }
    }
    nodes = next;
  }
  return [...new Set(nodes.flatMap(expandAnyOf).flatMap((node) => Object.keys(node.properties ?? {})))];
}

function expandAnyOf(node: JsonSchema): JsonSchema[] {
  return node.anyOf ? node.anyOf.flatMap(expandAnyOf) : [node];
}

function describeReceived(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return quoteForProblem(value);
  return String(value);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
};

/** A union branch that failed on the value itself (not inside it) did not match the value's kind. */
function failedAtRoot(issues: readonly z.core.$ZodIssue[]): boolean {
  return issues.some((issue) => issue.path.length === 0 && issue.code !== 'unrecognized_keys');
}

function rangeProblem(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall, path: PropertyKey[], received: unknown): FieldProblem {
  const bound = issue.code === 'too_small' ? `at least ${String(issue.minimum)}` : `at most ${String(issue.maximum)}`;
  const what = issue.origin === 'string' ? `${bound} characters` : issue.origin === 'array' ? `${bound} entries` : bound;
  return { path, message: `${describeReceived(received)} is out of range (expected ${what})` };
}

/** Flatten zod issues; for unions, use the branch that matched the value's type, if any. */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], input: unknown, prefix: PropertyKey[] = []): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const received = valueAt(input, path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(path);
        for (const key of issue.keys) {
          const suggestion = closestKey(key, known);
          problems.push({
            path: [...path, key],
            message: `unknown key${known.length ? ` (allowed: ${known.join(', ')})` : ''}`,
            hint: suggestion ? `did you mean "${suggestion}"?` : undefined,
            atKey: true,
            ...(suggestion ? { meant: [...path, suggestion] } : {}),
          });
        }
        break;
      }
      case 'invalid_union': {
        const matching = issue.errors.filter((branch) => !failedAtRoot(branch));
        // Else the branch that took the value's type and refused its value (a string too long, a number out of range).
        const sameType = issue.errors.filter((branch) => failedAtRoot(branch) && !branch.some((inner) => inner.path.length === 0 && inner.code === 'invalid_type'));
        if (matching.length === 1) problems.push(...problemsFromIssues(matching[0]!, input, path));
        else if (matching.length === 0 && sameType.length === 1) problems.push(...problemsFromIssues(sameType[0]!, input, path));
        else problems.push({ path, message: `${issue.message}; got ${describeReceived(received)}` });
        break;
      }
      case 'invalid_type': {
        if (received === undefined) {
          problems.push({ path, message: `is required (expected ${TYPE_WORDS[issue.expected] ?? issue.expected})` });
        } else {
          const expected = issue.message.startsWith('Invalid input') ? `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}` : issue.message;
          problems.push({ path, message: `${expected}, got ${describeReceived(received)}` });
        }
        break;
      }
      case 'invalid_value': {
        const allowed = issue.values.map((v) => JSON.stringify(v)).join(', ');
        const suggestion = typeof received === 'string' ? closestMatch(received, issue.values.map(String)) : undefined;
        problems.push({
          path,
          message: `${describeReceived(received)} is not allowed (allowed: ${allowed})`,
          hint: suggestion ? `did you mean "${suggestion}"?` : undefined,
        });
        break;
      }
      case 'too_big':
        if (issue.origin === 'string' && typeof received === 'string') {
          problems.push({ path, message: `is too long: ${received.length} characters (at most ${String(issue.maximum)})` });
          break;
        }
        if (issue.origin === 'array' && Array.isArray(received)) {
          problems.push({ path, message: `has ${received.length} entries (at most ${String(issue.maximum)})` });
          break;
        }
        problems.push(rangeProblem(issue, path, received));
        break;
      case 'too_small':
        problems.push(rangeProblem(issue, path, received));
        break;
      case 'invalid_format':
        problems.push({ path, message: `${describeReceived(received)} is not valid: ${issue.message.startsWith('Invalid') ? `expected ${issue.format}` : issue.message}` });
        break;
      case 'not_multiple_of':
        problems.push({ path, message: `${describeReceived(received)} must be a multiple of ${String(issue.divisor)}` });
        break;
      default:
        problems.push({ path, message: issue.message });
    }
  }
  return problems;
}
