/**
 * The deploy workflow `.github/workflows/berth.yml` as a plain object (pure; workflow-yaml.ts writes it as text).
 *
 * On a push to the branch, the first environment's job checks berth.yml with the doctor, builds the image once and
 * deploys it (`berth deploy` pushes it to ECR and reports `<repository>@sha256:<digest>`). Every later environment
 * is its own job in a GitHub environment of the same name (required reviewers, branch rules and secrets are set
 * there) and runs `berth deploy --image <that digest>`: prod runs the exact bytes staging tested. Each job assumes
 * its environment's role of the CI stack through OIDC, waits for any deploy of the same environment (one
 * concurrency group per environment, never cancelled midway) and writes a job summary.
 */
import type { Arch } from '../config/model.js';
import { ciRoleName, environmentStackName } from '../model/index.js';
import {
  berthCommand, checkoutStep, credentialsStep, deployScript, setupSteps, summaryScript,
  type BerthInstall, type Step,
} from './workflow-steps.js';

export interface WorkflowEnvironment {
  name: string;
  /** service.arch: the job that builds runs on a runner of that CPU, so no emulation is needed. @default x86_64 */
  arch?: Arch;
  /** From berth.yml; undefined: the repository variable AWS_ACCOUNT_ID. */
  account?: string;
  /** From berth.yml; undefined: the repository variable AWS_REGION. */
  region?: string;
}

export interface DeployWorkflowInput {
  app: string;
  /** berth.yml relative to the repository root, with forward slashes. */
  configPath: string;
  branch: string;
  /** In promotion order: the first builds, the rest promote its digest. At least one. */
  environments: WorkflowEnvironment[];
  berth: BerthInstall;
}

export type Workflow = Record<string, unknown> & { jobs: Record<string, Record<string, unknown>> };

export const RUNNER = 'ubuntu-latest';
/** GitHub's hosted arm64 runner: an arm64 image builds natively there (an x86 runner would need QEMU). */
export const ARM64_RUNNER = 'ubuntu-24.04-arm';

/** The runner of a job that builds the image for `arch`. */
export function buildRunner(arch: Arch | undefined): string {
  return arch === 'arm64' ? ARM64_RUNNER : RUNNER;
}

export function deployJobId(env: string): string {
  return `deploy-${env}`;
}

/** One concurrency group per environment, shared with berth's other workflows: deploys of one environment queue. */
export function concurrencyGroup(app: string, env: string): string {
  return environmentStackName(app, env);
}

export function deployWorkflow(input: DeployWorkflowInput): Workflow {
  if (input.environments.length === 0) throw new Error('deployWorkflow needs at least one environment');
  const berth = berthCommand(input.berth);
  const first = input.environments[0]!;
  const jobs: Workflow['jobs'] = {};
  input.environments.forEach((environment, index) => {
    const isFirst = index === 0;
    const firstJob = deployJobId(first.name);
    const previousJob = index > 0 ? deployJobId(input.environments[index - 1]!.name) : undefined;
    const steps: Step[] = [
      // Depth 2 and a fetch of the commit before the push let the summary price berth.yml as it was.
      checkoutStep(),
      ...setupSteps(input.berth),
      credentialsStep({ roleName: ciRoleName(input.app, environment.name), account: environment.account, region: environment.region }, `berth-${environment.name}-\${{ github.run_id }}`),
      { name: `Doctor (${environment.name})`, run: `${berth} doctor --config "$BERTH_CONFIG" --env "$BERTH_ENV" --no-docker` },
      isFirst
        ? { name: `Build, push and deploy ${environment.name}`, id: 'deploy', run: deployScript(berth, '', true) }
        : {
            name: `Deploy ${environment.name} with the image ${first.name} tested`,
            id: 'deploy',
            env: { IMAGE: `\${{ needs.${firstJob}.outputs.image }}` },
            run: deployScript(berth, '--image "$IMAGE" ', false),
          },
      {
        name: 'Summary',
        if: "always() && steps.deploy.outcome != 'skipped'",
        env: {
          BEFORE_SHA: '${{ github.event.before }}',
          URL: '${{ steps.deploy.outputs.url }}',
          RELEASE: '${{ steps.deploy.outputs.release }}',
          IMAGE: '${{ steps.deploy.outputs.image }}',
        },
        run: summaryScript(berth, `berth: ${input.app} ${environment.name}`),
      },
    ];
    jobs[deployJobId(environment.name)] = {
      name: isFirst ? `${environment.name}: build and deploy` : `${environment.name}: promote ${first.name}'s image`,
      ...(isFirst ? {} : { needs: [...new Set([firstJob, previousJob!])] }),
      'runs-on': isFirst ? buildRunner(environment.arch) : RUNNER,
      environment: { name: environment.name, url: '${{ steps.deploy.outputs.url }}' },
      concurrency: { group: concurrencyGroup(input.app, environment.name), 'cancel-in-progress': false },
      ...(isFirst ? { outputs: { image: '${{ steps.deploy.outputs.image }}', release: '${{ steps.deploy.outputs.release }}' } } : {}),
      env: { BERTH_ENV: environment.name },
      steps,
    };
  });
  return {
    name: 'berth',
    on: { push: { branches: [input.branch] } },
    permissions: { 'id-token': 'write', contents: 'read' },
    env: { BERTH_CONFIG: input.configPath },
    defaults: { run: { shell: 'bash' } },
    jobs,
  };
}
