/**
 * The container health check command, shared by the ECS task definition and the local engine.
 * Images differ in what they ship, so it tries curl, then wget, then python; any one answering 2xx passes.
 */
import type { HealthCheck } from '../config/model.js';

export function containerHealthCommand(port: number, health: Pick<HealthCheck, 'path' | 'timeout'>): string[] {
  const url = `http://127.0.0.1:${port}${health.path}`;
  const timeout = health.timeout;
  const python = `import sys,urllib.request as u; sys.exit(0 if 200<=u.urlopen('${url}',timeout=${timeout}).status<300 else 1)`;
  const script = [
    `if command -v curl >/dev/null 2>&1; then curl -fsS -o /dev/null -m ${timeout} '${url}';`,
    `elif command -v wget >/dev/null 2>&1; then wget -q -O /dev/null -T ${timeout} '${url}';`,
    `elif command -v python3 >/dev/null 2>&1; then python3 -c "${python}";`,
    `else python -c "${python}"; fi`,
  ].join(' ');
  return ['CMD-SHELL', script];
}
