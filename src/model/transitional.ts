/**
 * TEMPORARY — deleted before this work lands on a release: the one web service of an app, for the layers
 * that have not yet learned to realize many services. Each layer's branch replaces its calls with loops over
 * `config.services`; when the last call is gone this file goes, and the compiler proves nothing still needs it.
 */
import type { ResolvedConfig, WebServiceSpec } from '../config/model.js';
import { UsageError } from '../errors.js';
import { primaryWebService } from './services.js';

export function soleWebService(config: Pick<ResolvedConfig, 'services'>): WebServiceSpec {
  const web = primaryWebService(config);
  if (!web || config.services.length > 1) {
    throw new UsageError(`this berth build realizes only apps with one web service (berth.yml declares ${config.services.map((service) => `${service.name} (${service.kind})`).join(', ')})`);
  }
  return web;
}

/** TEMPORARY — deleted before landing: an operation whose realization is being built on its own branch. */
export function notRealizedYet(what: string): never {
  throw new UsageError(`${what} is not part of this berth build yet`);
}
