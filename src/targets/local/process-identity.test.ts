import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nextRestartDelay, restartsFromEnv } from './balancer-restarts.js';
import { parseIdentity, processIdentity, procStatStartTime, provenProcess, sameProcess } from './process-identity.js';

const children: Array<ReturnType<typeof spawn>> = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe('process identity', () => {
  it('reads the start time from a /proc stat line whose command name holds spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, index) => String(index + 3));
    // Field 22 (start time) is the 20th field after the command name.
    expect(procStatStartTime(`1234 (node (x) y) ${fields.join(' ')}`)).toBe('22');
  });

  it('matches only the same pid, start time and command line', () => {
    const recorded = { pid: 10, startTime: '500', command: 'node balancer-daemon.js /state' };
    expect(sameProcess(recorded, { ...recorded })).toBe(true);
    expect(sameProcess(recorded, { ...recorded, startTime: '501' })).toBe(false);
    expect(sameProcess(recorded, { ...recorded, command: 'sleep 60' })).toBe(false);
    expect(sameProcess(recorded, undefined)).toBe(false);
  });

  it('takes a bare pid (an older pid file) as no proof', () => {
    expect(parseIdentity('4242\n')).toBeUndefined();
    expect(parseIdentity('{"pid":4242}')).toBeUndefined();
    expect(parseIdentity('{"pid":4242,"startTime":"1","command":"node"}')).toEqual({ pid: 4242, startTime: '1', command: 'node' });
  });

  it('proves a live process from its recorded identity, and not a pid reused by another process', () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(child);
    const dir = mkdtempSync(join(tmpdir(), 'lt-identity-'));
    const identity = processIdentity(child.pid!);
    expect(identity?.command).toBe('sleep 60');
    writeFileSync(join(dir, 'own.pid'), JSON.stringify(identity));
    expect(provenProcess(join(dir, 'own.pid'))?.pid).toBe(child.pid);
    writeFileSync(join(dir, 'reused.pid'), JSON.stringify({ ...identity, command: 'node /dist/targets/local/balancer-daemon.js /state' }));
    expect(provenProcess(join(dir, 'reused.pid'))).toBeUndefined();
  });
});

describe('balancer restarts', () => {
  it('restarts quickly at first and backs off while the balancer keeps dying at start-up', () => {
    expect(nextRestartDelay(0, 100)).toBe(50);
    expect(nextRestartDelay(50, 500)).toBe(100);
    expect(nextRestartDelay(4000, 500)).toBe(5000);
    expect(nextRestartDelay(5000, 500)).toBe(5000);
    expect(nextRestartDelay(5000, 60_000)).toBe(50);
  });

  it('reads the restart record the supervisor passes', () => {
    expect(restartsFromEnv({})).toEqual({ restarts: 0 });
    expect(restartsFromEnv({ BERTH_BALANCER_RESTARTS: '2', BERTH_BALANCER_LAST_EXIT: 'x killed by SIGKILL' })).toEqual({ restarts: 2, lastRestart: 'x killed by SIGKILL' });
  });
});
