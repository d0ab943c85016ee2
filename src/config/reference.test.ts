import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { z } from 'zod';
import { DEFAULTS } from './defaults.js';
import { loadConfig } from './load.js';
import { deepMerge } from './merge-environment.js';
import { SECTION_DOCS, fieldDoc, sectionDoc } from './reference.js';
import { renderReferenceMarkdown } from './reference-markdown.js';
import { berthFileSchema } from './schema.js';

/** The keys of a zod object schema (unwrapping optional/union members that are objects). */
function objectKeys(schema: z.ZodType): string[] {
  const def = (schema as unknown as { def: { type: string; innerType?: z.ZodType; options?: z.ZodType[]; shape?: Record<string, z.ZodType> } }).def;
  if (def.type === 'object') return Object.keys(def.shape!);
  if (def.type === 'optional' || def.type === 'nullable') return objectKeys(def.innerType!);
  if (def.type === 'union') return def.options!.flatMap(objectKeys);
  return [];
}

const shape = berthFileSchema.shape;

describe('section docs', () => {
  it('document every top-level key of berth.yml', () => {
    const keys = Object.keys(shape).filter((key) => key !== '$schema');
    expect(keys.filter((key) => !SECTION_DOCS.some((section) => section.key === key))).toEqual([]);
  });

  it('document every field of the sections that list fields, and no field that does not exist', () => {
    for (const section of SECTION_DOCS.filter((doc) => doc.fields)) {
      const path = section.key.split('.');
      let schema: z.ZodType = berthFileSchema;
      for (const segment of path) {
        let def = (schema as unknown as { def: { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; options?: z.ZodType[] } }).def;
        while (def.type === 'optional' && def.innerType) def = (def.innerType as unknown as { def: typeof def }).def;
        const inner = def.type === 'object' ? def.shape : undefined;
        schema = inner?.[segment] ?? (() => { throw new Error(`${section.key}: no ${segment}`); })();
      }
      const keys = objectKeys(schema);
      const documented = section.fields!.map((field) => field.key);
      expect({ section: section.key, missing: keys.filter((key) => !documented.includes(key)) }).toEqual({ section: section.key, missing: [] });
      expect({ section: section.key, stale: documented.filter((key) => !keys.includes(key)) }).toEqual({ section: section.key, stale: [] });
    }
  });

  it('take their defaults from defaults.ts', () => {
    expect(fieldDoc('service.health', 'interval').default).toBe(String(DEFAULTS.service.health.interval));
    expect(fieldDoc('service', 'memory').default).toBe(String(DEFAULTS.service.memory));
    expect(fieldDoc('database', 'instance').default).toBe(DEFAULTS.database.instance);
    expect(sectionDoc('local').default).toBe(`{ port: ${DEFAULTS.local.port} }`);
    expect(() => sectionDoc('servce')).toThrow(/no reference doc/);
  });

  describe('examples are valid berth.yml', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-reference-'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM python:3.12-slim\n');
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const alternatives = SECTION_DOCS.flatMap((section) =>
      section.example.split(/^# or$/m).map((example, index) => [`${section.key} #${index + 1}`, example] as const),
    );
    it.each(alternatives)('%s', (_name, example) => {
      const parsed = parse(example) as Record<string, unknown>;
      const base = parsed.services ? { app: 'example-app' } : { app: 'example-app', service: { port: 8000, build: { args: {} } } };
      const merged = deepMerge(base, parsed);
      const file = join(dir, 'berth.yml');
      writeFileSync(file, stringify(merged));
      expect(() => loadConfig({ config: file, cwd: dir })).not.toThrow();
    });
  });
});

describe('docs/berth-yml.md', () => {
  it('is up to date with src/config/reference.ts (run `npm run docs` to regenerate)', () => {
    const onDisk = readFileSync(new URL('../../docs/berth-yml.md', import.meta.url), 'utf8');
    expect(onDisk === renderReferenceMarkdown(), 'docs/berth-yml.md is out of date: run `npm run docs`').toBe(true);
  });
});
