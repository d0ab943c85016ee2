/**
 * Steps and scripts both berth workflows share (pure): check out, Node, berth itself, AWS credentials through
 * OIDC, and the shell that runs berth with --json and turns its document into step outputs and a job summary.
 * Scripts read their inputs from `env:` (never `${{ }}` inside a script: no expression injection) and run under
 * `bash -eo pipefail` (the workflows set `defaults.run.shell: bash`).
 */
import { uses } from './pinned-actions.js';

/** How the workflow gets berth: the repository's own dependency (`npm ci`, `npx berth`) or a pinned npm release. */
export type BerthInstall = { kind: 'project' } | { kind: 'package'; version: string };

/** Where an environment's deploy role lives: literal values when berth.yml knows them, repository variables otherwise. */
export interface RoleTarget {
  roleName: string;
  /** 12 digits, or undefined: `${{ vars.AWS_ACCOUNT_ID }}`. */
  account?: string;
  /** undefined: `${{ vars.AWS_REGION }}`. */
  region?: string;
}

export type Step = Record<string, unknown>;

export const ACCOUNT_VARIABLE = 'AWS_ACCOUNT_ID';
export const REGION_VARIABLE = 'AWS_REGION';

export function berthCommand(install: BerthInstall): string {
  return install.kind === 'project' ? 'npx berth' : 'berth';
}

export function checkoutStep(options: { fetchDepth?: number } = {}): Step {
  return { name: 'Check out', uses: uses('checkout'), ...(options.fetchDepth !== undefined ? { with: { 'fetch-depth': options.fetchDepth } } : {}) };
}

export function setupSteps(install: BerthInstall): Step[] {
  const node: Step = { name: 'Set up Node.js', uses: uses('setupNode'), with: { 'node-version': 20, ...(install.kind === 'project' ? { cache: 'npm' } : {}) } };
  const berth: Step = install.kind === 'project'
    ? { name: 'Install dependencies (berth included)', run: 'npm ci' }
    : { name: `Install berth ${install.version}`, run: `npm install --global berth@${install.version}` };
  return [node, berth];
}

export function roleArn(target: RoleTarget): string {
  const account = target.account ?? `\${{ vars.${ACCOUNT_VARIABLE} }}`;
  return `arn:aws:iam::${account}:role/${target.roleName}`;
}

/** Short-lived credentials for the environment's role through GitHub's OIDC token: no access key is stored anywhere. */
export function credentialsStep(target: RoleTarget, sessionName: string): Step {
  return {
    name: 'AWS credentials (OIDC, no stored keys)',
    uses: uses('configureAwsCredentials'),
    with: {
      'role-to-assume': roleArn(target),
      'aws-region': target.region ?? `\${{ vars.${REGION_VARIABLE} }}`,
      'role-session-name': sessionName,
    },
  };
}

/**
 * Runs `berth deploy ... --json`, keeps its document in $RUNNER_TEMP/berth-deploy.json and exports `image`,
 * `digest`, `release` and `url` as step outputs. With `requireDigest`, an image that is not `<repo>@sha256:<64 hex>`
 * fails the step: what later environments promote must be exact bytes.
 */
export function deployScript(berth: string, args: string, requireDigest: boolean): string {
  return [
    'set +e',
    `${berth} deploy --config "$BERTH_CONFIG" --env "$BERTH_ENV" ${args}--yes --json > "$RUNNER_TEMP/berth-deploy.json"`,
    'status=$?',
    'set -e',
    'jq . "$RUNNER_TEMP/berth-deploy.json" || cat "$RUNNER_TEMP/berth-deploy.json"',
    'image=$(jq -r \'.release.image // empty\' "$RUNNER_TEMP/berth-deploy.json" 2>/dev/null || true)',
    ...(requireDigest
      ? [
          'if [ "$status" -eq 0 ] && ! [[ "$image" =~ @sha256:[0-9a-f]{64}$ ]]; then',
          '  echo "::error::berth deploy did not report an image by digest (got \'$image\'); later environments promote exactly that digest"',
          '  exit 1',
          'fi',
        ]
      : []),
    '{',
    '  echo "image=$image"',
    '  echo "digest=$(jq -r \'.release.digest // empty\' "$RUNNER_TEMP/berth-deploy.json" 2>/dev/null || true)"',
    '  echo "release=$(jq -r \'.release.number // empty\' "$RUNNER_TEMP/berth-deploy.json" 2>/dev/null || true)"',
    '  echo "url=$(jq -r \'.url // empty\' "$RUNNER_TEMP/berth-deploy.json" 2>/dev/null || true)"',
    '} >> "$GITHUB_OUTPUT"',
    'exit "$status"',
  ].join('\n');
}

