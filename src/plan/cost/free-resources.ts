/**
 * Resource types that cost nothing by themselves (or whose cost is priced through another resource),
 * so `berth cost` can tell them apart from types it does not know, which it reports as not priced.
 */

export const FREE_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  'AWS::CDK::Metadata': 'CDK bookkeeping',
  'AWS::IAM::Role': 'IAM is free',
  'AWS::IAM::Policy': 'IAM is free',
  'AWS::IAM::ManagedPolicy': 'IAM is free',
  'AWS::IAM::InstanceProfile': 'IAM is free',
  'AWS::EC2::VPC': 'VPCs are free',
  'AWS::EC2::Subnet': 'subnets are free',
  'AWS::EC2::RouteTable': 'route tables are free',
  'AWS::EC2::Route': 'routes are free',
  'AWS::EC2::SubnetRouteTableAssociation': 'free',
  'AWS::EC2::InternetGateway': 'internet gateways are free (data transfer out is priced separately)',
  'AWS::EC2::VPCGatewayAttachment': 'free',
  'AWS::EC2::EgressOnlyInternetGateway': 'free',
  'AWS::EC2::SecurityGroup': 'security groups are free',
  'AWS::EC2::SecurityGroupIngress': 'free',
  'AWS::EC2::SecurityGroupEgress': 'free',
  'AWS::EC2::NetworkAcl': 'free',
  'AWS::EC2::NetworkAclEntry': 'free',
  'AWS::EC2::SubnetNetworkAclAssociation': 'free',
  'AWS::EC2::VPCCidrBlock': 'free',
  'AWS::ECS::Cluster': 'Fargate clusters are free',
  'AWS::ECS::ClusterCapacityProviderAssociations': 'free',
  'AWS::ECS::TaskDefinition': 'priced through the service that runs it',
  'AWS::ApplicationAutoScaling::ScalableTarget': 'priced through the service it scales (minimum and maximum)',
  'AWS::ApplicationAutoScaling::ScalingPolicy': 'free',
  'AWS::ElasticLoadBalancingV2::Listener': 'priced through the load balancer',
  'AWS::ElasticLoadBalancingV2::ListenerRule': 'priced through the load balancer (LCUs)',
  'AWS::ElasticLoadBalancingV2::ListenerCertificate': 'free',
  'AWS::ElasticLoadBalancingV2::TargetGroup': 'free',
  'AWS::CertificateManager::Certificate': 'public ACM certificates are free',
  'AWS::Route53::RecordSet': 'alias queries to AWS resources are free',
  'AWS::RDS::DBSubnetGroup': 'free',
  'AWS::RDS::DBParameterGroup': 'free',
  'AWS::RDS::DBClusterParameterGroup': 'free',
  'AWS::ElastiCache::SubnetGroup': 'free',
  'AWS::ElastiCache::ParameterGroup': 'free',
  'AWS::SecretsManager::SecretTargetAttachment': 'free',
  'AWS::SecretsManager::ResourcePolicy': 'free',
  'AWS::ECR::RepositoryPolicy': 'free',
  'AWS::SNS::Topic': 'the first 1,000 email notifications a month are free',
  'AWS::SNS::Subscription': 'free',
  'AWS::SNS::TopicPolicy': 'free',
  'AWS::KMS::Alias': 'free',
  'AWS::Logs::ResourcePolicy': 'free',
  'AWS::Lambda::Function': 'CDK custom-resource handlers run only during deploys, within the Lambda free tier',
  'AWS::Lambda::Permission': 'free',
  'AWS::Lambda::LayerVersion': 'layers are stored for free at this size',
};

/** CDK custom resources (Custom::...) run a handler only during deploys. */
export function isFreeResourceType(type: string): boolean {
  return type in FREE_RESOURCE_TYPES || type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}
