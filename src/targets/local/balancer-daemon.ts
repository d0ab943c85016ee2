/**
 * Entry point of the detached balancer process: `node balancer-daemon.js <state-dir> <secrets-file>`.
 * Started by `berth deploy` with its own session (it outlives the terminal), stopped by `berth destroy`
 * through the control socket. Besides proxying it supervises the replicas and runs the jobs on their
 * schedules (balancer-server.ts, job-scheduler.ts). Writes balancer.pid; logs go to balancer.log.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_FILES } from '../../model/index.js';
import { LocalBalancer } from './balancer-server.js';

const dir = process.argv[2];
const secrets = process.argv[3];
if (!dir || !secrets) {
  process.stderr.write('usage: balancer-daemon <state-dir> <secrets-file>\n');
  process.exit(2);
}
const balancer = new LocalBalancer({ config: join(dir, STATE_FILES.balancerConfig), socket: join(dir, STATE_FILES.controlSocket), secrets, stateDir: dir });
try {
  await balancer.start();
} catch (error) {
  process.stderr.write(`berth balancer: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
writeFileSync(join(dir, STATE_FILES.balancerPid), `${process.pid}\n`);
process.stdout.write(`${new Date().toISOString()} berth balancer ${process.pid} listening\n`);
const shutdown = () => void balancer.stop().finally(() => {
  rmSync(join(dir, STATE_FILES.balancerPid), { force: true });
  process.exit(0);
});
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('SIGHUP', () => undefined);
