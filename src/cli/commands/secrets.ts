import type { Command } from 'commander';
import { closestMatch } from '../../config/suggest.js';
import { declaredSecrets } from '../../model/index.js';
import { UsageError } from '../../errors.js';
import { formatTable, printJson, printLine } from '../output.js';
import { globalOptions, loadForCommand } from '../global-options.js';
import { askHidden, readStdin } from '../../terminal/prompt.js';

export function registerSecrets(program: Command): void {
  const secrets = program
    .command('secrets')
    .description('set, list and remove secret values of an environment (values are never printed)')
    .addHelpText('after', `
Locally, values live in a 0600 file under your config folder ($BERTH_CONFIG_DIR, $XDG_CONFIG_HOME/berth
or ~/.config/berth), never in the repository. berth.yml lists the names under service.secrets.

Examples:
  berth secrets set API_KEY            (prompts without echo)
  printf %s "$TOKEN" | berth secrets set API_KEY --env local
  berth secrets set TLS_KEY < key.pem   (stored byte for byte, final newline included)
  berth secrets list

A piped value is kept exactly as given, a trailing newline included (\`echo\` adds one): pipe with
\`printf %s\` or \`echo -n\` to leave it out.`);

  secrets
    .command('set <name>')
    .description('store a value (from stdin when piped, else a hidden prompt)')
    .action(async (name: string, _options, command: Command) => {
      const config = loadForCommand(command);
      const value = process.stdin.isTTY ? await askHidden(`Value for ${name} (${config.env}): `) : await readStdin();
      if (!value) throw new UsageError(`secret ${name}: no value given`, 'pipe the value on stdin or type it at the prompt');
      const { operationsFor } = await import('../../targets/select.js');
      await (await operationsFor(config)).secrets.set(name, value);
      const names = declaredSecrets(config);
      const declared = names.includes(name);
      const meant = declared ? undefined : closestMatch(name, names);
      const note = declared ? '' : ` — note: no service of berth.yml lists it under secrets, so it is not injected${meant ? ` (did you mean ${meant}?)` : ''}`;
      printLine(`Set ${name} for ${config.app} (${config.env})${note}`);
      if (!process.stdin.isTTY && /\r?\n$/.test(value)) printLine(`  the value ends with a newline, kept as given (pipe it with \`printf %s\` to leave the newline out)`);
    });

  secrets
    .command('list')
    .description('names, when each was last changed, and whether berth.yml declares it')
    .action(async (_options, command: Command) => {
      const global = globalOptions(command);
      const config = loadForCommand(command);
      const { operationsFor } = await import('../../targets/select.js');
      const list = await (await operationsFor(config)).secrets.list();
      if (global.json) {
        printJson({ app: config.app, env: config.env, secrets: list });
        return;
      }
      if (list.length === 0) {
        printLine('no secrets declared or set');
        return;
      }
      printLine(formatTable(['NAME', 'LAST CHANGED', 'DECLARED'], list.map((secret) => [secret.name, secret.lastChanged ?? '(no value)', secret.declared ? 'yes' : 'no'])));
    });

  secrets
    .command('remove <name>')
    .description('delete a stored value')
    .action(async (name: string, _options, command: Command) => {
      const config = loadForCommand(command);
      const { operationsFor } = await import('../../targets/select.js');
      await (await operationsFor(config)).secrets.remove(name);
      printLine(`Removed ${name} from ${config.app} (${config.env})`);
    });
}
