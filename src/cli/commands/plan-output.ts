/** How `berth plan` shows a synthesis: the readable summary and the --json document (docs/json-output.md). */
import { relative } from 'node:path';
import type { PlannedService, SynthResult } from '../../plan/aws/synthesize.js';
import { formatRows, formatTable, paint } from '../output.js';

export function planToJson(result: SynthResult, cwd = process.cwd()) {
  return {
    env: result.env,
    stack: result.stack.name,
    stacks: result.stackNames,
    assembly: result.assemblyDir,
    templates: result.templates,
    templatesRelative: result.templates.map((path) => relative(cwd, path)),
    resources: result.resources,
    resourcesByStack: { [result.registryStack.name]: result.registryStack.resources, [result.stack.name]: result.stack.resources },
    resourcesByConcern: result.summary.resourcesByConcern,
    securityGroupChain: result.summary.securityGroupChain,
    services: result.summary.services,
    ...(result.summary.routing ? { routing: result.summary.routing } : {}),
    ...(result.summary.releaseBefore ? { releaseBefore: result.summary.releaseBefore } : {}),
    ...(result.summary.jobTimeouts ? { jobTimeouts: result.summary.jobTimeouts } : {}),
    deploy: result.summary.deploy,
    environment: result.summary.environment,
    endpoints: result.summary.endpoints,
    security: result.summary.security,
    outputs: { [result.registryStack.name]: result.registryStack.outputs, [result.stack.name]: result.stack.outputs },
    schedules: result.summary.schedules,
    image: result.image,
    warnings: result.warnings,
    nagFindings: result.nagFindings,
    validationFindings: result.validationFindings,
  };
}

export function describePlan(result: SynthResult, cwd = process.cwd()): string {
  const lines: string[] = [];
  const total = Object.values(result.resources).reduce((sum, n) => sum + n, 0);
  lines.push(`${paint('bold', `${result.stack.name}`)} (+ ${result.registryStack.name}): ${total} resources, synthesized into ${relative(cwd, result.assemblyDir) || '.'}`);
  lines.push('');
  lines.push(paint('bold', 'Resources by concern'));
  for (const [concern, counts] of Object.entries(result.summary.resourcesByConcern)) {
    const list = Object.entries(counts ?? {}).map(([type, n]) => `${type.replace(/^AWS::/, '')}${n > 1 ? ` x${n}` : ''}`);
    lines.push(`  ${concern.padEnd(14)} ${list.join(', ')}`);
  }
  const many = result.summary.services.length > 1;
  if (many || result.summary.releaseBefore) lines.push(...describeServices(result));
  lines.push('');
  lines.push(`${paint('bold', 'Deploy')} ${result.summary.deploy.description}`);
  lines.push(`  ${result.summary.deploy.ecs}`);
  lines.push('');
  lines.push(paint('bold', 'Security groups'));
  for (const hop of result.summary.securityGroupChain) lines.push(`  ${hop}`);
  if (result.summary.security.length > 0) {
    lines.push('');
    lines.push(paint('bold', 'Security and alarms'));
    for (const line of result.summary.security) lines.push(`  ${line}`);
  }
  if (!many) {
    lines.push('');
    lines.push(paint('bold', 'Environment the app receives'));
    lines.push(environmentRows(result.summary.environment));
  } else {
    for (const service of result.summary.services) {
      lines.push('');
      lines.push(paint('bold', `Environment ${service.name} receives`) + (service.secrets.length ? ` (its execution role reads only these secrets: ${service.secrets.join(', ')})` : ''));
      lines.push(environmentRows(service.environment));
    }
  }
  lines.push('');
  lines.push(paint('bold', 'Endpoints'));
  lines.push(formatRows(result.summary.endpoints.map((endpoint) => [endpoint.name, endpoint.value] as const)));
  if (result.summary.schedules.length > 0) {
    lines.push('');
    lines.push(paint('bold', 'Scheduled scaling (UTC)'));
    lines.push(formatRows(result.summary.schedules.map((entry) => [many ? `${entry.service} ${entry.name}` : entry.name, `${entry.cron}  ->  ${entry.awsCron}  min ${entry.min ?? '-'} max ${entry.max ?? '-'}`] as const)));
  }
  lines.push('');
  lines.push(paint('bold', 'Outputs'));
  lines.push(`  ${result.stack.outputs.join(', ')}`);
  lines.push(`  ${result.registryStack.outputs.join(', ')} (${result.registryStack.name})`);
  lines.push('');
  const findings = [...result.nagFindings, ...result.validationFindings];
  if (findings.length === 0) {
    lines.push(`${paint('green', '✔')} cdk-nag AwsSolutions and CloudFormation validation: no unacknowledged finding`);
  } else {
    lines.push(paint('yellow', `${findings.length} finding(s) not acknowledged:`));
    for (const finding of findings) {
      lines.push(`  ${finding.ruleId} (${finding.source}, ${finding.severity}): ${finding.description}`);
      for (const resource of finding.resources) lines.push(`    at ${resource}`);
    }
  }
  if (result.warnings.length > 0) {
    lines.push('');
    lines.push(paint('bold', 'Warnings'));
    for (const warning of result.warnings) lines.push(`  ${paint('yellow', '!')} ${warning}`);
  }
  return lines.join('\n');
}

