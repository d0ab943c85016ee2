/**
 * The UI's HTML, rendered on the server from plain data: the page of one environment and each live part of it
 * (progress, status, releases, logs, last failure, architecture, cost). The page's script swaps a part when the
 * server sends a fresh one, so there is one renderer for the first load and for live updates. Pure.
 */
import type { Diagnosis } from '../doctor/diagnose.js';
import type { Saving } from '../plan/cost/savings.js';
import type { Diagram, DiagramNode } from '../plan/diagram/diagram.js';
import { formatMonthly } from '../plan/diagram/diagram.js';
import type { JournalEvent } from '../terminal/progress-journal.js';
import type { LogLine, Release, StatusReport } from '../targets/operations.js';
import { costChart, costChartSvg } from './cost-chart.js';
import { escapeHtml as esc } from './html.js';

/** A value, or why it could not be read, in plain words. */
export type Readout<T> = { value: T } | { error: string; hint?: string } | { pending: string };

export interface ArchitectureView {
  diagram: Diagram;
  /** The diagram as inline SVG. */
  svg: string;
  savings: Saving[];
}

export interface FailureView {
  recordedAt?: string;
  release?: number;
  diagnoses: Diagnosis[];
  /** When nothing in the table of known failures matches: the evidence lines. */
  unexplained: string[];
}

export interface PageView {
  app: string;
  env: string;
  target: 'local' | 'aws';
  environments: Array<{ name: string; target: 'local' | 'aws' }>;
  /** Sent back in a header with requests that change something. */
  token: string;
  parts: {
    progress: string;
    status: string;
    releases: string;
    failure: string;
    logs: string;
    architecture: string;
    cost: string;
  };
}

function readoutProblem(readout: Readout<unknown>, what: string): string | undefined {
  if ('pending' in readout) return `<p class="pending" aria-busy="true">${esc(readout.pending)}</p>`;
  if ('error' in readout) {
    return `<div class="problem" role="status"><p><strong>${esc(what)} could not be read:</strong> ${esc(readout.error)}</p>${readout.hint ? `<p class="hint">${esc(readout.hint)}</p>` : ''}</div>`;
  }
  return undefined;
}

function when(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return esc(iso);
  return `<time datetime="${esc(iso)}">${esc(date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</time>`;
}

const STEP_MARK: Record<string, [string, string]> = {
  'step-started': ['…', 'running'],
  'step-succeeded': ['✔', 'done'],
  'step-failed': ['✖', 'failed'],
  'step-warned': ['!', 'warning'],
};

/** The newest deploy or rollback as its steps, from the progress journal. */
export function progressPart(events: readonly JournalEvent[]): string {
  if (events.length === 0) return '<p class="quiet">No deploy or rollback recorded yet. Run <code>berth deploy</code> in a terminal: it shows up here as it runs.</p>';
  const start = events[0]!;
  const finished = events.find((event) => event.type === 'run-finished');
  const steps = new Map<number, { title: string; state: string; detail?: string }>();
  const notes: Array<{ kind: 'info' | 'warn'; message: string }> = [];
  for (const event of events) {
    switch (event.type) {
      case 'step-started': steps.set(event.step, { title: event.title, state: 'step-started' }); break;
      case 'step-updated': { const step = steps.get(event.step); if (step) step.detail = event.detail; break; }
      case 'step-succeeded': case 'step-failed': case 'step-warned': {
        const step = steps.get(event.step);
        if (step) Object.assign(step, { state: event.type, ...(event.detail ? { detail: event.detail } : {}) });
        break;
      }
      case 'info': case 'warn': notes.push({ kind: event.type, message: event.message }); break;
      default: break;
    }
  }
  const command = start.type === 'run-started' ? start.command : 'operation';
  const state = !finished ? 'running' : finished.type === 'run-finished' && finished.ok ? 'succeeded' : 'failed';
  const summary = !finished
    ? `<p class="run run-running" aria-busy="true"><strong>${esc(command)}</strong> started ${when(start.at)}: running…</p>`
    : `<p class="run run-${state}"><strong>${esc(command)}</strong> started ${when(start.at)}: <strong>${state}</strong>${finished.type === 'run-finished' && finished.release ? ` (release ${finished.release})` : ''}${finished.type === 'run-finished' && finished.message ? ` — ${esc(finished.message)}` : ''}</p>`;
  const items = [...steps.values()].map((step) => {
    const [mark, word] = STEP_MARK[step.state] ?? ['…', 'running'];
    return `<li class="step step-${word}"><span class="mark" aria-hidden="true">${mark}</span> <span class="state">${word}</span> ${esc(step.title)}${step.detail ? ` <span class="detail">— ${esc(step.detail)}</span>` : ''}</li>`;
  });
  const noteItems = notes.slice(-8).map((note) => `<li class="note note-${note.kind}">${note.kind === 'warn' ? '<strong>warning:</strong> ' : ''}${esc(note.message)}</li>`);
  return `<div class="progress" data-state="${state}" data-run="${esc(start.run)}">${summary}<ol class="steps">${items.join('')}</ol>${noteItems.length ? `<ul class="notes">${noteItems.join('')}</ul>` : ''}</div>`;
}

