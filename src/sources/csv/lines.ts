/**
 * Records of a delimited text file (RFC 4180 quoting: "a ""quoted"", field", quotes may
 * span lines), streamed from a file or stdin without holding the file in memory.
 */
import { gunzipStream, isGzip } from '../gzip.js';
import { createReadStream } from 'node:fs';
import { RfmError } from '../../domain/errors.js';

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  fields: string[];
}

/** Characters one record may hold (its fields together): far past any order export's line. */
const MAX_RECORD_CHARS = 1 << 20;

function tooLong(path: string, line: number): RfmError {
  return new RfmError(
    'RFM_ERR_INPUT',
    `${path}: the record on line ${line} is longer than ${MAX_RECORD_CHARS.toLocaleString('en-US')} characters (a ` +
      `quote never closed, or not a CSV file?)`,
  );
}

/** UTF-16 (a byte-order mark, NULs among the first bytes) named as such. */
export function checkNotUtf16(path: string, bytes: Uint8Array): void {
  if (
    (bytes[0] === 0xff && bytes[1] === 0xfe) ||
    (bytes[0] === 0xfe && bytes[1] === 0xff) ||
    (bytes.length > 1 && bytes.subarray(0, 64).includes(0))
  ) {
    throw new RfmError(
      'RFM_ERR_INPUT',
      `${path} is UTF-16 (or binary), not text rfmstream reads; save it as UTF-8 (Excel: "CSV UTF-8")`,
    );
  }
}

/** Bytes that are no text: NUL, or not UTF-8. */
export function notText(path: string, line: number, byte: number): RfmError {
  if (byte === 0) return new RfmError('RFM_ERR_INPUT', `${path}: line ${line} holds a NUL byte: not a text file?`);
  return new RfmError(
    'RFM_ERR_INPUT',
    `${path}: line ${line} is not UTF-8 (byte 0x${byte.toString(16)}); if the file is latin-1,` +
      ` read it with --encoding latin1`,
  );
}

/** How the bytes are text: UTF-8 (checked: a byte sequence that is not UTF-8 is an error), or latin-1. */
export type TextEncoding = 'utf8' | 'latin1';

/**
 * Checks a chunk of UTF-8: `carry` continuation bytes are owed by the chunk before (a
 * sequence cut at its end). Returns the offset of the first byte that breaks UTF-8 (-1:
 * none) and the continuation bytes this chunk leaves owed.
 */
function checkUtf8(b: Uint8Array, carry: number): { bad: number; carry: number } {
  let i = 0;
  for (; i < carry && i < b.length; i++) if ((b[i] & 0xc0) !== 0x80) return { bad: i, carry: 0 };
  if (i < carry) return { bad: -1, carry: carry - i };
  while (i < b.length) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return { bad: i, carry: 0 };
    for (let k = 1; k <= n; k++) {
      if (i + k >= b.length) return { bad: -1, carry: n - k + 1 };
      if ((b[i + k] & 0xc0) !== 0x80) return { bad: i, carry: 0 };
    }
    i += n + 1;
  }
  return { bad: -1, carry: 0 };
}

/** Lines that end in [from, to) of b (LF, CRLF or a lone CR). */
export function linesIn(b: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (b[i] === 10 || (b[i] === 13 && b[i + 1] !== 10)) n++;
  return n;
}

/**
 * Splits text on a delimiter; ' ' means runs of whitespace (CDNOW-style fixed columns).
 * The source is a file path, '-' for stdin, or a stream already open (an HTTP body). A UTF-8
 * byte-order mark is dropped; UTF-16 and bytes that are not UTF-8 (unless `encoding` is
 * latin1) end with RFM_ERR_INPUT naming the line, rather than becoming U+FFFD, which made
 * josé, josè and josë one customer.
 */
