/**
 * Facts derived from a failed deploy's evidence that no single message states: the port the app really
 * listens on (from the container's sockets, else from its own start-up line such as
 * `Listening at: http://0.0.0.0:80`), that it listens on 127.0.0.1 only, that it crashed at start, that an
 * image with ENTRYPOINT and no CMD ran and ended, that the health path answers 503 while the log shows a
 * dependency error, that the Dockerfile needs BuildKit. Pure: the table of known failures matches these
 * sentences (field `observation`) like any other evidence line, so each fact has one wording everywhere.
 */
import type { ServiceSpec } from '../config/model.js';
import type { FailureEvidence } from './failure-evidence.js';
import { reachableFromOutside, type ListeningSocket } from './listening-sockets.js';

/** Docker's embedded DNS listens inside every container on a user-defined network; it is not the app. */
export const DOCKER_DNS_ADDRESS = '127.0.0.11';

export interface LoggedAddress {
  /** As logged, normalized: "0.0.0.0", "127.0.0.1", "::", "localhost", or "" when only a port was logged. */
  address: string;
  port: number;
  line: string;
}

const HOST = String.raw`(\[[^\]]*\]|[A-Za-z0-9_.-]*)`;
/** Start-up lines of common servers that say where they listen: host group, then port group. */
const ADDRESS_LINES: RegExp[] = [
  new RegExp(String.raw`Listening at: https?://${HOST}:(\d+)`), // gunicorn
  new RegExp(String.raw`Uvicorn running on https?://${HOST}:(\d+)`), // uvicorn
  new RegExp(String.raw`Running on https?://${HOST}:(\d+)`), // werkzeug (flask run), hypercorn
  new RegExp(String.raw`Starting development server at https?://${HOST}:(\d+)`), // django runserver
  new RegExp(String.raw`Listening on (?:https?|tcp)://${HOST}:(\d+)`), // puma
  new RegExp(String.raw`Server listening (?:at|on) https?://${HOST}:(\d+)`), // fastify
  new RegExp(String.raw`Listening and serving HTTPS? on ${HOST}:(\d+)`), // gin
  new RegExp(String.raw`http server started on ${HOST}:(\d+)`), // echo
  new RegExp(String.raw`Serving HTTP on ${HOST} port (\d+)`), // python -m http.server
  new RegExp(String.raw`\b(?:[Ss]erver|[Aa]pp(?:lication)?) (?:is )?(?:running|listening|started) (?:at|on) https?://${HOST}:(\d+)`),
  new RegExp(String.raw`\b[Ll]istening on https?://${HOST}:(\d+)`),
];
/** Lines that name only a port ("Example app listening on port 3000"). */
const PORT_LINES: RegExp[] = [/\b[Ll]istening on port (\d{2,5})\b/, /\b(?:running|started|listening) on port (\d{2,5})\b/i];

function normalizeHost(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === '' || bare === '*') return '0.0.0.0';
  return bare;
}

/** Where the app says it listens, from its own log lines (oldest first). */
export function loggedListenAddresses(lines: readonly string[]): LoggedAddress[] {
  const found: LoggedAddress[] = [];
  // Werkzeug says "Running on all addresses (0.0.0.0)", then lists 127.0.0.1 as one way to reach it.
  let everywhere = false;
  for (const line of lines) {
    if (/Running on all addresses/.test(line)) everywhere = true;
    const withHost = ADDRESS_LINES.map((pattern) => pattern.exec(line)).find(Boolean);
    if (withHost) {
      const address = normalizeHost(withHost[1]!);
      found.push({ address: everywhere && isLoopback(address) ? '0.0.0.0' : address, port: Number(withHost[2]), line: line.trim() });
      continue;
    }
    const portOnly = PORT_LINES.map((pattern) => pattern.exec(line)).find(Boolean);
    if (portOnly) found.push({ address: '', port: Number(portOnly[1]), line: line.trim() });
  }
  return found;
}

