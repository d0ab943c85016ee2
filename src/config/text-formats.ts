/**
 * Text values of berth.yml that reach another program: image references (docker run, ECS task definitions)
 * and health check paths (the load balancer, the container health check). Each is checked against the grammar
 * of the program that reads it, so a value can never be read as something else (an option, a shell word).
 */

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

/**
 * A Docker image reference as the distribution grammar defines it: `[registry[:port]/]path[:tag][@digest]`,
 * e.g. `nginx:1.27`, `ghcr.io/acme/api:v1`, `localhost:5000/app@sha256:<64 hex>`. Spaces, a leading `-`
 * (an option to docker) and shell characters cannot match.
 */
export const IMAGE_REFERENCE_PATTERN = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`);

export const IMAGE_REFERENCE_HELP = 'expected an image reference such as nginx:1.27, ghcr.io/acme/api:v1 or <registry>/<repository>@sha256:<digest> (lowercase repository, no spaces or options)';

const PCHAR = "[A-Za-z0-9\\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2}";

/** An RFC 3986 absolute path with an optional query: `/health`, `/api/health?full=1`. No fragment, no spaces. */
export const URL_PATH_PATTERN = new RegExp(`^/(?:${PCHAR}|/)*(?:\\?(?:${PCHAR}|[/?])*)?$`);

export const URL_PATH_HELP = 'use the characters of a URL path and query (letters, digits, - . _ ~ ! $ & \' ( ) * + , ; = : @ / ? and %XX escapes); encode spaces and other characters as %XX';

/** A value as it may appear inside a one-line problem: quoted, and shortened when long. */
export function quoteForProblem(value: string, max = 60): string {
  const oneLine = value.replace(/[\r\n\t]/g, ' ');
  if (oneLine.length <= max) return JSON.stringify(oneLine);
  return `${JSON.stringify(`${oneLine.slice(0, max)}…`)} (${value.length} characters)`;
}
