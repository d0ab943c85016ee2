import type { Command } from 'commander';
import { berthJsonSchema } from '../../config/schema.js';
import { printJson } from '../output.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of berth.yml (editors use it for completion and checks)')
    .addHelpText('after', '\nExample:\n  berth schema > berth.schema.json')
    .action(() => {
      printJson(berthJsonSchema());
    });
}
