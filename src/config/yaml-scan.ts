/**
 * What a YAML text would cost to parse, found from the lexer's tokens before anything is parsed, stopping at the
 * first token past a limit. The yaml library's composer recurses per level (`[[[[...` a hundred thousand deep
 * overflows the stack or takes seconds), resolves each alias by scanning every anchor before it (quadratic: 40,000
 * aliases take a minute) and slows down with the number of values; the lexer is iterative and cheap.
 *
 * Depth: flow collections count exactly (`[`, `{`). Block collections are estimated from indentation: a line's depth is
 * the depth of the nearest less-indented line plus the block indicators on it (`key:`, `- `, `? `), which
 * counts every level and a few that are not (`a: b` counts one); the limit is far above what berth.yml needs.
 */
import { CST, Lexer } from 'yaml';

export interface TextPosition {
  line: number;
  column: number;
}

/** 1-based line and column of an offset in text. */
export function positionAt(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line += 1;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Lexer tokens that mark structure but are not part of the source text. */
const CONTROL_TOKENS = new Set([CST.DOCUMENT, CST.FLOW_END, CST.SCALAR]);

export interface ScanLimits {
  /** Levels of nesting. */
  depth: number;
  /** Scalars: every key and every value. */
  values: number;
  /** Alias nodes (`*name`). */
  aliases: number;
}

/** The first place the text goes past one of the limits, and which; undefined when it stays within them. */
export function yamlPastLimits(text: string, limits: ScanLimits): (TextPosition & { limit: keyof ScanLimits }) | undefined {
  let values = 0;
  let aliases = 0;
  let offset = 0;
  let column = 0;
  let atLineStart = true;
  let scalarNext = false;
  let flowDepth = 0;
  let flowBase = 0;
  let lineDepth = 0;
  const indents: Array<{ indent: number; depth: number }> = [];

  for (const token of new Lexer().lex(text)) {
    if (CONTROL_TOKENS.has(token)) {
      if (token === CST.SCALAR) scalarNext = true;
      continue;
    }
    const type = scalarNext ? 'scalar' : CST.tokenType(token);
    if (scalarNext || type === 'single-quoted-scalar' || type === 'double-quoted-scalar') values += 1;
    if (type === 'alias') aliases += 1;
    scalarNext = false;
    const start = offset;
    const startColumn = column;
    offset += token.length;
    const lastNewline = token.lastIndexOf('\n');
    column = lastNewline === -1 ? column + token.length : token.length - lastNewline - 1;

    if (type === 'newline') {
      atLineStart = true;
      continue;
    }
    if (type === 'space' || type === 'comment' || type === 'byte-order-mark' || type === 'directive-line' || type === 'doc-start' || type === 'doc-end') {
      if (type === 'doc-start' || type === 'doc-end') indents.length = 0;
      continue;
    }
    if (atLineStart && flowDepth === 0) {
      // The first content of a line in block context: its column is its indentation.
      atLineStart = false;
      while (indents.length > 0 && indents[indents.length - 1]!.indent >= startColumn) indents.pop();
      lineDepth = indents.length > 0 ? indents[indents.length - 1]!.depth : 0;
      indents.push({ indent: startColumn, depth: lineDepth });
    }
    atLineStart = lastNewline !== -1 && lastNewline === token.length - 1;

    let depth = 0;
    if (type === 'flow-map-start' || type === 'flow-seq-start') {
      if (flowDepth === 0) flowBase = lineDepth;
      flowDepth += 1;
      depth = flowBase + flowDepth;
    } else if (type === 'flow-map-end' || type === 'flow-seq-end') {
      flowDepth = Math.max(0, flowDepth - 1);
    } else if (flowDepth === 0 && (type === 'seq-item-ind' || type === 'explicit-key-ind' || type === 'map-value-ind')) {
      lineDepth += 1;
      indents[indents.length - 1]!.depth = lineDepth;
      depth = lineDepth;
    }
    if (depth > limits.depth) return { ...positionAt(text, start), limit: 'depth' };
    if (values > limits.values) return { ...positionAt(text, start), limit: 'values' };
    if (aliases > limits.aliases) return { ...positionAt(text, start), limit: 'aliases' };
  }
  return undefined;
}
