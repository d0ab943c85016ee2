/** Test support: a ResolvedConfig from berth.yml text, loaded the way the CLI loads it (image given, so no Dockerfile needed). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/model.js';

export function configFromYaml(yaml: string, env: string): ResolvedConfig {
  const dir = mkdtempSync(join(tmpdir(), 'berth-plan-test-'));
  const file = join(dir, 'berth.yml');
  writeFileSync(file, yaml);
  return loadConfig({ config: file, env, cwd: dir });
}
