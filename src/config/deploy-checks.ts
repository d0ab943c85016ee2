/** Rules for berth.yml's `deploy` section that relate it to the target and the services (the shapes are in deploy-schema.ts). */
import { DEFAULT_ENV } from './defaults.js';
import { formatDuration, parseDuration } from './durations.js';
import type { Sections } from './merge-environment.js';
import { serviceEntries, serviceKind } from './service-entries.js';
import type { FieldProblem } from './zod-problems.js';

/** ECS takes bake times in whole minutes from 0 to 1440 (24 hours); the local balancer uses the same ceiling. */
export const MAX_BAKE_SECONDS = 1440 * 60;

type Add = (path: PropertyKey[], message: string, extra?: Partial<FieldProblem> & { involves?: PropertyKey[][] }) => void;

export function checkDeploy(sections: Sections, context: { env: string }, add: Add): void {
  const deploy = sections.deploy;
  if (!deploy) return;
  const onAws = context.env !== DEFAULT_ENV;
  const durations: Array<{ path: PropertyKey[]; value: string | number | undefined; min: number }> = [
    { path: ['deploy', 'bake'], value: deploy.bake, min: 0 },
    { path: ['deploy', 'canary', 'for'], value: deploy.canary?.for, min: 1 },
  ];
  for (const { path, value, min } of durations) {
    if (value === undefined) continue;
    const seconds = parseDuration(value);
    if (seconds === undefined) continue;
    if (seconds < min || seconds > MAX_BAKE_SECONDS) {
      add(path, `"${value}" is out of range (expected ${min === 0 ? '0' : '1s'} to 24h)`);
    } else if (onAws && seconds % 60 !== 0) {
      const down = Math.max(Math.floor(seconds / 60), min) * 60;
      const up = Math.ceil(seconds / 60) * 60;
      add(path, `"${value}" is not whole minutes: ECS counts bake and canary times in minutes`, { hint: `use ${[...new Set([down, up])].map(formatDuration).join(' or ')} in AWS environments` });
    }
  }

  const strategy = deploy.strategy ?? 'rolling';
  if (strategy === 'rolling') return;
  const behindBalancer = serviceEntries(sections).some((entry) => serviceKind(entry) === 'web' && entry.raw.loadBalancer !== false);
  if (!behindBalancer) {
    add(['deploy', 'strategy'], `${strategy} moves traffic between two sets of tasks on the load balancer, and no web service sits behind it`, {
      hint: 'use strategy: rolling, or give a web service `loadBalancer: true` (workers always roll)',
    });
  }
}
