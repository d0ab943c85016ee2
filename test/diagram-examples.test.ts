/**
 * `berth plan --env prod --diagram` for every example: the node and edge list (golden files in test/golden/diagrams,
 * rewritten with UPDATE_GOLDEN=1), every service / load balancer / database / cache of the templates on the picture,
 * and node prices that add up to `berth cost`'s total.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { estimateEnvironment } from '../src/cli/commands/cost-estimate.js';
import { loadConfig } from '../src/config/load.js';
import { cents } from '../src/plan/cost/price-template.js';
import { resourcesOf } from '../src/plan/cost/template.js';
import { DEFAULT_USAGE } from '../src/plan/cost/usage.js';
import { diagramFromTemplates } from '../src/plan/diagram/aws-diagram.js';
import { diagramFacts } from '../src/plan/diagram/diagram.js';
import { svgId } from '../src/plan/diagram/dot.js';
import { renderDiagramSvg } from '../src/plan/diagram/render-svg.js';

const out = mkdtempSync(join(tmpdir(), 'berth-diagram-examples-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const EXAMPLES = ['flask-hello', 'radio', 'streamboard', 'consultation', 'news-api'];
const MAIN_KINDS: Record<string, string> = {
  'AWS::ECS::Service': 'service',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'load-balancer',
  'AWS::RDS::DBInstance': 'database',
  'AWS::ElastiCache::ReplicationGroup': 'cache',
};

describe('diagrams of the examples (prod)', () => {
  it.each(EXAMPLES)('%s', async (example) => {
    const config = loadConfig({ config: `examples/${example}/berth.yml`, env: 'prod' });
    const cost = await estimateEnvironment(config, DEFAULT_USAGE, join(out, example));
    const diagram = diagramFromTemplates({ app: config.app, env: config.env, templates: cost.templates, estimate: cost.estimate });

    const facts = diagramFacts(diagram);
    const golden = join('test/golden/diagrams', `${example}-prod.json`);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(golden)) writeFileSync(golden, `${JSON.stringify(facts, null, 2)}\n`);
    expect(facts).toEqual(JSON.parse(readFileSync(golden, 'utf8')));

    const sum = (pick: 'min' | 'max') => cents(diagram.nodes.reduce((total, node) => total + (node.monthly?.[pick] ?? 0), 0));
    expect({ min: sum('min'), max: sum('max') }).toEqual(cost.estimate.monthly);
    expect(diagram.monthly).toEqual(cost.estimate.monthly);

    const resources = resourcesOf(cost.templates);
    for (const [type, kind] of Object.entries(MAIN_KINDS)) {
      const count = resources.filter((located) => located.resource.Type === type).length;
      expect(diagram.nodes.filter((node) => node.kind === kind), `${type} on the diagram`).toHaveLength(count);
    }
    expect(diagram.nodes.filter((node) => node.kind === 'service').length).toBeGreaterThan(0);

    const svg = await renderDiagramSvg(diagram);
    expect(svg).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\s*$/);
    for (const node of diagram.nodes) expect(svg).toContain(`id="${svgId('node', node.id)}"`);
  }, 120_000);
});
