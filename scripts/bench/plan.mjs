import { join } from 'node:path';
import { timeCommand } from './timing.mjs';

export const name = 'plan';

/** `berth plan` wall time per example and AWS environment: one command, one synthesis each (no warm-up, no repeat). */
const PLANS = [
  ['flask-hello', 'prod'],
  ['radio', 'prod'],
  ['streamboard', 'dev'],
  ['consultation', 'prod'],
  ['news-api', 'prod'],
];

export async function run({ nodeStart, repo }) {
  const berth = join(repo, 'bin', 'berth.js');
  const rows = [];
  for (const [example, env] of PLANS) {
    const config = join(repo, 'examples', example, 'berth.yml');
    const seconds = await timeCommand(process.execPath, [berth, 'plan', '--config', config, '--env', env, '--json']);
    rows.push({ label: `berth plan ${example} --env ${env}`, seconds, baseline: nodeStart });
  }
  return rows;
}
