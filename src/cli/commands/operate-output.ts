/** Text renderings of deploy outcomes, status, releases and log lines (pure, so tests read them). */
import type { DeployOutcome, LogLine, Release, StatusReport } from '../../targets/operations.js';
import { formatRows, formatTable } from '../output.js';

export function describeOutcome(outcome: DeployOutcome, verb = 'Deployed'): string[] {
  if (outcome.ok) {
    const release = outcome.release;
    const lines = [`${verb} release ${release?.number ?? '?'} of ${outcome.env}${release?.rollbackOf ? ` (restores release ${release.rollbackOf})` : ''}`];
    if (outcome.url) lines.push(`  ${outcome.url}`);
    return lines;
  }
  return [];
}

/**
 * The failure report for stderr: the cause and the fix first (the doctor's diagnosis), then what berth saw,
 * who keeps serving, and the replica's or task's last lines.
 */
export function describeFailure(outcome: DeployOutcome): string[] {
  const [first, ...others] = outcome.diagnoses ?? [];
  const lines: string[] = [];
  if (first) {
    lines.push(`error: ${first.cause}`, `fix: ${first.fix}`);
    for (const other of others) lines.push(`also: ${other.cause} Fix: ${other.fix}`);
    lines.push(...outcome.reasons.map((reason) => `  ${reason}`));
  } else {
    lines.push(...outcome.reasons.map((reason) => `error: ${reason}`));
  }
  if (outcome.url) lines.push(`the previous release keeps serving at ${outcome.url}`);
  if (outcome.logTail.length) {
    lines.push(outcome.evidence?.target === 'aws' ? 'last lines of the failed task:' : 'last lines of the new replica:');
    lines.push(...outcome.logTail.map((line) => `  | ${line}`));
  }
  lines.push(first ? 'hint: `berth doctor` runs the deeper checks; `berth logs` shows more' : 'hint: `berth doctor` explains common causes; `berth logs` shows more');
  return lines;
}

export function describeStatus(report: StatusReport): string {
  const rows: Array<[string, string]> = [
    ['app', `${report.app} (${report.env}, ${report.target})`],
    ['url', report.url ?? '(not deployed)'],
    ['release', report.release ? `${report.release.number} — ${report.release.image}, ${report.release.createdAt}` : '(none)'],
    [report.target === 'aws' ? 'tasks' : 'replicas', `${report.tasks.healthy}/${report.tasks.desired} healthy, ${report.tasks.running} running${report.tasks.pending ? `, ${report.tasks.pending} pending` : ''}`],
  ];
  const parts = [formatRows(rows, '')];
  if (report.tasks.items.length) {
    parts.push('', formatTable(['REPLICA', 'RELEASE', 'STATE', 'HEALTH', 'ADDRESS'], report.tasks.items.map((item) => [item.id, String(item.release ?? ''), item.status, item.health + (item.stoppedReason && item.health !== 'healthy' ? ` (${item.stoppedReason})` : ''), item.address ?? ''])));
  }
  if (report.target === 'aws' && report.deployments.length) {
    parts.push('', formatTable(['DEPLOYMENT', 'STATUS', 'ROLLOUT', 'RUNNING', 'RELEASE'], report.deployments.map((d) => [d.id, d.status, d.rollout, `${d.running}/${d.desired}`, String(d.release ?? '')])));
  }
  if (report.alarms.length) {
    parts.push('', formatTable(['ALARM', 'STATE'], report.alarms.map((alarm) => [alarm.name, alarm.state])));
  }
  if (report.dependencies.length) {
    parts.push('', formatTable(['DEPENDENCY', 'ENGINE', 'ENDPOINT', 'STATUS'], report.dependencies.map((dependency) => [dependency.kind, dependency.engine, dependency.endpoint, dependency.status])));
  }
  if (report.notes.length) parts.push('', ...report.notes);
  return parts.join('\n');
}

export function describeReleases(releases: readonly Release[]): string {
  if (releases.length === 0) return 'no releases yet: run `berth deploy`';
  return formatTable(['RELEASE', 'STATUS', 'CREATED', 'BY', 'IMAGE', 'NOTE'], releases.map((release) => [
    String(release.number), release.status, release.createdAt, release.createdBy, release.image, release.rollbackOf ? `rollback to ${release.rollbackOf}` : '',
  ]));
}

export function formatLogLine(line: LogLine, width: number): string {
  return `${line.source.padEnd(width)} | ${line.message}`;
}
