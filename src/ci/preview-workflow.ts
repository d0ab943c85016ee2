/**
 * The preview workflow `.github/workflows/berth-preview.yml` as a plain object (pure).
 *
 * For each pull request into the branch: deploy `pr-<number>` (an environment made from the template, e.g.
 * `environments.preview: { template: pr-* }`) on open/push and comment its URL and monthly cost on the pull
 * request (one comment, updated in place); on close, `berth destroy --env pr-<number> --purge --yes` and say so.
 * Pull requests from forks are skipped: their workflows get no OIDC token, and they must not deploy. Both jobs run
 * in the GitHub environment named after the template, whose role of the CI stack may act only on `pr-*`.
 */
import { ciRoleName } from '../model/index.js';
import type { Arch } from '../config/model.js';
import { buildRunner, concurrencyGroup, RUNNER, type Workflow } from './github-workflow.js';
import { uses } from './pinned-actions.js';
import {
  berthCommand, checkoutStep, credentialsStep, deployScript, setupSteps, summaryScript,
  type BerthInstall, type Step,
} from './workflow-steps.js';

export interface PreviewWorkflowInput {
  app: string;
  configPath: string;
  /** Pull requests into this branch get previews. */
  branch: string;
  /** The template's name (the GitHub environment and the role) and its prefix (`pr-`). */
  template: { name: string; prefix: string; account?: string; region?: string; arch?: Arch };
  /** Secrets the template declares: copied from GitHub secrets of the same name before each deploy. */
  secrets: string[];
  berth: BerthInstall;
}

const SAME_REPOSITORY = 'github.event.pull_request.head.repo.full_name == github.repository';
const NUMBER = '${{ github.event.pull_request.number }}';

/** The comment script: one comment per preview, found again by its marker and updated. */
function commentScript(lines: string[]): string {
  return [
    "const marker = `<!-- berth preview ${process.env.BERTH_ENV} -->`;",
    `const body = [marker, ${lines.join(', ')}].join('\\n');`,
    'const { owner, repo } = context.repo;',
    'const issue_number = context.payload.pull_request.number;',
    'const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });',
    'const mine = comments.find((comment) => (comment.body ?? \'\').startsWith(marker));',
    'if (mine) await github.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });',
    'else await github.rest.issues.createComment({ owner, repo, issue_number, body });',
  ].join('\n');
}

export function previewWorkflow(input: PreviewWorkflowInput): Workflow {
  const berth = berthCommand(input.berth);
  const role = { roleName: ciRoleName(input.app, input.template.name), account: input.template.account, region: input.template.region };
  const job = (condition: string, runner: string) => ({
    if: `${condition} && ${SAME_REPOSITORY}`,
    'runs-on': runner,
    // Job permissions replace the workflow's: the comment needs pull-requests: write, nothing else does.
    permissions: { 'id-token': 'write', contents: 'read', 'pull-requests': 'write' },
    concurrency: { group: concurrencyGroup(input.app, `${input.template.prefix}${NUMBER}`), 'cancel-in-progress': false },
    env: { BERTH_ENV: `${input.template.prefix}${NUMBER}` },
  });
  const secretsStep: Step[] = input.secrets.length === 0 ? [] : [{
    name: `Secrets of the preview (${input.secrets.join(', ')}, from GitHub secrets)`,
    env: Object.fromEntries(input.secrets.map((name) => [name, `\${{ secrets.${name} }}`])),
    run: input.secrets.map((name) => `printf '%s' "$${name}" | ${berth} secrets set ${name} --config "$BERTH_CONFIG" --env "$BERTH_ENV"`).join('\n'),
  }];
  const deploySteps: Step[] = [
    checkoutStep(),
    ...setupSteps(input.berth),
    credentialsStep(role, `berth-${input.template.prefix}${NUMBER}-\${{ github.run_id }}`),
    ...secretsStep,
    { name: 'Doctor', run: `${berth} doctor --config "$BERTH_CONFIG" --env "$BERTH_ENV" --no-docker` },
    { name: 'Build, push and deploy the preview', id: 'deploy', run: deployScript(berth, '', false) },
    {
      name: 'Summary',
      id: 'summary',
      if: "always() && steps.deploy.outcome != 'skipped'",
      env: {
        BEFORE_SHA: '${{ github.event.pull_request.base.sha }}',
        URL: '${{ steps.deploy.outputs.url }}',
        RELEASE: '${{ steps.deploy.outputs.release }}',
        IMAGE: '${{ steps.deploy.outputs.image }}',
      },
      run: summaryScript(berth, `berth: ${input.app} preview`),
    },
    {
      name: 'Comment the URL and cost on the pull request',
      if: "always() && steps.deploy.outcome != 'skipped'",
      uses: uses('githubScript'),
      env: {
        OUTCOME: '${{ steps.deploy.outcome }}',
        URL: '${{ steps.deploy.outputs.url }}',
        RELEASE: '${{ steps.deploy.outputs.release }}',
        COST: '${{ steps.summary.outputs.cost }}',
      },
      with: {
        script: commentScript([
          "`### berth preview \\`${process.env.BERTH_ENV}\\``",
          "''",
          "process.env.OUTCOME === 'success' ? `Deployed release ${process.env.RELEASE}: ${process.env.URL}` : `The deploy failed: see the run ${context.serverUrl}/${context.repo.owner}/${context.repo.repo}/actions/runs/${context.runId}`",
          "''",
          "`Monthly cost (estimate): ${process.env.COST || 'not priced'}`",
          "''",
          "'It is destroyed when this pull request closes.'",
        ]),
      },
    },
  ];
  const destroySteps: Step[] = [
    // The pull request's own head: its berth.yml declares the template even when the branch is gone.
    { ...checkoutStep(), with: { ref: '${{ github.event.pull_request.head.sha }}' } },
    ...setupSteps(input.berth),
    credentialsStep(role, `berth-${input.template.prefix}${NUMBER}-\${{ github.run_id }}`),
    { name: 'Destroy the preview', run: `${berth} destroy --config "$BERTH_CONFIG" --env "$BERTH_ENV" --purge --yes` },
    {
      name: 'Say so on the pull request',
      uses: uses('githubScript'),
      with: { script: commentScript(["`### berth preview \\`${process.env.BERTH_ENV}\\``", "''", "'Destroyed with its data: the pull request is closed.'"]) },
    },
  ];
  return {
    name: 'berth previews',
    on: { pull_request: { types: ['opened', 'synchronize', 'reopened', 'closed'], branches: [input.branch] } },
    permissions: { 'id-token': 'write', contents: 'read' },
    env: { BERTH_CONFIG: input.configPath },
    defaults: { run: { shell: 'bash' } },
    jobs: {
      'deploy-preview': {
        name: `${input.template.prefix}${NUMBER}: deploy`,
        ...job("github.event.action != 'closed'", buildRunner(input.template.arch)),
        environment: { name: input.template.name, url: '${{ steps.deploy.outputs.url }}' },
        steps: deploySteps,
      },
      'destroy-preview': {
        name: `${input.template.prefix}${NUMBER}: destroy`,
        ...job("github.event.action == 'closed'", RUNNER),
        environment: { name: input.template.name },
        steps: destroySteps,
      },
    },
  };
}
