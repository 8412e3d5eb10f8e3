/**
 * The Arrow fuzzing corpus (../shared/data/arrow-fuzz) through the watched reading thread,
 * in process: every file ends in an RfmError naming it (what the CLI turns into exit code 2
 * and one line; test/e2e/cli/bad-input.test.ts runs a few through it), never a hang, an
 * internal error or a crash of the process.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { Engine } from '../../../../src/engine/engine.js';
import { RfmError } from '../../../../src/domain/errors.js';
import { readArrow } from '../../../../src/sources/arrow/source.js';
import { dataDir } from '../../../support/data.js';

const corpus = join(dataDir(), 'arrow-fuzz');
const files = readdirSync(corpus).sort();

test(`all ${files.length} files of the Arrow fuzzing corpus end in an input error naming the file`, async () => {
  expect(files.length).toBe(80);
  const engine = new Engine({ workers: 0 });
  const outcomes: string[] = [];
  // four at a time: each read has a thread of its own
  for (let i = 0; i < files.length; i += 4) {
    outcomes.push(
      ...(await Promise.all(
        files.slice(i, i + 4).map(async (f) => {
          try {
            for await (const c of readArrow(join(corpus, f), { ...engine.sourceOptions(), keepRejects: false })) void c;
            return `${f}: read without an error`;
          } catch (e) {
            if (!(e instanceof RfmError)) return `${f}: not an RfmError: ${String(e)}`;
            if (!e.message.includes(f)) return `${f}: the message does not name it: ${e.message}`;
            return e.code === 'RFM_ERR_INPUT' || e.code === 'RFM_ERR_SCHEMA' ? 'ok' : `${f}: ${e.code}`;
          }
        }),
      )),
    );
  }
  await engine.close();
  expect(outcomes.filter((o) => o !== 'ok')).toEqual([]);
});
