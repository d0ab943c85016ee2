/**
 * What the app receives as environment: its plain `service.env`, the connection settings of the database and
 * cache, and every secret (declared `service.secrets`, the database password, DATABASE_URL) as ECS secrets
 * read from Secrets Manager when a task starts, so no password or secret value is ever in a template.
 */
import { Fn, SecretValue, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { DatabaseSpec } from '../../config/model.js';
import type { BerthCache } from './cache.js';
import type { BerthDatabase } from './database.js';
import { DATABASE_URL, PG_VARIABLES, REDIS_URL, secretName } from '../../model/index.js';

export interface AppWiringProps {
  readonly app: string;
  readonly env: string;
  /** Plain, non-secret variables from berth.yml (`service.env`). */
  readonly environment: Record<string, string>;
  /**
   * Names of secrets created with `berth secrets set NAME`, stored as `berth/<app>/<env>/<NAME>` and injected under NAME.
   * @default []
   */
  readonly secretNames?: string[];
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

export class AppWiring extends Construct {
  readonly environment: Record<string, string> = {};
  readonly secrets: Record<string, ecs.Secret> = {};
  /** Every secret the execution role must read: exactly the ones injected. */
  readonly readableSecrets: secretsmanager.ISecret[] = [];
  readonly sources: EnvironmentVariableSource[] = [];
  /** The secret holding the full DATABASE_URL, when there is a database. */
  readonly databaseUrlSecret?: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: AppWiringProps) {
    super(scope, id);
    for (const [name, value] of Object.entries(props.environment)) this.plain(name, value, 'berth.yml service.env');

    for (const name of props.secretNames ?? []) {
      const fullName = secretName(props.app, props.env, name);
      const secret = secretsmanager.Secret.fromSecretNameV2(this, `Secret-${name}`, fullName);
      this.secret(name, secret, ecs.Secret.fromSecretsManager(secret), `Secrets Manager ${fullName}`);
    }

    if (props.database) {
      const { construct: database, spec } = props.database;
      const dbSecret = database.secret;
      this.plain(PG_VARIABLES.host, database.instance.dbInstanceEndpointAddress, 'database endpoint');
      this.plain(PG_VARIABLES.port, database.instance.dbInstanceEndpointPort, 'database endpoint');
      this.plain(PG_VARIABLES.database, spec.name, 'database name');
      this.plain(PG_VARIABLES.user, spec.username, 'database user');
      this.secret(PG_VARIABLES.password, dbSecret, ecs.Secret.fromSecretsManager(dbSecret, 'password'), 'generated database secret (password field)');

      // ECS cannot template a variable from parts, so the URL is its own secret; CloudFormation resolves the
      // password's dynamic reference into it at deploy time: the template holds only `{{resolve:secretsmanager:...}}`.
      const password = dbSecret.secretValueFromJson('password').unsafeUnwrap();
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
      this.secret(DATABASE_URL, this.databaseUrlSecret, ecs.Secret.fromSecretsManager(this.databaseUrlSecret), 'secret assembled from the database secret');
    }

    if (props.cache) this.secret(REDIS_URL, props.cache.urlSecret, ecs.Secret.fromSecretsManager(props.cache.urlSecret), 'secret assembled from the cache endpoint and AUTH token (TLS)');
  }

  private plain(name: string, value: string, from: string): void {
    this.environment[name] = value;
    this.sources.push({ name, kind: 'plain', from });
  }

  private secret(name: string, secret: secretsmanager.ISecret, ecsSecret: ecs.Secret, from: string): void {
    this.secrets[name] = ecsSecret;
    if (!this.readableSecrets.includes(secret)) this.readableSecrets.push(secret);
    this.sources.push({ name, kind: 'secret', from });
  }
}
