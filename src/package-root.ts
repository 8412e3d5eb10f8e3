import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/**
 * The rfmstream package folder, found by walking up from this module: the same code runs
 * from src/ (tests), dist/ (the CLI) and worker threads, at different depths.
 */
export function packageRoot(): string {
  if (root !== null) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'rfmstream'
    ) {
      root = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the rfmstream package folder above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/**
 * The compiled JS file of a module under src/, for starting a worker thread on it: the
 * sibling .js when the caller itself runs compiled, else dist/<relative> (under vitest the
 * caller runs from src/*.ts, but worker threads need JS).
 */
export function compiledModule(callerUrl: string, relative: string): string {
  const here = fileURLToPath(callerUrl);
  if (here.endsWith('.js')) return join(packageRoot(), 'dist', relative).replace(/\.ts$/, '.js');
  const built = join(packageRoot(), 'dist', relative.replace(/\.ts$/, '.js'));
  if (!existsSync(built)) throw new Error(`${built} is missing: run "npm run build"`);
  return built;
}
