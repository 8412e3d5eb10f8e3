/**
 * The body receiver: a request's body into a file, within a size limit (413) and a time
 * limit (408), a full disk told apart from a short body (DiskError: 503).
 */
import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { RfmError } from '../domain/errors.js';
import { RequestError } from './replies.js';
import { DiskError } from './request-log.js';

/** The body into a file; over `limit` bytes (declared or sent) it is refused with 413, whatever its type. */
export async function receive(req: IncomingMessage, file: string, limit: number, timeoutMs: number): Promise<void> {
  const tooLarge = (): RequestError =>
    new RequestError(
      413,
      `the body is larger than the limit of ${limit.toLocaleString('en-US')} bytes (rfm serve --max-body);` +
        ` send it in parts`,
    );
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
  const out = createWriteStream(file);
  let writeError: Error | null = null;
  out.on('error', (e) => (writeError ??= e));
  const diskError = (e: Error): DiskError =>
    new DiskError(`cannot keep the request body on disk (${e.message}); nothing of it was applied: retry it later`);
  try {
    await new Promise<void>((resolve, reject) => {
      let bytes = 0;
      let ended = false;
      const onData = (chunk: Buffer): void => {
        bytes += chunk.length;
        if (bytes > limit) {
          // paused, not destroyed: the answer goes out on this socket (refuseUnread)
          req.off('data', onData);
          req.pause();
          reject(tooLarge());
        } else if (!out.write(chunk)) {
          req.pause();
          out.once('drain', () => bytes <= limit && req.resume());
        }
      };
      req.on('data', onData);
      const late = setTimeout(() => {
        req.off('data', onData);
        req.pause();
        reject(
          new RequestError(
            408,
            `the body took longer than ${Math.round(timeoutMs / 1000)} s to arrive; send it faster, or in parts`,
          ),
        );
      }, timeoutMs);
      req.once('end', () => {
        ended = true;
        clearTimeout(late);
        resolve();
      });
      req.once('close', () => {
        clearTimeout(late);
        if (!ended)
          reject(new RfmError('RFM_ERR_INPUT', 'the request body ended before its end (the client went away)'));
      });
      out.once('error', (e) => reject(diskError(e)));
    });
  } finally {
    // every byte written, or the write's error: a full disk must not pass for a short body
    await new Promise<void>((r) => {
      if (out.destroyed) r();
      else out.end(() => r());
      out.once('close', () => r());
    });
  }
  if (writeError !== null) throw diskError(writeError);
}
