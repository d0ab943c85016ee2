/**
 * Applies the table of known failures to what a failed deploy left behind: pure, so targets (AWS, local)
 * and the doctor command can all call it and tests can feed it real messages.
 */
import { soleWebService } from '../model/transitional.js';
import type { ResolvedConfig } from '../config/model.js';
import type { FailureEvidence } from './failure-evidence.js';
import { KNOWN_FAILURES, type EvidenceField, type KnownFailure } from './known-failures.js';

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
}

/** How many log lines a diagnosis carries. */
const LOG_TAIL_LINES = 15;

interface FieldValue {
  text: string;
  exitCode?: number;
}

function fieldValues(evidence: FailureEvidence, field: EvidenceField): FieldValue[] {
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
  }
}

interface EntryMatch {
  entry: KnownFailure;
  lines: string[];
  groups: string[];
}

function matchEntry(entry: KnownFailure, evidence: FailureEvidence): EntryMatch | undefined {
  if (entry.target && entry.target !== evidence.target) return undefined;
  const lines: string[] = [];
  let groups: string[] | undefined;
  for (const matcher of entry.match) {
    for (const field of matcher.fields) {
      for (const value of fieldValues(evidence, field)) {
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

/** Fills {placeholder}s from the configuration and the match's capture groups. */
export function renderTemplate(template: string, config: DiagnoseConfig, groups: readonly string[], evidence: FailureEvidence, groupDefaults: readonly string[] = []): string {
  const service = soleWebService(config);
  const values: Record<string, string> = {
    port: String(service.port),
    path: service.health.path,
    arch: service.arch,
    platform: PLATFORMS[service.arch],
    otherPlatform: service.arch === 'x86_64' ? PLATFORMS.arm64 : PLATFORMS.x86_64,
    memory: String(service.memory),
    memoryDouble: `${service.memory * 2} MiB`,
    cpu: String(service.cpu),
    gracePeriod: String(service.health.gracePeriod),
    timeout: String(service.health.timeout),
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

/**
 * Maps the evidence of a failed deploy to known causes and fixes, most specific first.
 * Returns an empty list when nothing in the table matches.
 */
export function diagnose(evidence: FailureEvidence, config: DiagnoseConfig, table: readonly KnownFailure[] = KNOWN_FAILURES): Diagnosis[] {
  const matches = table.map((entry) => matchEntry(entry, evidence)).filter((m): m is EntryMatch => m !== undefined);
  const superseded = new Set(matches.flatMap((m) => m.entry.supersedes ?? []));
  return matches
    .filter((m) => !superseded.has(m.entry.id))
    .map((m) => {
      const diagnosis: Diagnosis = {
        id: m.entry.id,
        title: m.entry.title,
        cause: renderTemplate(m.entry.cause, config, m.groups, evidence, m.entry.groupDefaults),
        fix: renderTemplate(m.entry.fix, config, m.groups, evidence, m.entry.groupDefaults),
        evidence: m.lines,
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
