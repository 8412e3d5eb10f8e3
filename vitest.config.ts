import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer } from 'vitest/node';
import type { TestSpecification } from 'vitest/node';

/**
 * Files run longest first, so that the two workers end together: by the seconds each took in
 * a recorded run (test/support/durations.json; a file not in it first, as it may be long).
 * vitest's own order needs the durations of a run before on this machine, which a clean
 * clone has not: it ran files by size, and CI took 374 s where a second run took 307.
 */
const DURATIONS = JSON.parse(readFileSync('test/support/durations.json', 'utf8')) as Record<string, number>;
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const seconds = (f: TestSpecification): number =>
      DURATIONS[relative(process.cwd(), f.moduleId)] ?? Number.POSITIVE_INFINITY;
    return [...files].sort((a, b) =>
      a.project.name !== b.project.name ? (a.project.name < b.project.name ? -1 : 1) : seconds(b) - seconds(a),
    );
  }
}

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
    sequence: { sequencer: LongestFirst },
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
