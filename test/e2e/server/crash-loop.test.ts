/**
 * A crash loop faster than --checkpoint-every: each start that replays a long log writes a
 * checkpoint at once, so the log does not grow from crash to crash and the next start does
 * not replay it all again.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { startCli, tempDir } from '../../support/cli.js';

const body = (b: number): string =>
  'customer_id,ts,amount\n' +
  Array.from({ length: 20 }, (_, i) => `${b * 20 + i},2025-03-0${1 + (i % 9)}T10:00:00Z,5`).join('\n') +
  '\n';

/** rfm serve --data DIR, killed with SIGKILL once `posts` bodies are answered; its stderr. */
async function runThenKill(dir: string, first: number, posts: number): Promise<string> {
  const { child, url } = await startCli([
    'serve',
    '--port',
    '0',
    '--workers',
    '1',
    '--data',
    dir,
    '--checkpoint-every',
    '1h',
    '--no-figures',
  ]);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    for (let b = first; b < first + posts; b++) {
      const r = await fetch(`${url}ingest`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: body(b) });
      expect(r.status).toBe(200);
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
  return stderr;
}

test('a start that replays 100 logged requests or more checkpoints at once: ' +
  'the next start replays none of them', async () => {
  const dir = join(tempDir(), 'data');
  await runThenKill(dir, 0, 120);
  const logged = (): string[] => readdirSync(join(dir, 'log')).filter((f) => /^\d{12}\./.test(f));
  expect(logged()).toHaveLength(120);
  const second = await runThenKill(dir, 120, 5);
  expect(second).toContain('restored no checkpoint and 120 logged requests after it; 2,400 orders held');
  // the replay was checkpointed: only the requests after the start are in the log
  expect(logged()).toHaveLength(5);
  const third = await runThenKill(dir, 125, 0);
  expect(third).toContain('restored the checkpoint and 5 logged requests after it; 2,500 orders held');
}, 120_000);
