/** Every berth command. Each module only declares its command; heavy work is imported when it runs. */
import type { Command } from 'commander';
import { registerDiff } from './diff.js';
import { registerSchema } from './schema.js';
import { registerValidate } from './validate.js';

export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerValidate,
  registerSchema,
  registerDiff,
];
