import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BalancerClient } from './balancer-client.js';
import { provenProcess } from './process-identity.js';

const children: Array<ReturnType<typeof spawn>> = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('stopping a balancer with a stale pid file', () => {
  it('leaves an unrelated process alive whose pid the stale balancer.pid names, and removes the stale file', async () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(child);
    const dir = mkdtempSync(join(tmpdir(), 'lt-stale-'));
    // Old format (a bare pid) and a forged identity (the pid of `sleep` with a balancer's command line).
    writeFileSync(join(dir, 'balancer.pid'), `${child.pid}\n`);
    writeFileSync(join(dir, 'balancer-supervisor.pid'), JSON.stringify({ pid: child.pid, startTime: '1', command: 'node balancer-supervisor.js' }));
    const stopped = await new BalancerClient(dir, join(dir, 'secrets.json')).stop();
    expect(stopped).toBe(false);
    expect(alive(child.pid!)).toBe(true);
    expect(provenProcess(join(dir, 'balancer.pid'))).toBeUndefined();
  });
});
