/**
 * The packages an app declares, read from the dependency files at the root of its folder:
 * requirements*.txt, pyproject.toml, Pipfile (Python), package.json (Node), Gemfile (Ruby).
 */
import type { ProjectFiles } from './project-files.js';

export type Ecosystem = 'python' | 'node' | 'ruby';

export interface Dependency {
  /** Normalised name: lower-case; Python names with "-" for "_" and ".". */
  name: string;
  ecosystem: Ecosystem;
  /** The dependency file that declares it, e.g. "requirements.txt". */
  file: string;
  /** The version constraint as written, when there is one ("==2.0.3", "^14.2.0", "~> 7.1"). */
  version?: string;
}

export function normalisePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Requirement specifiers such as "uvicorn[standard]>=0.29; python_version>='3.9'". */
function pythonRequirement(spec: string): { name: string; version?: string } | undefined {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;#]*)/.exec(spec);
  if (!match) return undefined;
  const version = match[2]!.trim();
  return { name: normalisePythonName(match[1]!), ...(version ? { version } : {}) };
}

function fromRequirements(text: string, file: string): Dependency[] {
  const out: Dependency[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const egg = /#egg=([A-Za-z0-9._-]+)/.exec(raw);
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!egg && (!line || line.startsWith('-') || /^[a-z+]+:\/\//i.test(line))) continue;
    const requirement = egg ? { name: normalisePythonName(egg[1]!) } : pythonRequirement(line);
    if (requirement) out.push({ ...requirement, ecosystem: 'python', file });
  }
  return out;
}

/** The tables of a TOML file we need (dependency arrays and tables): enough TOML for dependency names, not a full parser. */
function tomlTables(text: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  let current = '';
  tables.set(current, []);
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(line);
    if (header) {
      current = header[1]!.replace(/["'\s]/g, '');
      if (!tables.has(current)) tables.set(current, []);
      continue;
    }
    tables.get(current)!.push(line);
  }
  return tables;
}

/** The strings of an array value `key = [ "a", "b" ]`, possibly over several lines. */
function tomlArrayStrings(lines: readonly string[], key: string): string[] {
  const text = lines.join('\n');
  const start = new RegExp(`^\\s*${key.replace(/[-.]/g, '\\$&')}\\s*=\\s*\\[`, 'm').exec(text);
  if (!start) return [];
  const rest = text.slice(start.index + start[0].length);
  const values: string[] = [];
  // Strings until the closing bracket that is not inside a string.
  const token = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\])|#[^\n]*/g;
  for (const match of rest.matchAll(token)) {
    if (match[3]) break;
    const value = match[1] ?? match[2];
    if (value !== undefined) values.push(value);
  }
  return values;
}

/** The keys of a table: `name = ...` lines. */
function tomlKeys(lines: readonly string[]): Array<{ key: string; value: string }> {
  const out: Array<{ key: string; value: string }> = [];
  for (const line of lines) {
    const match = /^\s*["']?([A-Za-z0-9][A-Za-z0-9._-]*)["']?\s*=\s*(.*)$/.exec(line);
    if (match) out.push({ key: match[1]!, value: match[2]!.trim() });
  }
  return out;
}

function tomlVersion(value: string): string | undefined {
  const quoted = /^["']([^"']*)["']/.exec(value) ?? /version\s*=\s*["']([^"']*)["']/.exec(value);
  return quoted && quoted[1] !== '*' && quoted[1] !== '' ? quoted[1] : undefined;
}

function fromPyproject(text: string, file: string): Dependency[] {
  const tables = tomlTables(text);
  const specs = tomlArrayStrings(tables.get('project') ?? [], 'dependencies');
  for (const key of tomlKeys(tables.get('project.optional-dependencies') ?? [])) {
    specs.push(...tomlArrayStrings(tables.get('project.optional-dependencies')!, key.key));
  }
  for (const [name, lines] of tables) {
    if (name === 'dependency-groups') for (const key of tomlKeys(lines)) specs.push(...tomlArrayStrings(lines, key.key));
  }
  const out: Dependency[] = specs.flatMap((spec) => {
    const requirement = pythonRequirement(spec);
    return requirement ? [{ ...requirement, ecosystem: 'python' as const, file }] : [];
  });
  for (const [name, lines] of tables) {
    if (name === 'tool.poetry.dependencies' || /^tool\.poetry\.(group\.[^.]+\.)?(dev-)?dependencies$/.test(name)) {
      for (const { key, value } of tomlKeys(lines)) {
        if (key.toLowerCase() === 'python') continue;
        const version = tomlVersion(value);
        out.push({ name: normalisePythonName(key), ecosystem: 'python', file, ...(version ? { version } : {}) });
      }
    }
  }
  return out;
}

function fromPipfile(text: string, file: string): Dependency[] {
  const tables = tomlTables(text);
  return ['packages', 'dev-packages'].flatMap((table) =>
    tomlKeys(tables.get(table) ?? []).map(({ key, value }) => {
      const version = tomlVersion(value);
      return { name: normalisePythonName(key), ecosystem: 'python' as const, file, ...(version ? { version } : {}) };
    }),
  );
}

function fromPackageJson(text: string, file: string): Dependency[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  if (!data || typeof data !== 'object') return [];
  const record = data as Record<string, unknown>;
  return ['dependencies', 'devDependencies', 'optionalDependencies'].flatMap((field) => {
    const deps = record[field];
    if (!deps || typeof deps !== 'object') return [];
    return Object.entries(deps as Record<string, unknown>).map(([name, version]) => ({
      name: name.toLowerCase(),
      ecosystem: 'node' as const,
      file,
      ...(typeof version === 'string' ? { version } : {}),
    }));
  });
}

function fromGemfile(text: string, file: string): Dependency[] {
  const out: Dependency[] = [];
  for (const match of text.matchAll(/^\s*gem\s+["']([^"']+)["'](?:\s*,\s*["']([^"']+)["'])?/gm)) {
    out.push({ name: match[1]!.toLowerCase(), ecosystem: 'ruby', file, ...(match[2] ? { version: match[2] } : {}) });
  }
  return out;
}

/** Every dependency declared at the root of the folder (and requirements/*.txt), first declaration kept. */
export function readDependencies(project: ProjectFiles): Dependency[] {
  const all: Dependency[] = [];
  for (const path of project.paths) {
    const text = () => project.read(path) ?? '';
    if (/^requirements[^/]*\.(txt|in)$/.test(path) || /^requirements\/[^/]+\.(txt|in)$/.test(path)) all.push(...fromRequirements(text(), path));
    else if (path === 'pyproject.toml') all.push(...fromPyproject(text(), path));
    else if (path === 'Pipfile') all.push(...fromPipfile(text(), path));
    else if (path === 'package.json') all.push(...fromPackageJson(text(), path));
    else if (path === 'Gemfile') all.push(...fromGemfile(text(), path));
  }
  const seen = new Set<string>();
  return all.filter((dep) => {
    const key = `${dep.ecosystem}:${dep.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The first dependency with one of these names, in the order given. */
export function findDependency(deps: readonly Dependency[], names: readonly string[], ecosystem?: Ecosystem): Dependency | undefined {
  for (const name of names) {
    const found = deps.find((dep) => dep.name === name && (!ecosystem || dep.ecosystem === ecosystem));
    if (found) return found;
  }
  return undefined;
}
