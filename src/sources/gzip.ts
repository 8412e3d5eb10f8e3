/**
 * Gzipped text: an export downloaded as orders.csv.gz is read as it is, streamed through
 * zlib (no copy on disk). A gzip stream cannot be split at byte offsets, so such a file is
 * read on one thread.
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { constants, createGunzip, gunzipSync } from 'node:zlib';
import { RfmError } from '../domain/errors.js';

/** The first bytes of the regular file at path (fewer when it is shorter), or null when it is none. */
export function headOf(path: string, n: number): Uint8Array | null {
  try {
    if (path === '-' || !statSync(path).isFile()) return null;
    const fd = openSync(path, 'r');
    try {
      const head = new Uint8Array(n);
      return head.subarray(0, readSync(fd, head, 0, n, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/** Whether bytes begin a gzip member (RFC 1952: 1f 8b, deflate). */
export function isGzipHead(head: Uint8Array): boolean {
  return head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 8;
}

/** Whether the file at path is gzipped. */
export function isGzip(path: string): boolean {
  const head = headOf(path, 3);
  return head !== null && isGzipHead(head);
}

/** The first bytes of a gzipped file's content (what its own format is told by). */
export function gunzipHead(path: string, n = 65_536): Uint8Array {
  const head = headOf(path, n) ?? new Uint8Array(0);
  try {
    // a part of the stream inflates as far as it goes with a sync flush
    return gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch (e) {
    throw new RfmError(
      'RFM_ERR_INPUT',
      `${path} is gzipped but does not inflate (${(e as Error).message}): a damaged download? Fetch it again`,
    );
  }
}

/** The content of a gzipped file as a stream; a damaged stream ends it with RFM_ERR_INPUT. */
export function gunzipStream(path: string): NodeJS.ReadableStream {
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const gunzip = createGunzip();
  file.on('error', (e) => gunzip.destroy(new RfmError('RFM_ERR_INPUT', `cannot read ${path}: ${e.message}`)));
  const out = file.pipe(gunzip);
  // zlib's own errors (a cut or damaged stream) in the user's words
  const wrapped = async function* (): AsyncGenerator<Buffer> {
    try {
      for await (const c of out) yield c as Buffer;
    } catch (e) {
      if (e instanceof RfmError) throw e;
      throw new RfmError(
        'RFM_ERR_INPUT',
        `${path}: the gzip stream ends early or is damaged (${(e as Error).message}): the file looks cut short;` +
          ` fetch or export it again`,
      );
    }
  };
  return Readable.from(wrapped(), { objectMode: false });
}