function isLoopback(address: string): boolean {
  return address === 'localhost' || !reachableFromOutside({ address, port: 0 });
}

interface PortPicture {
  /** Reachable from outside the container on the service port. */
  servesPort: boolean;
  /** Loopback-only addresses, "127.0.0.1:8000". */
  loopback: string[];
  /** Other ports reachable from outside. */
  otherPorts: number[];
  /** Where the picture comes from, for the evidence line. */
  source?: string;
}

function socketPicture(sockets: readonly ListeningSocket[], port: number): PortPicture {
  const app = sockets.filter((socket) => socket.address !== DOCKER_DNS_ADDRESS);
  const reachable = app.filter(reachableFromOutside);
  return {
    servesPort: reachable.some((socket) => socket.port === port),
    loopback: [...new Set(app.filter((socket) => !reachableFromOutside(socket)).map((socket) => `${socket.address}:${socket.port}`))],
    otherPorts: [...new Set(reachable.filter((socket) => socket.port !== port).map((socket) => socket.port))],
  };
}

function logPicture(logged: readonly LoggedAddress[], port: number): PortPicture {
  const loopback = logged.filter((entry) => entry.address && isLoopback(entry.address));
  const outside = logged.filter((entry) => !entry.address || !isLoopback(entry.address));
  // Werkzeug logs 127.0.0.1 beside the container's address when it listens everywhere: a port with any outside address is reachable.
  const reachablePorts = new Set(outside.map((entry) => entry.port));
  const last = logged.at(-1);
  return {
    servesPort: reachablePorts.has(port),
    loopback: [...new Set(loopback.filter((entry) => !reachablePorts.has(entry.port)).map((entry) => `${entry.address === 'localhost' ? '127.0.0.1' : entry.address}:${entry.port}`))],
    otherPorts: [...reachablePorts].filter((other) => other !== port),
    ...(last ? { source: `its log: "${last.line}"` } : {}),
  };
}

/**
 * What a running replica's sockets say by themselves about a web service's port (pure): "listens on port 80, not on
 * service.port 8000" or "listens on 127.0.0.1:8000 only"; undefined while they say nothing conclusive (nothing
 * listens yet, or the port is served). A deploy stops waiting on this evidence instead of the remaining checks.
 */
export function socketsVerdict(sockets: readonly ListeningSocket[], port: number): string | undefined {
  const app = sockets.filter((socket) => socket.address !== DOCKER_DNS_ADDRESS);
  return app.length === 0 ? undefined : pictureVerdict({ ...socketPicture(app, port), source: 'its sockets' }, port);
}

/** What a port picture says by itself: another port, loopback only, or nothing conclusive. */
function pictureVerdict(picture: PortPicture, port: number): string | undefined {
  if (picture.servesPort) return undefined;
  const from = picture.source ? ` (${picture.source})` : '';
  if (picture.loopback.length > 0 && picture.otherPorts.length === 0) return `the app listens on ${picture.loopback.join(', ')} only${from}`;
  if (picture.otherPorts.length > 0) return `the app listens on port ${picture.otherPorts.join(', ')}, not on service.port ${port}${from}`;
  return undefined;
}

function portObservations(evidence: FailureEvidence, port: number): string[] {
  const logged = loggedListenAddresses(evidence.logTail);
  // The sockets are the truth when there are any; the log speaks when the container is gone or has none open.
  const sockets = evidence.listening?.filter((socket) => socket.address !== DOCKER_DNS_ADDRESS) ?? [];
  const picture = sockets.length > 0 ? { ...socketPicture(sockets, port), source: 'its sockets' } : logged.length > 0 ? logPicture(logged, port) : undefined;
  const verdict = picture ? pictureVerdict(picture, port) : undefined;
  return verdict ? [verdict] : [];
}

