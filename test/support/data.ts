import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../src/package-root.js';

/** ../shared/data beside the project, or RFM_DATA. Tests that need it fail loudly without it. */
export function dataDir(): string {
  const dir = process.env.RFM_DATA ?? resolve(packageRoot(), '..', 'shared', 'data');
  if (!existsSync(dir)) throw new Error(`the shared order data is missing at ${dir}; set RFM_DATA to its folder`);
  return dir;
}

export const cdnowMaster = (): string => join(dataDir(), 'cdnow', 'CDNOW_master.txt');
export const cdnowSample = (): string => join(dataDir(), 'cdnow', 'CDNOW_sample.txt');

/**
 * The DuckDB statement that makes table `name` of CDNOW's orders (customer_id BIGINT, ts
 * TIMESTAMP, amount DOUBLE), in the file's order; orderIds: also order_id, the line number.
 */
export function cdnowTableSql(name: string, orderIds = false): string {
  // CDNOW_master.txt: runs of spaces between id, yyyymmdd, CDs, dollars; a header line
  return (
    `CREATE TABLE ${name} AS
    WITH l AS (SELECT string_split(trim(regexp_replace(line, '\\s+', ' ', 'g')), ' ') AS f
               FROM read_csv('${cdnowMaster()}', delim = '\\t', header = false, columns = {'line': 'VARCHAR'}))
    SELECT ${orderIds ? 'row_number() OVER () AS order_id, ' : ''}f[1]::BIGINT AS customer_id, strptime(f[2],` +
    ` '%Y%m%d')::TIMESTAMP AS ts, f[4]::DOUBLE AS amount
    FROM l WHERE f[1] <> 'customer_id'`
  );
}

/** The project's folder, wherever a test file sits. */
export const PROJECT = packageRoot();

/** The small cart exports under test/fixtures/carts. */
export const CART_FIXTURES = join(PROJECT, 'test', 'fixtures', 'carts');
