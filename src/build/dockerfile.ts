/**
 * A pure Dockerfile reader: what berth needs to know about an image before building it
 * (stages and base images, EXPOSE, HEALTHCHECK, USER, ARG/ENV names, CMD/ENTRYPOINT and the port they listen on).
 *
 * It follows the Dockerfile reference closely enough for those facts: parser directives (`# escape=`),
 * line continuations, comments inside continuations, heredocs, JSON (exec) and shell forms, and
 * `$VAR` / `${VAR}` / `${VAR:-default}` / `${VAR:+word}` substitution from ARG and ENV. It never runs anything.
 */

/** One instruction after joining continuation lines. */
export interface DockerfileInstruction {
  /** Upper-case keyword, e.g. "FROM". */
  keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

/** CMD, ENTRYPOINT or a HEALTHCHECK command. */
export interface DockerfileCommand {
  /** exec: JSON array form; shell: run by /bin/sh -c. */
  form: 'exec' | 'shell';
  /** The words: the JSON array, or the shell text split into words (quotes removed). */
  words: string[];
  /** The command as written. */
  text: string;
  line: number;
}

export interface DockerfileStage {
  /** 0-based position among the FROM instructions. */
  index: number;
  /** The `AS name`, lower-cased as Docker treats it. */
  name?: string;
  /** The base image with build-arg defaults substituted, e.g. "python:3.12-slim". */
  baseImage: string;
  /** The base image as written, e.g. "python:${PYTHON_VERSION}-slim". */
  baseImageText: string;
  /** The earlier stage this one builds on (`FROM builder AS final`), if any. */
  parentStage?: number;
  /** The external image at the root of the chain: baseImage, or the parent stage's rootImage. */
  rootImage: string;
  /** --platform value, if given. */
  platform?: string;
  line: number;
}

export interface ExposedPort {
  port: number;
  protocol: 'tcp' | 'udp';
  /** The value as written, e.g. "${PORT}/tcp". */
  text: string;
  line: number;
}

export interface DockerfileHealthcheck {
  line: number;
  /** HEALTHCHECK NONE: checks inherited from the base image are turned off. */
  disabled: boolean;
  /** Seconds, when the option is given. */
  interval?: number;
  timeout?: number;
  startPeriod?: number;
  retries?: number;
  command?: DockerfileCommand;
  /** The HTTP path the command requests, e.g. "/health" from `curl -f http://localhost:8000/health`. */
  path?: string;
  /** The port the command requests, when it names one. */
  port?: number;
}

export interface DockerfileUser {
  /** As written, e.g. "app", "1000:1000", "root". */
  value: string;
  /** root, 0, root:anything or 0:anything. */
  root: boolean;
  line: number;
}

/** A port a CMD/ENTRYPOINT (or the PORT environment variable) makes the server listen on. */
export interface CommandPort {
  port: number;
  /** What showed it, e.g. "--port 8000", "-b 0.0.0.0:8080", "ENV PORT=3000". */
  evidence: string;
  line: number;
}

/** What the final stage of a Dockerfile says about the image it builds. */
export interface DockerfileInfo {
  instructions: DockerfileInstruction[];
  stages: DockerfileStage[];
  /** The stage that runs: the last one, or the one `options.target` names. */
  finalStage?: DockerfileStage;
  /** Names of every ARG, in order of first appearance (global and per stage). */
  args: string[];
  /** Names set by ENV in the final stage and the stages it builds on. */
  env: string[];
  /** EXPOSE of the final stage (and the stages it builds on). */
  expose: ExposedPort[];
  /** The last HEALTHCHECK of the final stage (or a stage it builds on). */
  healthcheck?: DockerfileHealthcheck;
  /** The last USER of the final stage (or a stage it builds on); undefined: the base image's user, usually root. */
  user?: DockerfileUser;
  cmd?: DockerfileCommand;
  entrypoint?: DockerfileCommand;
  /** The port CMD/ENTRYPOINT flags (or ENV PORT) say the server listens on. */
  commandPort?: CommandPort;
  /** Problems reading the file that a user would want to know about (e.g. an instruction before FROM). */
  warnings: string[];
}

/** Split a Dockerfile into instructions: directives, comments, continuations and heredocs handled. */
export function dockerfileInstructions(text: string): DockerfileInstruction[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let escape = '\\';
  let index = 0;
  // Parser directives: only at the very top, before any comment that is not a directive or any instruction.
  for (; index < lines.length; index += 1) {
    const directive = /^\s*#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(lines[index]!);
    if (!directive) break;
    if (directive[1]!.toLowerCase() === 'escape' && (directive[2] === '`' || directive[2] === '\\')) escape = directive[2];
  }
  const instructions: DockerfileInstruction[] = [];
  while (index < lines.length) {
    const first = lines[index]!;
    if (/^\s*(#|$)/.test(first)) { index += 1; continue; }
    const start = index + 1;
    let joined = '';
    let current = first;
    for (;;) {
      const trimmed = current.replace(/\s+$/, '');
      if (trimmed.endsWith(escape)) {
        joined += trimmed.slice(0, -1);
        index += 1;
        // Comment lines and empty lines inside a continuation are dropped.
        while (index < lines.length && /^\s*(#|$)/.test(lines[index]!)) index += 1;
        if (index >= lines.length) break;
        current = lines[index]!;
        continue;
      }
      joined += current;
      index += 1;
      break;
    }
    const match = /^\s*([A-Za-z]+)(?:\s+([\s\S]*))?$/.exec(joined);
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    const args = (match[2] ?? '').trim();
    instructions.push({ keyword, args, line: start });
    // Heredocs (RUN <<EOF ... EOF): skip their bodies so they are not read as instructions.
    const heredocs = ['RUN', 'COPY', 'ADD'].includes(keyword) ? [...args.matchAll(/<<(-?)\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?/g)] : [];
    for (const heredoc of heredocs) {
      const stripTabs = heredoc[1] === '-';
      const delimiter = heredoc[2]!;
      while (index < lines.length) {
        const body = stripTabs ? lines[index]!.replace(/^\t+/, '') : lines[index]!;
        index += 1;
        if (body === delimiter) break;
      }
    }
  }
  return instructions;
}

/** Substitute $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:+word} from known values; unknown names become "". */
export function substituteVariables(text: string, values: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (char === '\\' && text[i + 1] === '$') { out += '$'; i += 1; continue; }
    if (char !== '$') { out += char; continue; }
    const bare = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (bare) { out += values.get(bare[0]) ?? ''; i += bare[0].length; continue; }
    if (text[i + 1] !== '{') { out += char; continue; }
    // Find the matching brace: defaults may hold ${...} themselves.
    let depth = 0;
    let end = i + 1;
    for (; end < text.length; end += 1) {
      if (text[end] === '{') depth += 1;
      else if (text[end] === '}' && --depth === 0) break;
    }
    if (end >= text.length) { out += text.slice(i); break; }
    const inner = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([\s\S]*))?$/.exec(text.slice(i + 2, end));
    i = end;
    if (!inner) continue;
    const [, name, op, word] = inner;
    const value = values.get(name!);
    if (!op) { out += value ?? ''; continue; }
    const set = op.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
    if (op.endsWith('-')) out += set ? value! : substituteVariables(word ?? '', values);
    else out += set ? substituteVariables(word ?? '', values) : '';
  }
  return out;
}

/** Split shell text into words the way sh would for simple commands: quotes removed, operators kept as words. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (char === "'") {
      const end = text.indexOf("'", i + 1);
      word += end === -1 ? text.slice(i + 1) : text.slice(i + 1, end);
      i = end === -1 ? text.length : end;
      inWord = true;
    } else if (char === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j += 1) {
        if (text[j] === '\\' && j + 1 < text.length && '"\\$`'.includes(text[j + 1]!)) j += 1;
        word += text[j];
      }
      i = j;
      inWord = true;
    } else if (char === '\\' && i + 1 < text.length) {
      word += text[i + 1];
      i += 1;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (';|&'.includes(char)) {
      if (inWord) words.push(word);
      const double = text[i + 1] === char && char !== ';' ? char : '';
      words.push(char + double);
      i += double.length;
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Read a CMD/ENTRYPOINT/HEALTHCHECK CMD argument: JSON array (exec form) or shell text. */
export function parseCommand(args: string, line: number): DockerfileCommand {
  if (args.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(args);
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) {
        return { form: 'exec', words: parsed as string[], text: args, line };
      }
    } catch {
      // Not valid JSON: Docker runs it as shell text, and so do we.
    }
  }
  return { form: 'shell', words: shellWords(args), text: args, line };
}

/** Go-style durations as Docker accepts them ("30s", "1m30s", "500ms", "2h") in seconds; undefined if unreadable. */
export function parseDockerDuration(text: string): number | undefined {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 0.000001, µs: 0.000001, ns: 1e-9 };
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text.trim()) return undefined;
  return parts.reduce((sum, part) => sum + Number(part[1]) * units[part[2]!]!, 0);
}

