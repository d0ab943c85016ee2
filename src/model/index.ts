/**
 * The one model: everything berth derives from a resolved berth.yml — AWS and local names, labels, ports,
 * connection variables, release numbers and tags, state paths, platform strings, health timing and the
 * service queries. The AWS constructs, the local plan, the targets, the doctor and the renderers read it
 * from here and never re-derive. A leaf: it imports only config types and libraries.
 */
export * from './aws-names.js';
export * from './labels.js';
export * from './local-names.js';
export * from './platform.js';
export * from './ports.js';
export * from './release.js';
export * from './release-rules.js';
export * from './release-tags.js';
export * from './state-paths.js';
export * from './connection-variables.js';
export * from './health-timing.js';
export * from './services.js';
export * from './deploy-strategy.js';
export * from './ownership.js';
