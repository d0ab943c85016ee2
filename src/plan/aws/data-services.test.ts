/** The database's windows and storage growth, and the cache's AUTH token and REDIS_URL secret. */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { connectionVariables, isAwsSecret, localConnectionEnv } from '../../model/index.js';
import { configFromYaml } from '../../test-support/config-from-yaml.js';
import { BerthCache } from './cache.js';
import { BerthDatabase } from './database.js';

const FILE = `
app: shop
service: { port: 8000, image: "nginx:1.27" }
database: { storage: 50, backupWindow: "22:00-23:00", maintenanceWindow: "sat:01:00-sat:02:00" }
cache: redis
environments:
  prod: {}
  fixed: { database: { storage: 50, maxStorage: 50 } }
`;

let template: Template;
let fixed: Template;
let text: string;

beforeAll(() => {
  const build = (env: string) => {
    const config = configFromYaml(FILE, env);
    const stack = new Stack(new App(), 'Data');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, availabilityZones: ['us-east-1a', 'us-east-1b'], subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    new BerthDatabase(stack, 'Database', { vpc, subnets: { subnetGroupName: 'data' }, spec: config.database!, production: true });
    new BerthCache(stack, 'Cache', { vpc, subnets: { subnetGroupName: 'data' }, spec: config.cache!, label: `shop/${env}` });
    return Template.fromStack(stack);
  };
  template = build('prod');
  fixed = build('fixed');
  text = JSON.stringify(template.toJSON());
}, 120_000);

describe('database', () => {
  it('backs up and takes patches in its UTC windows, and grows its storage up to maxStorage (5× by default)', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      AllocatedStorage: '50', MaxAllocatedStorage: 250, PreferredBackupWindow: '22:00-23:00', PreferredMaintenanceWindow: 'sat:01:00-sat:02:00',
    });
    expect(Object.values(fixed.findResources('AWS::RDS::DBInstance'))[0]!.Properties.MaxAllocatedStorage).toBeUndefined();
  });
});

describe('cache', () => {
  it('requires an AUTH token generated into Secrets Manager, never in the template', () => {
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      TransitEncryptionEnabled: true,
      AuthToken: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('\\{\\{resolve:secretsmanager:')])]) }),
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false } });
  });

  it('assembles REDIS_URL as rediss://:<token>@host:6379 in a secret of its own, from the token\'s dynamic reference', () => {
    const url = Object.values(template.findResources('AWS::SecretsManager::Secret')).find((secret) => JSON.stringify(secret.Properties.SecretString ?? '').includes('rediss://'))!;
    const parts = JSON.stringify(url.Properties.SecretString);
    expect(parts).toContain('"rediss://:{{resolve:secretsmanager:"');
    expect(parts).toContain(':SecretString:::}}@"');
    expect(parts).toContain('PrimaryEndPoint.Address');
    expect(text).not.toMatch(/"AuthToken":"[^{]/);
  });

  it('is a secret on AWS and a plain URL locally', () => {
    const config = configFromYaml(FILE, 'prod');
    const redis = connectionVariables(config).find((variable) => variable.name === 'REDIS_URL')!;
    expect(redis.shape.aws).toBe('rediss://:<AUTH token>@<ElastiCache primary endpoint>:6379');
    expect(isAwsSecret(redis)).toBe(true);
    expect(redis.secret).toBe(false);
    expect(localConnectionEnv(config, { name: 'web' }, { cache: { host: 'cache', port: 6379 } }).REDIS_URL).toBe('redis://cache:6379');
  });
});
