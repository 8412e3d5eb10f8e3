import { defineConfig } from 'vitest/config';

/**
 * Two tiers (test/README.md): unit, in process, a file per module of src/; e2e, the real
 * processes, browser and sockets. `npm test` runs both, `npm run test:unit` the first.
 * Files run two at a time (this machine has two cores; vitest's default would be one).
 */
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { TZ: 'UTC' },
    maxWorkers: 2,
    setupFiles: ['test/support/temp-dirs.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          globalSetup: ['test/support/built.ts'],
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/built.ts', 'test/e2e/cdnow-once.ts'],
          isolate: false,
        },
      },
    ],
  },
});
