/** The app's ECR repository, shared by all its AWS environments (stack `berth-<app>-registry`). */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { registryStackName, repositoryName } from '../../model/index.js';

export interface BerthRegistryProps {
  /** Repository name. */
  readonly repositoryName: string;
  /**
   * Tagged images kept, newest first; older ones expire (releases are tagged, so this is how far back rollback reaches).
   * @default 20
   */
  readonly keepReleases?: number;
  /**
   * Delete the repository and its images with the stack. Otherwise the repository is kept on destroy.
   * @default false
   */
  readonly purge?: boolean;
}

export class BerthRegistry extends Construct {
  readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: BerthRegistryProps) {
    super(scope, id);
    // Cost: $0.10 per GB-month of stored images; the lifecycle rules below bound it.
    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.MUTABLE,
      removalPolicy: props.purge ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      emptyOnDelete: props.purge ? true : undefined,
      lifecycleRules: [
        { rulePriority: 1, description: 'expire untagged images after a day', tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(1) },
        {
          rulePriority: 2,
          description: `keep the last ${props.keepReleases ?? 20} tagged images`,
          tagStatus: ecr.TagStatus.TAGGED,
          tagPatternList: ['*'],
          maxImageCount: props.keepReleases ?? 20,
        },
      ],
    });
  }
}


export interface RegistryStackProps extends StackProps {
  readonly app: string;
  readonly keepReleases: number;
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
      keepReleases: props.keepReleases,
      ...(props.purge ? { purge: true } : {}),
    });
    new CfnOutput(this, 'RepositoryUri', { value: this.registry.repository.repositoryUri, description: 'push images here' });
    new CfnOutput(this, 'RepositoryName', { value: this.registry.repository.repositoryName });
  }
}