/** The last line that names an exception or panic: what a crash at start-up says about itself. */
const CRASH_LINES: RegExp[] = [
  /^(?:[A-Za-z_][\w.]*\.)?[A-Z]\w*(?:Error|Exception|Interrupt|Exit)(?::\s.*)?$/, // Python, Node
  /^Uncaught \w+.*$/, // Node
  /^panic: .+/, // Go
  /^fatal error: .+/, // Go runtime
  /^Exception in thread ".*$/, // Java
  /:in `.*\((?:[A-Z]\w*::)*[A-Z]\w*(?:Error|Exception)\)$/, // Ruby
];

function crashLine(lines: readonly string[]): string | undefined {
  return [...lines].reverse().map((line) => line.trim()).find((line) => CRASH_LINES.some((pattern) => pattern.test(line)));
}

/** Exit codes of containers that ended on their own (not stopped by a scale-in, a newer deployment or a user). */
function exitCodes(evidence: FailureEvidence): number[] {
  return evidence.stoppedTasks
    .filter((task) => !task.stopCode || task.stopCode === 'EssentialContainerExited')
    .flatMap((task) => task.containers.flatMap((container) => (container.exitCode === undefined ? [] : [container.exitCode])));
}

/** A health endpoint that answers 503 usually reports a dependency it cannot reach. */
const DEPENDENCY_ERROR = /connection to server at|could not translate host name|Connection refused|Name or service not known|Temporary failure in name resolution|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|no such host|Error \d+ connecting to|Connect call failed|getaddrinfo/i;

function healthStatuses(evidence: FailureEvidence): number[] {
  const texts = [...evidence.targetHealth.map((target) => target.description ?? ''), ...evidence.serviceEvents];
  return texts.flatMap((text) => [...text.matchAll(/\bHTTP (5\d\d)\b|codes: \[(5\d\d)\]/g)].map((match) => Number(match[1] ?? match[2])));
}

/** How the classic builder refuses syntax it does not know. */
const CLASSIC_BUILDER_REFUSAL = /unknown instruction|Unknown flag|requires BuildKit|parse error/i;

/**
 * The observation sentences for one failure. `service` is the failed service (its port matters for web
 * services only); without it the port observations are skipped.
 */
export function observe(evidence: FailureEvidence, service?: ServiceSpec): string[] {
  const lines: string[] = [];
  if (service?.kind === 'web') lines.push(...portObservations(evidence, service.port));

  const codes = exitCodes(evidence);
  const command = evidence.command;
  if (codes.includes(0) && command && command.cmd.length === 0 && command.entrypoint.length > 0) {
    lines.push(`the container exited with code 0: the image has ENTRYPOINT ${JSON.stringify(command.entrypoint)} and no CMD`);
  } else if (codes.includes(0) && codes.every((code) => code === 0)) {
    lines.push(`the container's command ended with code 0${command?.cmd.length ? ` (${JSON.stringify([...command.entrypoint, ...command.cmd])})` : ''}`);
  }
  const crashed = codes.some((code) => code !== 0 && code !== 137);
  const crash = crashed ? crashLine(evidence.logTail) : undefined;
  if (crash) lines.push(`the app crashed at start: ${crash}`);

  const status = healthStatuses(evidence).find((code) => code === 503 || code === 500);
  const dependencyLine = status ? [...evidence.logTail].reverse().find((line) => DEPENDENCY_ERROR.test(line)) : undefined;
  if (status && dependencyLine) lines.push(`the health check got HTTP ${status} while the app logs a dependency error: ${dependencyLine.trim()}`);
  else if (status === 503) lines.push('the health check got HTTP 503: the app says it is not ready');

  // Only when the classic builder stopped on what it cannot read: a heredoc or flag it does not know.
  const builder = evidence.builder;
  const unreadable = (evidence.buildOutput ?? []).some((line) => CLASSIC_BUILDER_REFUSAL.test(line));
  if (builder && !builder.buildkit && unreadable && builder.dockerfileFeatures.length > 0) {
    lines.push(`the Dockerfile uses ${builder.dockerfileFeatures.join(', ')}, which only BuildKit understands, and this engine builds without BuildKit`);
  }
  return lines;
}
