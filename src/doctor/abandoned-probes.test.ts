import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { abandonedProbe, doctorRunAlive, doctorRunOwner } from './abandoned-probes.js';

describe('abandoned doctor probes', () => {
  it('keeps what a running doctor owns, removes what a gone one or an unlabelled older berth left', () => {
    const alive = (owner: string) => owner === '10:500';
    expect(abandonedProbe({ 'org.berth.doctor.run': '10:500' }, alive)).toBe(false);
    expect(abandonedProbe({ 'org.berth.doctor.run': '10:499' }, alive)).toBe(true);
    expect(abandonedProbe({ 'org.berth.role': 'doctor' }, alive)).toBe(true);
    expect(abandonedProbe(undefined, alive)).toBe(true);
  });

  it('tells this process as running, and a killed one (or a reused pid) as gone', async () => {
    expect(doctorRunAlive(doctorRunOwner())).toBe(true);
    const child = spawn('sleep', ['30']);
    const owner = doctorRunOwner(child.pid!);
    expect(doctorRunAlive(owner)).toBe(true);
    expect(doctorRunAlive(`${child.pid}:0`)).toBe(false);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(doctorRunAlive(owner)).toBe(false);
    expect(doctorRunAlive('garbage')).toBe(false);
  });
});
