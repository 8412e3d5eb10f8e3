import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** ../shared/data beside the project, or RFM_DATA. Tests that need it fail loudly without it. */
export function dataDir(): string {
  const dir = process.env.RFM_DATA ?? resolve(import.meta.dirname, '../../../shared/data');
  if (!existsSync(dir)) throw new Error(`the shared order data is missing at ${dir}; set RFM_DATA to its folder`);
  return dir;
}

export const cdnowMaster = (): string => join(dataDir(), 'cdnow', 'CDNOW_master.txt');
export const cdnowSample = (): string => join(dataDir(), 'cdnow', 'CDNOW_sample.txt');
