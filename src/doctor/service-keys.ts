/** How the doctor names one service of many in berth.yml keys and check ids (a one-service app keeps the short forms). */
import type { ResolvedConfig, ServiceSpec } from '../config/model.js';

export { serviceKey } from '../model/services.js';

/** A check id for one of several services: `expose-port.api`; the bare id for a one-service app. */
export function serviceCheckId(base: string, config: Pick<ResolvedConfig, 'services'>, service: Pick<ServiceSpec, 'name'>): string {
  return config.services.length > 1 ? `${base}.${service.name}` : base;
}
