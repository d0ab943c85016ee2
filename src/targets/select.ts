/** The operations of a config's target, loaded on demand (the AWS SDK and dockerode are heavy). */
import type { ResolvedConfig } from '../config/model.js';
import type { TargetOperations } from './operations.js';

export async function operationsFor(config: ResolvedConfig): Promise<TargetOperations> {
  switch (config.target) {
    case 'local':
      return (await import('./local/operations.js')).localOperations(config);
    case 'aws':
      return (await import('./aws/operations.js')).awsOperations(config);
  }
}
