/**
 * Records of a delimited text file (RFC 4180 quoting: "a ""quoted"", field", quotes may
 * span lines), streamed from a file or stdin without holding the file in memory.
 */
import { createReadStream } from 'node:fs';
import { RfmError } from '../core/errors.js';

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  fields: string[];
}

/**
 * Splits text on a delimiter; ' ' means runs of whitespace (CDNOW-style fixed columns).
 * The source is a file path, '-' for stdin, or a stream already open (an HTTP body).
 */
export async function* readRecords(source: string | NodeJS.ReadableStream, delimiter: string): AsyncGenerator<CsvRecord> {
  const path = typeof source === 'string' ? source : 'the request body';
  let stream: NodeJS.ReadableStream;
  if (typeof source !== 'string') stream = source;
  else if (source === '-') stream = process.stdin;
  else {
    const file = createReadStream(source, { encoding: 'utf8', highWaterMark: 1 << 20 });
    file.on('error', () => undefined);
    stream = file;
  }
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
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      if (whitespace) {
        // no quoting in whitespace-separated files
        const lines = (field + text).split('\n');
        field = lines.pop()!;
        for (const l of lines) {
          const f = l.trim().split(/\s+/);
          if (f.length > 1 || f[0] !== '') yield { line, fields: f };
          line++;
        }
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
    }
  } catch (e) {
    throw new RfmError('RFM_ERR_INPUT', `cannot read ${path === '-' ? 'stdin' : path}: ${(e as Error).message}`);
  }
  if (whitespace) {
    const f = field.trim();
    if (f !== '') yield { line, fields: f.split(/\s+/) };
    return;
  }
  if (inQuotes && !pendingQuote) throw new RfmError('RFM_ERR_INPUT', `${path}: a quoted field opened on line ${startLine} never closes`);
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    yield { line: startLine, fields };
  }
}
