/** How `berth plan` shows a synthesis: the readable summary and the --json document (docs/json-output.md). */
import { relative } from 'node:path';
import type { SynthResult } from '../../plan/aws/synthesize.js';
import { formatRows, paint } from '../output.js';

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
    environment: result.summary.environment,
    endpoints: result.summary.endpoints,
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
  lines.push('');
  lines.push(paint('bold', 'Security groups'));
  for (const hop of result.summary.securityGroupChain) lines.push(`  ${hop}`);
  lines.push('');
  lines.push(paint('bold', 'Environment the app receives'));
  lines.push(formatRows(result.summary.environment.map((variable) => [variable.name, `${variable.kind === 'secret' ? 'secret  ' : 'plain   '}${variable.from}`] as const)) || '  (none)');
  lines.push('');
  lines.push(paint('bold', 'Endpoints'));
  lines.push(formatRows(result.summary.endpoints.map((endpoint) => [endpoint.name, endpoint.value] as const)));
  if (result.summary.schedules.length > 0) {
    lines.push('');
    lines.push(paint('bold', 'Scheduled scaling (UTC)'));
    lines.push(formatRows(result.summary.schedules.map((entry) => [entry.name, `${entry.cron}  ->  ${entry.awsCron}  min ${entry.min ?? '-'} max ${entry.max ?? '-'}`] as const)));
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
