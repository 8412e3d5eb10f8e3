import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { thpMode } from '../../../src/native/huge-pages.js';
import { packageRoot } from '../../../src/package-root.js';

// The kernels ask Linux for transparent huge pages behind their state (src/native/huge-pages.ts).
// This holds them to it where the machine can give them: THP not "never", the helper built.
const mode = thpMode();
const helperBuilt = existsSync(join(packageRoot(), 'build', 'huge-pages.node'));
const canAsk = process.platform === 'linux' && mode !== undefined && mode !== 'never' && helperBuilt;
if (!canAsk) {
  const why =
    process.platform !== 'linux'
      ? 'not Linux'
      : !helperBuilt
        ? 'the helper was not built (no C compiler at install)'
        : `THP is ${mode ?? 'absent'}`;
  process.stderr.write(`huge-pages: skipped: ${why}\n`);
}

/** KiB of anonymous huge pages in a fresh process after a kernel took in 600,000 customers. */
function hugeKiB(kernel: 'WasmKernel' | 'CoreKernel', env: NodeJS.ProcessEnv): number {
  const dist = (file: string): string => JSON.stringify(pathToFileURL(join(packageRoot(), 'dist', file)).href);
  const script =
    `
    const { ${kernel} } = await ` +
    `import(${dist(kernel === 'WasmKernel' ? 'kernel/wasm-kernel.js' : 'core/core-kernel.js')});
    const { allocColumnBatch } = await import(${dist('batch/column-batch.js')});
    const { readFileSync } = await import('node:fs');
    const k = new ${kernel}();
    const rows = 60000;
    for (let from = 0; from < 600000; from += rows) {
      const { batch } = allocColumnBatch({ numRows: rows, idMode: 'int', idBytesLen: 0 });
      for (let i = 0; i < rows; i++) { batch.idWords[2 * i] = from + i; batch.ts[i] = 1.7e12 + i;` +
    ` batch.amount[i] = 10; }
      k.ingest(batch, 0, 1);
    }
    if (k.numCustomers !== 600000) throw new Error('customers: ' + k.numCustomers);
    process.stdout.write(/AnonHugePages:\\s+(\\d+)/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))[1]);`;
  return Number(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    }),
  );
}

test.skipIf(!canAsk)(
  `the kernels' state sits in huge pages (THP: ${mode ?? 'absent'}, helper built: ${helperBuilt})`,
  () => {
    // 600,000 customers: ~38 MiB of records and an 8 MiB index, in several 2 MiB pages
    for (const kernel of ['WasmKernel', 'CoreKernel'] as const) {
      const asked = hugeKiB(kernel, {});
      expect(asked, kernel).toBeGreaterThanOrEqual(16 * 1024);
      // with "madvise", memory gets huge pages only where asked: switched off, (next to) none
      if (mode === 'madvise') expect(hugeKiB(kernel, { RFM_HUGE_PAGES: '0' }), kernel).toBeLessThan(asked / 4);
    }
  },
);

/** KiB of anonymous huge pages in a fresh process after it filled four of a file's joined batches from a pool. */
function poolHugeKiB(shared: boolean, env: NodeJS.ProcessEnv): number {
  const pool = JSON.stringify(pathToFileURL(join(packageRoot(), 'dist', 'batch', 'buffer-pool.js')).href);
  const script = `
    const { BufferPool } = await import(${pool});
    const { readFileSync } = await import('node:fs');
    const pool = new BufferPool(${shared});
    // a joined batch of 262,144 rows with integer ids: 6.3 MB, first touched here
    for (let i = 0; i < 4; i++) new Uint8Array(pool.take(262144 * 25)).fill(1);
    process.stdout.write(/AnonHugePages:\\s+(\\d+)/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))[1]);`;
  return Number(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    }),
  );
}

test.skipIf(!canAsk)("a file's batch buffers sit in huge pages, shared or not", () => {
  // their first touch in 4 KiB pages is a fault each: ~30 ms a buffer on this machine
  for (const shared of [true, false]) {
    const asked = poolHugeKiB(shared, {});
    expect(asked, `shared: ${shared}`).toBeGreaterThanOrEqual(4 * 4 * 1024);
    if (mode === 'madvise') expect(poolHugeKiB(shared, { RFM_HUGE_PAGES: '0' })).toBeLessThan(asked / 4);
  }
});
