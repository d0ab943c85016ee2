/** Read an app folder into ProjectFiles, skipping dependencies, build output and anything large. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectFiles } from './project-files.js';

const SKIPPED_DIRS = new Set([
  'node_modules', '.git', '.hg', '.svn', '.berth', 'cdk.out', '.venv', 'venv', 'env', '__pycache__', '.mypy_cache', '.pytest_cache',
  '.tox', 'dist', 'build', '.next', '.nuxt', 'out', 'coverage', 'vendor', 'tmp', 'log', 'storage', 'public', '.idea', '.vscode',
]);

export interface ScanLimits {
  /** Files listed at most; a monorepo root stops here rather than reading everything. */
  maxFiles: number;
  /** Bytes read per file at most. */
  maxBytes: number;
  maxDepth: number;
}

const LIMITS: ScanLimits = { maxFiles: 5000, maxBytes: 512 * 1024, maxDepth: 8 };

export function scanProject(dir: string, limits: ScanLimits = LIMITS): ProjectFiles {
  const paths: string[] = [];
  const walk = (relative: string, depth: number) => {
    if (depth > limits.maxDepth || paths.length >= limits.maxFiles) return;
    let entries;
    try {
      entries = readdirSync(join(dir, relative), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (paths.length >= limits.maxFiles) return;
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(path, depth + 1);
      } else if (entry.isFile()) {
        paths.push(path);
      }
    }
  };
  walk('', 0);
  paths.sort();
  const cache = new Map<string, string | undefined>();
  return {
    paths,
    read(path) {
      if (cache.has(path)) return cache.get(path);
      let text: string | undefined;
      try {
        const full = join(dir, path);
        text = statSync(full).size <= limits.maxBytes ? readFileSync(full, 'utf8') : undefined;
      } catch {
        text = undefined;
      }
      cache.set(path, text);
      return text;
    },
  };
}
