/**
 * Secrets of an AWS environment in Secrets Manager, named `berth/<app>/<env>/<NAME>`. Values go in
 * and never come back out: list shows names and last-changed dates only.
 */
import {
  CreateSecretCommand, DeleteSecretCommand, ListSecretsCommand, PutSecretValueCommand, RestoreSecretCommand,
  type SecretListEntry, type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { UsageError } from '../../errors.js';
import type { SecretInfo, SecretStore } from '../operations.js';
import { awsCall, awsErrorName } from './aws-errors.js';
import { secretName, secretsPrefix } from '../../model/index.js';

export const secretId = secretName;
export const secretPrefix = secretsPrefix;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Secret names are environment variable names (pure). */
export function checkSecretName(name: string): void {
  if (!NAME.test(name)) throw new UsageError(`secret name ${JSON.stringify(name)} is not an environment variable name`, 'use letters, digits and _ and start with a letter, e.g. STRIPE_API_KEY');
}

/** What `list` shows, from the service's entries (pure): names under the prefix, declared ones first. */
export function secretInfos(entries: readonly SecretListEntry[], prefix: string, declared: readonly string[]): SecretInfo[] {
  const found = new Map<string, SecretInfo>();
  for (const entry of entries) {
    if (!entry.Name?.startsWith(prefix) || entry.DeletedDate) continue;
    const name = entry.Name.slice(prefix.length);
    const changed = entry.LastChangedDate ?? entry.CreatedDate;
    found.set(name, { name, ...(changed ? { lastChanged: new Date(changed).toISOString() } : {}), declared: declared.includes(name) });
  }
  return [...found.values()].sort((a, b) => Number(b.declared) - Number(a.declared) || a.name.localeCompare(b.name));
}

/** Declared names that have no stored value yet (pure). */
export function missingSecrets(entries: readonly SecretListEntry[], prefix: string, declared: readonly string[]): string[] {
  const withValue = new Set(entries
    .filter((entry) => entry.Name?.startsWith(prefix) && !entry.DeletedDate && Object.values(entry.SecretVersionsToStages ?? {}).some((stages) => stages.includes('AWSCURRENT')))
    .map((entry) => entry.Name!.slice(prefix.length)));
  return declared.filter((name) => !withValue.has(name));
}

export class AwsSecretStore implements SecretStore {
  private readonly prefix: string;

  constructor(private readonly client: SecretsManagerClient, private readonly app: string, private readonly env: string, private readonly declared: readonly string[]) {
    this.prefix = secretPrefix(app, env);
  }

  private async entries(includeDeleted = false): Promise<SecretListEntry[]> {
    const entries: SecretListEntry[] = [];
    let nextToken: string | undefined;
    do {
      const page = await awsCall(`listing secrets under ${this.prefix} (secretsmanager:ListSecrets)`, () => this.client.send(new ListSecretsCommand({
        Filters: [{ Key: 'name', Values: [this.prefix] }],
        IncludePlannedDeletion: includeDeleted,
        NextToken: nextToken,
        MaxResults: 100,
      })));
      entries.push(...(page.SecretList ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return entries;
  }

  async set(name: string, value: string): Promise<void> {
    checkSecretName(name);
    if (value.length === 0) throw new UsageError(`secret ${name}: the value is empty`, 'pipe the value on stdin or type it at the prompt');
    const id = secretId(this.app, this.env, name);
    const action = `storing secret ${name} in ${id}`;
    try {
      await this.client.send(new PutSecretValueCommand({ SecretId: id, SecretString: value }));
      return;
    } catch (error) {
      const code = awsErrorName(error);
      if (code === 'InvalidRequestException' && /deletion/i.test((error as Error).message)) {
        // Removed earlier and still in its recovery window: bring it back, then store the new value.
        await awsCall(`${action} (secretsmanager:RestoreSecret)`, () => this.client.send(new RestoreSecretCommand({ SecretId: id })));
        await awsCall(`${action} (secretsmanager:PutSecretValue)`, () => this.client.send(new PutSecretValueCommand({ SecretId: id, SecretString: value })));
        return;
      }
      if (code !== 'ResourceNotFoundException') return awsCall(`${action} (secretsmanager:PutSecretValue)`, () => Promise.reject(error));
    }
    await awsCall(`${action} (secretsmanager:CreateSecret)`, () => this.client.send(new CreateSecretCommand({
      Name: id,
      SecretString: value,
      Description: `berth secret ${name} of ${this.app}/${this.env}`,
      Tags: [{ Key: 'org.berth.app', Value: this.app }, { Key: 'org.berth.env', Value: this.env }],
    })));
  }

  async list(): Promise<SecretInfo[]> {
    const infos = secretInfos(await this.entries(), this.prefix, this.declared);
    const missing = this.declared.filter((name) => !infos.some((info) => info.name === name));
    return [...infos, ...missing.map((name) => ({ name, declared: true }))];
  }

  /** Schedules deletion with a 7-day recovery window (`berth secrets set` restores it). */
  async remove(name: string): Promise<void> {
    checkSecretName(name);
    const id = secretId(this.app, this.env, name);
    try {
      await this.client.send(new DeleteSecretCommand({ SecretId: id, RecoveryWindowInDays: 7 }));
    } catch (error) {
      if (awsErrorName(error) === 'ResourceNotFoundException') throw new UsageError(`secret ${name} does not exist in ${this.app}/${this.env}`, 'run `berth secrets list` to see the stored names');
      await awsCall(`removing secret ${name} (secretsmanager:DeleteSecret)`, () => Promise.reject(error));
    }
  }

  async missing(): Promise<string[]> {
    if (this.declared.length === 0) return [];
    return missingSecrets(await this.entries(), this.prefix, this.declared);
  }
}
