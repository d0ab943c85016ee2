/** ElastiCache Redis in isolated subnets, reachable only from the service, encrypted in transit and at rest. */
import { Fn, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import { Construct } from 'constructs';
import type { CacheSpec } from '../../config/model.js';
import { REDIS_PORT } from '../../model/index.js';

export interface BerthCacheProps {
  readonly vpc: ec2.IVpc;
  /** Isolated subnets: no route to or from the internet. */
  readonly subnets: ec2.SubnetSelection;
  /** Engine version and node type. */
  readonly spec: CacheSpec;
}

export class BerthCache extends Construct {
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  readonly securityGroup: ec2.SecurityGroup;
  /** `rediss://host:port`: TLS, no password (access is by security group). */
  readonly url: string;
  readonly endpoint: string;

  constructor(scope: Construct, id: string, props: BerthCacheProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'cache: Redis from the service only',
      allowAllOutbound: false,
    });
    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: 'berth cache subnets (isolated)',
      subnetIds: props.vpc.selectSubnets(props.subnets).subnetIds,
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
    });
    this.endpoint = this.replicationGroup.attrPrimaryEndPointAddress;
    const scheme = supportsTransitEncryption(props.spec.version) ? 'rediss' : 'redis';
    this.url = Fn.join('', [`${scheme}://`, this.replicationGroup.attrPrimaryEndPointAddress, ':', this.replicationGroup.attrPrimaryEndPointPort]);

    const acknowledge = (ruleId: string, reason: string) => Validations.of(this.replicationGroup).acknowledge({ id: ruleId, reason });
    acknowledge('AwsSolutions-AEC4', 'One cache node: the cache holds derived data the app can rebuild; a replica doubles the cost.');
    acknowledge('AwsSolutions-AEC5', 'The default Redis port is reachable only from the service security group; a custom port adds no protection.');
    acknowledge('AwsSolutions-AEC6', 'Access is limited by security group and encrypted in transit; an AUTH token would put a password into REDIS_URL.');
  }
}

/** In-transit encryption needs Redis 3.2.6 or later, so every version berth accepts (6.2+) has it. */
export function supportsTransitEncryption(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 3 || (major === 3 && minor >= 2);
}
