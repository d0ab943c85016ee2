import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 600_000,
    // Docker-engine tests share one engine and published ports: run files one at a time.
    fileParallelism: false,
    reporters: ['default'],
    // GitHub's workflow parser imports its JSON schema without an import attribute, which Node refuses: Vite loads it
    // (and says once per module that the package's source maps lack their sources).
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
