import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Layering (docs/architecture.md): data flows cli -> config -> plan -> targets -> report.
 * Nothing under plan/, targets/, doctor/, model/, config/, build/ or terminal/ may import cli/;
 * plan/ does no I/O except in its named entry points (below); model/ and terminal/ are leaves.
 * src/layering.test.ts proves each rule fails on a back-edge.
 */
const NO_CLI = { group: ['**/cli/*', '**/cli/**'], message: 'cli/ sits on top: move what you need into terminal/, model/ or the layer itself.' };
const IO_MODULES = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'child_process', 'node:child_process', 'net', 'node:net', 'http', 'node:http', 'https', 'node:https', 'dockerode'];
const NO_IO = { group: IO_MODULES, message: 'plan/ is pure (config in, plans out): do I/O in targets/, or in a named plan entry point.' };
const NO_TARGETS = { group: ['**/targets/*', '**/targets/**', '**/doctor/*', '**/doctor/**'], message: 'plan/ decides, targets/ and doctor/ do: plan must not import them.' };
const NO_SDK = { group: ['@aws-sdk/*'], message: 'plan/ makes no AWS calls.' };

/** The plan modules allowed to touch files: synthesis writes the cloud assembly; price and spec data are read from disk. */
const PLAN_IO_ENTRY_POINTS = ['src/plan/aws/synthesize.ts', 'src/plan/aws/synthesize-ci.ts', 'src/plan/cost/price-table.ts', 'src/plan/aws/template-check.ts', 'src/plan/aws/cloudfront-prefix-lists.ts'];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.berth/', 'examples/**/node_modules/', '**/cdk.out/', 'test/fixtures/apps/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/targets/**/*.ts', 'src/doctor/**/*.ts', 'src/config/**/*.ts', 'src/build/**/*.ts', 'src/init/**/*.ts', 'src/ci/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_CLI] }] },
  },
  {
    files: ['src/model/**/*.ts', 'src/terminal/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_CLI, { group: ['**/targets/**', '**/doctor/**', '**/plan/**', '**/build/**'], message: 'model/ and terminal/ are leaves: they import only config/ types and libraries.' }] }] },
  },
  {
    files: ['src/plan/**/*.ts'],
    ignores: ['src/plan/**/*.test.ts', ...PLAN_IO_ENTRY_POINTS],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_CLI, NO_IO, NO_TARGETS, NO_SDK] }] },
  },
  {
    files: PLAN_IO_ENTRY_POINTS,
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_CLI, NO_TARGETS, NO_SDK] }] },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' } },
  },
);
