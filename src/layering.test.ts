/**
 * The direction of imports is enforced by eslint.config.js; these cases prove each rule fails on a back-edge
 * (and passes on the allowed direction), so a careless edit of the config cannot silently drop one.
 */
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${file}` });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('layering rules', () => {
  it.each([
    ['src/targets/local/new-module.ts', "import { printLine } from '../../cli/output.js';\nexport const x = printLine;\n"],
    ['src/doctor/new-module.ts', "import type { GlobalOptions } from '../cli/output.js';\nexport type X = GlobalOptions;\n"],
    ['src/plan/aws/new-module.ts', "import { registerPlan } from '../../cli/commands/plan.js';\nexport const x = registerPlan;\n"],
    ['src/config/new-module.ts', "import { main } from '../cli/main.js';\nexport const x = main;\n"],
    ['src/model/new-module.ts', "import { main } from '../cli/main.js';\nexport const x = main;\n"],
  ])('%s may not import cli/', async (file, code) => {
    expect((await restrictedImports(file, code)).join('\n')).toMatch(/cli\//);
  });

  it.each([
    ['src/plan/local/new-module.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
    ['src/plan/cost/new-module.ts', "import { execFile } from 'node:child_process';\nexport const x = execFile;\n"],
    ['src/plan/aws/new-module.ts', "import Docker from 'dockerode';\nexport const x = Docker;\n"],
    ['src/plan/aws/new-module.ts', "import { ECSClient } from '@aws-sdk/client-ecs';\nexport const x = ECSClient;\n"],
    ['src/plan/local/new-module.ts', "import { rollout } from '../../targets/local/rollout.js';\nexport const x = rollout;\n"],
  ])('%s does no I/O and does not reach into targets/', async (file, code) => {
    expect(await restrictedImports(file, code)).not.toEqual([]);
  });

  it('model/ and terminal/ are leaves', async () => {
    expect(await restrictedImports('src/model/new-module.ts', "import { planLocal } from '../plan/local/local-plan.js';\nexport const x = planLocal;\n")).not.toEqual([]);
    expect(await restrictedImports('src/terminal/new-module.ts', "import { rollout } from '../targets/local/rollout.js';\nexport const x = rollout;\n")).not.toEqual([]);
  });

  it('allows the intended direction', async () => {
    expect(await restrictedImports('src/targets/local/new-module.ts', "import type { Progress } from '../../terminal/progress.js';\nimport { localPrefix } from '../../model/index.js';\nexport type X = Progress;\nexport const y = localPrefix;\n")).toEqual([]);
    expect(await restrictedImports('src/cli/commands/new-module.ts', "import { rollout } from '../../targets/local/rollout.js';\nexport const x = rollout;\n")).toEqual([]);
    expect(await restrictedImports('src/plan/aws/synthesize.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toEqual([]);
  });
});
