/**
 * RDS PostgreSQL in isolated subnets, reachable only from the services, with its master password generated into
 * Secrets Manager, backups and patches in fixed UTC windows, and storage that grows on its own up to `maxStorage`.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { DatabaseSpec } from '../../config/model.js';
import { POSTGRES_PORT } from '../../model/index.js';

export interface BerthDatabaseProps {
  readonly vpc: ec2.IVpc;
  /** Isolated subnets: no route to or from the internet. */
  readonly subnets: ec2.SubnetSelection;
  /** Engine version, instance class, storage, backups, Multi-AZ, database and user names. */
  readonly spec: DatabaseSpec;
  /**
   * Production: deletion protection on and a final snapshot when the stack removes the instance.
   * Otherwise removal deletes the instance and its automated backups.
   * @default false
   */
  readonly production?: boolean;
}


export class BerthDatabase extends Construct {
  readonly instance: rds.DatabaseInstance;
  /** The generated secret: JSON with username, password, host, port, dbname, engine. */
  readonly secret: secretsmanager.ISecret;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: BerthDatabaseProps) {
    super(scope, id);
    const { spec } = props;
    const production = props.production ?? false;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'database: PostgreSQL from the service only',
      allowAllOutbound: false,
    });
    // Cost: db.t4g.micro is ~$0.016/hour (~$11.70/month), doubled with Multi-AZ; gp3 storage ~$0.115/GB-month; backups up to the storage size are free.
    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.of(spec.version, spec.version) }),
      instanceType: new ec2.InstanceType(spec.instance.replace(/^db\./, '')),
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      publiclyAccessible: false,
      port: POSTGRES_PORT,
      databaseName: spec.name,
      credentials: rds.Credentials.fromGeneratedSecret(spec.username),
      allocatedStorage: spec.storage,
      storageType: rds.StorageType.GP3,
      storageEncrypted: true,
      multiAz: spec.multiAz,
      backupRetention: Duration.days(spec.backupDays),
      preferredBackupWindow: spec.backupWindow,
      preferredMaintenanceWindow: spec.maintenanceWindow,
      // Storage autoscaling: RDS adds space when less than 10% is free (you pay for what is allocated).
      ...(spec.maxStorage > spec.storage ? { maxAllocatedStorage: spec.maxStorage } : {}),
      deletionProtection: production,
      // Every environment keeps a final snapshot when its stack is destroyed; production also refuses deletion.
      removalPolicy: RemovalPolicy.SNAPSHOT,
      deleteAutomatedBackups: !production,
      autoMinorVersionUpgrade: true,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
    });
    this.secret = this.instance.secret!;

    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason: 'The default PostgreSQL port is reachable only from the service security group; a custom port adds no protection.',
    });
    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions-IAMNoInlinePolicy',
      reason: 'No inline policy is attached to the database.',
    });
    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotation needs a rotation function and would leave the DATABASE_URL secret stale; berth redeploys to change the password.',
    });
    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions-RDS6',
      reason: 'The app connects with the generated password delivered as an ECS secret; IAM database authentication needs code changes in the app.',
    });
    if (!spec.multiAz) {
      Validations.of(this.instance).acknowledge({
        id: 'AwsSolutions-RDS3',
        reason: 'Multi-AZ doubles the database cost; it is a choice in berth.yml (database.multiAz), off unless asked.',
      });
    }
    if (!production) {
      Validations.of(this.instance).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason: 'Deletion protection is on only in production environments so that test environments can be destroyed.',
      });
    }
  }
}
