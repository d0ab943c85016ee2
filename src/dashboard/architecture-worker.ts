/** Worker thread: synthesize, price and draw one environment for berth ui (see architecture.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../config/load.js';
import { BerthError } from '../errors.js';
import { computeArchitecture, type WorkerReply, type WorkerRequest } from './architecture.js';

const request = workerData as WorkerRequest;
let reply: WorkerReply;
try {
  reply = { ok: true, view: await computeArchitecture(loadConfig({ config: request.configFile, env: request.env })) };
} catch (error) {
  reply = error instanceof BerthError
    ? { ok: false, message: error.message, exitCode: error.exitCode, ...(error.hint ? { hint: error.hint } : {}) }
    : { ok: false, message: error instanceof Error ? error.message : String(error) };
}
parentPort?.postMessage(reply);
