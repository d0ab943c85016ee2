/**
 * Issue 12 through a whole synthesis (berth plan): pulls from exactly the image's repository per service, registry
 * credentials, task-role permissions per service, read-only root filesystems, Spot above an on-demand base in
 * production, the domain's zone looked up by name from cdk.context.json (or the fix), and `https: false`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import { ECR_PULL_ACTIONS } from './image-pull.js';
import { MissingLookupError } from './lookups.js';
import { synthesizeEnvironment, type SynthResult } from './synthesize.js';

const DIGEST = `@sha256:${'ab'.repeat(32)}`;
const SHARED = `111122223333.dkr.ecr.us-east-1.amazonaws.com/shared/web${DIGEST}`;
const TOOLS = `444455556666.dkr.ecr.eu-west-1.amazonaws.com/tools/worker${DIGEST}`;

const FILE = `
app: shop
region: us-east-1
image: ${SHARED}
services:
  web:
    port: 8000
    count: 3
    spot: { base: 1, share: 50 }
    permissions: [{ actions: [s3:GetObject], resources: ["arn:aws:s3:::shop-assets/*"] }]
  worker:
    kind: worker
    image: ${TOOLS}
    readonlyRootFilesystem: true
    managedPolicies: [AmazonSESFullAccess]
  report:
    kind: job
    schedule: "0 3 * * *"
    image: ghcr.io/acme/report:1.2
    registryCredentials: GHCR_PULL
environments:
  prod:
    alarms: { email: ops@example.com }
  plain:
    https: false
`;

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

function appDir(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-hardening-plan-'));
  writeFileSync(join(dir, 'berth.yml'), yaml);
  return dir;
}

async function plan(dir: string, env: string): Promise<{ result: SynthResult; resources: Record<string, Resource> }> {
  const config = loadConfig({ config: join(dir, 'berth.yml'), env, cwd: dir });
  const result = await synthesizeEnvironment(config, { outdir: join(dir, '.berth', env, 'cdk.out') });
  return { result, resources: (JSON.parse(readFileSync(result.stack.template, 'utf8')) as { Resources: Record<string, Resource> }).Resources };
}

/** The statements of the policies attached to a role (by its logical id). */
function statementsOf(resources: Record<string, Resource>, roleId: string): Statement[] {
  return Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

function taskDefinition(resources: Record<string, Resource>, family: string) {
  const [id, resource] = Object.entries(resources).find(([, candidate]) => candidate.Type === 'AWS::ECS::TaskDefinition' && candidate.Properties.Family === family)!;
  const roleId = (key: string) => (resource.Properties[key] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return { id, properties: resource.Properties, container: (resource.Properties.ContainerDefinitions as Array<Record<string, unknown>>)[0]!, executionRole: roleId('ExecutionRoleArn'), taskRole: roleId('TaskRoleArn') };
}

let prod: Awaited<ReturnType<typeof plan>>;
let plain: Awaited<ReturnType<typeof plan>>;

beforeAll(async () => {
  const dir = appDir(FILE);
  prod = await plan(dir, 'prod');
  plain = await plan(dir, 'plain');
}, 240_000);

describe('image pulls', () => {
  it('let each execution role pull exactly its own image\'s repository, with no ecrImageRequiresPolicy warning', () => {
    const pulls = (family: string) => statementsOf(prod.resources, taskDefinition(prod.resources, family).executionRole)
      .filter((statement) => JSON.stringify(statement.Action).includes('ecr:BatchGetImage'));
    expect(pulls('berth-shop-prod')).toEqual([{ Effect: 'Allow', Action: [...ECR_PULL_ACTIONS], Resource: 'arn:aws:ecr:us-east-1:111122223333:repository/shared/web' }]);
    expect(pulls('berth-shop-prod-worker')).toEqual([{ Effect: 'Allow', Action: [...ECR_PULL_ACTIONS], Resource: 'arn:aws:ecr:eu-west-1:444455556666:repository/tools/worker' }]);
    expect(pulls('berth-shop-prod-report')).toEqual([]);
    expect(prod.result.warnings.join('\n')).not.toContain('ecrImageRequiresPolicy');
    expect(prod.result.summary.security).toEqual(expect.arrayContaining([
      'services.web: its execution role may pull only arn:aws:ecr:us-east-1:111122223333:repository/shared/web',
      'services.worker: its execution role may pull only arn:aws:ecr:eu-west-1:444455556666:repository/tools/worker',
    ]));
  });

  it('pull a private non-ECR image with the registry credentials secret, read by that execution role only', () => {
    const report = taskDefinition(prod.resources, 'berth-shop-prod-report');
    expect(report.container.RepositoryCredentials).toEqual({ CredentialsParameter: expect.objectContaining({ 'Fn::Join': expect.arrayContaining([expect.arrayContaining([expect.stringContaining(':secret:berth/shop/prod/GHCR_PULL')])]) }) });
    const reads = (family: string) => JSON.stringify(statementsOf(prod.resources, taskDefinition(prod.resources, family).executionRole));
    expect(reads('berth-shop-prod-report')).toContain('berth/shop/prod/GHCR_PULL');
    expect(reads('berth-shop-prod')).not.toContain('GHCR_PULL');
  });
});

describe('per service', () => {
  it('gives each task role exactly its own permissions and managed policies', () => {
    const web = taskDefinition(prod.resources, 'berth-shop-prod');
    const worker = taskDefinition(prod.resources, 'berth-shop-prod-worker');
    expect(statementsOf(prod.resources, web.taskRole)).toEqual([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::shop-assets/*' }]);
    expect(statementsOf(prod.resources, worker.taskRole)).toEqual([]);
    expect(JSON.stringify(prod.resources[worker.taskRole]!.Properties.ManagedPolicyArns)).toContain(':iam::aws:policy/AmazonSESFullAccess');
    expect(prod.resources[web.taskRole]!.Properties.ManagedPolicyArns).toBeUndefined();
    // What the user chose is shown by cdk-nag (a wildcard resource, an AWS managed policy), not acknowledged by berth.
    expect(prod.result.nagFindings.map((finding) => `${finding.ruleId} ${finding.resources.join(' ')}`)).toEqual([
      'AwsSolutions-IAM5[Resource::arn:aws:s3:::shop-assets/*] berth-shop-prod/Service/TaskRole/DefaultPolicy/Resource',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSESFullAccess] berth-shop-prod/ServiceWorker/TaskRole/Resource',
    ]);
  });

  it('mounts the root filesystem read-only only where asked', () => {
    expect(taskDefinition(prod.resources, 'berth-shop-prod-worker').container.ReadonlyRootFilesystem).toBe(true);
    expect(taskDefinition(prod.resources, 'berth-shop-prod').container.ReadonlyRootFilesystem).toBe(false);
  });

  it('keeps an on-demand base with Spot on top in production, per service', () => {
    const strategies = Object.fromEntries(Object.values(prod.resources).filter((resource) => resource.Type === 'AWS::ECS::Service').map((service) => [service.Properties.ServiceName, service.Properties.CapacityProviderStrategy]));
    expect(strategies).toEqual({
      'berth-shop-prod': [{ CapacityProvider: 'FARGATE', Base: 1, Weight: 50 }, { CapacityProvider: 'FARGATE_SPOT', Weight: 50 }],
      'berth-shop-prod-worker': [{ CapacityProvider: 'FARGATE', Weight: 1 }],
    });
  });
});

describe('https: false', () => {
  it('serves plain HTTP from the load balancer, without CloudFront, and the plan warns', () => {
    expect(Object.values(plain.resources).some((resource) => resource.Type === 'AWS::CloudFront::Distribution')).toBe(false);
    expect(Object.values(prod.resources).filter((resource) => resource.Type === 'AWS::CloudFront::Distribution')).toHaveLength(1);
    expect(plain.result.summary.endpoints[0]).toEqual({ name: 'Url', value: 'http://<load balancer DNS name> (known after deploy)' });
    expect(plain.result.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^https: false: the app is served over plain HTTP/)]));
    expect(plain.result.summary.security).toContain('HTTP only (https: false): requests and cookies travel in clear text');
  });
});

describe('a domain by zone name', () => {
  const DOMAIN = `
app: shop
region: eu-west-1

service: { port: 8000, image: "nginx:1.27" }
domain: { name: app.example.com, zone: example.com }
environments:
  prod: { account: "123456789012" }
`;
  const ZONE_KEY = 'hosted-zone:account=123456789012:domainName=example.com:privateZone=false:region=eu-west-1';

  it('validates the certificate in the zone recorded in cdk.context.json and adds the alias record', async () => {
    const dir = appDir(DOMAIN);
    writeFileSync(join(dir, 'cdk.context.json'), JSON.stringify({ [ZONE_KEY]: { Id: '/hostedzone/Z0EXAMPLEZONE1', Name: 'example.com.' } }));
    const { resources, result } = await plan(dir, 'prod');
    const of = (type: string) => Object.values(resources).filter((resource) => resource.Type === type).map((resource) => resource.Properties);
    expect(of('AWS::CertificateManager::Certificate')).toEqual([expect.objectContaining({ DomainName: 'app.example.com', ValidationMethod: 'DNS', DomainValidationOptions: [{ DomainName: 'app.example.com', HostedZoneId: 'Z0EXAMPLEZONE1' }] })]);
    expect(of('AWS::Route53::RecordSet')).toEqual([expect.objectContaining({ Name: 'app.example.com.', Type: 'A', HostedZoneId: 'Z0EXAMPLEZONE1' })]);
    expect(of('AWS::CloudFront::Distribution')).toEqual([]);
    expect(result.nagFindings).toEqual([]);
  }, 120_000);

  it('fails without a recorded answer, naming both fixes', async () => {
    const error = await plan(appDir(DOMAIN), 'prod').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingLookupError);
    expect((error as MissingLookupError).message).toMatch(/domain\.zone: the Route 53 hosted zone example\.com is not known yet \(no answer is recorded in .*cdk\.context\.json for account 123456789012 in eu-west-1\)/);
    expect((error as MissingLookupError).hint).toMatch(/berth diff --env prod.*or set domain\.zoneId/);
  }, 120_000);
});
