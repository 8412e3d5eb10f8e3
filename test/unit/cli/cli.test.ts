/**
 * A short run's start is mostly loading modules: the CLI loads a subcommand's modules only
 * when it runs, and the input front door a reader's only when an input of its kind comes
 * (sources/later.ts). Checked on the static imports (what loads before any code runs).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { packageRoot } from '../../../src/package-root.js';

const src = join(packageRoot(), 'src');

/** The packages a module of src/ loads before its first line runs: static value imports, followed. */
function packagesLoadedBy(file: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    const text = readFileSync(path, 'utf8');
    // `import type` is erased; `import { type X }` of every name would be too, but is not written here
    for (const m of text.matchAll(/^(?:import(?!\s+type\b)|export(?!\s+type\b))[^'";]*?from\s*['"]([^'"]+)['"]/gm)) {
      const spec = m[1];
      if (spec.startsWith('.')) visit(resolve(path, '..', spec).replace(/\.js$/, '.ts'));
      else if (!spec.startsWith('node:'))
        packages.add(
          spec
            .split('/')
            .slice(0, spec.startsWith('@') ? 2 : 1)
            .join('/'),
        );
    }
  };
  visit(join(src, file));
  return packages;
}

test('rfm loads no subcommand before it knows which one runs', () => {
  expect([...packagesLoadedBy('cli/cli.ts')]).toEqual(['commander']);
});

test("a replay loads no reader it may not need: Arrow's library, Parquet's decompressors, the server's", () => {
  const loaded = packagesLoadedBy('cli/replay.ts');
  for (const later of ['apache-arrow', 'fzstd', 'parquet-wasm', 'ws']) expect(loaded).not.toContain(later);
  // what every replay needs is still there: the check reads the imports
  expect(loaded).toContain('piscina');
  expect(loaded).toContain('@assemblyscript/loader');
});
