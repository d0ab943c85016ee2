/** How the doctor names one service of many in check ids (a one-service app keeps the short form; berth.yml keys: model serviceKey). */
import type { ResolvedConfig, ServiceSpec } from '../config/model.js';

/** A check id for one of several services: `expose-port.api`; the bare id for a one-service app. */
export function serviceCheckId(base: string, config: Pick<ResolvedConfig, 'services'>, service: Pick<ServiceSpec, 'name'>): string {
  return config.services.length > 1 ? `${base}.${service.name}` : base;
}
