import type { Command } from 'commander';
import { Option } from 'commander';
import { spawn } from 'node:child_process';
import { isIP } from 'node:net';
import { UsageError } from '../../errors.js';
import { globalOptions, loadForCommand } from '../global-options.js';
import { printJson, printLine, printWarning } from '../output.js';

interface UiOptions {
  port: string;
  host?: string;
  open: boolean;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

function portFlag(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${value}: expected a port number from 1 to 65535 (0 picks a free one)`, 'for example --port 7711');
  return port;
}

function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  child.on('error', () => printWarning(`--open: could not start ${command}; open the URL yourself`));
  child.unref();
}

export function registerUi(program: Command): void {
  program
    .command('ui')
    .description('a local web page per environment: architecture diagram, cost chart, releases with rollback, live status, deploy progress, logs')
    .addOption(new Option('--port <port>', 'port on 127.0.0.1').default('7711'))
    .addOption(new Option('--host <address>', 'listen on another address than 127.0.0.1 (anyone who can reach it and has the URL can roll back)'))
    .addOption(new Option('--open', 'open the page in the default browser').default(false))
    .addHelpText('after', `
Serves one page per environment of berth.yml on 127.0.0.1 only. The printed URL carries a random access token,
new at every start; requests without it get 401. The page loads nothing from outside 127.0.0.1.
Deploys and rollbacks started from a terminal show up live. AWS environments show their plan and cost without
credentials; their status, releases and logs need credentials. Ctrl-C stops it. See docs/ui.md.

Examples:
  berth ui
  berth ui --env prod --open
  berth ui --port 0 --json`)
    .action(async (options: UiOptions, command: Command) => {
      const global = globalOptions(command);
      const port = portFlag(options.port);
      const host = options.host ?? '127.0.0.1';
      if (options.host !== undefined && !LOOPBACK.test(options.host)) {
        if (isIP(options.host) === 0) throw new UsageError(`--host ${options.host}: expected an IP address such as 127.0.0.1`, 'berth ui listens on 127.0.0.1 unless told otherwise');
        printWarning(`--host ${options.host}: berth ui is reachable from other machines on that address; anyone with the URL (it carries the token) can see the environments and roll back`);
      }
      const config = loadForCommand(command);
      const [{ berthYmlSource }, { startUiServer }] = await Promise.all([import('../../dashboard/environment-source.js'), import('../../dashboard/server.js')]);
      const source = berthYmlSource(config.file);
      let server;
      try {
        server = await startUiServer({ source, host, port });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`port ${port} on ${host} is in use (another berth ui?)`, 'choose another with --port, or --port 0 for any free port');
        throw error;
      }
      const url = server.url.replace('/?', `/env/${encodeURIComponent(config.env)}/?`);
      if (global.json) printJson({ url, port: server.port, host, environments: source.environments });
      else {
        printLine(url);
        process.stderr.write(`berth ui: ${config.app} (${source.environments.map((env) => env.name).join(', ')}) at the URL above; Ctrl-C stops it\n`);
      }
      if (options.open) openBrowser(url);
      await new Promise<void>((resolve) => {
        const stop = () => {
          void server.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
