/** The machine a benchmark ran on, printed with every table and stored in results.json. */
import { availableParallelism, cpus, totalmem } from 'node:os';
import { version as duckdbVersion } from '@duckdb/node-api';
import { hugePagesAsked, thpMode } from '../src/native/huge-pages.js';

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  duckdb: string;
  /** Whether the kernels and probes asked for huge pages, and the system's THP mode. */
  hugePages: string;
}

export function machine(): Machine {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    duckdb: duckdbVersion(),
    hugePages: `${hugePagesAsked() ? 'asked' : 'not asked'} (THP ${thpMode() ?? 'absent'})`,
  };
}
