/** Text renderings of deploy outcomes, status, releases and log lines (pure, so tests read them). */
import type { DeployOutcome, JobRun, LogLine, Release, ServiceStatus, StatusReport } from '../../targets/operations.js';
import { environmentLabel, formatRows, formatTable } from '../output.js';

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
    lines.push(outcome.logTailOf ? `last lines of ${outcome.logTailOf}:` : outcome.evidence?.target === 'aws' ? 'last lines of the failed task:' : 'last lines of the new replica:');
    lines.push(...outcome.logTail.map((line) => `  | ${line}`));
  }
  lines.push(first ? 'hint: `berth doctor` runs the deeper checks; `berth logs` shows more' : 'hint: `berth doctor` explains common causes; `berth logs` shows more');
  return lines;
}

function describeRoute(service: ServiceStatus): string {
  if (!service.route) return '';
  if (service.route.default) return 'every other request';
  return [service.route.host ? `host ${service.route.host}` : '', service.route.path ? `path ${service.route.path}` : ''].filter(Boolean).join(' and ');
}

function describeRun(run: JobRun): string {
  const when = run.endedAt ?? run.startedAt;
  return `${run.status}${run.exitCode !== undefined ? ` (exit ${run.exitCode})` : ''} ${when}`;
}

function describeServiceState(service: ServiceStatus): string {
  if (service.kind === 'job') {
    const last = service.runs?.[0];
    return [service.schedule, service.nextRun ? `next ${service.nextRun}` : 'not scheduled (nothing deployed)', last ? `last ${describeRun(last)}` : 'no run yet'].filter(Boolean).join('; ');
  }
  const tasks = service.tasks;
  return tasks ? `${tasks.healthy}/${tasks.desired} healthy, ${tasks.running} running${tasks.pending ? `, ${tasks.pending} pending` : ''}` : '';
}

export function describeStatus(report: StatusReport): string {
  const services = report.services ?? [];
  const many = services.length > 1;
  const rows: Array<[string, string]> = [
    ['app', `${report.app} ${environmentLabel(report.env, report.target)}`],
    ['url', report.url ?? (report.release ? '(no web service)' : '(not deployed)')],
    ['release', report.release ? `${report.release.number} — ${report.release.image}, ${report.release.createdAt}` : '(none)'],
    [report.target === 'aws' ? 'tasks' : 'replicas', `${report.tasks.healthy}/${report.tasks.desired} healthy, ${report.tasks.running} running${report.tasks.pending ? `, ${report.tasks.pending} pending` : ''}`],
  ];
  const parts = [formatRows(rows, '')];
  if (many) {
    parts.push('', formatTable(['SERVICE', 'KIND', 'ROUTE', 'STATE'], services.map((service) => [service.name, service.kind, describeRoute(service), describeServiceState(service)])));
  }
  if (report.tasks.items.length) {
    const header = many ? ['REPLICA', 'SERVICE', 'RELEASE', 'STATE', 'HEALTH', 'ADDRESS'] : ['REPLICA', 'RELEASE', 'STATE', 'HEALTH', 'ADDRESS'];
    parts.push('', formatTable(header, report.tasks.items.map((item) => [
      item.id,
      ...(many ? [item.service ?? ''] : []),
      String(item.release ?? ''),
      item.status,
      item.health + (item.stoppedReason && item.health !== 'healthy' ? ` (${item.stoppedReason})` : ''),
      item.address ?? '',
    ])));
  }
  const runs = services.flatMap((service) => service.runs ?? []).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  if (runs.length) {
    parts.push('', formatTable(['JOB RUN', 'JOB', 'TRIGGER', 'RELEASE', 'STARTED', 'ENDED', 'STATUS'], runs.map((run) => [
      run.id, run.job, run.trigger, String(run.release), run.startedAt, run.endedAt ?? '', `${run.status}${run.exitCode !== undefined ? ` (exit ${run.exitCode})` : ''}${run.reason && run.status !== 'succeeded' ? `: ${run.reason}` : ''}`,
    ])));
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
  if (report.problems?.length) parts.push('', ...report.problems.map((problem) => `problem: ${problem}`));
  return parts.join('\n');
}

export function describeReleases(releases: readonly Release[]): string {
  if (releases.length === 0) return 'no releases yet: run `berth deploy`';
  return formatTable(['RELEASE', 'STATUS', 'CREATED', 'BY', 'IMAGE', 'NOTE'], releases.map((release) => [
    String(release.number), release.status, release.createdAt, release.createdBy, release.image,
    [release.rollbackOf ? `rollback to ${release.rollbackOf}` : '', (release.status === 'failed' || release.status === 'interrupted') && release.reason ? release.reason : ''].filter(Boolean).join('; '),
  ]));
}

/**
 * One log line: `source | message`, or with many services a service column first
 * (`api     r4-1-7873 | message`: the replica name without its service prefix).
 */
export function formatLogLine(line: LogLine, width: number, serviceWidth?: number): string {
  if (serviceWidth === undefined || !line.service) return `${line.source.padEnd(width)} | ${line.message}`;
  const source = line.source.startsWith(`${line.service}-`) ? line.source.slice(line.service.length + 1) : line.source;
  return `${line.service.padEnd(serviceWidth)} ${source.padEnd(width)} | ${line.message}`;
}
