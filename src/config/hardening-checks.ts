/**
 * Rules for the AWS production settings: task-role permissions, private-registry credentials, HTTPS, an existing
 * VPC, database windows and storage growth, alarm thresholds. Called from checkSections with the same `add`.
 */
import { DEFAULTS } from './defaults.js';
import { parseLatency } from './latency.js';
import type { Sections } from './merge-environment.js';
import { hasOwnImage, registryCredentialsOf, serviceEntries, type ServiceEntry } from './service-entries.js';
import { ENV_VAR_PATTERN } from './schema.js';
import type { SemanticProblem } from './semantic-checks.js';

type Add = (path: PropertyKey[], message: string, extra?: Partial<SemanticProblem>) => void;

const ECR_IMAGE = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;
const IAM_ACTION = /^([a-z0-9-]+:[A-Za-z0-9*?]+|\*)$/;

export function checkHardening(sections: Sections, add: Add): void {
  checkPermissions(sections.permissions, [], add);
  for (const entry of serviceEntries(sections)) {
    checkPermissions(entry.raw.permissions, entry.path, add);
    checkRegistryCredentials(sections, entry, add);
  }
  if (sections.https === false && sections.domain) {
    add(['https'], 'false contradicts domain: a domain is served over HTTPS by the load balancer with its own certificate', { hint: 'remove https: false (it only turns off CloudFront for environments without a domain)', involves: [['domain']] });
  }
  checkVpc(sections, add);
  checkDatabaseSettings(sections, add);
  if (sections.alarms && sections.alarms.latencyP99 !== undefined) {
    const seconds = parseLatency(sections.alarms.latencyP99);
    if (seconds === undefined || seconds < 0.01 || seconds > 3600) add(['alarms', 'latencyP99'], `"${sections.alarms.latencyP99}" is out of range (expected 10ms to 3600s, such as 2s or 500ms)`);
  }
}

/** An action is `service:Action` (wildcards allowed) or `*`; `*` on every resource would give the app the whole account. */
function checkPermissions(statements: Sections['permissions'], base: PropertyKey[], add: Add): void {
  (statements ?? []).forEach((statement, index) => {
    const at = [...base, 'permissions', index];
    statement.actions.forEach((action, i) => {
      if (!IAM_ACTION.test(action)) add([...at, 'actions', i], `"${action}" is not an IAM action (expected service:Action such as s3:GetObject)`);
    });
    const everyAction = statement.actions.some((action) => action === '*' || action === '*:*');
    const everyResource = statement.resources.some((resource) => resource === '*');
    if (everyAction && everyResource) {
      add(at, 'grants every action on every resource (the whole AWS account) to the app', { hint: 'name the actions (e.g. s3:GetObject) and the resources (e.g. arn:aws:s3:::my-bucket/*) the app needs' });
    }
    statement.resources.forEach((resource, i) => {
      if (resource !== '*' && !resource.startsWith('arn:')) add([...at, 'resources', i], `"${resource}" is not an ARN (expected arn:aws:..., or * where the action has no resource-level permissions)`);
    });
  });
}

function checkRegistryCredentials(sections: Sections, entry: ServiceEntry, add: Add): void {
  const { value, path } = registryCredentialsOf(sections, entry);
  if (value === undefined) return;
  if (!ENV_VAR_PATTERN.test(value)) {
    add(path, `"${value}" is not a secret name: use letters, digits and _ (berth secrets set ${value.replace(/[^A-Za-z0-9_]/g, '_')} stores it)`);
    return;
  }
  const own = hasOwnImage(entry);
  const image = own ? entry.raw.image : entry.shorthand ? (entry.raw.image ?? sections.image) : sections.image;
  if (image === undefined) {
    add(path, 'applies to an image pulled from a private registry, but this service runs an image berth builds and pushes to ECR', { hint: 'remove registryCredentials, or set image to the private image' });
  } else if (ECR_IMAGE.test(image)) {
    add(path, `${image} is in Amazon ECR: ECS pulls it with the task execution role, not with registry credentials`, { hint: 'remove registryCredentials' });
  }
}

