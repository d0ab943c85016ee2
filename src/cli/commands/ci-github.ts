/**
 * `berth ci github`: resolve the environments, read the repository (git root, origin, package.json), write the
 * workflows (diff first, never replace without --force), synthesize the CI stack, and with --deploy deploy it.
 * The decisions are in src/ci/ci-plan.ts and src/plan/aws/ci-stack.ts; this is the I/O around them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { planCi, workflowHeader, type CiRequest } from '../../ci/ci-plan.js';
import { berthInstallFor, gitRoot, originUrl } from '../../ci/git-context.js';
import { parseGithubRemote, parseGithubRepository, repositoryLabel } from '../../ci/github-repository.js';
import { unifiedDiff } from '../../ci/unified-diff.js';
import { ACCOUNT_VARIABLE, REGION_VARIABLE } from '../../ci/workflow-steps.js';
import { workflowYaml } from '../../ci/workflow-yaml.js';
import { environmentTemplates, matchesTemplate } from '../../config/environment-templates.js';
import { checkEnvironments, environmentNames, findConfigFile, loadConfig, parseConfigFile } from '../../config/load.js';
import type { ResolvedConfig } from '../../config/model.js';
import { ConfigError } from '../../config/problems.js';
import { UsageError } from '../../errors.js';
import { BERTH_VERSION } from '../../package-files.js';
import { ciRoleName, ciStackName } from '../../model/index.js';
import { environmentSubject, roleOutputId } from '../../plan/aws/ci-stack.js';
import type { GlobalOptions } from '../output.js';
import { formatRows, paint, printJson, printLine, printWarning } from '../output.js';
import { createProgress, silentProgress } from '../../terminal/progress.js';
import { ask, isInteractive } from '../../terminal/prompt.js';
import type { CiDeployResult } from '../../targets/aws/ci-deploy.js';
import type { CiGithubOptions } from './ci.js';


/** The instance name used to resolve a preview template: pr-1 stands for every pr-<number>. */
const PREVIEW_PREFIX = 'pr-';

type WorkflowStatus = 'written' | 'unchanged' | 'replaced' | 'differs';

function posix(path: string): string {
  return path.split(sep).join('/');
}

function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function resolveEnvironments(file: string, requested: string[], declared: string[], previews: boolean): ResolvedConfig[] {
  const names = requested.length > 0 ? requested : declared;
  if (names.length === 0 && !previews) {
    throw new UsageError(`${shownPath(file)} declares no AWS environment to deploy from CI`, 'add one under environments: (e.g. staging: {}), then run `berth ci github --env staging`');
  }
  const seen = new Set<string>();
  return names.map((env) => {
    if (env === 'local') throw new UsageError('--env local: the local environment runs on your Docker engine; CI deploys AWS environments', 'pass the AWS environments in promotion order, e.g. --env staging --env prod');
    if (seen.has(env)) throw new UsageError(`--env ${env} is given twice`, 'name each environment once, in promotion order');
    seen.add(env);
    const config = loadConfig({ config: file, env });
    if (config.fromTemplate) throw new UsageError(`--env ${env}: it is made from the template ${config.fromTemplate}; such environments are deployed per pull request`, 'use --previews instead');
    return config;
  });
}

