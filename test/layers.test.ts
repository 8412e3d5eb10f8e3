/**
 * The one-way flow of src/: sources and the conversion stage feed the engine, the engine
 * returns snapshots, the report module names them; kernels know nothing of their wrappers.
 * Every file of a folder counts, its subfolders' too (sources/carts/ is sources).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { packageRoot } from '../src/package-root.js';

const src = join(packageRoot(), 'src');

/** The .ts files under a folder of src/, subfolders included. */
function filesOf(folder: string): string[] {
  return readdirSync(join(src, folder), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(src, join(e.parentPath, e.name)));
}

/** Every import of a folder of src/: [importing file, imported top folder]. */
function importsOf(folder: string): [string, string][] {
  const out: [string, string][] = [];
  for (const file of filesOf(folder)) {
    const dir = join(src, file, '..');
    for (const m of readFileSync(join(src, file), 'utf8').matchAll(/^import[^'"]*['"](\.[^'"]+)['"]/gm)) {
      const target = relative(src, resolve(dir, m[1])).split('/');
      out.push([file, target.length > 1 ? target[0] : '.']);
    }
  }
  return out;
}

const RULES: [string, string[]][] = [
  ['sources', ['engine', 'report', 'server', 'cli']],
  ['batch', ['engine', 'report', 'sources', 'server', 'cli', 'kernel']],
  ['engine', ['report', 'server', 'cli', 'sources']],
  ['report', ['engine', 'server', 'cli']],
  ['core', ['kernel', 'engine', 'batch', 'report', 'sources']],
  ['kernel', ['engine', 'batch', 'report', 'sources']],
  ['predict', ['engine', 'report', 'server', 'cli', 'sources']],
  ['model', ['engine', 'report', 'server', 'cli', 'sources', 'batch']],
  ['server', ['cli']],
  ['abi', ['engine', 'report', 'server', 'cli', 'sources', 'batch', 'kernel']],
  ['native', ['engine', 'report', 'server', 'cli', 'sources', 'batch', 'kernel', 'core']],
];

test.each(RULES)('nothing in src/%s imports from %j', (folder, forbidden) => {
  const bad = importsOf(folder).filter(([, to]) => forbidden.includes(to));
  expect(bad).toEqual([]);
  expect(filesOf(folder).length).toBeGreaterThan(0);
});

test('the rule reads subfolders: sources/carts is sources', () => {
  expect(filesOf('sources')).toContain(join('sources', 'carts', 'cart-import.ts'));
});

test('every room of src/ has a rule (cli, the top, may import any)', () => {
  const rooms = readdirSync(src, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  expect(rooms).toEqual([...RULES.map(([f]) => f), 'cli'].sort());
});

