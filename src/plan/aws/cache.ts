/**
 * ElastiCache Redis in isolated subnets, reachable only from the services, encrypted in transit and at rest, with
 * Redis AUTH: the token is generated into Secrets Manager and REDIS_URL (`rediss://:<token>@host:6379`) is assembled
 * into a secret of its own at deploy time, so the app receives it as an ECS secret and no template holds either.
 */
import { Fn, SecretValue, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { CacheSpec } from '../../config/model.js';
import { REDIS_PORT } from '../../model/index.js';

export interface BerthCacheProps {
  readonly vpc: ec2.IVpc;
  /** Isolated subnets: no route to or from the internet. */
  readonly subnets: ec2.SubnetSelection;
  /** Engine version and node type. */
  readonly spec: CacheSpec;
  /** Names the secrets' descriptions, e.g. `shop/prod`. */
  readonly label?: string;
}

export class BerthCache extends Construct {
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  readonly securityGroup: ec2.SecurityGroup;
  /** The generated AUTH token. */
  readonly authToken: secretsmanager.Secret;
  /** `rediss://:<token>@host:port`, assembled at deploy time from the token's dynamic reference. */
  readonly urlSecret: secretsmanager.Secret;
  readonly endpoint: string;

  constructor(scope: Construct, id: string, props: BerthCacheProps) {
    super(scope, id);
    const label = props.label ? `berth ${props.label}` : 'berth';
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'cache: Redis from the service only',
      allowAllOutbound: false,
    });
    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: 'berth cache subnets (isolated)',
      subnetIds: props.vpc.selectSubnets(props.subnets).subnetIds,
    });
    // Cost: $0.40 per month. Redis AUTH tokens are 16-128 printable characters without @, " or /: letters and digits here.
    this.authToken = new secretsmanager.Secret(this, 'AuthToken', {
      description: `${label}: the Redis AUTH token of the cache`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    // Cost: cache.t4g.micro is ~$0.016/hour (~$11.70/month).
    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupDescription: 'berth cache',
      engine: 'redis',
      engineVersion: props.spec.version,
      cacheNodeType: props.spec.node,
      numCacheClusters: 1,
      automaticFailoverEnabled: false,
      multiAzEnabled: false,
      port: REDIS_PORT,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      transitEncryptionEnabled: supportsTransitEncryption(props.spec.version),
      atRestEncryptionEnabled: true,
      authToken: this.authToken.secretValue.unsafeUnwrap(),
    });
    this.endpoint = this.replicationGroup.attrPrimaryEndPointAddress;
    const url = Fn.join('', ['rediss://:', this.authToken.secretValue.unsafeUnwrap(), '@', this.replicationGroup.attrPrimaryEndPointAddress, ':', this.replicationGroup.attrPrimaryEndPointPort]);
    // Cost: $0.40 per month.
    this.urlSecret = new secretsmanager.Secret(this, 'Url', {
      description: `${label}: REDIS_URL, assembled from the cache's AUTH token`,
      secretStringValue: new SecretValue(url),
    });

    const acknowledge = (ruleId: string, reason: string) => Validations.of(this.replicationGroup).acknowledge({ id: ruleId, reason });
    acknowledge('AwsSolutions-AEC4', 'One cache node: the cache holds derived data the app can rebuild; a replica doubles the cost.');
    acknowledge('AwsSolutions-AEC5', 'The default Redis port is reachable only from the service security group; a custom port adds no protection.');
    for (const secret of [this.authToken, this.urlSecret]) {
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'CloudFormation copies the token into the cache and REDIS_URL at deploy time; rotating it needs the cache and the URL changed together, which a redeploy does.',
      });
    }
  }
}

/** In-transit encryption needs Redis 3.2.6 or later, so every version berth accepts (6.2+) has it. */
export function supportsTransitEncryption(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 3 || (major === 3 && minor >= 2);
}
