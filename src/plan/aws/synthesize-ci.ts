/**
 * Synthesis of the CI stack `berth-<app>-ci` into its own cloud assembly, checked like the environment stacks:
 * cdk-nag's AwsSolutions pack and the CloudFormation resource-specification check. No AWS call.
 * `berth ci github` prints what it returns; `berth ci github --deploy` deploys the assembly.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CiStack, type CiRoleSpec } from './ci-stack.js';
import { describeStack, readFindings, REPORT_FILE, withEnv, withQuietConsole, type StackSynth, type ValidationFinding } from './synthesize.js';
import { checkTemplates } from './template-check.js';

export interface CiStackPlan {
  app: string;
  /** owner/repo. */
  repository: string;
  account?: string;
  /** The stack's region (the first environment's). */
  region?: string;
  roles: CiRoleSpec[];
  oidcProviderArn?: string;
}

export interface CiSynthResult {
  assemblyDir: string;
  stack: StackSynth;
  nagFindings: ValidationFinding[];
  validationFindings: ValidationFinding[];
}

export async function synthesizeCi(plan: CiStackPlan, outdir: string): Promise<CiSynthResult> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir, analyticsReporting: false, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  const env = { ...(plan.account ? { account: plan.account } : {}), ...(plan.region ? { region: plan.region } : {}) };
  const stack = new CiStack(app, {
    ...(Object.keys(env).length > 0 ? { env } : {}),
    app: plan.app,
    repository: plan.repository,
    roles: plan.roles,
    ...(plan.oidcProviderArn ? { oidcProviderArn: plan.oidcProviderArn } : {}),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = await withQuietConsole(() => withEnv('CDK_VALIDATION', 'false', () => app.synth()));
  const artifact = assembly.getStackByName(stack.stackName);
  const synth = describeStack(stack.stackName, join(assembly.directory, artifact.templateFile));
  const findings = readFindings(join(assembly.directory, REPORT_FILE));
  for (const problem of await checkTemplates([synth.template])) {
    findings.push({ ruleId: 'CloudFormationSpec', source: 'cloudformation', severity: 'error', description: `${problem.type}: ${problem.message}`, resources: [`${problem.template} ${problem.logicalId} ${problem.path}`] });
  }
  return {
    assemblyDir: assembly.directory,
    stack: synth,
    nagFindings: findings.filter((finding) => finding.source === 'cdk-nag'),
    validationFindings: findings.filter((finding) => finding.source === 'cloudformation'),
  };
}
