/**
 * Entry point of the detached balancer process: `node balancer-daemon.js <state-dir>`.
 * Started by `berth deploy` with its own session (it outlives the terminal), stopped by `berth destroy`
 * through the control socket. Writes balancer.pid; logs go to balancer.log in the state folder.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalBalancer } from './balancer-server.js';

const dir = process.argv[2];
const secrets = process.argv[3];
if (!dir || !secrets) {
  process.stderr.write('usage: balancer-daemon <state-dir> <secrets-file>\n');
  process.exit(2);
}
const balancer = new LocalBalancer({ config: join(dir, 'balancer.json'), socket: join(dir, 'control.sock'), secrets });
try {
  await balancer.start();
} catch (error) {
  process.stderr.write(`berth balancer: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
writeFileSync(join(dir, 'balancer.pid'), `${process.pid}\n`);
process.stdout.write(`${new Date().toISOString()} berth balancer ${process.pid} listening\n`);
const shutdown = () => void balancer.stop().finally(() => {
  rmSync(join(dir, 'balancer.pid'), { force: true });
  process.exit(0);
});
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('SIGHUP', () => undefined);
