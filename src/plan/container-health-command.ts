/**
 * The container health check of a web service, shared by the ECS task definition and the local engine, so both
 * targets run the same check or none.
 *
 * Exec form: `CMD /bin/sh -c <PROBE> berth-health <url> <timeout>`. The probe script is a constant; the URL and
 * the timeout reach it as arguments ($1, $2), so no character of health.path is ever read by a shell (validation
 * also keeps the path to URL characters: src/config/text-formats.ts). Images differ in what they ship, so the probe
 * tries curl, then wget, then python3/python, then node; any one answering 2xx passes.
 *
 * An image without /bin/sh (FROM scratch, distroless) cannot run any probe: its health.container is false
 * (src/config/resolve.ts) and it gets no container health check on either target; the load balancer's checks
 * decide (docs/local.md, docs/aws.md).
 */
import type { HealthCheck } from '../config/model.js';

const PYTHON = 'import sys,urllib.request as u; sys.exit(0 if 200<=u.urlopen(sys.argv[1],timeout=float(sys.argv[2])).status<300 else 1)';
const NODE = "const r=require('http').get(process.argv[1],{timeout:process.argv[2]*1000},(s)=>process.exit(s.statusCode>=200&&s.statusCode<300?0:1));r.on('timeout',()=>r.destroy());r.on('error',()=>process.exit(1))";

/** The probe: a constant script that reads the URL and timeout from its arguments. */
export const HEALTH_PROBE_SCRIPT = [
  'if command -v curl >/dev/null 2>&1; then exec curl -fsS -g -o /dev/null -m "$2" "$1"; fi',
  'if command -v wget >/dev/null 2>&1; then exec wget -q -O /dev/null -T "$2" "$1"; fi',
  `for p in python3 python; do if command -v "$p" >/dev/null 2>&1; then exec "$p" -c '${PYTHON}' "$1" "$2"; fi; done`,
  `if command -v node >/dev/null 2>&1; then exec node -e "${NODE}" "$1" "$2"; fi`,
  'echo "berth health check: no curl, wget, python or node in the image; set health.container: false" >&2; exit 1',
].join('\n');

/** `$0` of the probe, shown by ps and in error messages. */
const PROBE_NAME = 'berth-health';

/** The exec-form check (`CMD` + argv), or undefined when the service has no container health check. */
export function containerHealthCommand(port: number, health: Pick<HealthCheck, 'path' | 'timeout' | 'container'>): string[] | undefined {
  if (health.container === false) return undefined;
  const url = `http://127.0.0.1:${port}${health.path}`;
  return ['CMD', '/bin/sh', '-c', HEALTH_PROBE_SCRIPT, PROBE_NAME, url, String(health.timeout)];
}

/**
 * The Docker Engine `Healthcheck.Test` for a replica: the same check as ECS, or `NONE`, which also turns off a
 * HEALTHCHECK the image declares (ECS ignores an image's HEALTHCHECK too, so both targets agree).
 */
export function engineHealthTest(port: number, health: Pick<HealthCheck, 'path' | 'timeout' | 'container'>): string[] {
  return containerHealthCommand(port, health) ?? ['NONE'];
}
