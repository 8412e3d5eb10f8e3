/**
 * vitest globalSetup of both tiers: builds what the tests run (the kernels' WASM, dist/ for
 * the CLI and the worker threads) when a source is newer than its output, and only then.
 * CI's `npm ci` has built it all; a developer's edit rebuilds it before the run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT } from './data.js';

/** The newest modification time of the files under a folder (0 when it is missing). */
function newest(folder: string, ext: string[]): number {
  const dir = join(PROJECT, folder);
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && ext.some((x) => e.name.endsWith(x)))
      t = Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return t;
}

const built = (path: string): number => (existsSync(join(PROJECT, path)) ? statSync(join(PROJECT, path)).mtimeMs : 0);

export default function setup(): void {
  const kernels = Math.min(built('build/kernel.wasm'), built('build/csv.wasm'));
  const stale =
    newest('assembly', ['.ts']) > kernels ||
    newest('src', ['.ts', '.mjs', '.c']) > Math.min(kernels, built('dist/bin/cli.js'));
  if (!stale) return;
  // prepare: the ABI's constants from src/abi/table.mjs first, then the build
  process.stderr.write('the build is older than its sources: npm run prepare\n');
  execFileSync('npm', ['run', 'prepare'], { cwd: PROJECT, stdio: ['ignore', 'inherit', 'inherit'] });
}
