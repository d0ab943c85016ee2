import { describe, expect, it } from 'vitest';
import {
  buildKitFeatures,
  dockerfileInstructions,
  healthTargetFromCommand,
  parseDockerDuration,
  parseDockerfile,
  portFromCommandWords,
  shellWords,
  substituteVariables,
} from './dockerfile.js';

describe('dockerfileInstructions', () => {
  it('joins continuation lines, drops comments inside them and keeps the starting line', () => {
    const text = [
      '# syntax=docker/dockerfile:1',
      'FROM python:3.12-slim',
      '',
      'RUN apt-get update \\',
      '  # a comment inside the continuation',
      '  && apt-get install -y curl \\',
      '',
      '  && rm -rf /var/lib/apt/lists/*',
      'EXPOSE 8000',
    ].join('\n');
    const instructions = dockerfileInstructions(text);
    expect(instructions.map((i) => i.keyword)).toEqual(['FROM', 'RUN', 'EXPOSE']);
    expect(instructions[1]!.line).toBe(4);
    expect(instructions[1]!.args).toContain('&& apt-get install -y curl');
    expect(instructions[1]!.args).not.toContain('comment');
    expect(instructions[2]!.line).toBe(9);
  });

  it('honours the escape directive (Windows-style backtick continuations)', () => {
    const instructions = dockerfileInstructions('# escape=`\nFROM node:20\nRUN echo a `\n  b\nEXPOSE 3000\n');
    expect(instructions.map((i) => [i.keyword, i.args])).toEqual([['FROM', 'node:20'], ['RUN', 'echo a   b'], ['EXPOSE', '3000']]);
  });

  it('skips heredoc bodies so their lines are not read as instructions', () => {
    const text = 'FROM alpine\nRUN <<EOF\nEXPOSE 9999\nUSER root\nEOF\nUSER app\nEXPOSE 8080\n';
    const info = parseDockerfile(text);
    expect(info.expose.map((p) => p.port)).toEqual([8080]);
    expect(info.user?.value).toBe('app');
  });

  it('reads CRLF files and lower-case keywords', () => {
    const info = parseDockerfile('from node:20-alpine\r\nexpose 3000\r\ncmd ["node", "server.js"]\r\n');
    expect(info.finalStage?.baseImage).toBe('node:20-alpine');
    expect(info.expose[0]!.port).toBe(3000);
    expect(info.cmd?.words).toEqual(['node', 'server.js']);
  });
});

describe('substituteVariables', () => {
  const values = new Map([['PORT', '8000'], ['EMPTY', '']]);
  it('handles $VAR, ${VAR} and the :- / - / :+ modifiers', () => {
    expect(substituteVariables('$PORT ${PORT}', values)).toBe('8000 8000');
    expect(substituteVariables('${MISSING:-3000} ${EMPTY:-x} ${EMPTY-y}', values)).toBe('3000 x ');
    expect(substituteVariables('${PORT:+set} ${MISSING:+set}|', values)).toBe('set |');
    expect(substituteVariables('${MISSING:-${PORT}}', values)).toBe('8000');
  });
});

describe('shellWords', () => {
  it('removes quotes and keeps operators as words', () => {
    expect(shellWords(`curl -f "http://localhost:8000/health" || exit 1`)).toEqual(['curl', '-f', 'http://localhost:8000/health', '||', 'exit', '1']);
    expect(shellWords(`sh -c 'gunicorn -b 0.0.0.0:8080 app:app'`)).toEqual(['sh', '-c', 'gunicorn -b 0.0.0.0:8080 app:app']);
  });
});

describe('parseDockerDuration', () => {
  it('reads Go-style durations in seconds and rejects other text', () => {
    expect(parseDockerDuration('30s')).toBe(30);
    expect(parseDockerDuration('1m30s')).toBe(90);
    expect(parseDockerDuration('500ms')).toBe(0.5);
    expect(parseDockerDuration('2h')).toBe(7200);
    expect(parseDockerDuration('30')).toBeUndefined();
    expect(parseDockerDuration('thirty')).toBeUndefined();
  });
});

