import { defineConfig } from 'vitest/config';

/**
 * Two projects. `unit`: pure and in-process tests (and CLI wiring spawns), run in parallel.
 * `engine`: tests on the real Docker engine (and browsers driving it); they share one engine and published
 * ports, so their files run one at a time, and one run at a time per engine (test/engine-lock.global.ts). A new engine test is named `*.engine.test.ts` (or `*.docker.test.ts`).
 */
const ENGINE_TESTS = [
  '**/*.engine.test.ts',
  '**/*.docker.test.ts',
  'test/local-*.test.ts',
  'test/doctor-fixtures.test.ts',
  'src/doctor/engine-checks.test.ts',
  'src/build/build-image.test.ts',
];

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          // GitHub's workflow parser imports its JSON schema without an import attribute, which Node refuses: Vite loads it.
          server: { deps: { inline: ['@actions/workflow-parser'] } },
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...ENGINE_TESTS],
          testTimeout: 30_000,
          hookTimeout: 120_000,
          fileParallelism: true,
        },
      },
      {
        test: {
          name: 'engine',
          include: ENGINE_TESTS,
          exclude: ['**/node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 600_000,
          fileParallelism: false,
          globalSetup: ['test/engine-lock.global.ts'],
        },
      },
    ],
  },
});
