/** How the doctor names one service of many in berth.yml keys and check ids (a one-service app keeps the short forms). */
import type { ResolvedConfig, ServiceSpec } from '../config/model.js';

/** Where a service's settings live in berth.yml: `service` for the one-service shorthand, else `services.<name>`. */
export function serviceKey(config: Pick<ResolvedConfig, 'services'>, service: Pick<ServiceSpec, 'name'>): string {
  return config.services.length === 1 && service.name === 'web' ? 'service' : `services.${service.name}`;
}

/** A check id for one of several services: `expose-port.api`; the bare id for a one-service app. */
export function serviceCheckId(base: string, config: Pick<ResolvedConfig, 'services'>, service: Pick<ServiceSpec, 'name'>): string {
  return config.services.length > 1 ? `${base}.${service.name}` : base;
}