describe('portFromCommandWords', () => {
  it.each([
    [['uvicorn', 'main:app', '--host', '0.0.0.0', '--port', '8000'], 8000, '--port 8000'],
    [['uvicorn', 'main:app', '--port=8001'], 8001, '--port=8001'],
    [['gunicorn', '-b', '0.0.0.0:8080', 'app:app'], 8080, '-b 0.0.0.0:8080'],
    [['gunicorn', '--bind=:5000', 'app:app'], 5000, '--bind=:5000'],
    [['streamlit', 'run', 'app.py', '--server.port', '8501', '--server.address=0.0.0.0'], 8501, '--server.port 8501'],
    [['streamlit', 'run', 'app.py', '--server.port=8502'], 8502, '--server.port=8502'],
    [['npx', 'next', 'start', '-p', '3001'], 3001, '-p 3001'],
    [['python', 'manage.py', 'runserver', '0.0.0.0:8000'], 8000, 'runserver 0.0.0.0:8000'],
    [['bundle', 'exec', 'puma', '-b', 'tcp://0.0.0.0:3000'], 3000, '-b tcp://0.0.0.0:3000'],
    [['sh', '-c', 'flask run --host 0.0.0.0 --port 5001'], 5001, '--port 5001'],
  ])('finds the port in %j', (words, port, evidence) => {
    expect(portFromCommandWords(words)).toEqual({ port, evidence });
  });

  it('finds nothing when no flag names a port', () => {
    expect(portFromCommandWords(['node', 'server.js'])).toBeUndefined();
    expect(portFromCommandWords(['gunicorn', '-b', 'unix:/tmp/app.sock', 'app:app'])).toBeUndefined();
    expect(portFromCommandWords(['app', '--port', '99999'])).toBeUndefined();
  });
});

describe('healthTargetFromCommand', () => {
  it('finds the path and port of curl, wget and python checks', () => {
    expect(healthTargetFromCommand(['CMD-SHELL', 'curl -fsS http://localhost:8000/health || exit 1'])).toEqual({ path: '/health', port: 8000 });
    expect(healthTargetFromCommand(['wget', '-qO-', 'http://127.0.0.1:3000/api/health'])).toEqual({ path: '/api/health', port: 3000 });
    expect(healthTargetFromCommand(['python', '-c', "import urllib.request; urllib.request.urlopen('http://localhost:5000/healthz')"])).toEqual({ path: '/healthz', port: 5000 });
    expect(healthTargetFromCommand(['curl', '-f', 'localhost:8501/_stcore/health'])).toEqual({ path: '/_stcore/health', port: 8501 });
    expect(healthTargetFromCommand(['curl', '-f', 'http://localhost/'])).toEqual({ path: '/' });
    expect(healthTargetFromCommand(['pg_isready'])).toEqual({});
  });
});

