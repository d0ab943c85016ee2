/**
 * Turns what the doctor saw while running one service's container locally into check results: pure, so each
 * way an app can be broken (crash, wrong port, loopback only, 404, silence, a job that fails) is tested without
 * an engine. The causes come from the table of known failures, so `berth doctor` and a failed `berth deploy`
 * say the same thing in the same words.
 */
import type { ServiceSpec, WebServiceSpec } from '../config/model.js';
import { diagnose, type DiagnoseConfig, type Diagnosis } from './diagnose.js';
import { emptyEvidence, type FailureEvidence } from './failure-evidence.js';
import { fail, pass, type CheckResult } from './check-result.js';
import type { ListeningSocket } from './listening-sockets.js';
import { serviceKey } from '../model/index.js';
import { serviceCheckId } from './service-keys.js';

export type ProbeObservation =
  /** The engine refused to start the container (bad entrypoint, wrong architecture, no command, ...). */
  | { kind: 'start-failed'; error: string }
  | { kind: 'exited'; exitCode: number; oomKilled: boolean; seconds: number; logTail: string[]; command?: { entrypoint: string[]; cmd: string[] } }
  | { kind: 'healthy'; status: number; seconds: number }
  /** Listens on the port but the health path answers something other than 2xx. */
  | { kind: 'wrong-status'; status: number; answering: string[]; logTail: string[] }
  | { kind: 'loopback-only'; sockets: ListeningSocket[] }
  | { kind: 'wrong-port'; ports: number[] }
  /** Listens on the port but never answered the health path in time. */
  | { kind: 'no-answer'; seconds: number; lastError: string; logTail: string[] }
  | { kind: 'not-listening'; seconds: number; logTail: string[]; exposedPorts: number[] }
  /** A worker still running at the end of its grace period (and passing its health command, if it has one). */
  | { kind: 'kept-running'; seconds: number; healthCommand?: boolean }
  /** A worker whose health command failed `unhealthyThreshold` times after its grace period. */
  | { kind: 'health-command-failed'; output: string; logTail: string[] }
  /** A job run once that ended with code 0. */
  | { kind: 'finished'; seconds: number }
  /** A job run once that did not end within the doctor's bound (its timeout, at most a few minutes). */
  | { kind: 'still-running'; seconds: number; logTail: string[] };

