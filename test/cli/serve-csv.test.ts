/**
 * `rfm serve FILE` reads a CSV with rfm replay's CSV options (delimiter, date format, decimal
 * comma, column names): before, serve had none of them, so a semicolon file with its own
 * column names could only be served after an rfm import.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { startCli, tempDir } from '../support/cli.js';
import { LiveClient } from '../support/live-client.js';

test('rfm serve FILE.csv --delimiter ";" --date-format dd.mm.yyyy --decimal-comma --customer-column ...', async () => {
  const file = join(tempDir(), 'shop.csv');
  writeFileSync(file, 'buyer;when;total\n1;01.02.2024;12,50\n2;03.02.2024;7,25\n1;05.03.2024;30,00\n');
  const { child, url } = await startCli(['serve', file, '--port', '0', '--workers', '1', '--interval', '50', '--no-figures',
    '--delimiter', ';', '--date-format', 'dd.mm.yyyy', '--decimal-comma', '--customer-column', 'buyer', '--ts-column', 'when', '--amount-column', 'total']);
  try {
    const client = await LiveClient.connect(url.replace('http', 'ws') + 'live');
    const s = await client.snapshotWhere((m) => m.ingest.sourceDone && m.orders === 3);
    client.close();
    expect({ customers: s.customers, revenue: s.revenue, asOf: s.asOf.slice(0, 10) }).toEqual({ customers: 2, revenue: 49.75, asOf: '2024-03-05' });
  } finally {
    child.kill('SIGKILL');
  }
});