describe('parseDockerfile', () => {
  it('reads a realistic multi-stage FastAPI Dockerfile', () => {
    const text = `
# syntax=docker/dockerfile:1
ARG PYTHON_VERSION=3.12
FROM python:\${PYTHON_VERSION}-slim AS builder
WORKDIR /app
COPY requirements.txt .
RUN pip install --prefix=/install -r requirements.txt

FROM python:\${PYTHON_VERSION}-slim
ARG PYTHON_VERSION
ARG APP_PORT=8000
ENV PYTHONUNBUFFERED=1 \\
    PORT=\${APP_PORT}
COPY --from=builder /install /usr/local
RUN useradd --create-home app
USER app
EXPOSE \${APP_PORT}/tcp
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=4 \\
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:\${APP_PORT}/health')"]
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]
`;
    const info = parseDockerfile(text);
    expect(info.stages.map((s) => [s.name, s.baseImage, s.baseImageText])).toEqual([
      ['builder', 'python:3.12-slim', 'python:${PYTHON_VERSION}-slim'],
      [undefined, 'python:3.12-slim', 'python:${PYTHON_VERSION}-slim'],
    ]);
    expect(info.finalStage?.index).toBe(1);
    expect(info.args).toEqual(['PYTHON_VERSION', 'APP_PORT']);
    expect(info.env).toEqual(['PYTHONUNBUFFERED', 'PORT']);
    expect(info.expose).toEqual([{ port: 8000, protocol: 'tcp', text: '${APP_PORT}/tcp', line: 17 }]);
    expect(info.user).toEqual({ value: 'app', root: false, line: 16 });
    expect(info.healthcheck).toMatchObject({ disabled: false, interval: 15, timeout: 3, startPeriod: 20, retries: 4, line: 18 });
    expect(info.healthcheck?.command?.form).toBe('exec');
    expect(info.healthcheck?.path).toBe('/health');
    // The exec-form command is not substituted by Docker, but the ARG is visible at build time for the
    // HEALTHCHECK line as written here, which the parser substitutes to report the port.
    expect(info.healthcheck?.port).toBe(8000);
    expect(info.cmd).toMatchObject({ form: 'exec', words: ['uvicorn', 'main:app', '--host', '0.0.0.0', '--port', '8000'], line: 20 });
    expect(info.commandPort).toEqual({ port: 8000, evidence: '--port 8000', line: 20 });
    expect(info.warnings).toEqual([]);
  });

  it('reports facts of the final stage only, and inherits from a named parent stage', () => {
    const text = `
FROM node:20 AS base
EXPOSE 9229
USER node
HEALTHCHECK CMD curl -f http://localhost:3000/healthz
CMD ["node", "dev.js"]

FROM base AS deps
RUN npm ci

FROM base AS final
ENTRYPOINT ["node"]
`;
    const info = parseDockerfile(text);
    expect(info.finalStage?.name).toBe('final');
    expect(info.finalStage?.parentStage).toBe(0);
    expect(info.finalStage?.baseImage).toBe('base');
    expect(info.finalStage?.rootImage).toBe('node:20');
    expect(info.expose.map((p) => p.port)).toEqual([9229]);
    expect(info.user?.value).toBe('node');
    expect(info.healthcheck?.path).toBe('/healthz');
    expect(info.entrypoint?.words).toEqual(['node']);
    // ENTRYPOINT in a stage resets the CMD inherited from its base stage.
    expect(info.cmd).toBeUndefined();
  });

  it('reports on the stage a build target names', () => {
    const text = 'FROM node:20 AS dev\nEXPOSE 5173\nFROM nginx:1.27 AS prod\nEXPOSE 80\n';
    expect(parseDockerfile(text, { target: 'dev' }).expose.map((p) => p.port)).toEqual([5173]);
    expect(parseDockerfile(text, { target: 'DEV' }).finalStage?.name).toBe('dev');
    const missing = parseDockerfile(text, { target: 'test' });
    expect(missing.finalStage?.name).toBe('prod');
    expect(missing.warnings).toEqual(['build target "test" is not a stage of this Dockerfile (stages: dev, prod)']);
  });

  it('does not inherit from an unrelated earlier stage', () => {
    const info = parseDockerfile('FROM node:20 AS build\nEXPOSE 3000\nUSER node\nFROM nginx:1.27\nCOPY --from=build /app/dist /usr/share/nginx/html\n');
    expect(info.finalStage?.baseImage).toBe('nginx:1.27');
    expect(info.expose).toEqual([]);
    expect(info.user).toBeUndefined();
  });

  it('keeps a CMD set in the same stage as ENTRYPOINT and reads the port across both', () => {
    const info = parseDockerfile('FROM python:3.12-slim\nCMD ["-b", "0.0.0.0:8080", "app:app"]\nENTRYPOINT ["gunicorn"]\n');
    expect(info.cmd?.words).toEqual(['-b', '0.0.0.0:8080', 'app:app']);
    expect(info.commandPort).toEqual({ port: 8080, evidence: '-b 0.0.0.0:8080', line: 2 });
  });

  it('recognises root users', () => {
    expect(parseDockerfile('FROM debian\nUSER root\n').user?.root).toBe(true);
    expect(parseDockerfile('FROM debian\nUSER 0:0\n').user?.root).toBe(true);
    expect(parseDockerfile('FROM debian\nUSER 1000:1000\n').user?.root).toBe(false);
    expect(parseDockerfile('FROM debian\nUSER app\nUSER root\n').user).toEqual({ value: 'root', root: true, line: 3 });
  });

  it('reads shell-form CMD, substituting ENV for the port, and ENV PORT as a fallback', () => {
    const shell = parseDockerfile('FROM python:3.12-slim\nENV PORT 5000\nCMD gunicorn --bind 0.0.0.0:$PORT app:app\n');
    expect(shell.cmd?.form).toBe('shell');
    expect(shell.commandPort).toEqual({ port: 5000, evidence: '--bind 0.0.0.0:5000', line: 3 });
    const envOnly = parseDockerfile('FROM node:20\nENV NODE_ENV=production PORT=3000\nCMD ["node", "server.js"]\n');
    expect(envOnly.commandPort).toEqual({ port: 3000, evidence: 'ENV PORT=3000', line: 2 });
  });

  it('reads sh -c wrappers with defaults', () => {
    const info = parseDockerfile('FROM python:3.12-slim\nCMD ["sh", "-c", "uvicorn main:app --host 0.0.0.0 --port ${PORT:-8080}"]\n');
    expect(info.commandPort?.port).toBe(8080);
  });

  it('reads HEALTHCHECK NONE and several EXPOSE ports with protocols', () => {
    const info = parseDockerfile('FROM redis:7\nHEALTHCHECK NONE\nEXPOSE 6379 8080/udp 9000-9010\n');
    expect(info.healthcheck).toEqual({ line: 2, disabled: true });
    expect(info.expose.map((p) => [p.port, p.protocol])).toEqual([[6379, 'tcp'], [8080, 'udp'], [9000, 'tcp']]);
  });

  it('warns about what it cannot read instead of failing', () => {
    const info = parseDockerfile('EXPOSE 80\nFROM alpine\nEXPOSE http\nHEALTHCHECK --interval=often CMD true\n');
    expect(info.warnings).toEqual([
      'line 1: EXPOSE before the first FROM (only ARG may come before FROM)',
      'line 3: EXPOSE http is not a port such as 8000 or 8000/tcp',
      'line 4: HEALTHCHECK --interval=often is not a duration such as 30s',
    ]);
    expect(parseDockerfile('# nothing here\n').warnings).toEqual(['no FROM instruction: this is not a Dockerfile berth can build']);
  });

  it('reads --platform and stage names case-insensitively', () => {
    const info = parseDockerfile('FROM --platform=$BUILDPLATFORM node:20 As Build\nFROM build\n');
    expect(info.stages[0]).toMatchObject({ name: 'build', platform: '$BUILDPLATFORM', baseImage: 'node:20' });
    expect(info.stages[1]!.parentStage).toBe(0);
  });
});