export interface ProbeContext {
  config: DiagnoseConfig;
  /** The service probed; default: the first web service. */
  service?: ServiceSpec;
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

function probedService(context: ProbeContext): ServiceSpec {
  const service = context.service ?? context.config.services.find((candidate) => candidate.kind === 'web') ?? context.config.services[0];
  if (!service) throw new Error('probeVerdict needs a service');
  return service;
}

/** Check ids carry the service name when the app has more than one service: container-port.api. */
export const probeCheckId = serviceCheckId;

/** The diagnosis of the doctor's own evidence, in the words a failed deploy uses. */
function diagnoseProbe(context: ProbeContext, service: ServiceSpec, fill: (evidence: FailureEvidence) => void): Diagnosis | undefined {
  const evidence: FailureEvidence = { ...emptyEvidence(context.config.env === 'local' ? 'local' : 'aws'), service: service.name };
  fill(evidence);
  return diagnose(evidence, context.config)[0];
}

/** "the cause" as a check message: the table's sentences start with a capital and end with a full stop. */
function asMessage(text: string): string {
  return `${text.charAt(0).toLowerCase()}${text.slice(1)}`.replace(/\.$/, '');
}

export function probeVerdict(observation: ProbeObservation, context: ProbeContext): CheckResult[] {
  const service = probedService(context);
  const id = (base: string) => probeCheckId(base, context.config, service);
  const note = startNote(context);
  const label = context.config.services.length > 1 ? `${service.name}: ` : '';
  switch (observation.kind) {
    case 'start-failed':
    case 'exited': {
      const first = diagnoseProbe(context, service, (evidence) => {
        if (observation.kind === 'start-failed') {
          evidence.serviceEvents = [observation.error];
          return;
        }
        evidence.stoppedTasks = [{ id: 'doctor', containers: [{ name: 'app', exitCode: observation.exitCode, reason: observation.oomKilled ? 'OOMKilled' : 'exited' }] }];
        evidence.logTail = observation.logTail;
        if (observation.command) evidence.command = observation.command;
      });
      const what = observation.kind === 'start-failed'
        ? `${label}the container did not start: ${observation.error}`
        : `${label}the container exited with code ${observation.exitCode} after ${observation.seconds.toFixed(0)}s${note}`;
      const details = observation.kind === 'exited' && observation.logTail.length > 0 ? observation.logTail : undefined;
      if (first) return [fail(id('container-runs'), `${what}: ${first.cause}`, first.fix, details)];
      return [fail(id('container-runs'), what, 'read its last log lines below, fix the error, and keep the process running in the foreground', details)];
    }
    case 'kept-running':
      return [pass(id('container-runs'), `${label}the worker started with the environment berth gives it and kept running for ${observation.seconds.toFixed(0)}s${observation.healthCommand ? ', passing its health command' : ''}${note}`)];
    case 'health-command-failed': {
      const health = service.kind === 'worker' ? service.health : undefined;
      return [
        pass(id('container-runs'), `${label}the worker started${note}`),
        fail(
          id('health-command'),
          `${label}the health command ${JSON.stringify(health?.command ?? [])} failed ${health?.unhealthyThreshold ?? 1} times after the ${health?.gracePeriod ?? 0}s grace period: ${observation.output || 'no output'}`,
          `make the command exit 0 while the worker is healthy, or raise services.${service.name}.health.gracePeriod`,
          observation.logTail.length > 0 ? observation.logTail : undefined,
        ),
      ];
    }
    case 'finished':
      return [pass(id('job-runs'), `${label}the job ran once with the environment berth gives it and finished with code 0 in ${observation.seconds.toFixed(1)}s${note}`)];
    case 'still-running':
      return [fail(
        id('job-runs'),
        `${label}the job was still running after ${observation.seconds.toFixed(0)}s${note}`,
        `make the job end on its own (a job runs once per schedule; services.${service.name}.timeout stops it after ${service.kind === 'job' ? service.timeout : '?'}s), or make it a worker if it should keep running`,
        observation.logTail.length > 0 ? observation.logTail : undefined,
      )];
    default:
      return webVerdict(observation, context, service as WebServiceSpec, id, label, note);
  }
}

function webVerdict(
  observation: Extract<ProbeObservation, { kind: 'healthy' | 'wrong-status' | 'loopback-only' | 'wrong-port' | 'no-answer' | 'not-listening' }>,
  context: ProbeContext,
  service: WebServiceSpec,
  id: (base: string) => string,
  label: string,
  note: string,
): CheckResult[] {
  const { env } = context.config;
  const { port } = service;
  const key = serviceKey(context.config, service);
  const path = service.health.path;
  switch (observation.kind) {
    case 'healthy':
      return [
        pass(id('container-runs'), `${label}the container started with the environment berth gives it${note}`),
        pass(id('container-port'), `${label}the app listens on port ${port}`),
        pass(id('health-path'), `${label}GET ${path} answered ${observation.status} after ${observation.seconds.toFixed(1)}s (grace period ${service.health.gracePeriod}s)`),
      ];
    case 'wrong-status': {
      const alternative = observation.answering[0];
      const target = env === 'local' ? 'the local load balancer would never put a replica in rotation' : 'the load balancer would mark every task unhealthy';
      return [
        pass(id('container-runs'), `${label}the container started${note}`),
        pass(id('container-port'), `${label}the app listens on port ${port}`),
        fail(
          id('health-path'),
          `${label}GET ${path} answered ${observation.status}, not 2xx: ${target}${alternative ? ` (${observation.answering.join(', ')} answer${observation.answering.length === 1 ? 's' : ''} 2xx)` : ''}`,
          alternative ? `set ${key}.health.path: ${alternative} in berth.yml, or add a route for ${path} that answers 200` : `add a route for ${path} that answers 200 without login or redirect, or set ${key}.health.path to one that does`,
          observation.logTail.length > 0 ? observation.logTail : undefined,
        ),
      ];
    }
    case 'loopback-only':
    case 'wrong-port': {
      const sockets = observation.kind === 'loopback-only' ? observation.sockets : observation.ports.map((other) => ({ address: '0.0.0.0', port: other }));
      const known = diagnoseProbe(context, service, (evidence) => { evidence.listening = sockets; });
      return [
        pass(id('container-runs'), `${label}the container started${note}`),
        fail(id('container-port'), `${label}${asMessage(known?.cause ?? `the app does not listen on 0.0.0.0:${port}`)}`, known?.fix ?? `make the app listen on 0.0.0.0:${port}`),
      ];
    }
    case 'no-answer':
      return [
        pass(id('container-runs'), `${label}the container started${note}`),
        pass(id('container-port'), `${label}the app listens on port ${port}`),
        fail(
          id('health-path'),
          `${label}GET ${path} got no answer within the ${service.health.gracePeriod}s grace period (${observation.lastError})`,
          `make ${path} answer quickly; if start-up is slow, raise ${key}.health.gracePeriod (now ${service.health.gracePeriod}s) or ${key}.health.timeout (now ${service.health.timeout}s)`,
          observation.logTail.length > 0 ? observation.logTail : undefined,
        ),
      ];
    case 'not-listening': {
      const hint = observation.exposedPorts.length > 0 ? ` (the image exposes ${observation.exposedPorts.join(', ')})` : '';
      const known = observation.logTail.length > 0 ? diagnoseProbe(context, service, (evidence) => { evidence.logTail = observation.logTail; }) : undefined;
      const details = observation.logTail.length > 0 ? observation.logTail : undefined;
      if (known) {
        // The log says why the port stays closed (e.g. waiting for its database): lead with that, not with the port.
        return [
          pass(id('container-runs'), `${label}the container started and kept running${note}`),
          fail(id('container-port'), `${label}${known.cause} Port ${port} was still closed after the ${service.health.gracePeriod}s grace period${hint}.`, known.fix, details),
        ];
      }
      return [
        pass(id('container-runs'), `${label}the container started and kept running${note}`),
        fail(
          id('container-port'),
          `${label}nothing listened on port ${port} within the ${service.health.gracePeriod}s grace period${hint}`,
          `start the web server on 0.0.0.0:${port} in CMD (or ${key}.command); if it needs longer to start, raise ${key}.health.gracePeriod. Try it: berth deploy --env ${env}`,
          details,
        ),
      ];
    }
  }
}
