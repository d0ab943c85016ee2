/** End-to-end: the built CLI (`npm run build` first) runs `berth init` on copies of the fixture apps. */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { berthJsonSchema } from '../src/config/schema.js';
import { primaryWebService } from '../src/model/index.js';

const web = (config: Parameters<typeof primaryWebService>[0]) => primaryWebService(config)!;

const BERTH = fileURLToPath(new URL('../bin/berth.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/apps/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'berth-init-e2e-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function berth(args: string[], cwd = work): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // stdin is a pipe, not a TTY: init must not ask anything.
    const child = spawn(process.execPath, [BERTH, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end();
  });
}

function copyFixture(name: string, as = name): string {
  const dir = join(work, as);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;

describe('berth init --yes on each fixture app', () => {
  it.each([
    ['flask', 'Flask', 5000, '/healthz'],
    ['fastapi', 'FastAPI', 8000, '/health'],
    ['django', 'Django', 8000, '/health/'],
    ['express', 'Express', 3000, '/health'],
    ['nextjs', 'Next.js', 3000, '/api/health'],
    ['streamlit', 'Streamlit', 8501, '/_stcore/health'],
    ['rails', 'Rails', 3000, '/up'],
  ])('%s', async (name, frameworkName, port, healthPath) => {
    const dir = copyFixture(name);
    const result = await berth(['init', dir, '--yes']);
    expect(result.code).toBe(0);
    // The fixtures are sound apps: notes (e.g. Django's root user) at most, no warnings.
    expect(result.stderr).not.toContain('warning:');
    expect(result.stdout).toContain(`framework    ${frameworkName} (`);
    expect(result.stdout).toContain(`port         ${port}: `);
    expect(result.stdout).toMatch(/✔ wrote .*berth\.yml/);
    expect(result.stdout).toContain('berth validate --config');

    const text = readFileSync(join(dir, 'berth.yml'), 'utf8');
    expect(text.startsWith('# yaml-language-server: $schema=.berth/schema.json\n')).toBe(true);
    expect(text).toContain(`# Found: ${frameworkName} (`);
    const config = loadConfig({ config: join(dir, 'berth.yml'), cwd: dir });
    expect(web(config).port).toBe(port);
    expect(web(config).health.path).toBe(healthPath);
    expect(JSON.parse(readFileSync(join(dir, '.berth', 'schema.json'), 'utf8'))).toEqual(berthJsonSchema());
  });
});

describe('berth init rules', () => {
  it('never replaces an existing berth.yml without --force, and replaces it with --force', async () => {
    const dir = copyFixture('fastapi', 'fastapi-overwrite');
    writeFileSync(join(dir, 'berth.yml'), 'app: mine\nservice: { port: 1234 }\n');
    const refused = await berth(['init', dir, '--yes']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: .*berth\.yml already exists; berth init does not replace it$/m);
    expect(refused.stderr).toMatch(/^hint: .*--force/m);
    expect(refused.stderr).not.toMatch(STACK_TRACE);
    expect(readFileSync(join(dir, 'berth.yml'), 'utf8')).toBe('app: mine\nservice: { port: 1234 }\n');

    const forced = await berth(['init', dir, '--yes', '--force']);
    expect(forced.code).toBe(0);
    expect(web(loadConfig({ config: join(dir, 'berth.yml'), cwd: dir })).port).toBe(8000);
  });

  it('treats berth.yaml like berth.yml', async () => {
    const dir = copyFixture('express', 'express-yaml');
    writeFileSync(join(dir, 'berth.yaml'), 'app: mine\n');
    const result = await berth(['init', '--yes'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('berth.yaml already exists');
    expect(existsSync(join(dir, 'berth.yml'))).toBe(false);
  });

  it('asks nothing without a TTY, even without --yes, and works in the current folder', async () => {
    const dir = copyFixture('flask', 'flask-no-tty');
    const result = await berth(['init'], dir);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('Press Enter');
    expect(result.stdout).toContain('  berth validate  ');
    const validate = await berth(['validate'], dir);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain('flask-no-tty (local) is valid');
  });

  it('without a Dockerfile: writes berth.yml, warns, and shows what validate will report', async () => {
    const dir = join(work, 'no-dockerfile');
    mkdirSync(dir);
    writeFileSync(join(dir, 'requirements.txt'), 'fastapi\nuvicorn\n');
    writeFileSync(join(dir, 'main.py'), 'from fastapi import FastAPI\napp = FastAPI()\n');
    const result = await berth(['init', dir, '--yes']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^warning: no Dockerfile in this folder/m);
    expect(result.stderr).toMatch(/berth validate will report:\n {2}.*berth\.yml:\d+:\d+: service\.build\.dockerfile: .*Dockerfile does not exist/);
    const text = readFileSync(join(dir, 'berth.yml'), 'utf8');
    expect(text).toContain('no Dockerfile yet');
    expect(text).toContain('port: 8000');
    const validate = await berth(['validate'], dir);
    expect(validate.code).toBe(2);
  });

  it('prints one JSON document with --json', async () => {
    const dir = copyFixture('nextjs', 'nextjs-json');
    const result = await berth(['init', dir, '--yes', '--json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      file: join(dir, 'berth.yml'),
      valid: true,
      answers: { app: 'nextjs-json', port: 3000, healthPath: '/api/health', database: true, cache: false, secrets: ['OPENAI_API_KEY'] },
      findings: { framework: { name: 'Next.js' }, dockerfile: { path: 'Dockerfile', baseImage: 'node:20-alpine' } },
    });
  });

  it('refuses a folder that does not exist', async () => {
    const result = await berth(['init', join(work, 'missing'), '--yes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: .*missing: not a folder$/m);
  });
});
