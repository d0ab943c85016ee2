/** Ports berth's pieces listen on, the same on AWS and locally. */

export const POSTGRES_PORT = 5432;
export const REDIS_PORT = 6379;
export const HTTP_PORT = 80;
export const HTTPS_PORT = 443;
/** Default port of the local load balancer on 127.0.0.1 (berth.yml local.port). */
export const LOCAL_BALANCER_PORT = 8080;
