/**
 * Applies the table of known failures to what a failed deploy left behind: pure, so targets (AWS, local)
 * and the doctor command can all call it and tests can feed it real messages.
 */
import type { ResolvedConfig, ServiceSpec } from '../config/model.js';
import { findService, primaryWebService, serviceKey } from '../model/index.js';
import type { FailureEvidence } from './failure-evidence.js';
import { observe } from './failure-observations.js';
import { KNOWN_FAILURES, type EvidenceField, type KnownFailure, type TargetText } from './known-failures.js';

/** What diagnose reads from the configuration to make fixes concrete. */
export type DiagnoseConfig = Pick<ResolvedConfig, 'app' | 'env' | 'services' | 'network' | 'local'>;

export interface Diagnosis {
  /** The known-failure id, e.g. "image-platform-mismatch". */
  id: string;
  title: string;
  /** Plain-language cause, one or two sentences. */
  cause: string;
  /** What to change, concretely. */
  fix: string;
  /** The evidence lines that matched (already free of secret values). */
  evidence: string[];
  /** The app's last log lines, when they help (exited, out of memory, missing variable). */
  logTail?: string[];
  /** The evidence alone explains the failure: a rollout stops waiting when it sees it (absent: no). */
  conclusive?: boolean;
}

/** How many log lines a diagnosis carries. */
const LOG_TAIL_LINES = 15;

interface FieldValue {
  text: string;
  exitCode?: number;
}

function fieldValues(evidence: FailureEvidence, field: EvidenceField, observations: readonly string[]): FieldValue[] {
  switch (field) {
    case 'stoppedReason':
      return evidence.stoppedTasks.flatMap((task) => (task.stoppedReason ? [{ text: task.stoppedReason }] : []));
    case 'stopCode':
      return evidence.stoppedTasks.flatMap((task) => (task.stopCode ? [{ text: task.stopCode }] : []));
    case 'containerReason':
      return evidence.stoppedTasks.flatMap((task) => task.containers.flatMap((c) => (c.reason ? [{ text: `${c.name}: ${c.reason}` }] : [])));
    case 'exitCode':
      return evidence.stoppedTasks.flatMap((task) =>
        task.containers.flatMap((c) => (c.exitCode === undefined ? [] : [{ text: `${c.name} exited with code ${c.exitCode}`, exitCode: c.exitCode }])),
      );
    case 'serviceEvent':
      return evidence.serviceEvents.map((text) => ({ text }));
    case 'targetHealthReason':
      return evidence.targetHealth.flatMap((t) => (t.reason ? [{ text: t.reason }] : []));
    case 'targetHealthDescription':
      return evidence.targetHealth.flatMap((t) => (t.description ? [{ text: t.description }] : []));
    case 'stackEvent':
      return evidence.stackEvents.map((text) => ({ text }));
    case 'log':
      return evidence.logTail.map((text) => ({ text }));
    case 'build':
      return (evidence.buildOutput ?? []).map((text) => ({ text }));
    case 'observation':
      return observations.map((text) => ({ text }));
  }
}

interface EntryMatch {
  entry: KnownFailure;
  lines: string[];
  groups: string[];
}

function matchEntry(entry: KnownFailure, evidence: FailureEvidence, observations: readonly string[]): EntryMatch | undefined {
  if (entry.target && entry.target !== evidence.target) return undefined;
  const lines: string[] = [];
  let groups: string[] | undefined;
  for (const matcher of entry.match) {
    for (const field of matcher.fields) {
      for (const value of fieldValues(evidence, field, observations)) {
        if (matcher.exitCode !== undefined) {
          if (value.exitCode === matcher.exitCode) lines.push(value.text);
          continue;
        }
        const found = matcher.pattern?.exec(value.text);
        if (!found) continue;
        lines.push(value.text);
        const captured = found.slice(1).filter((group): group is string => group !== undefined);
        if (!groups?.length) groups = captured;
      }
    }
  }
  if (lines.length === 0) return undefined;
  return { entry, lines: [...new Set(lines)], groups: groups ?? [] };
}

const PLATFORMS = { x86_64: 'linux/amd64', arm64: 'linux/arm64' } as const;

function firstExitCode(evidence: FailureEvidence): string {
  for (const task of evidence.stoppedTasks) {
    for (const container of task.containers) if (container.exitCode !== undefined) return String(container.exitCode);
  }
  return 'unknown';
}

/** The service a failure concerns: the one the evidence names, else the primary web service, else the first. */
export function failedService(config: Pick<ResolvedConfig, 'services'>, evidence: Pick<FailureEvidence, 'service'>): ServiceSpec | undefined {
  return (evidence.service ? findService(config, evidence.service) : undefined) ?? primaryWebService(config) ?? config.services[0];
}

/** The text of an entry for the evidence's target. */
export function textFor(text: TargetText, target: FailureEvidence['target']): string {
  return typeof text === 'string' ? text : text[target];
}

