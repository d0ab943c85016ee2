/** Usage the template cannot know, each with the default `berth cost` states and the flag that sets it. */

export interface UsageAssumptions {
  /** Average Application Load Balancer capacity units in use per hour. */
  lcus: number;
  /** GB of application logs ingested per month (split over the log groups the tasks write to). */
  logsGb: number;
  /** GB sent from the environment to the internet per month. */
  egressGb: number;
  /** GB processed by NAT gateways per month (image pulls, calls to AWS APIs and the internet). */
  natGb: number;
  /** GB of images kept in the ECR repository. */
  ecrGb: number;
  /** Millions of HTTPS requests a month through CloudFront (environments that serve https:// without a domain). */
  requestsMillion: number;
}

export const DEFAULT_USAGE: Readonly<UsageAssumptions> = { lcus: 1, logsGb: 1, egressGb: 10, natGb: 10, ecrGb: 1, requestsMillion: 1 };

/** The flag for each assumption, and what it means, for help text and notes. */
export const USAGE_FLAGS: Readonly<Record<keyof UsageAssumptions, { flag: string; description: string }>> = {
  lcus: { flag: '--lcus', description: 'average load balancer capacity units per hour (1 LCU: 25 new connections/s, 3,000 active connections, 1 GB/h processed)' },
  logsGb: { flag: '--logs-gb', description: 'GB of logs ingested per month' },
  egressGb: { flag: '--egress-gb', description: 'GB out to the internet per month' },
  natGb: { flag: '--nat-gb', description: 'GB through NAT gateways per month' },
  ecrGb: { flag: '--ecr-gb', description: 'GB of images stored in ECR' },
  requestsMillion: { flag: '--requests-million', description: 'millions of HTTPS requests a month through CloudFront' },
};
