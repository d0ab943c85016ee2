import type { Command } from 'commander';
import { Option } from 'commander';
import { environmentFlags, globalOptions } from '../global-options.js';

export interface CiGithubOptions {
  branch: string;
  previews: boolean;
  force: boolean;
  deploy: boolean;
}

export function registerCi(program: Command): void {
  const ci = program
    .command('ci')
    .description('set up continuous delivery: a GitHub Actions workflow and the AWS roles it deploys with');
  ci
    .command('github')
    .description('write .github/workflows/berth.yml (and the preview workflow) and plan the CI stack berth-<app>-ci of OIDC deploy roles')
    .addOption(new Option('--branch <name>', 'pushes to this branch deploy (and pull requests into it get previews)').default('main'))
    .addOption(new Option('--previews', 'also write .github/workflows/berth-preview.yml: pr-<number> per pull request, from the template that matches pr-*').default(false))
    .addOption(new Option('--force', 'replace workflow files that exist and differ (the diff is printed either way)').default(false))
    .addOption(new Option('--deploy', 'deploy the CI stack with the current AWS credentials (once, by someone allowed to create IAM roles)').default(false))
    .addHelpText('after', `
Environments deploy in the order of --env (default: every AWS environment of berth.yml in file order): on a push
to the branch the first is built, checked with \`berth doctor --no-docker\` and deployed; each later one runs in
its GitHub environment (add required reviewers there) and deploys the digest the first one built, so prod runs
the exact bytes staging tested. Jobs assume the role berth-<app>-ci-<env> through GitHub's OIDC token: no AWS key
is stored in GitHub. The workflow file goes to .github/workflows/ at the root of the git repository holding
berth.yml; an existing file is never replaced without --force.

Examples:
  berth ci github --env staging --env prod
  berth ci github --env staging --env prod --previews --deploy
  berth ci github --env staging --env prod --force --json`)
    .action(async (options: CiGithubOptions, command: Command) => {
      const { runCiGithub } = await import('./ci-github.js');
      await runCiGithub(options, globalOptions(command), environmentFlags(command));
    });
}
