/** The rejects file: one CSV row per rejected input row, with why and its raw values; "-" is stdout. */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Reject } from '../batch/rejects.js';
import { csvField } from './customers-csv.js';

export class RejectsFile {
  private readonly out: WriteStream | NodeJS.WriteStream;

  constructor(readonly path: string) {
    this.out = path === '-' ? process.stdout : createWriteStream(path);
    this.out.write('row,reason,customer_id,ts,amount,line\n');
  }

  write(rejects: Reject[]): void {
    if (rejects.length === 0) return;
    this.out.write(
      rejects
        .map((r) =>
          [String(r.row), r.reason, r.customer, r.ts, r.amount, r.line === undefined ? '' : String(r.line)]
            .map(csvField)
            .join(','),
        )
        .join('\n') + '\n',
    );
  }

  async close(): Promise<void> {
    if (this.out === process.stdout) return;
    this.out.end();
    await finished(this.out);
  }
}
