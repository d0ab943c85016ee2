/**
 * The release history of an AWS environment, kept in SSM Parameter Store: one standard (free)
 * parameter per release, `/berth/<app>/<env>/releases/000042`, holding the release as JSON.
 * Why there: it outlives stack rollbacks and `berth destroy` (stack metadata would not), reads without
 * CloudFormation, is scoped by IAM path, and creating a parameter without overwrite fails when it exists,
 * so two concurrent deploys cannot take the same number.
 */
import { GetParametersByPathCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { OperationError } from '../../errors.js';
import { nextReleaseNumber, releaseParameterName, releasesParameterPath } from '../../model/index.js';
import type { Release } from '../operations.js';
import { awsCall, awsErrorName } from './aws-errors.js';

export { releaseParameterName, releasesParameterPath };

const STATUSES = new Set<Release['status']>(['deploying', 'deployed', 'failed', 'rolled-back', 'superseded', 'interrupted']);

/** Parses one stored release; undefined for values berth did not write (pure). */
export function parseRelease(value: string | undefined): Release | undefined {
  if (!value) return undefined;
  try {
    const data = JSON.parse(value) as Partial<Release>;
    if (typeof data.number !== 'number' || typeof data.image !== 'string' || typeof data.digest !== 'string' || !STATUSES.has(data.status as Release['status'])) return undefined;
    return {
      number: data.number,
      image: data.image,
      digest: data.digest,
      ...(data.gitSha ? { gitSha: data.gitSha } : {}),
      createdAt: String(data.createdAt ?? ''),
      createdBy: String(data.createdBy ?? ''),
      ...(typeof data.rollbackOf === 'number' ? { rollbackOf: data.rollbackOf } : {}),
      status: data.status as Release['status'],
      ...(typeof data.reason === 'string' ? { reason: data.reason } : {}),
      ...(Array.isArray(data.services) ? { services: data.services.filter((entry) => typeof entry?.name === 'string' && typeof entry.taskDefinition === 'string').map((entry) => ({ name: entry.name, taskDefinition: entry.taskDefinition })) } : {}),
    };
  } catch {
    return undefined;
  }
}

export class ReleaseStore {
  constructor(private readonly ssm: SSMClient, private readonly app: string, private readonly env: string) {}

  /** Every release of the environment, oldest first. */
  async list(): Promise<Release[]> {
    const releases: Release[] = [];
    let nextToken: string | undefined;
    do {
      const page = await awsCall(`reading releases under ${releasesParameterPath(this.app, this.env)} (ssm:GetParametersByPath)`, () =>
        this.ssm.send(new GetParametersByPathCommand({ Path: releasesParameterPath(this.app, this.env), Recursive: false, NextToken: nextToken, MaxResults: 10 })));
      for (const parameter of page.Parameters ?? []) {
        const release = parseRelease(parameter.Value);
        if (release) releases.push(release);
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return releases.sort((a, b) => a.number - b.number);
  }

  /**
   * Records a new release with the next free number. Creating without overwrite is the lock: when
   * another deploy took the number first, take the next one.
   */
  async create(release: Omit<Release, 'number'>, existing?: Release[]): Promise<Release> {
    let number = nextReleaseNumber(existing ?? await this.list());
    for (let attempt = 0; attempt < 5; attempt += 1, number += 1) {
      const record: Release = { number, ...release };
      try {
        await this.ssm.send(new PutParameterCommand({
          Name: releaseParameterName(this.app, this.env, number),
          Value: JSON.stringify(record),
          Type: 'String',
          Tier: 'Standard',
          Overwrite: false,
          Description: `berth release ${number} of ${this.app}/${this.env}`,
        }));
        return record;
      } catch (error) {
        if (awsErrorName(error) === 'ParameterAlreadyExists') continue;
        await awsCall(`recording release ${number} (ssm:PutParameter)`, () => Promise.reject(error));
      }
    }
    throw new OperationError(`could not record a new release of ${this.app}/${this.env}: other deploys keep taking the numbers`, 'another deploy of this environment seems to be running; wait for it and deploy again');
  }

  /** Rewrites a release (status changes). */
  async update(release: Release): Promise<void> {
    await awsCall(`updating release ${release.number} (ssm:PutParameter)`, () => this.ssm.send(new PutParameterCommand({
      Name: releaseParameterName(this.app, this.env, release.number),
      Value: JSON.stringify(release),
      Type: 'String',
      Overwrite: true,
    })));
  }
}
