/** The builder decision is asked of the CLI once and remembered until the CLI, its buildx plugin or the engine changes. */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { askOrRemember } from './builder.js';

/** A fake docker CLI on PATH that logs each run; buildx works when the plugin file exists; the engine answers unless ENGINE_DOWN. */
function fakeCli(): { env: NodeJS.ProcessEnv; runs: () => string[]; addBuildx: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'berth-builder-'));
  const bin = join(root, 'bin');
  const config = join(root, 'docker-config');
  mkdirSync(bin);
  mkdirSync(join(config, 'cli-plugins'), { recursive: true });
  const log = join(root, 'runs.log');
  writeFileSync(log, '');
  writeFileSync(join(bin, 'docker'), `#!/bin/sh
echo "$*" >> '${log}'
case "$1" in
  version) if [ -n "$ENGINE_DOWN" ]; then echo '28.2.2|'; exit 1; fi; echo '28.2.2|linux' ;;
  buildx) [ -f '${config}/cli-plugins/docker-buildx' ] || exit 1; echo 'github.com/docker/buildx v0.20.0' ;;
esac
`);
  chmodSync(join(bin, 'docker'), 0o755);
  return {
    env: { PATH: `${bin}:/usr/bin:/bin`, DOCKER_CONFIG: config, BERTH_STATE_DIR: join(root, 'state') },
    runs: () => readFileSync(log, 'utf8').split('\n').filter(Boolean),
    addBuildx: () => writeFileSync(join(config, 'cli-plugins', 'docker-buildx'), '#!/bin/sh\n'),
  };
}

describe('the remembered builder decision', () => {
  it('asks the CLI once, then answers from memory until the buildx plugin appears', async () => {
    const cli = fakeCli();
    expect(await askOrRemember(cli.env)).toMatchObject({ buildkit: false });
    expect(cli.runs()).toHaveLength(2);
    expect(await askOrRemember(cli.env)).toMatchObject({ buildkit: false });
    expect(cli.runs()).toHaveLength(2);
    cli.addBuildx();
    expect(await askOrRemember(cli.env)).toMatchObject({ buildkit: true, via: 'buildx' });
    expect(cli.runs()).toHaveLength(4);
    expect(await askOrRemember(cli.env)).toMatchObject({ buildkit: true, via: 'buildx' });
    expect(cli.runs()).toHaveLength(4);
  });

  it('asks again for another engine (DOCKER_HOST), and does not remember an answer without the engine', async () => {
    const cli = fakeCli();
    await askOrRemember(cli.env);
    await askOrRemember({ ...cli.env, DOCKER_HOST: 'tcp://127.0.0.1:2375' });
    expect(cli.runs()).toHaveLength(4);
    const down = { ...cli.env, DOCKER_CONTEXT: 'other', ENGINE_DOWN: '1' };
    await askOrRemember(down);
    await askOrRemember(down);
    expect(cli.runs()).toHaveLength(8);
  });
});
