/**
 * Offline CloudFormation validation: every resource type and property in a template checked against the
 * CloudFormation resource specification that ships with the CDK (`@aws-cdk/aws-service-spec`): unknown types,
 * unknown or misspelt properties at any depth, missing required properties, objects where a scalar belongs.
 * Values computed by intrinsic functions are taken on trust; CloudFormation checks them at deploy.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { PropertyType, Resource, SpecDatabase, TypeDefinition } from '@aws-cdk/service-spec-types';

export interface TemplateProblem {
  template: string;
  logicalId: string;
  type: string;
  /** e.g. `Properties.LoadBalancers[0].ContainerPort`. */
  path: string;
  message: string;
}

let database: SpecDatabase | undefined;

async function specDatabase(): Promise<SpecDatabase> {
  if (!database) {
    const spec = await import('@aws-cdk/aws-service-spec');
    database = spec.loadAwsServiceSpecSync();
  }
  return database;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export async function checkTemplates(paths: string[]): Promise<TemplateProblem[]> {
  const db = await specDatabase();
  const problems: TemplateProblem[] = [];
  for (const path of paths) {
    const template = JSON.parse(readFileSync(path, 'utf8')) as { Resources?: Record<string, { Type: string; Properties?: Record<string, Json> }> };
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type === 'AWS::CDK::Metadata' || resource.Type.startsWith('Custom::')) continue;
      const add = (at: string, message: string) => problems.push({ template: basename(path), logicalId, type: resource.Type, path: at, message });
      const spec = db.lookup('resource', 'cloudFormationType', 'equals', resource.Type);
      if (spec.length === 0) {
        add('Type', `unknown resource type ${resource.Type}`);
        continue;
      }
      checkObject(db, (spec[0] as Resource).properties, resource.Properties ?? {}, 'Properties', add);
    }
  }
  return problems;
}

function isIntrinsic(value: Json): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
}

function checkObject(
  db: SpecDatabase,
  properties: Resource['properties'],
  value: Record<string, Json>,
  at: string,
  add: (at: string, message: string) => void,
): void {
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && !(name in value)) add(`${at}.${name}`, `required property ${name} is missing`);
  }
  for (const [name, child] of Object.entries(value)) {
    const property = properties[name];
    if (!property) {
      add(`${at}.${name}`, `unknown property ${name}`);
      continue;
    }
    checkValue(db, property.type, child, `${at}.${name}`, add);
  }
}

function checkValue(db: SpecDatabase, type: PropertyType, value: Json, at: string, add: (at: string, message: string) => void): boolean {
  if (isIntrinsic(value)) return true;
  switch (type.type) {
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
    case 'date-time':
      if (value !== null && typeof value === 'object') {
        add(at, `expected a ${type.type}, found ${Array.isArray(value) ? 'a list' : 'an object'}`);
        return false;
      }
      return true;
    case 'array':
      if (!Array.isArray(value)) {
        add(at, 'expected a list');
        return false;
      }
      return value.every((element, index) => checkValue(db, type.element, element, `${at}[${index}]`, add));
    case 'map':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return true;
      return Object.entries(value).every(([key, element]) => checkValue(db, type.element, element, `${at}.${key}`, add));
    case 'ref': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        add(at, 'expected an object');
        return false;
      }
      const definition = db.get('typeDefinition', type.reference.$ref) as TypeDefinition;
      const before = countingAdd.count;
      checkObject(db, definition.properties, value, at, (path, message) => { countingAdd.count++; add(path, message); });
      return countingAdd.count === before;
    }
    case 'union': {
      // Accept the value when any member type accepts it; report through the first member otherwise.
      for (const member of type.types) if (checkValue(db, member, value, at, () => undefined)) return true;
      return checkValue(db, type.types[0]!, value, at, add);
    }
    default:
      return true;
  }
}

const countingAdd = { count: 0 };
