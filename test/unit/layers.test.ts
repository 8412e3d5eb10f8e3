/**
 * The one-way flow of src/: sources and the conversion stage feed the engine, the engine
 * returns snapshots, the report module names them; kernels know nothing of their wrappers.
 * Every file of a folder counts, its subfolders' too (sources/carts/ is sources).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { packageRoot } from '../../src/package-root.js';

const src = join(packageRoot(), 'src');

/** The .ts files under a folder of src/, subfolders included. */
function filesOf(folder: string): string[] {
  return readdirSync(join(src, folder), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(src, join(e.parentPath, e.name)));
}

/** The files of src/ a file imports or re-exports from (paths from src/, .ts). */
function targetsOf(file: string): string[] {
  const dir = join(src, file, '..');
  return [
    ...readFileSync(join(src, file), 'utf8').matchAll(
      /^(?:import|export)[^'";]*?from\s*['"](\.[^'"]+)['"]|^import\s*['"](\.[^'"]+)['"]/gm,
    ),
  ].map((m) => relative(src, resolve(dir, m[1] ?? m[2])).replace(/\.js$/, '.ts'));
}

/** Every import of a folder of src/: [importing file, imported top folder]. */
function importsOf(folder: string): [string, string][] {
  return filesOf(folder).flatMap((file) =>
    targetsOf(file).map((t): [string, string] => {
      const target = t.split('/');
      return [file, target.length > 1 ? target[0] : '.'];
    }),
  );
}

const RULES: [string, string[]][] = [
  ['sources', ['engine', 'report', 'server', 'cli']],
  ['batch', ['engine', 'report', 'sources', 'server', 'cli', 'kernel']],
  ['engine', ['report', 'server', 'cli', 'sources', 'predict']],
  ['report', ['engine', 'server', 'cli']],
  ['core', ['kernel', 'engine', 'batch', 'report', 'sources', 'server', 'cli', 'predict', 'model']],
  ['domain', ['core', 'kernel', 'engine', 'batch', 'report', 'sources', 'server', 'cli', 'predict', 'model', 'native']],
  ['kernel', ['engine', 'batch', 'report', 'sources']],
  ['predict', ['engine', 'report', 'server', 'cli', 'sources']],
  ['model', ['engine', 'report', 'server', 'cli', 'sources', 'batch']],
  ['server', ['cli']],
  ['cluster', ['cli']],
  ['abi', ['engine', 'report', 'server', 'cli', 'sources', 'batch', 'kernel']],
  ['native', ['engine', 'report', 'server', 'cli', 'sources', 'batch', 'kernel', 'core']],
];

test.each(RULES)('nothing in src/%s imports from %j', (folder, forbidden) => {
  const bad = importsOf(folder).filter(([, to]) => forbidden.includes(to));
  expect(bad).toEqual([]);
  expect(filesOf(folder).length).toBeGreaterThan(0);
});

/** A room of src/sources/ imports the top of sources/ and only these of its neighbours. */
const SOURCE_ROOMS: [string, string[]][] = [
  ['arrow', ['parquet']], // the Arrow reading thread reads Parquet too
  ['carts', ['csv']], // a cart's export is read by the CSV scanner
  ['csv', []],
  ['generator', []],
  ['parquet', []],
];

test.each(SOURCE_ROOMS)('src/sources/%s imports no other room of sources/ but %j', (room, allowed) => {
  const others = filesOf(join('sources', room))
    .flatMap((f) => targetsOf(f).map((t) => [f, t]))
    .filter(
      ([, t]) =>
        t.startsWith('sources/') &&
        t.split('/').length > 2 &&
        t.split('/')[1] !== room &&
        !allowed.includes(t.split('/')[1]),
    );
  expect(others).toEqual([]);
});

test('every room of src/sources/ has a rule', () => {
  const rooms = readdirSync(join(src, 'sources'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  expect(rooms).toEqual(SOURCE_ROOMS.map(([r]) => r).sort());
});

test('no import circle anywhere in src/ (type imports too)', () => {
  const files = filesOf('.');
  const done = new Set<string>();
  const open: string[] = [];
  const circles: string[] = [];
  const visit = (f: string): void => {
    open.push(f);
    for (const t of targetsOf(f)) {
      if (!t.endsWith('.ts') || !files.includes(t)) continue;
      if (open.includes(t)) circles.push([...open.slice(open.indexOf(t)), t].join(' -> '));
      else if (!done.has(t)) visit(t);
    }
    open.pop();
    done.add(f);
  };
  for (const f of files) if (!done.has(f)) visit(f);
  expect(files.length).toBeGreaterThan(100);
  expect(circles).toEqual([]);
});

test('the rule reads subfolders: sources/carts is sources', () => {
  expect(filesOf('sources')).toContain(join('sources', 'carts', 'cart-import.ts'));
});

test('every room of src/ has a rule (cli, the top, may import any)', () => {
  const rooms = readdirSync(src, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  expect(rooms).toEqual([...RULES.map(([f]) => f), 'cli'].sort());
});

test(
  'test/unit/ mirrors src/: each file tests a module of src/ ' + '(X/Y.test.ts or X/Y.ASPECT.test.ts for src/X/Y.ts)',
  () => {
    const unit = join(packageRoot(), 'test', 'unit');
    const tests = readdirSync(unit, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
      .map((e) => relative(unit, join(e.parentPath, e.name)))
      .filter((f) => f !== 'layers.test.ts');
    const modules = new Set(filesOf('.'));
    const orphans = tests.filter((t) => {
      const [base] = t.replace(/\.test\.ts$/, '').split(/\.(?=[^/]*$)/);
      return !modules.has(`${base}.ts`);
    });
    expect(tests.length).toBeGreaterThan(20);
    expect(orphans).toEqual([]);
  },
);
