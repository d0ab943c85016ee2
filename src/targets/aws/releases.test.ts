import { GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Release } from '../operations.js';
import { parseRelease, releaseParameterName, ReleaseStore } from './releases.js';

const ssm = mockClient(SSMClient);
beforeEach(() => ssm.reset());

function stored(number: number, status: Release['status']): { Name: string; Value: string } {
  const value: Release = { number, image: `1.dkr.ecr.eu-west-1.amazonaws.com/berth-shop@sha256:${number}`, digest: `sha256:${number}`, createdAt: '2026-11-23T10:00:00.000Z', createdBy: 'alice', status };
  return { Name: releaseParameterName('shop', 'prod', number), Value: JSON.stringify(value) };
}

describe('ReleaseStore', () => {
  it('names parameters so they sort like numbers', () => {
    expect(releaseParameterName('shop', 'prod', 42)).toBe('/berth/shop/prod/releases/000042');
  });

  it('lists releases across pages, oldest first, ignoring values berth did not write', async () => {
    ssm.on(GetParametersByPathCommand, { Path: '/berth/shop/prod/releases', NextToken: undefined }).resolves({ Parameters: [stored(2, 'deployed'), { Name: 'x', Value: 'not json' }], NextToken: 't' });
    ssm.on(GetParametersByPathCommand, { NextToken: 't' }).resolves({ Parameters: [stored(1, 'superseded')] });
    const releases = await new ReleaseStore(new SSMClient({ region: 'eu-west-1' }), 'shop', 'prod').list();
    expect(releases.map((r) => [r.number, r.status])).toEqual([[1, 'superseded'], [2, 'deployed']]);
  });

  it('creates the next release without overwriting, taking the next number when another deploy won', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [stored(1, 'deployed')] });
    ssm.on(PutParameterCommand, { Name: '/berth/shop/prod/releases/000002' }).rejects(Object.assign(new Error('exists'), { name: 'ParameterAlreadyExists' }));
    ssm.on(PutParameterCommand, { Name: '/berth/shop/prod/releases/000003' }).resolves({ Version: 1 });
    const store = new ReleaseStore(new SSMClient({ region: 'eu-west-1' }), 'shop', 'prod');
    const created = await store.create({ image: 'repo@sha256:abc', digest: 'sha256:abc', createdAt: 'now', createdBy: 'bob', status: 'deploying' });
    expect(created.number).toBe(3);
    const puts = ssm.commandCalls(PutParameterCommand);
    expect(puts.map((call) => call.args[0].input.Overwrite)).toEqual([false, false]);
    expect(parseRelease(puts[1]!.args[0].input.Value)).toMatchObject({ number: 3, digest: 'sha256:abc', status: 'deploying' });
  });

  it('reports expired credentials and throttling in plain words', async () => {
    const store = new ReleaseStore(new SSMClient({ region: 'eu-west-1' }), 'shop', 'prod');
    ssm.on(GetParametersByPathCommand).rejects(Object.assign(new Error('expired'), { name: 'ExpiredTokenException' }));
    await expect(store.list()).rejects.toThrow(/reading releases under \/berth\/shop\/prod\/releases .*credentials have expired/);
    ssm.on(GetParametersByPathCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { attempts: 6 } }));
    await expect(store.list()).rejects.toThrow(/throttling.*6 attempts/);
  });
});
