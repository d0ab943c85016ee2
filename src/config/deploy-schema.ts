/**
 * The `deploy` section of berth.yml: how a release replaces the running one (top level, or per environment).
 * Kept beside schema.ts; the rules that relate it to the target and the services live in deploy-checks.ts.
 */
import { z } from 'zod';
import { DURATION_PATTERN } from './durations.js';
import { TEXT_MAX } from './limits.js';

export const DEPLOY_STRATEGIES = ['rolling', 'blue-green', 'canary'] as const;

const DURATION_HELP = 'expected a duration such as 0, "30s", "5m" or "1h"';
const duration = z.union([z.number().int().min(0), z.string().max(TEXT_MAX).regex(DURATION_PATTERN, { error: DURATION_HELP })], { error: DURATION_HELP });

export const deploySchema = z.strictObject({
  strategy: z.enum(DEPLOY_STRATEGIES, { error: `expected one of ${DEPLOY_STRATEGIES.join(', ')}` })
    .meta({ description: 'rolling: replace tasks a few at a time; blue-green: start a full new set, test it, switch all traffic at once; canary: a share of traffic first, then all', default: 'rolling' }).optional(),
  bake: duration.meta({ description: 'blue-green and canary: how long the old set stays ready to take traffic back after the switch', default: '5m' }).optional(),
  canary: z.strictObject({
    percent: z.number().int().min(1).max(99).meta({ description: 'share of requests the new set receives first', default: 10 }).optional(),
    for: duration.meta({ description: 'how long the new set takes that share before it takes all traffic', default: '5m' }).optional(),
  }, { error: 'expected a mapping such as { percent: 10, for: 5m }' }).optional(),
}, { error: 'expected a mapping such as { strategy: blue-green, bake: 5m }' });

export type DeploySection = z.infer<typeof deploySchema>;
