/**
 * What the app itself may do in AWS: berth.yml's `permissions` (IAM statements) and `managedPolicies`, on one
 * service's task role only — never on the execution role ECS uses to start the task. berth acknowledges no cdk-nag
 * finding they cause: a wildcard or a managed policy the user chose is shown by `berth plan` for them to judge.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type { PermissionStatement } from '../../config/model.js';

export interface AppPermissions {
  /** IAM statements: actions on resources. */
  readonly permissions?: readonly PermissionStatement[];
  /** Managed policy names (AWS managed, e.g. AmazonS3ReadOnlyAccess or service-role/...) or ARNs (yours). */
  readonly managedPolicies?: readonly string[];
}

/** A managed policy by ARN as given, or an AWS managed policy by name. */
export function managedPolicy(nameOrArn: string): iam.IManagedPolicy {
  return nameOrArn.startsWith('arn:') ? { managedPolicyArn: nameOrArn } as iam.IManagedPolicy : iam.ManagedPolicy.fromAwsManagedPolicyName(nameOrArn);
}

/** Attach the app's permissions to a service's task role; returns how many statements and policies it got. */
export function grantAppPermissions(taskRole: iam.Role, app: AppPermissions): { statements: number; managedPolicies: number } {
  for (const statement of app.permissions ?? []) {
    taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ effect: iam.Effect.ALLOW, actions: [...statement.actions], resources: [...statement.resources] }));
  }
  for (const name of app.managedPolicies ?? []) taskRole.addManagedPolicy(managedPolicy(name));
  return { statements: app.permissions?.length ?? 0, managedPolicies: app.managedPolicies?.length ?? 0 };
}

/** One line per grant for `berth plan`'s security section. */
export function describeAppPermissions(service: string, app: AppPermissions): string[] {
  const lines = (app.permissions ?? []).map((statement) => `${service} task role: ${statement.actions.join(', ')} on ${statement.resources.join(', ')}`);
  for (const name of app.managedPolicies ?? []) lines.push(`${service} task role: managed policy ${name}`);
  return lines;
}
