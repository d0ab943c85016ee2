/**
 * Quoted numbers where berth.yml wants a number: YAML users write `port: "8000"` or `cpu: "512"` (compose files
 * quote ports), and berth reads them as 8000 and 512. A string becomes a number only where the schema takes a
 * number and no text (so `version: "16"` of the database and `timeout: "90s"` stay as written), and only when it
 * is a plain decimal number ("8000", " 512 ", "0.5"; not "0x1F", "1e3" or "8000abc").
 */
import { berthJsonSchema } from './schema.js';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
};

const DECIMAL = /^\s*[-+]?\d{1,15}(\.\d{1,15})?\s*$/;

let cachedSchema: JsonSchema | undefined;

function expand(nodes: readonly JsonSchema[]): JsonSchema[] {
  return nodes.flatMap((node) => (node.anyOf ? expand(node.anyOf) : [node]));
}

function types(node: JsonSchema): string[] {
  if (node.type) return Array.isArray(node.type) ? node.type : [node.type];
  if (node.const !== undefined) return [typeof node.const];
  if (node.enum) return [...new Set(node.enum.map((value) => typeof value))];
  // No type: anything goes, text included.
  return ['string'];
}

function childNodes(nodes: readonly JsonSchema[], key: string | number): JsonSchema[] {
  const next: JsonSchema[] = [];
  for (const node of nodes) {
    if (typeof key === 'number') {
      if (node.items) next.push(node.items);
    } else if (node.properties?.[key]) {
      next.push(node.properties[key]!);
    } else if (typeof node.additionalProperties === 'object') {
      next.push(node.additionalProperties);
    }
  }
  return expand(next);
}

function coerce(value: unknown, nodes: JsonSchema[]): unknown {
  if (nodes.length === 0) return value;
  if (typeof value === 'string') {
    const accepted = nodes.flatMap(types);
    const wantsNumber = accepted.includes('number') || accepted.includes('integer');
    return wantsNumber && !accepted.includes('string') && DECIMAL.test(value) ? Number(value) : value;
  }
  if (Array.isArray(value)) return value.map((item, index) => coerce(item, childNodes(nodes, index)));
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties: a key named __proto__ could never reach a prototype.
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, coerce(item, childNodes(nodes, key))]));
  }
  return value;
}

/** A copy of berth.yml's data with quoted numbers turned into numbers where the schema wants a number. */
export function coerceNumericStrings(data: unknown): unknown {
  cachedSchema ??= berthJsonSchema() as JsonSchema;
  return coerce(data, expand([cachedSchema]));
}
