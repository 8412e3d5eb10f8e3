/** A file's first and last bytes: how its format's magic tells a whole file from a cut one. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The first and last n bytes of a file as latin-1 text, or null when it cannot be read. */
export function headAndTail(path: string, n: number): { head: string; tail: string; size: number } | null {
  try {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const head = Buffer.alloc(n);
      const tail = Buffer.alloc(n);
      readSync(fd, head, 0, n, 0);
      readSync(fd, tail, 0, n, Math.max(0, size - n));
      return { head: head.toString('latin1'), tail: tail.toString('latin1'), size };
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}