function serviceOf(task: { service?: string }, fallback: string): string {
  return task.service ?? fallback;
}

export function statusPart(readout: Readout<StatusReport>): string {
  const problem = readoutProblem(readout, 'Live status');
  if (problem) return problem;
  const report = (readout as { value: StatusReport }).value;
  const { tasks } = report;
  const release = report.release ? `release <strong data-live-release="${report.release.number}">${report.release.number}</strong>` : '<strong data-live-release="">no release</strong>';
  const lines = [`<p class="summary">${release} · ${tasks.healthy}/${tasks.desired} healthy, ${tasks.running} running${tasks.pending ? `, ${tasks.pending} starting` : ''}${report.url ? ` · <a href="${esc(report.url)}">${esc(report.url)}</a>` : ''}</p>`];
  if (tasks.items.length > 0) {
    const rows = tasks.items.map((task) => `<tr><td>${esc(serviceOf(task as { service?: string }, report.app))}</td><td>${esc(task.id)}</td><td>${task.release ?? ''}</td><td>${esc(task.status)}</td><td class="health health-${esc(task.health)}">${esc(task.health)}</td><td>${task.stoppedReason ? esc(task.stoppedReason) : ''}</td></tr>`);
    lines.push(`<table class="tasks"><caption>${report.target === 'aws' ? 'Tasks' : 'Replicas'} and their health</caption><thead><tr><th scope="col">service</th><th scope="col">${report.target === 'aws' ? 'task' : 'replica'}</th><th scope="col">release</th><th scope="col">state</th><th scope="col">health</th><th scope="col">last problem</th></tr></thead><tbody>${rows.join('')}</tbody></table>`);
  } else {
    lines.push('<p class="quiet">Nothing is running.</p>');
  }
  if (report.dependencies.length > 0) {
    lines.push(`<ul class="dependencies">${report.dependencies.map((dependency) => `<li>${esc(dependency.kind)} ${esc(dependency.engine)} <code>${esc(dependency.endpoint)}</code>: ${esc(dependency.status)}</li>`).join('')}</ul>`);
  }
  if (report.alarms.length > 0) lines.push(`<ul class="alarms">${report.alarms.map((alarm) => `<li>alarm ${esc(alarm.name)}: <strong>${esc(alarm.state)}</strong></li>`).join('')}</ul>`);
  if (report.notes.length > 0) lines.push(`<ul class="notes">${report.notes.slice(0, 6).map((note) => `<li>${esc(note)}</li>`).join('')}</ul>`);
  return lines.join('');
}