export async function* readRecords(
  source: string | NodeJS.ReadableStream,
  delimiter: string,
  encoding: TextEncoding = 'utf8',
): AsyncGenerator<CsvRecord> {
  const path = typeof source === 'string' ? source : 'the request body';
  let stream: NodeJS.ReadableStream;
  if (typeof source !== 'string') stream = source;
  else if (source === '-') stream = process.stdin;
  else if (isGzip(source)) stream = gunzipStream(source);
  else {
    const file = createReadStream(source, { highWaterMark: 1 << 20 });
    file.on('error', () => undefined);
    stream = file;
  }
  const decoder = new TextDecoder(encoding === 'latin1' ? 'latin1' : 'utf-8');
  let first = true;
  let owed = 0;
  const whitespace = delimiter === ' ';
  let field = '';
  let fields: string[] = [];
  let inQuotes = false;
  let quoteSeen = false;
  let line = 1;
  let startLine = 1;
  let pendingQuote = false;
  /** A CR ended the last record: a LF right after it is part of the same line end. */
  let afterCr = false;
  try {
    for await (const chunk of stream as AsyncIterable<string | Buffer>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      if (first) {
        first = false;
        checkNotUtf16(path, bytes);
      }
      if (encoding === 'utf8') {
        const { bad, carry } = checkUtf8(bytes, owed);
        owed = carry;
        if (bad >= 0) {
          throw notText(path, line + linesIn(bytes, 0, bad), bytes[bad]);
        }
      }
      let text = decoder.decode(bytes, { stream: true });
      if (text.charCodeAt(0) === 0xfeff && line === 1 && field === '' && fields.length === 0) text = text.slice(1);
      if (whitespace) {
        // no quoting in whitespace-separated files
        const lines = (field + text).split('\n');
        field = lines.pop()!;
        for (const l of lines) {
          const f = l.trim().split(/\s+/);
          if (f.length > 1 || f[0] !== '') yield { line, fields: f };
          line++;
        }
        if (field.length > MAX_RECORD_CHARS) throw tooLong(path, line);
        continue;
      }
      for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        if (afterCr) {
          afterCr = false;
          if (ch === '\n') continue;
        }
        if (pendingQuote) {
          pendingQuote = false;
          if (ch === '"') {
            field += '"';
            continue;
          }
          inQuotes = false;
        }
        if (inQuotes) {
          if (ch === '"') pendingQuote = true;
          else {
            if (ch === '\n') line++;
            field += ch;
          }
          continue;
        }
        if (ch === '"' && field === '' && !quoteSeen) {
          inQuotes = true;
          quoteSeen = true;
        } else if (ch === delimiter) {
          fields.push(field);
          field = '';
          quoteSeen = false;
        } else if (ch === '\n' || ch === '\r') {
          // a record ends at LF, CRLF or a lone CR (old Mac exports)
          afterCr = ch === '\r';
          fields.push(field);
          if (fields.length > 1 || fields[0] !== '') yield { line: startLine, fields };
          fields = [];
          field = '';
          quoteSeen = false;
          line++;
          startLine = line;
        } else {
          field += ch;
        }
      }
      // a record still open after a chunk: refused once past the bound, before it eats memory
      if (
        field.length + fields.length > MAX_RECORD_CHARS ||
        fields.reduce((n, f) => n + f.length, field.length) > MAX_RECORD_CHARS
      ) {
        throw tooLong(path, startLine);
      }
    }
  } catch (e) {
    if (e instanceof RfmError) throw e;
    throw new RfmError('RFM_ERR_INPUT', `cannot read ${path === '-' ? 'stdin' : path}: ${(e as Error).message}`);
  }
  if (whitespace) {
    const f = field.trim();
    if (f !== '') yield { line, fields: f.split(/\s+/) };
    return;
  }
  if (inQuotes && !pendingQuote)
    throw new RfmError('RFM_ERR_INPUT', `${path}: a quoted field opened on line ${startLine} never closes`);
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    yield { line: startLine, fields };
  }
}
