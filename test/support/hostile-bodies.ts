/**
 * Hostile bodies for POST /ingest: mutated valid Arrow streams (flipped bytes, truncations,
 * absurd lengths, dictionary batches out of order), the Arrow fuzzing corpus, broken CSV
 * (quotes, NUL bytes, bytes that are not UTF-8, a line of megabytes) and garbage. The e2e
 * test checks each answer (test/e2e/server/hostile-ingest.test.ts); the bench measures what
 * the server's memory does under them (bench/hostile-bodies.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  Dictionary,
  Float64,
  Int32,
  Int64,
  Message,
  MessageHeader,
  Table,
  TimestampMillisecond,
  Utf8,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { Random } from '../../src/sources/generator/random.js';
import { dataDir } from './data.js';

export interface HostileBody {
  body: Uint8Array;
  type?: string;
}

const T0 = Date.UTC(2025, 0, 1);
export function arrowOf(n: number, rng: Random): Uint8Array {
  const batches = [];
  for (let at = 0; at < n; at += 1000) {
    const m = Math.min(1000, n - at);
    batches.push(
      ...new Table({
        customer_id: vectorFromArray(
          Array.from({ length: m }, () => BigInt(Math.floor(rng.next() * 3000))),
          new Int64(),
        ),
        ts: vectorFromArray(
          Array.from({ length: m }, (_, i) => T0 + (at + i) * 60_000),
          new TimestampMillisecond(),
        ),
        amount: vectorFromArray(
          Array.from({ length: m }, () => 1 + Math.floor(rng.next() * 100)),
          new Float64(),
        ),
      }).batches,
    );
  }
  return tableToIPC(new Table(batches), 'stream');
}

/** A valid body changed the way a fuzzer would. */
function mutant(valid: Uint8Array, rng: Random): Uint8Array {
  const b = Uint8Array.from(valid);
  const how = Math.floor(rng.next() * 4);
  if (how === 0)
    for (let k = 0; k < 1 + rng.next() * 8; k++)
      b[Math.floor(rng.next() * b.length)] ^= 1 << Math.floor(rng.next() * 8);
  if (how === 1) return b.subarray(0, Math.floor(rng.next() * b.length));
  if (how === 2) {
    // an absurd length or count where a metadata word was
    const at = 4 * Math.floor((rng.next() * Math.min(b.length, 4096)) / 4);
    new DataView(b.buffer).setInt32(at, [0x7fffffff, -1, 0x40000000][Math.floor(rng.next() * 3)], true);
  }
  if (how === 3) {
    // a stretch of the body repeated or dropped
    const from = Math.floor(rng.next() * b.length);
    const len = Math.floor(rng.next() * 512);
    return rng.next() < 0.5
      ? new Uint8Array([...b.subarray(0, from), ...b.subarray(from, from + len), ...b.subarray(from)])
      : new Uint8Array([...b.subarray(0, from), ...b.subarray(from + len)]);
  }
  return b;
}

/** A stream's messages as they lie in its bytes (continuation, length, metadata, body), EOS left out. */
function messagesOf(stream: Uint8Array): { type: MessageHeader; bytes: Uint8Array }[] {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  const out: { type: MessageHeader; bytes: Uint8Array }[] = [];
  for (let o = 0; o + 8 <= stream.length; ) {
    const metaLength = view.getInt32(o + 4, true);
    if (metaLength === 0) break;
    const m = Message.decode(stream.subarray(o + 8, o + 8 + metaLength));
    const end = o + 8 + metaLength + m.bodyLength;
    out.push({ type: m.headerType, bytes: stream.subarray(o, end) });
    o = end;
  }
  return out;
}

/**
 * Text ids dictionary-encoded, a new dictionary for each of four batches, and the stream's
 * messages put out of order: a batch before its dictionary, dictionaries dropped, reversed,
 * repeated, the schema after them, and seeded shuffles.
 */