function shortImage(release: Release): string {
  const digest = release.digest.replace(/^sha256:/, '').slice(0, 12);
  return `${release.image}${digest && !release.image.includes(digest) ? ` (${digest})` : ''}`;
}

/** Releases newest first, as a timeline; every deployed earlier release has a rollback button. */
export function releasesPart(readout: Readout<Release[]>, live: number | undefined): string {
  const problem = readoutProblem(readout, 'Releases');
  if (problem) return problem;
  const releases = (readout as { value: Release[] }).value;
  if (releases.length === 0) return '<p class="quiet">No release yet.</p>';
  const items = releases.map((release) => {
    const isLive = release.number === live;
    const canRestore = !isLive && release.status !== 'failed' && release.status !== 'deploying';
    const facts = [
      `<span class="status status-${esc(release.status)}">${esc(release.status)}</span>`,
      when(release.createdAt),
      `by ${esc(release.createdBy)}`,
      ...(release.rollbackOf ? [`rollback to ${release.rollbackOf}`] : []),
      ...(release.gitSha ? [`git ${esc(release.gitSha.slice(0, 10))}`] : []),
    ];
    const button = canRestore
      ? `<button type="button" class="rollback" data-release="${release.number}" aria-label="Roll back to release ${release.number}">Roll back to ${release.number}</button>`
      : '';
    return `<li class="release${isLive ? ' live' : ''}" data-release="${release.number}"><div class="marker" aria-hidden="true"></div><div class="body"><p><strong>Release ${release.number}</strong>${isLive ? ' <span class="live-badge">live</span>' : ''} · ${facts.join(' · ')}</p><p class="image"><code>${esc(shortImage(release))}</code></p>${button}</div></li>`;
  });
  return `<ol class="timeline">${items.join('')}</ol>`;
}

export function logsPart(readout: Readout<LogLine[]>, filter: string, source: string): string {
  const problem = readoutProblem(readout, 'Logs');
  if (problem) return problem;
  const lines = (readout as { value: LogLine[] }).value;
  const sources = [...new Set(lines.map((line) => line.source))].sort();
  const shown = source ? lines.filter((line) => line.source === source) : lines;
  const options = ['<option value="">every service and replica</option>', ...sources.map((name) => `<option value="${esc(name)}"${name === source ? ' selected' : ''}>${esc(name)}</option>`)];
  const rows = shown.slice(-200).map((line) => `<tr><td>${when(line.timestamp)}</td><td>${esc(line.source)}</td><td><code>${esc(line.message)}</code></td></tr>`);
  return `<form class="log-filter" data-part="logs">
<label>Contains <input type="search" name="filter" value="${esc(filter)}" placeholder="text to look for"></label>
<label>From <select name="source">${options.join('')}</select></label>
<button type="submit">Show</button></form>
${rows.length ? `<div class="log-lines" tabindex="0" role="region" aria-label="Log lines"><table class="logs"><caption>${shown.length > 200 ? 'Last 200 of ' : ''}${shown.length} line${shown.length === 1 ? '' : 's'} from the last hour${filter ? ` containing “${esc(filter)}”` : ''}</caption><thead><tr><th scope="col">time</th><th scope="col">from</th><th scope="col">line</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>` : `<p class="quiet">No log line from the last hour${filter ? ` contains “${esc(filter)}”` : ''}.</p>`}`;
}

export function failurePart(view: FailureView | undefined): string {
  if (!view) return '<p class="quiet">No failed deploy on record.</p>';
  const heading = `<p>The last deploy${view.release ? ` (release ${view.release})` : ''} failed${view.recordedAt ? ` ${when(view.recordedAt)}` : ''}.</p>`;
  if (view.diagnoses.length === 0) {
    return `${heading}<p>berth does not recognise the cause. What it saw:</p><pre>${esc(view.unexplained.join('\n'))}</pre>`;
  }
  const items = view.diagnoses.map((d) => `<li class="diagnosis"><p><strong>${esc(d.title)}</strong>: ${esc(d.cause)}</p><p><strong>Fix:</strong> ${esc(d.fix)}</p>${d.evidence.length ? `<details><summary>Evidence</summary><pre>${esc([...d.evidence.slice(0, 5), ...(d.logTail ?? [])].join('\n'))}</pre></details>` : ''}</li>`);
  return `${heading}<ul class="diagnoses">${items.join('')}</ul>`;
}