describe('buildKitFeatures', () => {
  it('finds the syntax directive, heredocs, RUN --mount, COPY --link/--chmod and BuildKit-only build arguments', () => {
    const text = [
      '# syntax=docker/dockerfile:1.4',
      'FROM --platform=$BUILDPLATFORM python:3.12-alpine AS builder',
      'RUN --mount=type=cache,target=/root/.cache/pip \\',
      '    pip install -r requirements.txt',
      'COPY --link --chmod=755 . /app',
      'FROM builder AS dev',
      'RUN <<EOF',
      'apk add git',
      'EOF',
    ].join('\n');
    expect(buildKitFeatures(text)).toEqual([
      { feature: 'the `# syntax=docker/dockerfile:1.4` directive', line: 1 },
      { feature: '$BUILDPLATFORM (set only by BuildKit)', line: 2 },
      { feature: 'RUN --mount', line: 3 },
      { feature: 'COPY --link', line: 5 },
      { feature: 'COPY --chmod', line: 5 },
      { feature: 'a heredoc (RUN <<EOF)', line: 7 },
    ]);
  });

  it('finds nothing in a classic Dockerfile, and ignores flags of the command itself', () => {
    expect(buildKitFeatures('# escape=\\\nFROM python:3.12\nRUN pip install --network=host --link x && cat <<< "hi"\nCOPY --from=builder /a /b\nCMD ["python", "app.py"]\n')).toEqual([]);
  });
});
