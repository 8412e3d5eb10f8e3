import { defineConfig } from 'vitest/config';
import SlowFirst from './test/support/slow-first.js';

/**
 * Two tiers (test/README.md): unit, in process, a file per module of src/; e2e, the real
 * processes, browser and sockets. `npm test` runs both, `npm run test:unit` the first.
 * Files run three at a time on this machine's two cores: the end-to-end files wait on processes,
 * sockets and leases much of their time (two at a time: 345-360 s for the suite, three: 312).
 */
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { TZ: 'UTC' },
    maxWorkers: 3,
    sequence: { sequencer: SlowFirst },
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