function nodePlace(diagram: Diagram, node: DiagramNode): string {
  const groups = new Map(diagram.groups.map((group) => [group.id, group]));
  const path: string[] = [];
  for (let group = node.group ? groups.get(node.group) : undefined; group; group = group.parent ? groups.get(group.parent) : undefined) path.unshift(group.label);
  return path.join(' › ') || (node.side ? 'beside the flow' : 'outside the network');
}

/** The diagram, and the same facts as tables (its text alternative). */
export function architecturePart(readout: Readout<ArchitectureView>): string {
  const problem = readoutProblem(readout, 'The architecture');
  if (problem) return problem;
  const { diagram, svg } = (readout as { value: ArchitectureView }).value;
  const byId = new Map(diagram.nodes.map((node) => [node.id, node]));
  const nodeRows = diagram.nodes.map((node) => `<tr><th scope="row">${esc(node.label)}</th><td>${esc(node.kind)}</td><td>${esc(nodePlace(diagram, node))}</td><td>${esc(node.detail.join('; '))}</td><td class="amount">${node.monthly ? esc(formatMonthly(node.monthly)) : '—'}</td></tr>`);
  const edgeRows = diagram.edges.map((edge) => `<tr><td>${esc(byId.get(edge.from)?.label ?? edge.from)}</td><td>${esc(byId.get(edge.to)?.label ?? edge.to)}</td><td>${esc(edge.label)}</td><td>${esc(edge.kind)}</td></tr>`);
  const total = diagram.monthly ? `<tfoot><tr><th scope="row">Total</th><td colspan="3"></td><td class="amount">${esc(formatMonthly(diagram.monthly))}</td></tr></tfoot>` : '';
  return `<figure class="diagram" data-nodes="${diagram.nodes.length}">${svg}<figcaption>${esc(diagram.note ?? `${diagram.nodes.length} parts and ${diagram.edges.length} connections, drawn from the synthesized CloudFormation templates${diagram.monthly ? '; each part with its monthly price' : ''}.`)} <a href="diagram.svg" download>Download SVG</a></figcaption></figure>
<details class="facts"><summary>The diagram as tables</summary>
<table class="nodes"><caption>Parts</caption><thead><tr><th scope="col">part</th><th scope="col">kind</th><th scope="col">where</th><th scope="col">facts</th><th scope="col">per month</th></tr></thead><tbody>${nodeRows.join('')}</tbody>${total}</table>
<table class="edges"><caption>Connections (ports from the security-group rules)</caption><thead><tr><th scope="col">from</th><th scope="col">to</th><th scope="col">what</th><th scope="col">kind</th></tr></thead><tbody>${edgeRows.join('')}</tbody></table>
</details>`;
}