function environmentRows(environment: SynthResult['summary']['environment']): string {
  return formatRows(environment.map((variable) => [variable.name, `${variable.kind === 'secret' ? 'secret  ' : 'plain   '}${variable.from}`] as const)) || '  (none)';
}

function sizeText(service: PlannedService): string {
  return `${service.cpu / 1024} vCPU / ${service.memory / 1024} GB ${service.arch}`;
}

function runsText(service: PlannedService): string {
  if (service.schedule) return `${service.schedule.berthYml} -> ${service.schedule.expression}, at most ${formatSeconds(service.timeoutSeconds ?? 0)} a run`;
  const count = service.count!;
  const tasks = count.min === count.max ? `${count.min} task${count.min === 1 ? '' : 's'}` : `${count.min}-${count.max} tasks`;
  const route = service.route ? (service.route.default ? 'default route' : [service.route.host ? `host ${service.route.host}` : '', service.route.path ? `path ${service.route.path}` : ''].filter(Boolean).join(' and ')) : service.kind === 'web' ? 'no load balancer' : '';
  return [tasks, route, service.serviceConnect ? `${service.serviceConnect} inside` : ''].filter(Boolean).join(', ');
}

function formatSeconds(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600}h` : seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

/** The services, the load balancer's routes, how jobs are timed and what runs before a release. */
function describeServices(result: SynthResult): string[] {
  const { summary } = result;
  const lines = ['', paint('bold', 'Services')];
  const rows = summary.services.map((service) => [service.name, service.kind, service.ecsService ?? `task ${service.taskFamily}`, sizeText(service), runsText(service)]);
  lines.push(...formatTable(['SERVICE', 'KIND', 'ECS', 'SIZE', 'RUNS'], rows).split('\n').map((line) => `  ${line}`));
  for (const service of summary.services) lines.push(`  ${service.name}: healthy when ${service.health}; logs ${service.logStreamPrefix}/${service.container}/<task id>`);
  if (summary.routing) {
    lines.push('', paint('bold', 'Load balancer rules'));
    for (const rule of summary.routing) lines.push(`  ${rule}`);
  }
  if (summary.jobTimeouts) lines.push('', paint('bold', 'Job timeouts'), `  ${summary.jobTimeouts}`);
  if (summary.releaseBefore) {
    lines.push('', paint('bold', 'Before each release'));
    lines.push(`  ${summary.releaseBefore.command.join(' ')}: a one-off task (${summary.releaseBefore.taskFamily}) with the new image and ${summary.releaseBefore.service}'s environment and secrets, run by berth deploy before any service changes; a non-zero exit stops the release`);
  }
  return lines;
}
