/** Every berth command. Each module only declares its command; heavy work is imported when it runs. */
import type { Command } from 'commander';
import { registerCi } from './ci.js';
import { registerCost } from './cost.js';
import { registerDeploy } from './deploy.js';
import { registerDestroy } from './destroy.js';
import { registerDiff } from './diff.js';
import { registerDoctor } from './doctor.js';
import { registerExec } from './exec.js';
import { registerInit } from './init.js';
import { registerJobs } from './jobs.js';
import { registerLogs } from './logs.js';
import { registerPlan } from './plan.js';
import { registerReleases } from './releases.js';
import { registerRollback } from './rollback.js';
import { registerRun } from './run.js';
import { registerSchema } from './schema.js';
import { registerSecrets } from './secrets.js';
import { registerStatus } from './status.js';
import { registerUi } from './ui.js';
import { registerValidate } from './validate.js';

export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerInit,
  registerValidate,
  registerPlan,
  registerCost,
  registerSchema,
  registerDiff,
  registerDeploy,
  registerStatus,
  registerLogs,
  registerReleases,
  registerRollback,
  registerRun,
  registerExec,
  registerJobs,
  registerSecrets,
  registerDestroy,
  registerDoctor,
  registerCi,
  registerUi,
];