/** The cost chart with its table and the savings hints; for local, where to look instead. */
export function costPart(readout: Readout<ArchitectureView>, awsEnvironments: readonly string[]): string {
  const problem = readoutProblem(readout, 'The cost');
  if (problem) return problem;
  const { diagram, savings } = (readout as { value: ArchitectureView }).value;
  if (diagram.target === 'local') {
    const links = awsEnvironments.map((env) => `<a href="/env/${encodeURIComponent(env)}/">${esc(env)}</a>`).join(', ');
    return `<p>The local environment runs on your Docker engine: it costs nothing on AWS.${links ? ` Prices of the AWS environments: ${links}.` : ''}</p>`;
  }
  if (!diagram.monthly) return `<p>${esc(diagram.note ?? 'Not priced.')}</p>`;
  const chart = costChart(diagram);
  const rows = chart.byConcern.map((entry) => `<tr><th scope="row">${esc(entry.concern)}</th><td class="amount">${esc(formatMonthly({ min: entry.monthly.min, max: entry.monthly.min }))}</td><td class="amount">${esc(formatMonthly({ min: entry.monthly.max, max: entry.monthly.max }))}</td></tr>`);
  const hints = savings.map((saving) => `<li><strong>${esc(formatMonthly(saving.monthly))}/month</strong>: ${esc(saving.change)} → ${esc(formatMonthly(saving.after))}. <span class="hint">${esc(saving.config)}; ${esc(saving.caveat)}</span></li>`);
  return `<div class="chart">${costChartSvg(chart)}</div>
<table class="cost-by-concern"><caption>USD per month in ${esc(diagram.region ?? '')} (the same numbers as the chart; <code>berth cost --env ${esc(diagram.env)}</code> has every line)</caption><thead><tr><th scope="col">concern</th><th scope="col">at the minimum task count</th><th scope="col">at the maximum</th></tr></thead><tbody>${rows.join('')}</tbody><tfoot><tr><th scope="row">Total</th><td class="amount">${esc(formatMonthly({ min: diagram.monthly.min, max: diagram.monthly.min }))}</td><td class="amount">${esc(formatMonthly({ min: diagram.monthly.max, max: diagram.monthly.max }))}</td></tr></tfoot></table>
${hints.length ? `<h3>Could save</h3><ul class="savings">${hints.join('')}</ul>` : '<p class="quiet">No saving berth knows of for this configuration.</p>'}
${diagram.unpriced.length ? `<p class="hint">Not priced: ${esc(diagram.unpriced.join('; '))}</p>` : ''}`;
}

function section(id: string, title: string, body: string, extra = ''): string {
  return `<section id="${id}" aria-labelledby="${id}-title"${extra}><h2 id="${id}-title">${esc(title)}</h2><div class="part" id="part-${id}">${body}</div></section>`;
}

export function renderPage(view: PageView): string {
  const nav = view.environments.map((env) => `<li><a href="/env/${encodeURIComponent(env.name)}/"${env.name === view.env ? ' aria-current="page"' : ''}>${esc(env.name)} <span class="target">(${env.target === 'local' ? 'local engine' : 'AWS'})</span></a></li>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="berth-token" content="${esc(view.token)}">
<meta name="berth-env" content="${esc(view.env)}">
<title>${esc(view.app)} · ${esc(view.env)} · berth</title>
<link rel="stylesheet" href="/assets/page.css">
<script type="module" src="/assets/page.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header><p class="brand">berth ui</p><h1>${esc(view.app)} <span class="env">· ${esc(view.env)}</span></h1>
<nav aria-label="Environments"><ul>${nav}</ul></nav>
<p class="connection" id="connection" role="status">Connecting for live updates…</p></header>
<main id="main">
<div class="columns">
<div class="column">
${section('progress', 'Deploy progress', view.parts.progress, ' aria-live="polite"')}
${section('status', 'Live status', view.parts.status)}
${section('failure', 'Last failure', view.parts.failure)}
</div>
<div class="column">
${section('releases', 'Releases', view.parts.releases)}
</div>
</div>
${section('architecture', 'Architecture', view.parts.architecture)}
${section('cost', 'Cost per month', view.parts.cost)}
${section('logs', 'Recent logs', view.parts.logs)}
</main>
<dialog id="confirm-rollback" aria-labelledby="confirm-title">
<form method="dialog">
<h2 id="confirm-title">Roll back?</h2>
<p id="confirm-text"></p>
<p class="hint">The same as <code>berth rollback --to N</code>: the release's image rolls out with health checks and becomes a new release.</p>
<div class="buttons"><button value="cancel" type="submit">Cancel</button> <button value="confirm" type="submit" class="danger">Roll back</button></div>
</form>
</dialog>
</body>
</html>
`;
}
