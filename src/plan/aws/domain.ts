/**
 * The Route 53 hosted zone of `domain:`: by `zoneId`, or looked up by name through a CDK context lookup (berth plan
 * does it once with AWS credentials and keeps the answer in cdk.context.json beside berth.yml; lookups.ts). The
 * certificate is validated by DNS in that zone and the name gets an alias record.
 */
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import type { DomainSpec } from '../../config/model.js';

/** The hosted zone a domain lives in: berth.yml's `zone`, else the name without its first label. */
export function hostedZoneName(domain: Pick<DomainSpec, 'name' | 'zone'>): string {
  if (domain.zone) return domain.zone;
  const dot = domain.name.indexOf('.');
  return dot < 0 ? domain.name : domain.name.slice(dot + 1);
}

/** The zone by id, or by a (recorded) lookup of its name; the stack needs an account and region for the lookup. */
export function domainZone(scope: Construct, id: string, domain: DomainSpec): route53.IHostedZone {
  if (domain.zoneId) return route53.HostedZone.fromHostedZoneAttributes(scope, id, { hostedZoneId: domain.zoneId, zoneName: hostedZoneName(domain) });
  return route53.HostedZone.fromLookup(scope, id, { domainName: hostedZoneName(domain), privateZone: false });
}
