/** A unified diff of two texts, line by line, as `diff -u` prints it (pure; files here are a few hundred lines). */

type Edit = { kind: ' ' | '-' | '+'; line: string };

function edits(before: string[], after: string[]): Edit[] {
  // Longest common subsequence table, from the end, so the walk below goes forward.
  const rows = before.length + 1;
  const cols = after.length + 1;
  const lcs = new Uint32Array(rows * cols);
  for (let i = before.length - 1; i >= 0; i -= 1) {
    for (let j = after.length - 1; j >= 0; j -= 1) {
      lcs[i * cols + j] = before[i] === after[j] ? lcs[(i + 1) * cols + j + 1]! + 1 : Math.max(lcs[(i + 1) * cols + j]!, lcs[i * cols + j + 1]!);
    }
  }
  const out: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      out.push({ kind: ' ', line: before[i]! });
      i += 1;
      j += 1;
    } else if (i < before.length && (j === after.length || lcs[(i + 1) * cols + j]! >= lcs[i * cols + j + 1]!)) {
      // Deletions first, as diff -u prints them.
      out.push({ kind: '-', line: before[i]! });
      i += 1;
    } else {
      out.push({ kind: '+', line: after[j]! });
      j += 1;
    }
  }
  return out;
}

function lines(text: string): string[] {
  const split = text.split('\n');
  if (split.at(-1) === '') split.pop();
  return split;
}

/** `--- a/<name>` / `+++ b/<name>` and hunks with `context` lines around each change; empty when the texts are equal. */
export function unifiedDiff(name: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const all = edits(lines(before), lines(after));
  const changed = all.map((edit, index) => (edit.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  const out = [`--- a/${name}`, `+++ b/${name}`];
  let start = 0;
  while (start < changed.length) {
    let end = start;
    while (end + 1 < changed.length && changed[end + 1]! - changed[end]! <= context * 2 + 1) end += 1;
    const from = Math.max(0, changed[start]! - context);
    const to = Math.min(all.length - 1, changed[end]! + context);
    let oldLine = 1;
    let newLine = 1;
    for (const edit of all.slice(0, from)) {
      if (edit.kind !== '+') oldLine += 1;
      if (edit.kind !== '-') newLine += 1;
    }
    const hunk = all.slice(from, to + 1);
    const oldCount = hunk.filter((edit) => edit.kind !== '+').length;
    const newCount = hunk.filter((edit) => edit.kind !== '-').length;
    const range = (line: number, count: number) => (count === 1 ? `${line}` : `${count === 0 ? line - 1 : line},${count}`);
    out.push(`@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@`);
    for (const edit of hunk) out.push(`${edit.kind}${edit.line}`);
    start = end + 1;
  }
  return `${out.join('\n')}\n`;
}
