/**
 * The local environment's load balancer port (local.port) must be free, or held by this app's own balancer:
 * otherwise `berth deploy` stops with "port is already allocated".
 */
import { createServer } from 'node:net';
import type { ResolvedConfig } from '../config/model.js';
import { balancerProcessRunning } from '../targets/local/balancer-client.js';
import { environmentStateDir } from '../model/index.js';
import { fail, pass, type CheckResult } from './check-result.js';

/** Whether something already listens on 127.0.0.1:port. */
export function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE' || error.code === 'EACCES'));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

function ownBalancerRunning(config: Pick<ResolvedConfig, 'app' | 'env'>, vars: NodeJS.ProcessEnv): boolean {
  return balancerProcessRunning(environmentStateDir('local', config.app, config.env, vars));
}

export async function checkLocalPort(config: Pick<ResolvedConfig, 'app' | 'env' | 'local'>, vars: NodeJS.ProcessEnv = process.env): Promise<CheckResult> {
  const port = config.local.port;
  if (!(await portTaken(port))) return pass('local-port', `local.port ${port} is free for the local load balancer`);
  if (ownBalancerRunning(config, vars)) return pass('local-port', `local.port ${port} is served by this app's local load balancer`);
  return fail(
    'local-port',
    `local.port ${port} is already in use by another program: \`berth deploy\` would fail with "port is already allocated"`,
    `stop the program using it (\`lsof -i :${port}\`), or set local.port in berth.yml to a free port`,
  );
}
