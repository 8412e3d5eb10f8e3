/** The machine a benchmark ran on, printed with every table and stored in results.json. */
import { availableParallelism, cpus, totalmem } from 'node:os';
import { version as duckdbVersion } from '@duckdb/node-api';

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  duckdb: string;
}

export function machine(): Machine {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    duckdb: duckdbVersion(),
  };
}
