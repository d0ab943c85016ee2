/**
 * Turns what the doctor saw while running the container locally into check results: pure, so each
 * way an app can be broken (crash, wrong port, loopback only, 404, silence) is tested without an engine.
 */
import { soleWebService } from '../model/transitional.js';
import { diagnose, type DiagnoseConfig, type Diagnosis } from './diagnose.js';
import { emptyEvidence } from './failure-evidence.js';
import { fail, pass, type CheckResult } from './check-result.js';
import type { ListeningSocket } from './listening-sockets.js';

export type ProbeObservation =
  /** The engine refused to start the container (bad entrypoint, wrong architecture, ...). */
  | { kind: 'start-failed'; error: string }
  | { kind: 'exited'; exitCode: number; oomKilled: boolean; seconds: number; logTail: string[] }
  | { kind: 'healthy'; status: number; seconds: number }
  /** Listens on the port but the health path answers something other than 2xx. */
  | { kind: 'wrong-status'; status: number; answering: string[]; logTail: string[] }
  | { kind: 'loopback-only'; sockets: ListeningSocket[] }
  | { kind: 'wrong-port'; ports: number[] }
  /** Listens on the port but never answered the health path in time. */
  | { kind: 'no-answer'; seconds: number; lastError: string; logTail: string[] }
  | { kind: 'not-listening'; seconds: number; logTail: string[]; exposedPorts: number[] };

export interface ProbeContext {
  config: DiagnoseConfig;
  /** Declared secrets given placeholder values because they have no value here. */
  placeholders: string[];
  /** Where the database and cache came from, e.g. "against throw-away local PostgreSQL (postgres:16), not the environment's own"; absent without any. */
  dependencies?: string;
}

/** ", against throw-away ... (declared secret without a value here got a placeholder: API_KEY)" — or "". */
function startNote(context: ProbeContext): string {
  const dependencies = context.dependencies ? `, ${context.dependencies}` : '';
  const count = context.placeholders.length;
  if (count === 0) return dependencies;
  return `${dependencies} (declared secret${count === 1 ? '' : 's'} without a value here got ${count === 1 ? 'a placeholder' : 'placeholders'}: ${context.placeholders.join(', ')})`;
}

/** What the app's own log says went wrong (e.g. it waits for an unreachable database), if the table knows it. */
function logDiagnosis(logTail: string[], config: DiagnoseConfig): Diagnosis | undefined {
  if (logTail.length === 0) return undefined;
  return diagnose({ ...emptyEvidence('local'), logTail }, config)[0];
}

export function probeVerdict(observation: ProbeObservation, context: ProbeContext): CheckResult[] {
  const { env } = context.config;
  const service = soleWebService(context.config);
  const { port } = service;
  const path = service.health.path;
  const note = startNote(context);
  switch (observation.kind) {
    case 'start-failed':
    case 'exited': {
      const evidence = emptyEvidence('local');
      if (observation.kind === 'start-failed') {
        evidence.serviceEvents = [observation.error];
      } else {
        evidence.stoppedTasks = [{ id: 'doctor', containers: [{ name: 'app', exitCode: observation.exitCode, reason: observation.oomKilled ? 'OOMKilled' : 'exited' }] }];
        evidence.logTail = observation.logTail;
      }
      const [first] = diagnose(evidence, context.config);
      const what = observation.kind === 'start-failed'
        ? `the container did not start: ${observation.error}`
        : `the container exited with code ${observation.exitCode} after ${observation.seconds.toFixed(0)}s${note}`;
      const details = observation.kind === 'exited' ? observation.logTail : undefined;
      if (first) return [fail('container-runs', `${what}: ${first.cause}`, first.fix, details)];
      return [fail('container-runs', what, 'read its last log lines below, fix the error, and keep the server running in the foreground', details)];
    }
    case 'healthy':
      return [
        pass('container-runs', `the container started with the environment berth gives it${note}`),
        pass('container-port', `the app listens on port ${port}`),
        pass('health-path', `GET ${path} answered ${observation.status} after ${observation.seconds.toFixed(1)}s (grace period ${service.health.gracePeriod}s)`),
      ];
    case 'wrong-status': {
      const alternative = observation.answering[0];
      return [
        pass('container-runs', `the container started${note}`),
        pass('container-port', `the app listens on port ${port}`),
        fail(
          'health-path',
          `GET ${path} answered ${observation.status}, not 2xx: the load balancer would mark every task unhealthy${alternative ? ` (${observation.answering.join(', ')} answer${observation.answering.length === 1 ? 's' : ''} 2xx)` : ''}`,
          alternative ? `set service.health.path: ${alternative} in berth.yml, or add a route for ${path} that answers 200` : `add a route for ${path} that answers 200 without login or redirect, or set service.health.path to one that does`,
          observation.logTail.length > 0 ? observation.logTail : undefined,
        ),
      ];
    }
    case 'loopback-only':
      return [
        pass('container-runs', `the container started${note}`),
        fail(
          'container-port',
          `the app listens on ${observation.sockets.map((s) => `${s.address}:${s.port}`).join(', ')} only, which nothing outside the container can reach`,
          `make it listen on 0.0.0.0:${port} (e.g. \`gunicorn -b 0.0.0.0:${port}\`, \`uvicorn --host 0.0.0.0 --port ${port}\`, \`flask run --host 0.0.0.0 --port ${port}\`)`,
        ),
      ];
    case 'wrong-port': {
      const ports = observation.ports.join(', ');
      return [
        pass('container-runs', `the container started${note}`),
        fail(
          'container-port',
          `the app listens on port ${ports}, not on service.port ${port}: health checks would time out and every task would be stopped`,
          `set service.port: ${observation.ports[0]} in berth.yml, or make the app listen on 0.0.0.0:${port}`,
        ),
      ];
    }
    case 'no-answer':
      return [
        pass('container-runs', `the container started${note}`),
        pass('container-port', `the app listens on port ${port}`),
        fail(
          'health-path',
          `GET ${path} got no answer within the ${service.health.gracePeriod}s grace period (${observation.lastError})`,
          `make ${path} answer quickly; if start-up is slow, raise service.health.gracePeriod (now ${service.health.gracePeriod}s) or service.health.timeout (now ${service.health.timeout}s)`,
          observation.logTail.length > 0 ? observation.logTail : undefined,
        ),
      ];
    case 'not-listening': {
      const hint = observation.exposedPorts.length > 0 ? ` (the image exposes ${observation.exposedPorts.join(', ')})` : '';
      const known = logDiagnosis(observation.logTail, context.config);
      if (known) {
        // The log says why the port stays closed (e.g. waiting for its database): lead with that, not with the port.
        return [
          pass('container-runs', `the container started and kept running${note}`),
          fail('container-port', `${known.cause} Port ${port} was still closed after the ${service.health.gracePeriod}s grace period${hint}.`, known.fix, observation.logTail.length > 0 ? observation.logTail : undefined),
        ];
      }
      return [
        pass('container-runs', `the container started and kept running${note}`),
        fail(
          'container-port',
          `nothing listened on port ${port} within the ${service.health.gracePeriod}s grace period${hint}`,
          `start the web server on 0.0.0.0:${port} in CMD (or service.command); if it needs longer to start, raise service.health.gracePeriod. Try it: berth deploy --env ${env === 'local' ? 'local' : env}`,
          observation.logTail.length > 0 ? observation.logTail : undefined,
        ),
      ];
    }
  }
}
