/**
 * The VPC: where the load balancer, the tasks, the database and the cache live, and how tasks reach AWS. Created by
 * berth, or an existing one (`network.vpc`) found by a CDK context lookup (lookups.ts), whose subnets are used by type.
 */
import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export interface BerthNetworkProps {
  /**
   * Availability zones to spread subnets over (at least 2: the load balancer and the database subnet group need two).
   * @default - the stack's first two zones, as tokens resolved by CloudFormation at deploy time
   */
  readonly availabilityZones: string[];
  /**
   * IPv4 range of the VPC.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * Where the tasks run. `public`: public subnets with a public IP, reachable only through their security group
   * (which admits only the load balancer); no NAT gateway needed. `private`: private subnets, see `egress`.
   * @default 'public'
   */
  readonly tasks?: 'public' | 'private';
  /**
   * How private tasks reach ECR, CloudWatch Logs and Secrets Manager. `endpoints`: VPC endpoints (ECR api/dkr,
   * CloudWatch Logs, Secrets Manager as interface endpoints, S3 as a gateway endpoint), no general internet access.
   * `nat`: one NAT gateway (internet access too). Ignored for public tasks.
   * @default 'endpoints'
   */
  readonly egress?: 'endpoints' | 'nat';
  /**
   * Isolated subnets for a database or cache; left out when the environment has neither.
   * @default true
   */
  readonly dataSubnets?: boolean;
  /**
   * An existing VPC to use instead of creating one: its public subnets take the load balancer and public tasks, its
   * private subnets with egress (else isolated ones) private tasks, its isolated subnets (else private ones) the
   * database and cache. berth adds no NAT gateway or endpoint to it: the VPC's own routes decide what tasks reach.
   * Needs the stack's account and region (a context lookup).
   * @default - berth creates the VPC
   */
  readonly existingVpcId?: string;
}

export class BerthNetwork extends Construct {
  readonly vpc: ec2.IVpc;
  /** Subnets the tasks run in. */
  readonly taskSubnets: ec2.SubnetSelection;
  /** Subnets of the load balancer. */
  readonly loadBalancerSubnets: ec2.SubnetSelection;
  /** Subnets of the database and cache: no route to or from the internet. */
  readonly dataSubnets: ec2.SubnetSelection;
  readonly tasksArePublic: boolean;
  /** Interface endpoints created for private tasks (empty otherwise). */
  readonly endpoints: ec2.InterfaceVpcEndpoint[] = [];

  constructor(scope: Construct, id: string, props: BerthNetworkProps) {
    super(scope, id);
    const tasks = props.tasks ?? 'public';
    const egress = props.egress ?? 'endpoints';
    this.tasksArePublic = tasks === 'public';
    if (props.existingVpcId) {
      this.vpc = ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: props.existingVpcId, returnVpnGateways: false });
      const privateType = this.vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED;
      const dataType = this.vpc.isolatedSubnets.length > 0 ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS;
      this.loadBalancerSubnets = { subnetType: ec2.SubnetType.PUBLIC };
      this.taskSubnets = { subnetType: tasks === 'private' ? privateType : ec2.SubnetType.PUBLIC };
      this.dataSubnets = { subnetType: dataType };
      return;
    }
    const subnetConfiguration: ec2.SubnetConfiguration[] = [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }];
    if (props.dataSubnets ?? true) subnetConfiguration.push({ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 });
    if (tasks === 'private') {
      subnetConfiguration.push({
        name: 'tasks',
        subnetType: egress === 'nat' ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
        cidrMask: 22,
      });
    }
    // Cost: a NAT gateway is ~$0.045/hour (~$33/month) plus $0.045/GB processed; created only for `egress: nat`.
    const natGateways = tasks === 'private' && egress === 'nat' ? 1 : 0;
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr ?? '10.0.0.0/16'),
      availabilityZones: props.availabilityZones,
      natGateways,
      subnetConfiguration,
      restrictDefaultSecurityGroup: false,
    });
    this.vpc = vpc;
    Validations.of(vpc).acknowledge({
      id: 'AwsSolutions-VPC7',
      reason: 'VPC flow logs cost per GB ingested and the app traffic is in the load balancer metrics and app logs; enable them in the account when an audit needs them.',
    });
    this.loadBalancerSubnets = { subnetGroupName: 'public' };
    this.dataSubnets = { subnetGroupName: 'data' };
    this.taskSubnets = { subnetGroupName: tasks === 'private' ? 'tasks' : 'public' };

    if (tasks === 'private' && egress === 'endpoints') {
      const subnets = this.taskSubnets;
      vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [subnets] });
      // Cost: each interface endpoint is ~$0.01/hour per AZ (~$7.30/month per AZ) plus $0.01/GB.
      const services: Array<[string, ec2.InterfaceVpcEndpointAwsService]> = [
        ['EcrApi', ec2.InterfaceVpcEndpointAwsService.ECR],
        ['EcrDocker', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
        ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
        ['SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
      ];
      for (const [name, service] of services) {
        this.endpoints.push(vpc.addInterfaceEndpoint(name, { service, subnets, privateDnsEnabled: true }));
      }
    }
  }
}
