/**
 * `rfm serve FILE` reads a CSV with rfm replay's CSV options (delimiter, date format, decimal
 * comma, column names): before, serve had none of them, so a semicolon file with its own
 * column names could only be served after an rfm import.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { startCli, tempDir } from '../../support/cli.js';
import { LiveClient } from '../../support/live-client.js';

test('rfm serve FILE.csv --delimiter ";" --date-format dd.mm.yyyy --decimal-comma --customer-column ...', async () => {
  const file = join(tempDir(), 'shop.csv');
  writeFileSync(file, 'buyer;when;total\n1;01.02.2024;12,50\n2;03.02.2024;7,25\n1;05.03.2024;30,00\n');
  const { child, url } = await startCli([
    'serve',
    file,
    '--port',
    '0',
    '--workers',
    '1',
    '--interval',
    '50',
    '--no-figures',
    '--delimiter',
    ';',
    '--date-format',
    'dd.mm.yyyy',
    '--decimal-comma',
    '--customer-column',
    'buyer',
    '--ts-column',
    'when',
    '--amount-column',
    'total',
  ]);
  try {
    const client = await LiveClient.connect(url.replace('http', 'ws') + 'live');
    const s = await client.snapshotWhere((m) => m.ingest.sourceDone && m.orders === 3);
    client.close();
    expect({ customers: s.customers, revenue: s.revenue, asOf: s.asOf.slice(0, 10) }).toEqual({
      customers: 2,
      revenue: 49.75,
      asOf: '2024-03-05',
    });
  } finally {
    child.kill('SIGKILL');
  }
});

test('rfm serve FILE with an order_id column counts a repeated order once, and says so', async () => {
  const file = join(tempDir(), 'orders.csv');
  writeFileSync(
    file,
    'order_id,customer_id,ts,amount\n1001,a,2024-02-01,12.50\n' +
      '1002,b,2024-02-03,7.25\n1001,a,2024-02-01,12.50\n1003,a,2024-03-05,30\n',
  );
  const { child, url } = await startCli([
    'serve',
    file,
    '--port',
    '0',
    '--workers',
    '1',
    '--interval',
    '50',
    '--no-figures',
  ]);
  let stderr = '';
  const said = new Promise<void>((resolve) =>
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('rows repeat an order id')) resolve();
    }),
  );
  try {
    const client = await LiveClient.connect(url.replace('http', 'ws') + 'live');
    const s = await client.snapshotWhere((m) => m.ingest.sourceDone);
    client.close();
    expect({ orders: s.orders, revenue: s.revenue }).toEqual({ orders: 3, revenue: 49.75 });
    await said;
    expect(stderr).toContain('rfm: 1 rows repeat an order id (column "order_id") an earlier row had: counted once');
  } finally {
    child.kill('SIGKILL');
  }
});