/** Expand words that are themselves shell scripts (`sh -c "gunicorn -b :8000 app:app"`) into their words. */
function flattenWords(words: readonly string[]): string[] {
  return words.flatMap((word) => (/\s/.test(word.trim()) ? flattenWords(shellWords(word)) : [word]));
}

function validPort(text: string | undefined): number | undefined {
  if (!text || !/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** The port from a bind address: "0.0.0.0:8080", ":8080", "[::]:8080", "tcp://0.0.0.0:3000", "8080". */
function portFromAddress(address: string): number | undefined {
  const match = /(?:^|:)(\d{1,5})$/.exec(address.replace(/^[a-z]+:\/\//, ''));
  return validPort(match?.[1]);
}

const PORT_FLAGS = new Set(['--port', '-p', '--server.port', '--http-port', '--listen-port']);
const BIND_FLAGS = new Set(['-b', '--bind', '--host-port', '--listen', '-l']);

/**
 * The port a server command line listens on, from flags such as `--port 8000`, `--port=8000`, `-p 3000`,
 * `-b 0.0.0.0:8080`, `--bind=:8000`, `--server.port 8501`, or `runserver 0.0.0.0:8000`.
 * Words are substituted by the caller; `sh -c "..."` scripts are looked into.
 */
export function portFromCommandWords(words: readonly string[]): { port: number; evidence: string } | undefined {
  const flat = flattenWords(words);
  for (let i = 0; i < flat.length; i += 1) {
    const word = flat[i]!;
    const next = flat[i + 1];
    const eq = /^(--?[A-Za-z][A-Za-z0-9.-]*)=(.+)$/.exec(word);
    const flag = eq ? eq[1]! : word;
    const value = eq ? eq[2]! : next;
    if (PORT_FLAGS.has(flag)) {
      const port = validPort(value);
      if (port) return { port, evidence: eq ? word : `${word} ${value}` };
    }
    if (BIND_FLAGS.has(flag) && value) {
      // `-p` means port everywhere we look; `-b`/`--bind` take an address (gunicorn, puma, hypercorn).
      const port = portFromAddress(value);
      if (port) return { port, evidence: eq ? word : `${word} ${value}` };
    }
    if (word === 'runserver' && next && !next.startsWith('-')) {
      const port = portFromAddress(next);
      if (port) return { port, evidence: `runserver ${next}` };
    }
  }
  return undefined;
}

/** The path and port a health check command requests (curl/wget/python URL, or localhost:PORT/path). */
export function healthTargetFromCommand(words: readonly string[]): { path?: string; port?: number } {
  const text = flattenWords(words).join(' ');
  const url = /https?:\/\/(?:\[[^\]]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?(\/[^\s'"|;&)]*)?/.exec(text)
    ?? /\b(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::(\d{1,5}))?(\/[^\s'"|;&)]*)?/.exec(text);
  if (!url) return {};
  const port = validPort(url[1]);
  const path = url[2] ?? (url[0] ? '/' : undefined);
  return { ...(path ? { path: path.split('#')[0] } : {}), ...(port ? { port } : {}) };
}

/** The name of an ARG or ENV pair ("NAME=value", "NAME", or the legacy "NAME value"). */
function assignments(args: string, legacy: boolean): Array<[string, string | undefined]> {
  const words = shellWords(args);
  if (legacy && words.length >= 1 && !words[0]!.includes('=')) {
    // `ENV NAME value with spaces` (legacy form): one variable, the rest is its value.
    return [[words[0]!, words.length > 1 ? args.trim().slice(args.trim().indexOf(words[0]!) + words[0]!.length).trim() : undefined]];
  }
  return words.map((word) => {
    const eq = word.indexOf('=');
    return eq === -1 ? [word, undefined] : [word.slice(0, eq), word.slice(eq + 1)];
  });
}

function isRootUser(value: string): boolean {
  const user = value.split(':')[0]!.trim();
  return user === 'root' || user === '0';
}

interface StageFacts {
  env: Map<string, string>;
  envNames: string[];
  expose: ExposedPort[];
  healthcheck?: DockerfileHealthcheck;
  user?: DockerfileUser;
  cmd?: DockerfileCommand;
  entrypoint?: DockerfileCommand;
  portEnvLine?: number;
  /** CMD was set in this stage (not inherited): ENTRYPOINT keeps it. */
  cmdInStage?: boolean;
}

function healthcheckFrom(instruction: DockerfileInstruction, values: ReadonlyMap<string, string>, warnings: string[]): DockerfileHealthcheck {
  const { args, line } = instruction;
  if (/^NONE\s*$/i.test(args)) return { line, disabled: true };
  const check: DockerfileHealthcheck = { line, disabled: false };
  let rest = args;
  for (;;) {
    const option = /^--([a-z-]+)=(\S+)\s*/.exec(rest);
    if (!option) break;
    rest = rest.slice(option[0].length);
    const [, name, raw] = option;
    const value = substituteVariables(raw!, values);
    if (name === 'retries') {
      const retries = Number(value);
      if (Number.isInteger(retries)) check.retries = retries;
      else warnings.push(`line ${line}: HEALTHCHECK --retries=${raw} is not a whole number`);
      continue;
    }
    const seconds = parseDockerDuration(value);
    if (seconds === undefined) {
      warnings.push(`line ${line}: HEALTHCHECK --${name}=${raw} is not a duration such as 30s`);
      continue;
    }
    if (name === 'interval') check.interval = seconds;
    else if (name === 'timeout') check.timeout = seconds;
    else if (name === 'start-period') check.startPeriod = seconds;
  }
  const cmd = /^CMD\s+([\s\S]*)$/i.exec(rest);
  if (cmd) {
    check.command = parseCommand(cmd[1]!.trim(), line);
    const target = healthTargetFromCommand(check.command.words.map((word) => substituteVariables(word, values)));
    if (target.path) check.path = target.path;
    if (target.port) check.port = target.port;
  } else {
    warnings.push(`line ${line}: HEALTHCHECK needs CMD followed by a command, or NONE`);
  }
  return check;
}

export interface ParseOptions {
  /** The stage to report on, as berth.yml's service.build.target names it; default: the last stage. */
  target?: string;
}

/** Read a Dockerfile's text. Pure: the caller reads the file. */
export function parseDockerfile(text: string, options: ParseOptions = {}): DockerfileInfo {
  const instructions = dockerfileInstructions(text);
  const warnings: string[] = [];
  const stages: DockerfileStage[] = [];
  const facts: StageFacts[] = [];
  const argNames: string[] = [];
  const globalArgs = new Map<string, string>();
  // Values visible to substitution in the current stage: declared ARGs (with defaults) and ENV.
  let scope = new Map<string, string>();
  let current: StageFacts | undefined;
  const noteArg = (name: string) => { if (!argNames.includes(name)) argNames.push(name); };

  for (const instruction of instructions) {
    const { keyword, args, line } = instruction;
    if (keyword === 'FROM') {
      const words = shellWords(args);
      const platformWord = words.find((word) => word.startsWith('--platform='));
      const rest = words.filter((word) => !word.startsWith('--'));
      const baseImageText = rest[0] ?? '';
      const name = rest[1]?.toLowerCase() === 'as' ? rest[2]?.toLowerCase() : undefined;
      const baseImage = substituteVariables(baseImageText, globalArgs);
      const parentStage = stages.findIndex((stage) => stage.name !== undefined && stage.name === baseImage.toLowerCase());
      const stage: DockerfileStage = {
        index: stages.length,
        ...(name ? { name } : {}),
        baseImage,
        baseImageText,
        ...(parentStage >= 0 ? { parentStage } : {}),
        rootImage: parentStage >= 0 ? stages[parentStage]!.rootImage : baseImage,
        ...(platformWord ? { platform: platformWord.slice('--platform='.length) } : {}),
        line,
      };
      stages.push(stage);
      const parent = parentStage >= 0 ? facts[parentStage]! : undefined;
      current = parent
        ? { ...parent, env: new Map(parent.env), envNames: [...parent.envNames], expose: [...parent.expose], cmdInStage: false }
        : { env: new Map(), envNames: [], expose: [] };
      facts.push(current);
      // A stage sees ENV it inherits, not the global ARGs (those need re-declaring with ARG inside the stage).
      scope = new Map(current.env);
      continue;
    }
    if (keyword === 'ARG') {
      for (const [name, value] of assignments(args, false)) {
        noteArg(name);
        if (!current) {
          if (value !== undefined) globalArgs.set(name, substituteVariables(value, globalArgs));
          else if (!globalArgs.has(name)) globalArgs.set(name, '');
        } else if (!current.env.has(name)) {
          // Inside a stage, `ARG NAME` re-declares a global ARG with its default.
          const resolved = value !== undefined ? substituteVariables(value, scope) : globalArgs.get(name);
          if (resolved !== undefined) scope.set(name, resolved);
        }
      }
      continue;
    }
    if (!current) {
      warnings.push(`line ${line}: ${keyword} before the first FROM (only ARG may come before FROM)`);
      continue;
    }
    switch (keyword) {
      case 'ENV':
        for (const [name, value] of assignments(args, true)) {
          const resolved = substituteVariables(value ?? '', scope);
          current.env.set(name, resolved);
          scope.set(name, resolved);
          if (!current.envNames.includes(name)) current.envNames.push(name);
          if (name === 'PORT') current.portEnvLine = line;
        }
        break;
      case 'EXPOSE':
        for (const word of shellWords(args)) {
          const resolved = substituteVariables(word, scope);
          const match = /^(\d{1,5})(?:-\d{1,5})?(?:\/(tcp|udp))?$/i.exec(resolved);
          const port = validPort(match?.[1]);
          if (!match || !port) {
            warnings.push(`line ${line}: EXPOSE ${word} is not a port such as 8000 or 8000/tcp`);
            continue;
          }
          current.expose.push({ port, protocol: (match[2]?.toLowerCase() ?? 'tcp') as 'tcp' | 'udp', text: word, line });
        }
        break;
      case 'HEALTHCHECK':
        current.healthcheck = healthcheckFrom(instruction, scope, warnings);
        break;
      case 'USER': {
        const value = substituteVariables(args.trim(), scope);
        current.user = { value, root: isRootUser(value), line };
        break;
      }
      case 'CMD':
        current.cmd = parseCommand(args, line);
        current.cmdInStage = true;
        break;
      case 'ENTRYPOINT':
        current.entrypoint = parseCommand(args, line);
        // Docker resets a CMD inherited from the base stage when a stage sets ENTRYPOINT.
        if (!current.cmdInStage) delete current.cmd;
        break;
      default:
        break;
    }
  }

  let finalIndex = stages.length - 1;
  if (options.target !== undefined) {
    const index = stages.findIndex((stage) => stage.name === options.target!.toLowerCase());
    if (index >= 0) finalIndex = index;
    else if (stages.length > 0) warnings.push(`build target "${options.target}" is not a stage of this Dockerfile (stages: ${stages.map((stage) => stage.name ?? `#${stage.index}`).join(', ')})`);
  }
  const finalStage = stages[finalIndex];
  const final = facts[finalIndex];
  const info: DockerfileInfo = { instructions, stages, args: argNames, env: final?.envNames ?? [], expose: final?.expose ?? [], warnings };
  if (!finalStage || !final) {
    warnings.push('no FROM instruction: this is not a Dockerfile berth can build');
    return info;
  }
  info.finalStage = finalStage;
  if (final.healthcheck) info.healthcheck = final.healthcheck;
  if (final.user) info.user = final.user;
  if (final.cmd) info.cmd = final.cmd;
  if (final.entrypoint) info.entrypoint = final.entrypoint;
  const runWords = [...(final.entrypoint?.words ?? []), ...(final.cmd?.words ?? [])].map((word) => substituteVariables(word, final.env));
  const fromFlags = portFromCommandWords(runWords);
  if (fromFlags) {
    const line = (final.cmd && portFromCommandWords(final.cmd.words.map((word) => substituteVariables(word, final.env))) ? final.cmd.line : final.entrypoint?.line) ?? finalStage.line;
    info.commandPort = { ...fromFlags, line };
  } else {
    const port = validPort(final.env.get('PORT'));
    if (port) info.commandPort = { port, evidence: `ENV PORT=${port}`, line: final.portEnvLine ?? finalStage.line };
  }
  return info;
}

/** A Dockerfile feature only BuildKit understands; the classic builder fails on it. */
export interface BuildKitFeature {
  /** For people: "a heredoc (RUN <<EOF)", "RUN --mount". */
  feature: string;
  line: number;
}

/** Build arguments BuildKit sets by itself; the classic builder leaves them empty. */
const BUILDKIT_ARGS = /\$\{?(BUILDPLATFORM|TARGETPLATFORM|TARGETARCH|TARGETOS|TARGETVARIANT|BUILDARCH|BUILDOS)\b/;

/** The BuildKit-only features a Dockerfile uses, first occurrence of each, in line order. Pure. */
export function buildKitFeatures(text: string): BuildKitFeature[] {
  const found = new Map<string, number>();
  const note = (feature: string, line: number) => { if (!found.has(feature)) found.set(feature, line); };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const directive = /^\s*#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(lines[index]!);
    if (!directive) break;
    if (directive[1]!.toLowerCase() === 'syntax') note(`the \`# syntax=${directive[2]}\` directive`, index + 1);
  }
  for (const { keyword, args, line } of dockerfileInstructions(text)) {
    // Instruction flags come before the command: `RUN --mount=... pip install --network=host` has one flag.
    const leading = /^(?:--[a-z-]+(?:=\S*)?\s+)*/.exec(`${args} `)![0];
    const flags = [...leading.matchAll(/--([a-z-]+)/g)].map((match) => match[1]!);
    if (['RUN', 'COPY', 'ADD'].includes(keyword) && /(?<!<)<<-?["']?[A-Za-z_][A-Za-z0-9_]*["']?/.test(args)) note(`a heredoc (${keyword} <<EOF)`, line);
    if (keyword === 'RUN') for (const flag of flags.filter((name) => ['mount', 'network', 'security'].includes(name))) note(`RUN --${flag}`, line);
    if (keyword === 'COPY' || keyword === 'ADD') for (const flag of flags.filter((name) => ['link', 'chmod', 'parents', 'exclude', 'checksum', 'keep-git-dir'].includes(name))) note(`${keyword} --${flag}`, line);
    if (BUILDKIT_ARGS.test(args)) note(`$${BUILDKIT_ARGS.exec(args)![1]} (set only by BuildKit)`, line);
  }
  return [...found].map(([feature, line]) => ({ feature, line })).sort((a, b) => a.line - b.line);
}
