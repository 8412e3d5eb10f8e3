/**
 * A text export cut short (an interrupted download, a full disk): its last line has no line
 * end and fewer fields than the first. Read on, it would pass as one row with the wrong field
 * count and the run would end well with the rest of the file missing; it is refused instead.
 */
import { RfmError } from '../domain/errors.js';
import { headAndTail } from './file-ends.js';
import { isGzip } from './gzip.js';

/** Bytes read at each end: a header or a last line longer than this is not judged. */
const ENDS = 65_536;

/**
 * Fields in a line split by the delimiter, quotes honoured; null when a quote stays open (a record
 * that runs over lines).
 */
function fieldsIn(line: string, delimiter: string): number | null {
  let fields = 1;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) fields++;
  }
  return quoted ? null : fields;
}

/** Refuses the delimited text file at path when its last line is cut short; anything else passes. */
export function checkNotCutShort(path: string, delimiter: string): void {
  if (path === '-' || isGzip(path)) return;
  const ends = headAndTail(path, ENDS);
  if (ends === null || ends.size === 0) return;
  const tail = ends.size < ENDS ? ends.tail.slice(0, ends.size) : ends.tail;
  const last = tail[tail.length - 1];
  if (last === '\n' || last === '\r') return;
  const head = ends.size < ENDS ? ends.head.slice(0, ends.size) : ends.head;
  // UTF-16 and binaries are for the reader to name: their lines end in other bytes
  if (head.includes('\0') || tail.includes('\0')) return;
  const firstEnd = head.search(/[\r\n]/);
  if (firstEnd < 0) return; // one line: nothing to hold it against
  const lastStart = Math.max(tail.lastIndexOf('\n'), tail.lastIndexOf('\r')) + 1;
  if (lastStart === 0 && ends.size >= ENDS) return;
  const first = fieldsIn(head.slice(0, firstEnd).replace(/^\xef\xbb\xbf/, ''), delimiter);
  const lastLine = tail.slice(lastStart);
  const fields = fieldsIn(lastLine, delimiter);
  if (first === null || fields === null || fields >= first) return;
  const shown = lastLine.length > 40 ? `${lastLine.slice(0, 40)}...` : lastLine;
  throw new RfmError(
    'RFM_ERR_INPUT',
    `${path} looks cut short: its last line ("${shown}") has ${fields} of the header's ${first} fields and no line ` +
      `end ` +
      '(an interrupted download or export?); export it again',
  );
}
