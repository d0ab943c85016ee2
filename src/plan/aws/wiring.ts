/**
 * What each service receives as environment: its plain `env`, the connection settings of the database and
 * cache, the URL of every other web service (src/model/connection-variables.ts), and every secret (its declared
 * `secrets`, the database password, DATABASE_URL) as ECS secrets read from Secrets Manager when a task starts, so
 * no password or secret value is ever in a template. The shared pieces (the DATABASE_URL secret, the imported
 * secrets) exist once per environment; each service gets exactly its own set.
 */
import { Fn, SecretValue, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { DatabaseSpec, ResolvedConfig, ServiceSpec } from '../../config/model.js';
import type { BerthCache } from './cache.js';
import type { BerthDatabase } from './database.js';
import { connectionVariables, DATABASE_URL, PG_VARIABLES, REDIS_URL, secretName } from '../../model/index.js';

export interface AppWiringProps {
  readonly app: string;
  readonly env: string;
  /** @default - no database variables */
  readonly database?: { construct: BerthDatabase; spec: DatabaseSpec };
  /** @default - no REDIS_URL */
  readonly cache?: BerthCache;
}

/** Where one variable comes from, for `berth plan`'s summary (never a value of a secret). */
export interface EnvironmentVariableSource {
  name: string;
  kind: 'plain' | 'secret';
  /** e.g. "berth.yml service.env", "Secrets Manager berth/app/prod/API_KEY", "database endpoint". */
  from: string;
}

/** The environment of one task definition: plain variables, ECS secrets, and the secrets its execution role reads. */
export interface ServiceWiring {
  readonly environment: Record<string, string>;
  readonly secrets: Record<string, ecs.Secret>;
  /** Every secret the execution role must read: exactly the ones injected. */
  readonly readableSecrets: secretsmanager.ISecret[];
  readonly sources: EnvironmentVariableSource[];
}

/**
 * Which `<NAME>_URL` variables a service receives on AWS. They resolve through ECS Service Connect, whose names only
 * ECS services in the namespace can resolve: web and worker services get them; a job's scheduled runs and one-off
 * tasks (`release.before`, `berth run`) are standalone tasks, so they do not (docs/aws.md, "Service Connect").
 */
export function receivesServiceUrls(service: Pick<ServiceSpec, 'kind'>): boolean {
  return service.kind !== 'job';
}

export class AppWiring extends Construct {
  /** The secret holding the full DATABASE_URL, when there is a database. */
  readonly databaseUrlSecret?: secretsmanager.Secret;
  private readonly props: AppWiringProps;
  private readonly imported = new Map<string, secretsmanager.ISecret>();

  constructor(scope: Construct, id: string, props: AppWiringProps) {
    super(scope, id);
    this.props = props;
    if (props.database) {
      const { construct: database, spec } = props.database;
      // ECS cannot template a variable from parts, so the URL is its own secret; CloudFormation resolves the
      // password's dynamic reference into it at deploy time: the template holds only `{{resolve:secretsmanager:...}}`.
      const password = database.secret.secretValueFromJson('password').unsafeUnwrap();
      const url = Fn.join('', [
        'postgresql://', spec.username, ':', password, '@',
        database.instance.dbInstanceEndpointAddress, ':', database.instance.dbInstanceEndpointPort, '/', spec.name,
      ]);
      // Cost: $0.40 per secret per month.
      this.databaseUrlSecret = new secretsmanager.Secret(this, 'DatabaseUrl', {
        description: `berth ${props.app}/${props.env}: DATABASE_URL, assembled from the generated database secret`,
        secretStringValue: new SecretValue(url),
      });
      Validations.of(this.databaseUrlSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'Derived from the database secret at deploy time; it changes when the database password does (a redeploy).',
      });
    }
  }

  /** A secret set with `berth secrets set NAME`, imported once per environment. */
  private declaredSecret(name: string): { secret: secretsmanager.ISecret; fullName: string } {
    const fullName = secretName(this.props.app, this.props.env, name);
    let secret = this.imported.get(name);
    if (!secret) {
      secret = secretsmanager.Secret.fromSecretNameV2(this, `Secret-${name}`, fullName);
      this.imported.set(name, secret);
    }
    return { secret, fullName };
  }

  /**
   * The environment of `service`. `config` gives the other web services (their `<NAME>_URL`); the variables come
   * in a fixed order: env, declared secrets, database, cache, service URLs.
   */
  forService(config: Pick<ResolvedConfig, 'database' | 'cache' | 'services'>, service: Pick<ServiceSpec, 'name' | 'kind' | 'env' | 'secrets'>, options: { serviceUrls?: boolean } = {}): ServiceWiring {
    const wiring: ServiceWiring = { environment: {}, secrets: {}, readableSecrets: [], sources: [] };
    const plain = (name: string, value: string, from: string) => {
      wiring.environment[name] = value;
      wiring.sources.push({ name, kind: 'plain', from });
    };
    const secret = (name: string, source: secretsmanager.ISecret, ecsSecret: ecs.Secret, from: string) => {
      wiring.secrets[name] = ecsSecret;
      if (!wiring.readableSecrets.includes(source)) wiring.readableSecrets.push(source);
      wiring.sources.push({ name, kind: 'secret', from });
    };

    for (const [name, value] of Object.entries(service.env)) plain(name, value, 'berth.yml service.env');
    for (const name of service.secrets) {
      const { secret: declared, fullName } = this.declaredSecret(name);
      secret(name, declared, ecs.Secret.fromSecretsManager(declared), `Secrets Manager ${fullName}`);
    }
    const { database, cache } = this.props;
    if (database) {
      const { construct, spec } = database;
      plain(PG_VARIABLES.host, construct.instance.dbInstanceEndpointAddress, 'database endpoint');
      plain(PG_VARIABLES.port, construct.instance.dbInstanceEndpointPort, 'database endpoint');
      plain(PG_VARIABLES.database, spec.name, 'database name');
      plain(PG_VARIABLES.user, spec.username, 'database user');
      secret(PG_VARIABLES.password, construct.secret, ecs.Secret.fromSecretsManager(construct.secret, 'password'), 'generated database secret (password field)');
      secret(DATABASE_URL, this.databaseUrlSecret!, ecs.Secret.fromSecretsManager(this.databaseUrlSecret!), 'secret assembled from the database secret');
    }
    if (cache) secret(REDIS_URL, cache.urlSecret, ecs.Secret.fromSecretsManager(cache.urlSecret), 'secret assembled from the cache endpoint and AUTH token (TLS)');
    if (options.serviceUrls ?? receivesServiceUrls(service)) {
      for (const variable of connectionVariables(config, service.name)) {
        if (variable.source === 'service') plain(variable.name, variable.shape.aws, `the ${variable.service} service through Service Connect`);
      }
    }
    return wiring;
  }
}