function checkVpc(sections: Sections, add: Add): void {
  const network = sections.network;
  if (!network || typeof network !== 'object' || network.vpc === undefined) return;
  if (network.cidr !== undefined) add(['network', 'cidr'], 'does not apply with network.vpc: the existing VPC keeps its own address range', { involves: [['network', 'vpc']] });
  if (network.zones !== undefined) add(['network', 'zones'], 'does not apply with network.vpc: berth uses the subnets the VPC has', { involves: [['network', 'vpc']] });
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function minutesOfDay(text: string): number {
  const [hours, minutes] = text.split(':').map(Number);
  return hours! * 60 + minutes!;
}

/** A daily window as [start, end) minutes of the day, end past 1440 when it crosses midnight. */
function dailyWindow(text: string): [number, number] {
  const [from, to] = text.split('-') as [string, string];
  const start = minutesOfDay(from);
  let end = minutesOfDay(to);
  if (end <= start) end += 1440;
  return [start, end];
}

/** A weekly window as [start, end) minutes of the week. */
function weeklyWindow(text: string): [number, number] {
  const [from, to] = text.split('-') as [string, string];
  const at = (part: string) => DAYS.indexOf(part.slice(0, 3)) * 1440 + minutesOfDay(part.slice(4));
  const start = at(from);
  let end = at(to);
  if (end <= start) end += 7 * 1440;
  return [start, end];
}

function checkDatabaseSettings(sections: Sections, add: Add): void {
  const db = sections.database;
  if (!db || typeof db !== 'object') return;
  const backup = db.backupWindow ?? DEFAULTS.database.backupWindow;
  const maintenance = db.maintenanceWindow ?? DEFAULTS.database.maintenanceWindow;
  const [backupStart, backupEnd] = dailyWindow(backup);
  if (db.backupWindow !== undefined && backupEnd - backupStart < 30) add(['database', 'backupWindow'], `${backup} is shorter than the 30 minutes RDS needs`);
  const [maintenanceStart, maintenanceEnd] = weeklyWindow(maintenance);
  if (db.maintenanceWindow !== undefined && maintenanceEnd - maintenanceStart < 30) add(['database', 'maintenanceWindow'], `${maintenance} is shorter than the 30 minutes RDS needs`);
  const overlaps = [0, 1, 2, 3, 4, 5, 6, 7].some((day) => {
    const start = backupStart + day * 1440;
    const end = backupEnd + day * 1440;
    return [0, 7 * 1440].some((week) => start < maintenanceEnd + week && maintenanceStart + week < end);
  });
  if (overlaps && (db.backupWindow !== undefined || db.maintenanceWindow !== undefined)) {
    add(['database', db.backupWindow !== undefined ? 'backupWindow' : 'maintenanceWindow'], `the backup window ${backup} overlaps the maintenance window ${maintenance} (RDS refuses overlapping windows)`, {
      involves: [['database', 'backupWindow'], ['database', 'maintenanceWindow']],
    });
  }
  const storage = db.storage ?? DEFAULTS.database.storage;
  if (db.maxStorage !== undefined) {
    if (db.maxStorage > 65536) add(['database', 'maxStorage'], `${db.maxStorage} GiB is out of range (RDS gp3 storage grows to at most 65536 GiB)`);
    else if (db.maxStorage < storage) add(['database', 'maxStorage'], `${db.maxStorage} GiB is less than storage (${storage} GiB)`, { involves: [['database', 'storage']] });
    else if (db.maxStorage !== storage && db.maxStorage < Math.ceil(storage * 1.1)) {
      add(['database', 'maxStorage'], `${db.maxStorage} GiB must be at least 10% more than storage (${storage} GiB), or equal to it to turn storage autoscaling off`, { involves: [['database', 'storage']] });
    }
  }
}