/** Fills {placeholder}s from the configuration and the match's capture groups. */
export function renderTemplate(template: string, config: DiagnoseConfig, groups: readonly string[], evidence: FailureEvidence, groupDefaults: readonly string[] = []): string {
  const service = failedService(config, evidence);
  const web = service?.kind === 'web' ? service : undefined;
  const health = web?.health ?? (service?.kind === 'worker' ? service.health : undefined);
  const arch = service?.arch ?? 'x86_64';
  const memory = service?.memory ?? 512;
  const values: Record<string, string> = {
    port: web ? String(web.port) : 'its port',
    path: web?.health.path ?? 'the health check',
    service: service?.name ?? 'the app',
    arch,
    platform: PLATFORMS[arch],
    otherPlatform: arch === 'x86_64' ? PLATFORMS.arm64 : PLATFORMS.x86_64,
    memory: String(memory),
    memoryDouble: `${memory * 2} MiB`,
    cpu: String(service?.cpu ?? 256),
    gracePeriod: String(health?.gracePeriod ?? 0),
    timeout: String(health?.timeout ?? 0),
    app: config.app,
    env: config.env,
    localPort: String(config.local.port),
    tasks: config.network.tasks,
    egress: config.network.egress,
    exitCode: firstExitCode(evidence),
  };
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    if (/^\d+$/.test(key)) {
      const fallback = groupDefaults[Number(key) - 1];
      return groups[Number(key) - 1] ?? (fallback === undefined ? whole : renderTemplate(fallback, config, [], evidence));
    }
    return values[key] ?? whole;
  });
}

/** The table speaks of the `service:` shorthand; for an app of several services, the keys of the one that failed. */
function serviceKeys(text: string, config: DiagnoseConfig, evidence: FailureEvidence): string {
  const service = failedService(config, evidence);
  if (!service) return text;
  const key = serviceKey(config, service);
  return key === 'service' ? text : text.replace(/\bservice\.(?=(port|arch|build|command|env|health|memory|cpu|secrets|image|count)\b)/g, `${key}.`);
}

/**
 * Maps the evidence of a failed deploy to known causes and fixes, most specific first.
 * Returns an empty list when nothing in the table matches.
 */
export function diagnose(evidence: FailureEvidence, config: DiagnoseConfig, table: readonly KnownFailure[] = KNOWN_FAILURES): Diagnosis[] {
  const observations = observe(evidence, failedService(config, evidence));
  const matches = table.map((entry) => matchEntry(entry, evidence, observations)).filter((m): m is EntryMatch => m !== undefined);
  const superseded = new Set(matches.flatMap((m) => m.entry.supersedes ?? []));
  const target = evidence.target;
  return matches
    .filter((m) => !superseded.has(m.entry.id))
    .map((m) => {
      const diagnosis: Diagnosis = {
        id: m.entry.id,
        title: textFor(m.entry.title, target),
        cause: serviceKeys(renderTemplate(textFor(m.entry.cause, target), config, m.groups, evidence, m.entry.groupDefaults), config, evidence),
        fix: serviceKeys(renderTemplate(textFor(m.entry.fix, target), config, m.groups, evidence, m.entry.groupDefaults), config, evidence),
        evidence: m.lines,
        conclusive: m.entry.conclusive ?? false,
      };
      if (m.entry.showLogTail && evidence.logTail.length > 0) diagnosis.logTail = evidence.logTail.slice(-LOG_TAIL_LINES);
      return diagnosis;
    });
}

/**
 * One line per diagnosis, "<title>: <cause> Fix: <fix>", for a failed `berth deploy` to print under its
 * reasons (both targets); empty when nothing in the table matches.
 */
export function explainFailure(evidence: FailureEvidence, config: DiagnoseConfig): string[] {
  return diagnose(evidence, config).map((d) => `${d.title}: ${d.cause} Fix: ${d.fix}`);
}

/**
 * The first diagnosis that explains the failure on its own evidence (the app listens elsewhere, a name does
 * not resolve, the container exited, ...): what a rollout checks while it waits, to stop at once.
 */
export function conclusiveDiagnosis(evidence: FailureEvidence, config: DiagnoseConfig): Diagnosis | undefined {
  return diagnose(evidence, config).find((diagnosis) => diagnosis.conclusive);
}

/** Verdicts on the port picture: while a replica runs, its sockets decide those (held 10 s, rollout.ts), not a log line. */
const SOCKET_VERDICTS = new Set(['app-wrong-port', 'app-loopback-only']);

/**
 * What a rollout may stop on while a new replica still runs and its checks fail: a conclusive diagnosis of its log
 * lines (a host name that does not resolve, a module that is missing, ...), except the port picture, which a log
 * line can state before the service port opens and which the replica's sockets settle instead.
 */
export function conclusiveWhileRunning(evidence: FailureEvidence, config: DiagnoseConfig): Diagnosis | undefined {
  return diagnose(evidence, config).find((diagnosis) => diagnosis.conclusive && !SOCKET_VERDICTS.has(diagnosis.id));
}
