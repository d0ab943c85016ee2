/**
 * The berth.yml `berth init` proposes from a compose file, before it is written: plain values in berth.yml's
 * shape, with the reason for each and everything that was not carried over. Pure data.
 */

export interface DraftBuild {
  context?: string;
  dockerfile?: string;
  target?: string;
  args?: Record<string, string>;
}

export interface DraftHealth {
  path?: string;
  command?: string[];
  interval?: number;
  timeout?: number;
  unhealthyThreshold?: number;
  gracePeriod?: number;
}

export interface DraftService {
  kind?: 'worker';
  port?: number;
  path?: string;
  health?: DraftHealth;
  command?: string[];
  count?: number;
  arch?: 'arm64';
  build?: DraftBuild;
  env?: Record<string, string>;
  secrets?: string[];
}

export interface BerthDraft {
  app: string;
  build?: DraftBuild;
  env?: Record<string, string>;
  secrets?: string[];
  /** Exactly one of service (one web service) and services. */
  service?: DraftService;
  services?: Record<string, DraftService>;
  release?: { before: string[] | { command: string[]; service: string } };
  database?: { engine: 'postgres'; version?: string; localImage?: string };
  cache?: { engine: 'redis'; version?: string };
}

/** A compose key berth.yml does not carry over, and what to do instead. */
export interface LeftOut {
  /** Where in the compose file: "services.web.volumes", "networks". */
  path: string;
  /** What it was, briefly: ".:/code", "mariadb:10". */
  what?: string;
  /** Why it is not in berth.yml and what to do instead. */
  reason: string;
}

/** What became of one compose service. */
export interface ServiceOutcome {
  compose: string;
  /** For people: "services.web: web service on port 8000", "database: postgres 16", "not converted: a MySQL database". */
  became: string;
  converted: boolean;
}

/** A secret berth.yml declares by name; when the compose file or an env file held a value, where it was. */
export interface DraftSecret {
  name: string;
  /** "compose.yaml", ".env": where a value was that berth did not copy. */
  valueLeftOutFrom?: string;
}

export interface ComposeConversion {
  /** The compose file, relative to the app folder. */
  file: string;
  draft: BerthDraft;
  /** Why each value of the draft is what it is, by its dotted path in berth.yml ("services.web.port"). */
  reasons: Record<string, string>;
  outcomes: ServiceOutcome[];
  /** Things that stop the app working as converted. */
  warnings: string[];
  /** Things worth knowing that do not stop it. */
  notes: string[];
  leftOut: LeftOut[];
  secrets: DraftSecret[];
}
