/**
 * CDK context lookups berth uses, and what a synthesis needs for them (pure). A domain without `zoneId` is found by
 * its zone's name, `network.vpc` by its id: both need the stack's account and region, and an answer recorded in
 * cdk.context.json beside berth.yml (src/model/state-paths.ts `cdkContextFile`), written by the first `berth diff`
 * or deploy (they have AWS credentials; toolkit-lib makes the lookups). Later plans need no credentials: they read the recorded answer.
 */
import type { ResolvedConfig } from '../../config/model.js';
import { UsageError } from '../../errors.js';
import { usesLoadBalancer } from '../../model/index.js';
import { hostedZoneName } from './domain.js';
import { regexpLiteral } from '../../text/regexp-literal.js';

export interface LookupNeed {
  /** What is looked up, e.g. `hosted zone example.com`. */
  what: string;
  /** The berth.yml field that asks for it. */
  field: string;
  /** Matches the CDK context key of this lookup (any account and region). */
  matchesKey: (key: string) => boolean;
  /** How to do without the lookup. */
  alternative: string;
}

function keyPart(name: string, value: string): RegExp {
  return new RegExp(`(^|:)${name}=${regexpLiteral(value)}(:|$)`);
}

/** The lookups an environment's synthesis makes. */
export function lookupsNeeded(config: Pick<ResolvedConfig, 'domain' | 'network' | 'services'>): LookupNeed[] {
  const needs: LookupNeed[] = [];
  if (config.domain && !config.domain.zoneId && usesLoadBalancer(config)) {
    const zone = hostedZoneName(config.domain);
    needs.push({
      what: `the Route 53 hosted zone ${zone}`,
      field: config.domain.zone ? 'domain.zone' : 'domain',
      matchesKey: (key) => key.startsWith('hosted-zone:') && keyPart('domainName', zone).test(key),
      alternative: `set domain.zoneId (aws route53 list-hosted-zones-by-name --dns-name ${zone} --max-items 1 --query 'HostedZones[0].Id')`,
    });
  }
  if (config.network.vpcId) {
    const vpc = config.network.vpcId;
    needs.push({
      what: `VPC ${vpc} and its subnets`,
      field: 'network.vpc',
      matchesKey: (key) => key.startsWith('vpc-provider:') && keyPart('filter.vpc-id', vpc).test(key),
      alternative: 'leave network.vpc out to let berth create the VPC',
    });
  }
  return needs;
}

/** The account and region of a lookup recorded for every need, when they agree. */
export function recordedEnvironment(context: Record<string, unknown>, needs: readonly LookupNeed[], region?: string): { account: string; region: string } | undefined {
  const found: Array<{ account: string; region: string }> = [];
  for (const need of needs) {
    const key = Object.keys(context).find((candidate) => need.matchesKey(candidate) && (!region || keyPart('region', region).test(candidate)));
    if (!key) return undefined;
    const account = /(?:^|:)account=(\d{12})(?::|$)/.exec(key)?.[1];
    const keyRegion = /(?:^|:)region=([a-z0-9-]+)(?::|$)/.exec(key)?.[1];
    if (!account || !keyRegion) return undefined;
    found.push({ account, region: keyRegion });
  }
  const first = found[0];
  return first && found.every((entry) => entry.account === first.account && entry.region === first.region) ? first : undefined;
}

/** A lookup berth cannot answer from cdk.context.json and may not make: the fix names both ways out. */
export class MissingLookupError extends UsageError {
  constructor(readonly needs: LookupNeed[], config: Pick<ResolvedConfig, 'file' | 'env'>, reason: string) {
    super(
      `${config.file}: ${needs.map((need) => `${need.field}: ${need.what} is not known yet`).join('; ')} (${reason})`,
      `run \`berth diff --env ${config.env}\` once with AWS credentials for the environment's account: berth looks ${needs.length === 1 ? 'it' : 'them'} up and keeps the answer in cdk.context.json beside berth.yml (commit it; berth deploy does the same); or ${needs.map((need) => need.alternative).join('; or ')}`,
    );
    this.name = 'MissingLookupError';
  }
}

/**
 * The account and region to give the stack for its lookups: berth.yml's, else the credentials' (when a caller has
 * them), else those of the recorded answers. Undefined when nothing is looked up (the stack stays environment-agnostic).
 */
export function lookupEnvironment(
  config: Pick<ResolvedConfig, 'domain' | 'network' | 'services' | 'account' | 'region' | 'file' | 'env'>,
  context: Record<string, unknown>,
  known: { account?: string; region?: string },
): { account: string; region: string } | undefined {
  const needs = lookupsNeeded(config);
  if (needs.length === 0) return undefined;
  const region = config.region ?? known.region;
  const account = config.account ?? known.account;
  if (account && region) return { account, region };
  const recorded = recordedEnvironment(context, needs, region);
  if (recorded && (!account || recorded.account === account)) return recorded;
  const reason = account ? `no answer is recorded for account ${account}${region ? ` in ${region}` : ''}` : `no AWS credentials were used and no answer is recorded${region ? ` for ${region}` : ''}`;
  throw new MissingLookupError(needs, config, reason);
}
