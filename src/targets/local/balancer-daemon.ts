/**
 * Entry point of the balancer process: `node balancer-daemon.js <state-dir> <secrets-file>`. Runs as the child
 * of balancer-supervisor.js, which starts it again when it dies; stopped by `berth destroy` through the control
 * socket (it then exits 0 and the supervisor ends too). Besides proxying it supervises the replicas and the
 * dependencies and runs the jobs on their schedules (balancer-server.ts, job-scheduler.ts). Records its identity
 * in balancer.pid and removes it when it ends; logs go to balancer.log.
 */
import { join } from 'node:path';
import { STATE_FILES } from '../../model/index.js';
import { BALANCER_CANNOT_START, restartsFromEnv } from './balancer-restarts.js';
import { LocalBalancer } from './balancer-server.js';
import { removeOwnIdentity, writeOwnIdentity } from './process-identity.js';

const dir = process.argv[2];
const secrets = process.argv[3];
if (!dir || !secrets) {
  process.stderr.write('usage: balancer-daemon <state-dir> <secrets-file>\n');
  process.exit(2);
}
const pidFile = join(dir, STATE_FILES.balancerPid);
const balancer = new LocalBalancer({ config: join(dir, STATE_FILES.balancerConfig), socket: join(dir, STATE_FILES.controlSocket), secrets, stateDir: dir }, { restarts: restartsFromEnv(process.env) });
try {
  await balancer.start();
} catch (error) {
  process.stderr.write(`berth balancer: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(BALANCER_CANNOT_START);
}
writeOwnIdentity(pidFile);
process.on('exit', () => removeOwnIdentity(pidFile));
process.stdout.write(`${new Date().toISOString()} berth balancer ${process.pid} listening\n`);
const shutdown = () => void balancer.stop().finally(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('SIGHUP', () => undefined);
