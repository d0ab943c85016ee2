import { join } from 'node:path';
import { medianOf, timeCommand } from './timing.mjs';

export const name = 'cli-startup';

export async function run({ nodeStart, repo }) {
  const berth = join(repo, 'bin', 'berth.js');
  const config = join(repo, 'examples', 'news-api', 'berth.yml');
  const rows = [];
  const version = await medianOf(5, () => timeCommand(process.execPath, [berth, '--version']));
  rows.push({ label: 'berth --version', seconds: version, baseline: nodeStart });
  const validate = await medianOf(5, () => timeCommand(process.execPath, [berth, 'validate', '--config', config]));
  rows.push({ label: 'berth validate (examples/news-api)', seconds: validate, baseline: nodeStart });
  return rows;
}
