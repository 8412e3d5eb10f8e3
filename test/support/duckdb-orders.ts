/**
 * An Arrow orders file (customer_id Int64, ts Timestamp ms, amount Float64, kind
 * Dictionary<Utf8>, as `rfm import` writes it) into a DuckDB table
 * orders(customer_id BIGINT, t BIGINT ms, amount DOUBLE, kind VARCHAR): DuckDB's Arrow
 * extension cannot be installed here, so the rows go through its appender.
 */
import { BIGINT, DOUBLE, DuckDBDataChunk, VARCHAR } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { readFileSync } from 'node:fs';

export async function loadOrders(conn: DuckDBConnection, file: string): Promise<number> {
  await conn.run('CREATE TABLE orders (customer_id BIGINT, t BIGINT, amount DOUBLE, kind VARCHAR)');
  const table = tableFromIPC(readFileSync(file));
  const appender = await conn.createAppender('orders');
  const CHUNK = 2048;
  for (const batch of table.batches) {
    const ids = batch.getChild('customer_id')!;
    const ts = batch.getChild('ts')!;
    const amounts = batch.getChild('amount')!;
    const kinds = batch.getChild('kind');
    for (let at = 0; at < batch.numRows; at += CHUNK) {
      const n = Math.min(CHUNK, batch.numRows - at);
      const chunk = DuckDBDataChunk.create([BIGINT, BIGINT, DOUBLE, VARCHAR], n);
      chunk.setColumnValues(
        0,
        Array.from({ length: n }, (_, i) => BigInt(ids.get(at + i))),
      );
      chunk.setColumnValues(
        1,
        Array.from({ length: n }, (_, i) => BigInt(ts.get(at + i))),
      );
      chunk.setColumnValues(
        2,
        Array.from({ length: n }, (_, i) => amounts.get(at + i) as number),
      );
      chunk.setColumnValues(
        3,
        Array.from({ length: n }, (_, i) => (kinds?.get(at + i) as string | null) ?? null),
      );
      appender.appendDataChunk(chunk);
    }
  }
  appender.closeSync();
  return table.numRows;
}
