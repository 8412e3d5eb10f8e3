/**
 * The order test files start in: the slowest first, so that on a clean clone (no vitest
 * cache to order by, as in CI) no long file starts last and runs alone at the end. The
 * list is of files over ~20 s in a clean-clone run; the rest keep vitest's own order.
 */
import { BaseSequencer } from 'vitest/node';
import type { TestSpecification } from 'vitest/node';

const SLOWEST = [
  'test/e2e/cli/checkpoint.test.ts',
  'test/e2e/cluster/node-faults.test.ts',
  'test/e2e/cli/migration.test.ts',
  'test/e2e/kernel/differential-cases.test.ts',
  'test/e2e/sources/parquet.test.ts',
  'test/e2e/cli/never-guess.test.ts',
  'test/e2e/server/durable.test.ts',
  'test/e2e/cli/bad-input.test.ts',
  'test/e2e/server/dashboard.test.ts',
  'test/e2e/cluster/publish.test.ts',
  'test/unit/engine/engine.any-order.test.ts',
  'test/e2e/cli/counted.test.ts',
  'test/e2e/server/worker-faults.test.ts',
  'test/unit/engine/engine.sketch-agreement.test.ts',
  'test/e2e/server/stalled-client.test.ts',
  'test/e2e/cluster/nodes.test.ts',
];

export default class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const rank = (f: TestSpecification): number => {
      const i = SLOWEST.findIndex((s) => f.moduleId.endsWith(s));
      return i < 0 ? SLOWEST.length : i;
    };
    // within a project, as vitest keeps projects apart
    const project = (f: TestSpecification): number => base.findIndex((g) => g.project === f.project);
    return base
      .map((f, i) => ({ f, i }))
      .sort((a, b) => project(a.f) - project(b.f) || rank(a.f) - rank(b.f) || a.i - b.i)
      .map((x) => x.f);
  }
}
