/**
 * The one-way flow of src/: sources and the conversion stage feed the engine, the engine
 * returns snapshots, the report module names them; kernels know nothing of their wrappers.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { packageRoot } from '../src/package-root.js';

const src = join(packageRoot(), 'src');

/** Every import of a folder of src/: [importing file, imported folder]. */
function importsOf(folder: string): [string, string][] {
  const out: [string, string][] = [];
  for (const f of readdirSync(join(src, folder)).filter((n) => n.endsWith('.ts'))) {
    const file = join(src, folder, f);
    for (const m of readFileSync(file, 'utf8').matchAll(/^import[^'"]*['"](\.[^'"]+)['"]/gm)) {
      const target = relative(src, resolve(join(src, folder), m[1])).split('/');
      out.push([`${folder}/${f}`, target.length > 1 ? target[0] : '.']);
    }
  }
  return out;
}

test.each([
  ['sources', ['engine', 'report', 'server', 'cli']],
  ['batch', ['engine', 'report', 'sources', 'server', 'cli', 'kernel']],
  ['engine', ['report', 'server', 'cli', 'sources']],
  ['report', ['engine', 'server', 'cli']],
  ['core', ['kernel', 'engine', 'batch', 'report', 'sources']],
  ['kernel', ['engine', 'batch', 'report', 'sources']],
])('nothing in src/%s imports from %j', (folder, forbidden) => {
  const bad = importsOf(folder).filter(([, to]) => forbidden.includes(to));
  expect(bad).toEqual([]);
  expect(importsOf(folder).length).toBeGreaterThan(0);
});
