/**
 * How a service's tasks pull their image. An image in ECR (berth's repository, another repository, another account's)
 * is pulled with the execution role, which may pull exactly that repository and no other; an image in any other
 * private registry is pulled with ECS repository credentials from a berth secret (`registryCredentials`).
 */
import { Stack } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/** The three actions ECS needs on a repository to pull an image (ecr:GetAuthorizationToken is account-wide). */
export const ECR_PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'] as const;

const ECR_REFERENCE = /^(?<account>\d{12})\.dkr\.ecr\.(?<region>[a-z0-9-]+)\.amazonaws\.com(?<china>\.cn)?\/(?<repository>[^@:]+)(?::[^@]+)?(?:@sha256:[0-9a-f]{64})?$/;

export type ImageSource =
  | { kind: 'ecr'; reference: string; account: string; region: string; repository: string; repositoryArn: string }
  | { kind: 'registry'; reference: string };

/** Where an image reference points (pure): an ECR repository with its ARN, or another registry. */
export function imageSource(reference: string): ImageSource {
  const match = ECR_REFERENCE.exec(reference.trim());
  if (!match?.groups) return { kind: 'registry', reference };
  const { account, region, repository, china } = match.groups as { account: string; region: string; repository: string; china?: string };
  const partition = china ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return { kind: 'ecr', reference, account, region, repository, repositoryArn: `arn:${partition}:ecr:${region}:${account}:repository/${repository}` };
}

/** An image in ECR named by its full reference; binding it lets the execution role pull exactly its repository. */
class EcrImageByReference extends ecs.ContainerImage {
  constructor(private readonly source: Extract<ImageSource, { kind: 'ecr' }>) {
    super();
  }

  bind(_scope: Construct, container: ecs.ContainerDefinition): ecs.ContainerImageConfig {
    const role = container.taskDefinition.obtainExecutionRole();
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...ECR_PULL_ACTIONS], resources: [this.source.repositoryArn] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    return { imageName: this.source.reference };
  }
}

export interface ServiceImageProps {
  /** berth's own repository and a digest (the placeholder before the first build), or a full image reference. */
  readonly image: { repository: ecr.IRepository; digest: string } | { reference: string };
  /**
   * Secrets Manager name of the secret with {"username","password"} for a non-ECR private registry
   * (`berth/<app>/<env>/<NAME>` of `registryCredentials: NAME`).
   * @default - a public image, or an ECR one
   */
  readonly registryCredentialsSecretName?: string;
}

export interface ServiceImage {
  image: ecs.ContainerImage;
  source: ImageSource | { kind: 'own-repository' };
  /** The secret ECS pulls with, when there is one. */
  credentials?: secretsmanager.ISecret;
}

/** The container image of a service and what lets its tasks pull it. */
export function serviceImage(scope: Construct, id: string, props: ServiceImageProps): ServiceImage {
  if ('repository' in props.image) {
    return { image: ecs.ContainerImage.fromEcrRepository(props.image.repository, props.image.digest), source: { kind: 'own-repository' } };
  }
  const source = imageSource(props.image.reference);
  if (source.kind === 'ecr') return { image: new EcrImageByReference(source), source };
  if (!props.registryCredentialsSecretName) return { image: ecs.ContainerImage.fromRegistry(source.reference), source };
  const credentials = secretsmanager.Secret.fromSecretNameV2(scope, `${id}RegistryCredentials`, props.registryCredentialsSecretName);
  return { image: ecs.ContainerImage.fromRegistry(source.reference, { credentials }), source, credentials };
}

/**
 * What the user must know about pulling from another account's ECR: ECS pulls with this environment's execution role,
 * which the other account's repository policy must allow. Undefined when the image is in the environment's own account.
 */
export function crossAccountPullNote(source: ImageSource | { kind: 'own-repository' }, scope: Construct, account: string | undefined): string | undefined {
  if (source.kind !== 'ecr') return undefined;
  const stackAccount = account ?? Stack.of(scope).account;
  if (stackAccount === source.account) return undefined;
  const known = account !== undefined;
  return `image ${source.repository} is in ECR of account ${source.account}${known ? `, not this environment's account ${account}` : ' (if this environment deploys to another account)'}: that repository's policy must allow ${ECR_PULL_ACTIONS.join(', ')} to this environment's task execution role (or its account); \`berth doctor\` checks it when it may read the policy`;
}
