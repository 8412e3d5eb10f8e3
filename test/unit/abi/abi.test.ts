/**
 * The kernel ABI has one source, src/abi/table.mjs: the generated constants must be what
 * the table gives, the built WASM module must export what the generated interface names,
 * and neither kernel nor the wrapper may write an ABI number of its own.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { KERNEL_EXPORTS } from '../../../src/abi/abi.js';
// @ts-expect-error: the generator is plain JavaScript (it runs before TypeScript is built)
import { render, staleFiles } from '../../../src/abi/generate.mjs';
// @ts-expect-error: the table is plain JavaScript, read by the generator
import * as table from '../../../src/abi/table.mjs';
import { packageRoot } from '../../../src/package-root.js';

type Files = Record<string, string>;
type Table = typeof table;
const renderTable = render as (t: Table) => Files;
const stale = staleFiles as (files: Files) => string[];

describe('the generated ABI files', () => {
  test('are what the table gives (run "npm run gen:abi" after editing src/abi/table.mjs)', () => {
    expect(stale(renderTable(table))).toEqual([]);
  });

  test('are found stale when the table is edited without regenerating', () => {
    const edited = {
      ...table,
      groups: table.groups.map((g: Table['groups'][number]) =>
        g.prefix === 'FIELD_' ? { ...g, values: { ...g.values, spend: 13 } } : g,
      ),
    };
    expect(stale(renderTable(edited)).length).toBe(2);
    const moved = { ...table, record: { ...table.record, spendCents: ['f64', 40], maxOrder: ['f64', 32] } };
    expect(stale(renderTable(moved)).length).toBe(2);
  });

  test('refuse a table whose record fields overlap or lose alignment', () => {
    expect(() => renderTable({ ...table, record: { ...table.record, spendCents: ['f64', 36] } })).toThrow(
      /not aligned/,
    );
    expect(() => renderTable({ ...table, record: { ...table.record, spendCents: ['f64', 40] } })).toThrow(/overlaps/);
    expect(() => renderTable({ ...table, cold: { ...table.cold, segment: ['u8', 32] } })).toThrow(/ends past/);
  });
});

test('the built kernel exports exactly the functions the generated interface names', () => {
  const module = new WebAssembly.Module(readFileSync(join(packageRoot(), 'build', 'kernel.wasm')));
  const exported = WebAssembly.Module.exports(module)
    .map((e) => e.name)
    .filter((n) => !n.startsWith('__') && n !== 'memory');
  expect(exported.sort()).toEqual([...KERNEL_EXPORTS].sort());
});

/**
 * Lines of the kernels and the wrapper that use a number where an ABI constant belongs: a
 * record or cold offset in load/store, a case label, a plan or totals slot, a column or
 * sketch number. Numbers that are arithmetic (0, 1, shifts, sizes of scratch buffers) are
 * not the ABI's and pass.
 */
const BARE = [
  /\b(load|store)<\w+>\([^;]*,\s*[1-9]\d*\)/, // a field offset as the last argument
  /\bcase\s+\d+\s*:/, // an op, field, column or sketch number as a case label
  /\bplan\[\d+\]/, // a plan slot
  /\b(columnPtr|sketchPtr|exactPtr|sketchLen)\(\d+\)/, // a column or sketch number
  /\b[uf](8|32|64)\(\d+\)/, // the wrapper's column readers with a bare column number
  /\btotals\[\d+\]|\bt\[\d+\]/, // a totals slot
  // a hash constant (a named constant of the kernel's own passes)
  /^(?!\s*(export\s+)?const\s+\w+(:\s*\w+)?\s*=\s*0x).*0x[0-9a-f]{8}/i,
];

function sources(dir: string): string[] {
  return readdirSync(join(packageRoot(), dir))
    .filter((f) => f.endsWith('.ts') && f !== 'abi.ts')
    .map((f) => join(dir, f));
}

test('no bare ABI number in either kernel or in the wrapper', () => {
  const found: string[] = [];
  for (const file of [...sources('assembly'), ...sources('src/core'), ...sources('src/kernel')]) {
    readFileSync(join(packageRoot(), file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const code = line.replace(/\/\/.*$|\/\*.*?\*\//g, '');
        if (BARE.some((re) => re.test(code))) found.push(`${file}:${i + 1}: ${line.trim()}`);
      });
  }
  expect(found).toEqual([]);
});

test('the bare-number check finds what it is for', () => {
  const caught = [
    'store<u32>(c, e, 8);',
    'case 3: return lhs != rhs;',
    'medianSpend = plan[19];',
    'lo = u32(11);',
    'x *= 0x846ca68b;',
    'customers: t[0],',
  ];
  for (const line of caught)
    expect(
      BARE.some((re) => re.test(line)),
      line,
    ).toBe(true);
  const passed = [
    'const NEVER: u32 = 0x80000000;',
    'store<u32>(c, e, C_ENGAGEMENTS);',
    'case OP_NE: return lhs != rhs;',
    'const s = rec(max(s, 0));',
  ];
  for (const line of passed)
    expect(
      BARE.some((re) => re.test(line)),
      line,
    ).toBe(false);
});
