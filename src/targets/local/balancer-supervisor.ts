/**
 * Entry point of the process that keeps an environment's balancer alive:
 * `node balancer-supervisor.js <state-dir> <secrets-file>`. Started detached by berth (it outlives the terminal),
 * it runs balancer-daemon.js as its child and starts it again when it dies other than by request (a crash,
 * SIGKILL, the out-of-memory killer): 50 ms later, backing off up to 5 s while it keeps dying at start-up. The
 * new balancer reads the routing (balancer.json) and the last known health (balancer-health.json) back, so it
 * serves at once. A balancer that exits 0 was stopped on purpose (`berth destroy`, SIGTERM): the supervisor ends
 * too. Records its identity in balancer-supervisor.pid and removes it when it ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STATE_FILES } from '../../model/index.js';
import { BALANCER_CANNOT_START, nextRestartDelay, RESTART_ENV } from './balancer-restarts.js';
import { removeOwnIdentity, writeOwnIdentity } from './process-identity.js';

const dir = process.argv[2];
const secrets = process.argv[3];
if (!dir || !secrets) {
  process.stderr.write('usage: balancer-supervisor <state-dir> <secrets-file>\n');
  process.exit(2);
}
const pidFile = join(dir, STATE_FILES.supervisorPid);
const daemon = join(dirname(fileURLToPath(import.meta.url)), 'balancer-daemon.js');
writeOwnIdentity(pidFile);
process.on('exit', () => removeOwnIdentity(pidFile));

let child: ChildProcess | undefined;
let restarts = 0;
let lastExit: string | undefined;
let delay = 0;
let stopping = false;

const log = (text: string) => process.stdout.write(`${new Date().toISOString()} berth balancer supervisor ${process.pid}: ${text}\n`);

function launch(): void {
  const startedAt = Date.now();
  const env = { ...process.env, [RESTART_ENV.count]: String(restarts), ...(lastExit ? { [RESTART_ENV.last]: lastExit } : {}) };
  const current = spawn(process.execPath, [daemon, dir!, secrets!], { stdio: ['ignore', 'inherit', 'inherit'], env });
  child = current;
  current.once('exit', (code, signal) => {
    child = undefined;
    if (stopping || code === 0) process.exit(0);
    // The first start failing (e.g. its port is taken) is the deploy's error to report, not a crash to retry.
    if (restarts === 0 && code === BALANCER_CANNOT_START && lastExit === undefined) process.exit(BALANCER_CANNOT_START);
    restarts += 1;
    lastExit = `${new Date().toISOString()} ${signal ? `killed by ${signal}` : `exited with code ${code}`}`;
    delay = nextRestartDelay(delay, Date.now() - startedAt);
    log(`balancer ${current.pid} ${signal ? `killed by ${signal}` : `exited with code ${code}`}; starting it again in ${delay} ms (restart ${restarts})`);
    setTimeout(() => {
      if (!stopping) launch();
    }, delay);
  });
}

const stop = () => {
  stopping = true;
  if (child) child.kill('SIGTERM');
  else process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('SIGHUP', () => undefined);
launch();
