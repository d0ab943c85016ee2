/** The app's ECR repository, shared by all its AWS environments (stack `berth-<app>-registry`). */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import type { RegistryRetention } from '../../config/model.js';
import { MOVABLE_TAG_PATTERNS, registryStackName, repositoryName } from '../../model/index.js';
import { registryLifecyclePolicy, type LifecyclePolicy } from './registry-lifecycle.js';

export interface BerthRegistryProps {
  /** Repository name. */
  readonly repositoryName: string;
  /**
   * What to keep of each environment's releases (registry-lifecycle.ts turns it into lifecycle rules): the images of
   * each environment's last `keepReleases` releases. Untagged images and images that never became a release expire.
   * @default [] - no release image ever expires
   */
  readonly retention?: readonly RegistryRetention[];
  /**
   * Delete the repository and its images with the stack. Otherwise the repository is kept on destroy.
   * @default false
   */
  readonly purge?: boolean;
}

export class BerthRegistry extends Construct {
  readonly repository: ecr.Repository;
  readonly lifecyclePolicy: LifecyclePolicy;

  constructor(scope: Construct, id: string, props: BerthRegistryProps) {
    super(scope, id);
    this.lifecyclePolicy = registryLifecyclePolicy(props.retention ?? []);
    // Cost: $0.10 per GB-month of stored images; the lifecycle rules bound it.
    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      imageScanOnPush: true,
      // Release tags can never be moved to another image; only the tags berth moves on purpose (sha-<commit> of a
      // rebuilt commit, <env>-candidate of each push) are excluded. A --tag is immutable like a release tag.
      imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
      imageTagMutabilityExclusionFilters: MOVABLE_TAG_PATTERNS.map((pattern) => ecr.ImageTagMutabilityExclusionFilter.wildcard(pattern)),
      removalPolicy: props.purge ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      emptyOnDelete: props.purge ? true : undefined,
    });
    // The policy text is exactly registryLifecyclePolicy's (the tests read it back); CDK's rule builder would reorder nothing but adds no value.
    (this.repository.node.defaultChild as ecr.CfnRepository).lifecyclePolicy = { lifecyclePolicyText: JSON.stringify(this.lifecyclePolicy) };
  }
}

export interface RegistryStackProps extends StackProps {
  readonly app: string;
  /** What the repository keeps of every AWS environment of the app (config.registry.retention). */
  readonly retention: readonly RegistryRetention[];
  readonly purge?: boolean;
}

/**
 * Stack `berth-<app>-registry`. Outputs: `RepositoryUri`, `RepositoryName`.
 * Deployed before any environment stack: the image must be pushed before a service can run it.
 */
export class RegistryStack extends Stack {
  readonly registry: BerthRegistry;

  constructor(scope: Construct, props: RegistryStackProps) {
    super(scope, registryStackName(props.app), { ...props, description: `berth: container images of ${props.app}` });
    this.registry = new BerthRegistry(this, 'Registry', {
      repositoryName: repositoryName(props.app),
      retention: props.retention,
      ...(props.purge ? { purge: true } : {}),
    });
    new CfnOutput(this, 'RepositoryUri', { value: this.registry.repository.repositoryUri, description: 'push images here' });
    new CfnOutput(this, 'RepositoryName', { value: this.registry.repository.repositoryName });
  }
}
