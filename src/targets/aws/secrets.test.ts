import {
  CreateSecretCommand, DeleteSecretCommand, ListSecretsCommand, PutSecretValueCommand, RestoreSecretCommand, SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsSecretStore, secretId } from './secrets.js';

const sm = mockClient(SecretsManagerClient);
beforeEach(() => sm.reset());
const CANARY = 'canary-4f1d-secret-value';

function store(declared = ['STRIPE_KEY', 'SESSION_SECRET']): AwsSecretStore {
  return new AwsSecretStore(new SecretsManagerClient({ region: 'eu-west-1' }), 'shop', 'prod', declared);
}

describe('AwsSecretStore', () => {
  it('stores a new secret under berth/<app>/<env>/<NAME>', async () => {
    sm.on(PutSecretValueCommand).rejects(Object.assign(new Error('no'), { name: 'ResourceNotFoundException' }));
    sm.on(CreateSecretCommand).resolves({});
    await store().set('STRIPE_KEY', CANARY);
    expect(secretId('shop', 'prod', 'STRIPE_KEY')).toBe('berth/shop/prod/STRIPE_KEY');
    expect(sm.commandCalls(CreateSecretCommand)[0]!.args[0].input).toMatchObject({ Name: 'berth/shop/prod/STRIPE_KEY', SecretString: CANARY });
  });

  it('updates an existing secret, and restores one scheduled for deletion', async () => {
    sm.on(PutSecretValueCommand).resolvesOnce({}).rejectsOnce(Object.assign(new Error('You can\'t perform this operation on the secret because it was marked for deletion.'), { name: 'InvalidRequestException' })).resolves({});
    sm.on(RestoreSecretCommand).resolves({});
    await store().set('STRIPE_KEY', CANARY);
    await store().set('STRIPE_KEY', CANARY);
    expect(sm.commandCalls(RestoreSecretCommand)).toHaveLength(1);
    expect(sm.commandCalls(CreateSecretCommand)).toHaveLength(0);
  });

  it('refuses names that are not environment variable names, without calling AWS', async () => {
    await expect(store().set('bad-name', CANARY)).rejects.toThrow(/not an environment variable name/);
    expect(sm.calls()).toHaveLength(0);
  });

  it('lists names and last-changed dates only, declared ones without a value included', async () => {
    sm.on(ListSecretsCommand).resolves({ SecretList: [
      { Name: 'berth/shop/prod/STRIPE_KEY', LastChangedDate: new Date('2026-11-20T08:00:00Z'), SecretVersionsToStages: { v1: ['AWSCURRENT'] } },
      { Name: 'berth/shop/prod/OLD', CreatedDate: new Date('2026-01-01T00:00:00Z') },
      { Name: 'berth/shop/prod/GONE', DeletedDate: new Date() },
    ] });
    const list = await store().list();
    expect(list).toEqual([
      { name: 'STRIPE_KEY', lastChanged: '2026-11-20T08:00:00.000Z', declared: true },
      { name: 'OLD', lastChanged: '2026-01-01T00:00:00.000Z', declared: false },
      { name: 'SESSION_SECRET', declared: true },
    ]);
    expect(JSON.stringify(list)).not.toContain(CANARY);
    expect(sm.commandCalls(ListSecretsCommand)[0]!.args[0].input.Filters).toEqual([{ Key: 'name', Values: ['berth/shop/prod/'] }]);
  });

  it('names the declared secrets that have no value', async () => {
    sm.on(ListSecretsCommand).resolves({ SecretList: [
      { Name: 'berth/shop/prod/STRIPE_KEY', SecretVersionsToStages: { v1: ['AWSCURRENT'] } },
      { Name: 'berth/shop/prod/SESSION_SECRET', SecretVersionsToStages: {} },
    ] });
    expect(await store().missing()).toEqual(['SESSION_SECRET']);
  });

  it('removes with a recovery window and says when the name is unknown', async () => {
    sm.on(DeleteSecretCommand).resolvesOnce({}).rejects(Object.assign(new Error('x'), { name: 'ResourceNotFoundException' }));
    await store().remove('STRIPE_KEY');
    expect(sm.commandCalls(DeleteSecretCommand)[0]!.args[0].input).toEqual({ SecretId: 'berth/shop/prod/STRIPE_KEY', RecoveryWindowInDays: 7 });
    await expect(store().remove('NOPE')).rejects.toThrow(/secret NOPE does not exist in shop\/prod/);
  });

  it('reports throttling and expired credentials', async () => {
    sm.on(ListSecretsCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { attempts: 6 } }));
    await expect(store().missing()).rejects.toThrow(/gave up after 6 attempts/);
    sm.on(PutSecretValueCommand).rejects(Object.assign(new Error('expired'), { name: 'ExpiredTokenException' }));
    const error = (await store().set('STRIPE_KEY', CANARY).catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(/credentials have expired/);
    expect(error.message).not.toContain(CANARY);
  });
});
