/** Generated order files for the benchmarks, made once per size and kept under build/bench-data. */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { writeArrow } from '../src/report/arrow-writer.js';
import { generateOrders } from '../src/sources/generator/generator.js';

export async function ordersFile(orders: number, customers: number): Promise<string> {
  const dir = join(packageRoot(), 'build', 'bench-data');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `orders-${orders}-${customers}.arrow`);
  if (!existsSync(path)) {
    const started = performance.now();
    process.stderr.write(
      `generating ${orders.toLocaleString('en-US')} orders of ${customers.toLocaleString('en-US')} customers -> ` +
        `${path} ...\n`,
    );
    await writeArrow(path + '.tmp', generateOrders({ orders, customers, seed: 42, prospects: 0, refundRate: 0 }));
    renameSync(path + '.tmp', path);
    process.stderr.write(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  return path;
}
