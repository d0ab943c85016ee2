/** Reading CloudFormation templates as CDK synthesizes them: resources, literals and references. */

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

export interface CfnTemplate {
  Resources?: Record<string, CfnResource>;
  [key: string]: unknown;
}

/** A template with the stack it belongs to. */
export interface StackTemplate {
  stack: string;
  template: CfnTemplate;
}

/** A resource located in its stack. */
export interface LocatedResource {
  stack: string;
  logicalId: string;
  resource: CfnResource;
}

export function resourcesOf(templates: readonly StackTemplate[]): LocatedResource[] {
  return templates.flatMap(({ stack, template }) =>
    Object.entries(template.Resources ?? {}).map(([logicalId, resource]) => ({ stack, logicalId, resource })),
  );
}

/** A name for people: the construct path CDK records (without stack and "/Resource"), else the logical ID. */
export function displayName(located: LocatedResource): string {
  const path = located.resource.Metadata?.['aws:cdk:path'];
  // Without path metadata, CDK logical IDs still read well once their 8-character hash is dropped.
  if (typeof path !== 'string') {
    const stackPrefix = located.stack.replace(/[^A-Za-z0-9]/g, '');
    const id = located.logicalId.replace(/(?<=.)[0-9a-f]{32}$/, '').replace(/(?<=.)[0-9A-F]{8}$/, '');
    return id.startsWith(stackPrefix) && id.length > stackPrefix.length ? id.slice(stackPrefix.length) : id;
  }
  const parts = path.split('/');
  if (parts[0] === located.stack) parts.shift();
  if (parts.length > 1 && (parts[parts.length - 1] === 'Resource' || parts[parts.length - 1] === 'Default')) parts.pop();
  return parts.join('/') || located.logicalId;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A number written as a number or a numeric string (CloudFormation accepts both). */
export function numberValue(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

export function stringValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function booleanValue(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** The logical ID a value points at through Ref or Fn::GetAtt, if it is such a reference. */
export function referencedId(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** Every logical ID referenced anywhere inside a value. */
export function referencedIds(value: unknown, found = new Set<string>()): Set<string> {
  const direct = referencedId(value);
  if (direct) found.add(direct);
  if (Array.isArray(value)) for (const item of value) referencedIds(item, found);
  else if (isRecord(value)) for (const item of Object.values(value)) referencedIds(item, found);
  return found;
}

/** Follow a dotted path of property names through nested records. */
export function pathValue(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function arrayValue(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
