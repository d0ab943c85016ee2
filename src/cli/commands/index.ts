/** Every berth command. Each module only declares its command; heavy work is imported when it runs. */
import type { Command } from 'commander';
import { registerCost } from './cost.js';
import { registerInit } from './init.js';
import { registerPlan } from './plan.js';
import { registerSchema } from './schema.js';
import { registerValidate } from './validate.js';

export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerInit,
  registerValidate,
  registerPlan,
  registerCost,
  registerSchema,
];
