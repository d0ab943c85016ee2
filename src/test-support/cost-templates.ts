/** The CDK-synthesized fixtures the cost tests price (written by scripts/cost-fixtures.mjs). */
import { readFileSync } from 'node:fs';
import type { CfnTemplate, StackTemplate } from '../plan/cost/template.js';

export type FixtureName = 'public-alb' | 'private-nat' | 'private-endpoints' | 'registry';

export function fixture(name: FixtureName): StackTemplate {
  const template = JSON.parse(readFileSync(new URL(`../plan/cost/fixtures/${name}.template.json`, import.meta.url), 'utf8')) as CfnTemplate;
  return { stack: `berth-demo-${name}`, template };
}

/** A one-resource template for focused cases. */
export function single(type: string, properties: Record<string, unknown>, logicalId = 'Thing'): StackTemplate {
  return { stack: 'berth-test', template: { Resources: { [logicalId]: { Type: type, Properties: properties } } } };
}
