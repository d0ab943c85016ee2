/**
 * Compose variables: `.env` / `env_file` text (KEY=VALUE lines) and `${VAR}` interpolation as docker compose does
 * it. berth reads variables only from the project's `.env`, never from the shell that runs `berth init`, so the
 * berth.yml it writes is the same on every machine; what the shell would have supplied is reported instead.
 */

export interface Interpolated {
  value: string;
  /** Variables that were not set and had no default (their text became ""). */
  missing: string[];
  /** Variables whose value was substituted. */
  used: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`
 * and `$$` (a literal `$`), with defaults that hold substitutions themselves.
 */
export function interpolate(text: string, variables: ReadonlyMap<string, string>): Interpolated {
  const missing: string[] = [];
  const used: string[] = [];
  const note = (list: string[], name: string) => { if (!list.includes(name)) list.push(name); };
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (char !== '$') { out += char; continue; }
    if (text[i + 1] === '$') { out += '$'; i += 1; continue; }
    const bare = NAME.exec(text.slice(i + 1));
    if (bare) {
      const value = variables.get(bare[0]);
      if (value === undefined) note(missing, bare[0]);
      else note(used, bare[0]);
      out += value ?? '';
      i += bare[0].length;
      continue;
    }
    if (text[i + 1] !== '{') { out += char; continue; }
    let depth = 0;
    let end = i + 1;
    for (; end < text.length; end += 1) {
      if (text[end] === '{') depth += 1;
      else if (text[end] === '}' && --depth === 0) break;
    }
    if (end >= text.length) { out += text.slice(i); break; }
    const inner = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(text.slice(i + 2, end));
    i = end;
    if (!inner) continue;
    const [, name, op, word = ''] = inner;
    const value = variables.get(name!);
    const set = op?.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
    const nested = () => {
      const result = interpolate(word, variables);
      result.missing.forEach((item) => note(missing, item));
      result.used.forEach((item) => note(used, item));
      return result.value;
    };
    if (!op || op.endsWith('?')) {
      if (value === undefined || (op === ':?' && value === '')) note(missing, name!);
      else note(used, name!);
      out += value ?? '';
    } else if (op.endsWith('-')) {
      if (set) note(used, name!);
      out += set ? value! : nested();
    } else {
      out += set ? nested() : '';
    }
  }
  return { value: out, missing, used };
}

export interface DotEnvEntry {
  name: string;
  value: string;
  line: number;
}

/** KEY=VALUE lines of a `.env` or `env_file`: comments, `export`, single and double quotes, inline ` #` comments. */
export function parseDotEnv(text: string, earlier: ReadonlyMap<string, string> = new Map()): DotEnvEntry[] {
  const entries: DotEnvEntry[] = [];
  const known = new Map(earlier);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:=\s*(.*))?$/.exec(lines[index]!);
    if (!match || /^\s*#/.test(lines[index]!)) continue;
    const name = match[1]!;
    let raw = match[2];
    if (raw === undefined) continue;
    const line = index + 1;
    let value: string;
    const quote = raw[0];
    if (quote === '"' || quote === "'") {
      // A quoted value may span lines until its closing quote.
      let body = raw.slice(1);
      while (!new RegExp(`(^|[^\\\\])${quote}`).test(body) && index + 1 < lines.length) {
        index += 1;
        body += `\n${lines[index]}`;
      }
      const close = quote === '"' ? /(^|[^\\])"/.exec(body) : /'/.exec(body);
      const endAt = close ? close.index + close[0].length - 1 : body.length;
      value = body.slice(0, endAt);
      if (quote === '"') {
        value = value.replace(/\\([nrt"\\$])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' } as Record<string, string>)[c] ?? c);
        value = interpolate(value, known).value;
      }
    } else {
      raw = raw.replace(/\s+#.*$/, '').trim();
      value = interpolate(raw, known).value;
    }
    known.set(name, value);
    entries.push({ name, value, line });
  }
  return entries;
}
