/**
 * The Dockerfile features only BuildKit builds: heredocs, RUN --mount/--network/--security, COPY/ADD --chmod,
 * --link, --exclude, --parents, ADD --checksum/--keep-git-dir. Pure; the doctor's table names them when a build
 * without BuildKit fails on one ("unknown instruction" after a heredoc says nothing about BuildKit).
 */
import { dockerfileInstructions } from './dockerfile.js';

const BUILDKIT_FLAGS: Record<string, readonly string[]> = {
  RUN: ['mount', 'network', 'security'],
  COPY: ['chmod', 'link', 'exclude', 'parents'],
  ADD: ['chmod', 'link', 'exclude', 'checksum', 'keep-git-dir'],
};

/** "a heredoc (line 3)", "RUN --mount (line 6)", ... in file order. */
export function buildkitOnlyFeatures(dockerfile: string): string[] {
  const found: string[] = [];
  for (const instruction of dockerfileInstructions(dockerfile)) {
    const flags = BUILDKIT_FLAGS[instruction.keyword];
    if (!flags) continue;
    for (const [, flag] of instruction.args.matchAll(/(?:^|\s)--([a-z-]+)(?==|\s|$)/g)) {
      if (flags.includes(flag!)) found.push(`${instruction.keyword} --${flag} (line ${instruction.line})`);
    }
    // A heredoc starts a word; "<<" inside a quoted string is text (a quoted delimiter, <<"EOF", is still a heredoc).
    const unquoted = instruction.args.replace(/(?<!<<-?\s*)("(?:[^"\\]|\\.)*"|'[^']*')/g, '');
    if (/(?:^|\s)<<-?\s*["']?[A-Za-z_][A-Za-z0-9_]*["']?/.test(unquoted)) found.push(`a heredoc (line ${instruction.line})`);
  }
  return [...new Set(found)];
}
