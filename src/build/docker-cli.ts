/** Running the docker CLI: collected output, or lines streamed as they come. */
import { spawn } from 'node:child_process';
import { OperationError } from '../errors.js';

export interface DockerRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `docker <args>`; resolves with the exit code and output, never rejects on a non-zero exit. `signal` stops the
 * command (SIGTERM, as Ctrl-C stops it in a terminal): it then resolves with the code the CLI exits with.
 */
export function runDocker(args: readonly string[], options: { onLine?: (line: string) => void; input?: string; env?: Record<string, string>; signal?: AbortSignal } = {}): Promise<DockerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['pipe', 'pipe', 'pipe'], ...(options.env ? { env: { ...process.env, ...options.env } } : {}) });
    const stop = () => child.kill('SIGTERM');
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const feed = (chunk: string) => {
      if (!options.onLine) return;
      partial += chunk;
      const lines = partial.split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; feed(chunk); });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; feed(chunk); });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(new OperationError('the docker command was not found', 'install Docker (or start the engine) and run again; `berth doctor` checks the set-up'));
      else reject(error);
    });
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', stop);
      if (partial && options.onLine) options.onLine(partial);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    // A CLI that exits without reading its input (most commands) makes the write fail with EPIPE: not an error here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
