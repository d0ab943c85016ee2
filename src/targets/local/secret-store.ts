/**
 * Local secret values: one JSON file per app environment under the user's config folder, mode 0600,
 * written atomically. Values leave this module only to become container environment variables.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { OperationError, UsageError } from '../../errors.js';
import type { SecretInfo, SecretStore } from '../operations.js';
import { localSecretsFile } from '../../model/index.js';

interface SecretsFileContent {
  secrets: Record<string, { value: string; lastChanged: string }>;
  /** Credentials berth generates for local dependencies (the PostgreSQL password). */
  generated: Record<string, string>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class LocalSecretFile {
  constructor(readonly path: string) {}

  read(): SecretsFileContent {
    if (!existsSync(this.path)) return { secrets: {}, generated: {} };
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<SecretsFileContent>;
      return { secrets: parsed.secrets ?? {}, generated: parsed.generated ?? {} };
    } catch {
      throw new OperationError(`${this.path} is not valid JSON`, 'fix or delete the file, then set the secrets again with `berth secrets set NAME`');
    }
  }

  write(content: SecretsFileContent): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.path);
  }

  /** Secret values by name (for container creation only). */
  values(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.read().secrets).map(([name, entry]) => [name, entry.value]));
  }

  /** Every value berth masks in what it shows: the declared secrets' values and the generated credentials. */
  maskValues(): string[] {
    const content = this.read();
    return [...Object.values(content.secrets).map((entry) => entry.value), ...Object.values(content.generated)];
  }

  /** A generated credential, created on first use and kept until `destroy --purge`. */
  generated(key: string): string {
    const content = this.read();
    const existing = content.generated[key];
    if (existing) return existing;
    const value = randomBytes(18).toString('base64url');
    content.generated[key] = value;
    this.write(content);
    return value;
  }

  removeFile(): void {
    rmSync(this.path, { force: true });
  }
}

export function localSecretStore(app: string, env: string, declared: readonly string[]): SecretStore & { file: LocalSecretFile } {
  const file = new LocalSecretFile(localSecretsFile(app, env));
  return {
    file,
    async set(name: string, value: string): Promise<void> {
      if (!NAME.test(name)) throw new UsageError(`secret name ${name}: expected letters, digits and _ (an environment variable name)`);
      if (value === '') throw new UsageError(`secret ${name}: the value is empty`, 'pipe the value on stdin or type it at the prompt');
      const content = file.read();
      content.secrets[name] = { value, lastChanged: new Date().toISOString() };
      file.write(content);
    },
    async list(): Promise<SecretInfo[]> {
      const stored = file.read().secrets;
      const names = [...new Set([...Object.keys(stored), ...declared])].sort();
      return names.map((name) => ({ name, lastChanged: stored[name]?.lastChanged, declared: declared.includes(name) }));
    },
    async remove(name: string): Promise<void> {
      const content = file.read();
      if (!content.secrets[name]) throw new UsageError(`secret ${name} is not set for this environment`, 'run `berth secrets list` to see the names');
      delete content.secrets[name];
      file.write(content);
    },
    async missing(): Promise<string[]> {
      const stored = file.read().secrets;
      return declared.filter((name) => !stored[name]);
    },
  };
}