/**
 * The job summary: URL, release, image, outcome and the monthly cost with its change. The change is honest about
 * what it is: `berth cost` (no AWS call, default usage assumptions) of berth.yml at this commit minus the same at
 * BEFORE_SHA (the commit before this push, or the pull request's base), for the same environment. It is the
 * change this push makes to the estimate, not a bill; "new" when the environment did not exist before.
 */
export function summaryScript(berth: string, title: string): string {
  return [
    'now="$RUNNER_TEMP/berth-cost-now.json"',
    'before="$RUNNER_TEMP/berth-cost-before.json"',
    'rm -f "$now" "$before"',
    `${berth} cost --config "$BERTH_CONFIG" --env "$BERTH_ENV" --json > "$now" || rm -f "$now"`,
    '# berth.yml as it was before: written beside the current one so its relative build paths still resolve.',
    'previous="$(dirname "$BERTH_CONFIG")/.berth-ci-previous.yml"',
    'if [ -n "${BEFORE_SHA:-}" ] && [ -z "${BEFORE_SHA//0/}" ]; then BEFORE_SHA=""; fi',
    'if [ -n "${BEFORE_SHA:-}" ] && git fetch --quiet --no-tags --depth=1 origin "$BEFORE_SHA" 2>/dev/null && git show "$BEFORE_SHA:$BERTH_CONFIG" > "$previous" 2>/dev/null; then',
    `  ${berth} cost --config "$previous" --env "$BERTH_ENV" --json > "$before" 2>/dev/null || rm -f "$before"`,
    'fi',
    'rm -f "$previous"',
    'money() { printf \'$%.2f\' "$1"; }',
    'monthly() { local min max; min=$(jq -r .monthly.min "$1"); max=$(jq -r .monthly.max "$1"); if [ "$min" = "$max" ]; then money "$min"; else printf \'%s–%s\' "$(money "$min")" "$(money "$max")"; fi; }',
    'if [ -f "$now" ]; then',
    '  cost="$(monthly "$now") per month"',
    '  if [ -f "$before" ]; then',
    '    change=$(jq -n --slurpfile a "$now" --slurpfile b "$before" \'($a[0].monthly.max - $b[0].monthly.max) * 100 | round / 100\')',
    '    case "$change" in',
    '      0) cost="$cost (no change from ${BEFORE_SHA:0:7})" ;;',
    '      -*) cost="$cost ($(money "${change#-}") less than at ${BEFORE_SHA:0:7})" ;;',
    '      *) cost="$cost ($(money "$change") more than at ${BEFORE_SHA:0:7})" ;;',
    '    esac',
    '  elif [ -n "${BEFORE_SHA:-}" ]; then',
    '    cost="$cost (new: no $BERTH_ENV in berth.yml at ${BEFORE_SHA:0:7})"',
    '  fi',
    'else',
    '  cost="not priced (berth cost failed; see the log)"',
    'fi',
    'deploy="$RUNNER_TEMP/berth-deploy.json"',
    'ok=$(jq -r \'.ok // false\' "$deploy" 2>/dev/null || echo false)',
    '{',
    `  echo "### ${title}"`,
    '  echo',
    '  echo "| | |"',
    '  echo "|---|---|"',
    '  echo "| outcome | $([ "$ok" = true ] && echo deployed || echo "**failed**") |"',
    '  echo "| URL | ${URL:-none} |"',
    '  echo "| release | ${RELEASE:-none} |"',
    '  echo "| image | \\`${IMAGE:-none}\\` |"',
    '  echo "| monthly cost (estimate) | $cost |"',
    '  if [ "$ok" != true ] && [ -f "$deploy" ]; then',
    '    echo',
    '    jq -r \'.reasons[]? | "- " + .\' "$deploy"',
    '  fi',
    '} >> "$GITHUB_STEP_SUMMARY"',
    'echo "cost=$cost" >> "$GITHUB_OUTPUT"',
  ].join('\n');
}