export async function runCiGithub(options: CiGithubOptions, global: GlobalOptions, requested: string[]): Promise<void> {
  const file = findConfigFile({ config: global.config });
  const parsed = parseConfigFile(file);
  const problems = checkEnvironments(parsed);
  if (problems.length > 0) throw new ConfigError(problems);
  const environments = resolveEnvironments(file, requested, environmentNames(parsed.data).filter((env) => env !== 'local'), options.previews);

  let preview: CiRequest['preview'];
  if (options.previews) {
    const template = environmentTemplates(parsed.data).find((candidate) => matchesTemplate(candidate, `${PREVIEW_PREFIX}1`));
    if (!template) {
      throw new UsageError(`--previews: ${parsed.shownAs} has no template for ${PREVIEW_PREFIX}<number> environments`, 'add one under environments:, e.g. preview: { template: "pr-*", service: { spot: true } } (see docs/berth-yml.md)');
    }
    preview = { template: template.name, prefix: template.prefix, instance: loadConfig({ config: file, env: `${template.prefix}1` }) };
  }

  const root = await gitRoot(dirname(file));
  const configured = parsed.data.ci?.github;
  const remote = configured ? undefined : await originUrl(root);
  const repository = configured ? parseGithubRepository(configured) : remote ? parseGithubRemote(remote) : undefined;
  if (!repository) {
    throw new UsageError(
      remote ? `the origin remote ${remote} is not a github.com repository` : 'the repository has no origin remote to read the GitHub repository from',
      `set ci: { github: owner/repo } in ${parsed.shownAs}`,
    );
  }
  const configPath = posix(relative(root, file));
  const plan = planCi({
    app: parsed.data.app,
    environments,
    ...(preview ? { preview } : {}),
    repository: repositoryLabel(repository),
    branch: options.branch,
    configPath,
    berth: berthInstallFor(root, BERTH_VERSION),
    ...(parsed.data.ci?.oidcProviderArn ? { oidcProviderArn: parsed.data.ci.oidcProviderArn } : {}),
  });

  const header = workflowHeader({ version: BERTH_VERSION, configPath, environments: environments.map((config) => config.env), branch: options.branch, previews: options.previews, stack: ciStackName(parsed.data.app) });

  const results: Array<{ path: string; file: string; status: WorkflowStatus; diff?: string }> = [];
  for (const { path, workflow } of plan.workflows) {
    const target = join(root, path);
    const text = workflowYaml(workflow, header);
    const existing = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (existing === text) {
      results.push({ path, file: target, status: 'unchanged' });
      continue;
    }
    const diff = existing === undefined ? undefined : unifiedDiff(path, existing, text);
    if (existing !== undefined && !options.force) {
      results.push({ path, file: target, status: 'differs', diff: diff! });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    results.push({ path, file: target, status: existing === undefined ? 'written' : 'replaced', ...(diff ? { diff } : {}) });
  }

  const progress = global.json ? silentProgress : createProgress();
  const { synthesizeCi } = await import('../../plan/aws/synthesize-ci.js');
  const outdir = join(dirname(file), '.berth', 'ci', 'cdk.out');
  const step = progress.step(`Synthesizing the CI stack ${ciStackName(parsed.data.app)}`);
  const synth = await synthesizeCi(plan.stack, outdir).catch((error: unknown) => { step.fail(); throw error; });
  const findings = [...synth.nagFindings, ...synth.validationFindings];
  if (findings.length > 0) step.warn(`${findings.length} finding(s)`);
  else step.succeed('cdk-nag AwsSolutions: clean');

  const refused = results.filter((result) => result.status === 'differs');
  let deployed: CiDeployResult | undefined;
  if (options.deploy && refused.length === 0) {
    const { deployCiStack } = await import('../../targets/aws/ci-deploy.js');
    const stackConfig = environments[0] ?? preview!.instance;
    deployed = await deployCiStack({
      config: stackConfig,
      stackName: ciStackName(parsed.data.app),
      ...(plan.stack.oidcProviderArn ? { oidcProviderArn: plan.stack.oidcProviderArn } : {}),
      synthesize: async (providerArn) => ({ directory: (await synthesizeCi({ ...plan.stack, ...(providerArn ? { oidcProviderArn: providerArn } : {}) }, outdir)).assemblyDir }),
      yes: global.yes,
      ...(isInteractive() ? { ask } : {}),
    }, global.json ? createProgress() : progress);
  }

  const roles = plan.stack.roles.map((role) => ({
    name: ciRoleName(parsed.data.app, role.name),
    githubEnvironment: role.name,
    subject: environmentSubject(repositoryLabel(repository), role.name),
    deploys: role.environments,
    ...(deployed?.outputs[roleOutputId(role.name)] ? { arn: deployed.outputs[roleOutputId(role.name)] } : {}),
  }));
  const needsAccount = plan.stack.account === undefined;
  const needsRegion = [...environments, ...(preview ? [preview.instance] : [])].some((config) => !config.region);

  if (global.json) {
    printJson({
      repository: repositoryLabel(repository),
      root,
      branch: options.branch,
      environments: environments.map((config) => config.env),
      ...(preview ? { previews: { template: preview.template, environments: `${preview.prefix}*` } } : {}),
      workflows: results.map(({ path, file: target, status, diff }) => ({ path, file: target, status, ...(diff ? { diff } : {}) })),
      stack: { name: synth.stack.name, template: synth.stack.template, roles, nagFindings: synth.nagFindings, validationFindings: synth.validationFindings },
      variables: [...(needsAccount ? [ACCOUNT_VARIABLE] : []), ...(needsRegion ? [REGION_VARIABLE] : [])],
      ...(deployed ? { deployed } : {}),
    });
  } else {
    printLine(`GitHub repository ${repositoryLabel(repository)} (git root ${root})`);
    for (const result of results) {
      const where = shownPath(result.file);
      if (result.status === 'unchanged') printLine(`${paint('green', '✔')} ${where} is up to date`);
      else if (result.status === 'written') printLine(`${paint('green', '✔')} wrote ${where}`);
      else if (result.status === 'replaced') printLine(`${paint('green', '✔')} replaced ${where} (--force):\n${result.diff}`);
      else printLine(`${paint('yellow', '!')} ${where} exists and differs; not replaced:\n${result.diff}`);
    }
    printLine();
    printLine(`CI stack ${synth.stack.name} (${shownPath(synth.stack.template)}):`);
    printLine(formatRows(roles.map((role) => [role.name, `assumed by jobs in the GitHub environment ${role.githubEnvironment}; deploys ${role.deploys}`])));
    for (const finding of findings) printWarning(`${finding.ruleId}: ${finding.description} (${finding.resources.join(', ')})`);
    printLine();
    const steps: string[] = [];
    if (!deployed) steps.push(`Deploy the roles once, with credentials that may create IAM roles: berth ci github ${environments.map((config) => `--env ${config.env}`).join(' ')}${options.previews ? ' --previews' : ''} --deploy`);
    else steps.push(`Deployed ${synth.stack.name} in ${deployed.account}/${deployed.region} (GitHub OIDC provider ${deployed.provider === 'created' ? 'created' : `reused: ${deployed.oidcProviderArn}`}).`);
    steps.push(`In GitHub, Settings > Environments: create ${roles.map((role) => role.githubEnvironment).join(', ')}; add required reviewers to ${environments.slice(1).map((config) => config.env).join(', ') || 'the environments that need approval'}${preview ? ` (none on ${preview.template}: every pull request deploys)` : ''}, and limit ${environments.map((config) => config.env).join(', ') || 'them'} to the ${options.branch} branch.`);
    if (needsAccount) steps.push(`Set the repository variable ${ACCOUNT_VARIABLE}${deployed ? ` to ${deployed.account}` : ' to the AWS account id'} (berth.yml names no account).`);
    if (needsRegion) steps.push(`Set the repository variable ${REGION_VARIABLE} (an environment has no region in berth.yml).`);
    steps.push('Commit the workflow and push: the next push to the branch deploys.');
    printLine('Next:');
    steps.forEach((text, index) => printLine(`  ${index + 1}. ${text}`));
  }

  if (refused.length > 0) {
    throw new UsageError(
      `${refused.map((result) => shownPath(result.file)).join(', ')} exist${refused.length === 1 ? 's' : ''} and differ${refused.length === 1 ? 's' : ''} from what berth would write; nothing was replaced${options.deploy ? ' and nothing deployed' : ''}`,
      'review the diff above, then run again with --force to replace it',
    );
  }
}
