/**
 * The seam between berth's deploy flow and CloudFormation: deploy, diff and destroy one stack of a
 * synthesized cloud assembly, and bootstrap an account. toolkit-deployer.ts implements it with
 * @aws-cdk/toolkit-lib; tests drive the flow with a fake.
 */

/** One CloudFormation resource event, as the deploy shows it. */
export interface StackResourceEvent {
  stack: string;
  logicalId: string;
  resourceType: string;
  /** CREATE_IN_PROGRESS, UPDATE_FAILED, ... */
  status: string;
  reason?: string;
  /** "12/30" resources done, when known. */
  progress?: string;
}

export interface SecurityChanges {
  stack: string;
  /** 'broadening' (new or wider IAM permissions / security group rules) or 'non-broadening'. */
  kind: 'broadening' | 'non-broadening';
  /** The security diff as text (IAM statements, security group rules). */
  text: string;
}

export interface StackDeployHooks {
  onEvent(event: StackResourceEvent): void;
  /** Security-relevant changes need a yes before CloudFormation runs them. */
  confirmSecurityChanges(changes: SecurityChanges): Promise<boolean>;
  /** Other toolkit notes worth showing (warnings). */
  onNote?(text: string): void;
}

export interface StackDiffResult {
  stack: string;
  /** The diff as text; empty when nothing changes. */
  text: string;
  changes: boolean;
  securityChanges: boolean;
}

/**
 * A synthesized cloud assembly. With `rebuild`, the toolkit may run context lookups (e.g. the
 * availability zones of an environment with a fixed account) and synthesize again with their answers,
 * kept in `contextFile`.
 */
export interface AssemblyInput {
  directory: string;
  rebuild?: () => Promise<string>;
  contextFile?: string;
}

export interface StackDeployer {
  /** Creates the CDK bootstrap stack (CDKToolkit) in the account and region. */
  bootstrap(account: string, region: string, onNote?: (text: string) => void): Promise<void>;
  /** Deploys one stack; resolves with its outputs; rejects with CloudFormation's failure reasons. */
  deploy(assembly: AssemblyInput, stackName: string, hooks: StackDeployHooks): Promise<{ outputs: Record<string, string> }>;
  diff(assembly: AssemblyInput, stackName: string): Promise<StackDiffResult>;
  destroy(assembly: AssemblyInput, stackName: string, onEvent: (event: StackResourceEvent) => void): Promise<void>;
}

/** Status words that mean a resource failed (pure). */
export function isFailedStatus(status: string): boolean {
  return /FAILED$/.test(status) || status === 'ROLLBACK_IN_PROGRESS' || status === 'UPDATE_ROLLBACK_IN_PROGRESS';
}

/** One progress line per resource event: "Service (AWS::ECS::Service) CREATE_IN_PROGRESS 12/30" (pure). */
export function describeResourceEvent(event: StackResourceEvent): string {
  const reason = event.reason && isFailedStatus(event.status) ? ` — ${event.reason}` : '';
  return `${event.logicalId} (${event.resourceType}) ${event.status}${event.progress ? ` ${event.progress}` : ''}${reason}`;
}