function dictionaryDisorders(rng: Random): { body: Uint8Array }[] {
  const batches = [];
  // one type for every batch (a new Dictionary type is a new dictionary id), a new dictionary each
  const idType = new Dictionary(new Utf8(), new Int32());
  for (let b = 0; b < 4; b++) {
    const ids = Array.from({ length: 500 }, () => `c${b}-${Math.floor(rng.next() * 200)}`);
    batches.push(
      ...new Table({
        customer_id: vectorFromArray(ids, idType),
        ts: vectorFromArray(
          Array.from({ length: 500 }, (_, i) => T0 + (b * 500 + i) * 60_000),
          new TimestampMillisecond(),
        ),
        amount: vectorFromArray(
          Array.from({ length: 500 }, () => 1 + Math.floor(rng.next() * 100)),
          new Float64(),
        ),
      }).batches,
    );
  }
  const valid = tableToIPC(new Table(batches), 'stream');
  const messages = messagesOf(valid);
  const schema = messages.filter((m) => m.type === MessageHeader.Schema);
  const dictionaries = messages.filter((m) => m.type === MessageHeader.DictionaryBatch);
  const records = messages.filter((m) => m.type === MessageHeader.RecordBatch);
  // the generator's own check that the stream is what it is meant to be
  if (schema.length !== 1 || dictionaries.length !== 4 || records.length !== 4)
    throw new Error('the dictionary stream is not one schema, four dictionaries and four batches');
  const eos = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
  const join = (parts: { bytes: Uint8Array }[]): { body: Uint8Array } => {
    const all = [...parts.map((p) => p.bytes), eos];
    const body = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of all) {
      body.set(p, at);
      at += p.length;
    }
    return { body };
  };
  const interleaved = (ds: typeof dictionaries) => schema.concat(...ds.map((d, i) => [d, records[i]]));
  const shuffled = (): typeof messages => {
    const rest = messages.slice(1);
    for (let i = rest.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [rest[i], rest[j]] = [rest[j], rest[i]];
    }
    return [schema[0], ...rest];
  };
  return [
    join(messages),
    join([schema[0], records[0], ...messages.slice(1)]),
    join([schema[0], ...records]),
    join(interleaved([...dictionaries].reverse())),
    join([...messages, ...dictionaries]),
    join([dictionaries[0], schema[0], ...messages.slice(2)]),
    join([schema[0], dictionaries[0], ...records]),
    ...Array.from({ length: 40 }, () => join(shuffled())),
  ];
}

const csvNasties = (rng: Random): { body: Uint8Array; type: string }[] => {
  const good = (n: number): string =>
    Array.from({ length: n }, (_, i) => `${i % 700},${new Date(T0 + i * 1000).toISOString()},${1 + (i % 50)}`).join(
      '\n',
    );
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  return [
    enc(`customer_id,ts,amount\n${good(500)}\n7,"2025-01-01,5\n`),
    enc(`customer_id,ts,amount\n${good(500)}\n"7"x,2025-01-01,5\n`),
    enc(`customer_id,ts,amount\n${good(200)}\n8,2025-01-01\u0000,5\n`),
    new Uint8Array([...enc(`customer_id,ts,amount\n${good(200)}\n`), 0xff, 0xfe, 0x41, 0x0a]),
    new Uint8Array([0xff, 0xfe, ...enc('c\u0000u\u0000s\u0000t\u0000')]),
    enc(`customer_id,ts,amount\n${'9'.repeat(3 * 2 ** 20)},2025-01-01,5\n`),
    enc(`customer_id,ts,amount\r\n${good(300).replace(/\n/g, '\r\n')}\r\n`),
    enc('customer_id,ts,amount\n'),
    enc(''),
    Uint8Array.from({ length: 4096 }, () => Math.floor(rng.next() * 256)),
  ].map((body) => ({ body, type: 'text/csv' }));
};

/** A valid stream of 5,000 orders, and the bodies made from it and the rest, seeded. */
export function hostileBodies(seed: number): { valid: Uint8Array; bodies: HostileBody[] } {
  const rng = new Random(seed);
  const valid = arrowOf(5000, rng);
  const corpus = readdirSync(join(dataDir(), 'arrow-fuzz')).map((f) => readFileSync(join(dataDir(), 'arrow-fuzz', f)));
  const bodies: HostileBody[] = [
    ...Array.from({ length: 300 }, () => ({ body: mutant(valid, rng) })),
    ...corpus.map((b) => ({ body: new Uint8Array(b) })),
    ...csvNasties(rng),
    ...dictionaryDisorders(rng),
    { body: valid },
  ];
  return { valid, bodies };
}
