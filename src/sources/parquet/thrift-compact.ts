/**
 * Thrift's compact protocol, read generically: a struct is a map from field id to value,
 * which is what Parquet's footer and page headers are (parquet.thrift). Generic because
 * the reader needs a dozen fields of a format with hundreds, and must skip the rest
 * whatever they are. Integers come as numbers: every size and offset a file can hold is
 * below 2^53. Throws a RangeError past the end of the bytes (the caller may read more).
 */

export type ThriftValue = number | boolean | Uint8Array | ThriftValue[] | ThriftStruct;
export type ThriftStruct = Map<number, ThriftValue>;

const enum Wire {
  stop = 0,
  boolTrue = 1,
  boolFalse = 2,
  byte = 3,
  i16 = 4,
  i32 = 5,
  i64 = 6,
  double = 7,
  binary = 8,
  list = 9,
  set = 10,
  map = 11,
  struct = 12,
}

/** Nesting deeper than any Parquet structure: a corrupt file must not recurse the stack away. */
const MAX_DEPTH = 64;

export class CompactReader {
  pos: number;
  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
  ) {
    this.pos = start;
  }

  private byte(): number {
    if (this.pos >= this.bytes.length) throw new RangeError('thrift: past the end of the bytes');
    return this.bytes[this.pos++];
  }

  private varint(): number {
    let v = 0;
    for (let mul = 1, n = 0; ; mul *= 128, n++) {
      const b = this.byte();
      v += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return v;
      if (n === 9) throw new Error('thrift: a varint longer than 10 bytes');
    }
  }

  private zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  private value(type: number, depth: number): ThriftValue {
    switch (type) {
      case Wire.boolTrue:
        return true;
      case Wire.boolFalse:
        return false;
      case Wire.byte: {
        const b = this.byte();
        return b > 127 ? b - 256 : b;
      }
      case Wire.i16:
      case Wire.i32:
      case Wire.i64:
        return this.zigzag();
      case Wire.double: {
        if (this.pos + 8 > this.bytes.length) throw new RangeError('thrift: past the end of the bytes');
        const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8).getFloat64(0, true);
        this.pos += 8;
        return v;
      }
      case Wire.binary: {
        const n = this.varint();
        if (this.pos + n > this.bytes.length) throw new RangeError('thrift: past the end of the bytes');
        const v = this.bytes.subarray(this.pos, this.pos + n);
        this.pos += n;
        return v;
      }
      case Wire.list:
      case Wire.set: {
        const head = this.byte();
        const size = head >> 4 === 15 ? this.varint() : head >> 4;
        const inner = head & 15;
        const out: ThriftValue[] = [];
        for (let i = 0; i < size; i++) {
          // a bool in a list is a byte of its own: 1 true, anything else false
          out.push(
            inner === Wire.boolTrue || inner === Wire.boolFalse ? this.byte() === 1 : this.value(inner, depth + 1),
          );
        }
        return out;
      }
      case Wire.map: {
        const size = this.varint();
        if (size === 0) return new Map();
        const types = this.byte();
        const out: ThriftStruct = new Map();
        for (let i = 0; i < size; i++) {
          const k = this.value(types >> 4, depth + 1);
          out.set(typeof k === 'number' ? k : i, this.value(types & 15, depth + 1));
        }
        return out;
      }
      case Wire.struct:
        return this.struct(depth + 1);
      default:
        throw new Error(`thrift: unknown field type ${type}`);
    }
  }

  /** Reads a struct from here to its stop byte. */
  struct(depth = 0): ThriftStruct {
    if (depth > MAX_DEPTH) throw new Error('thrift: structures nested too deep');
    const out: ThriftStruct = new Map();
    let id = 0;
    for (;;) {
      const head = this.byte();
      const type = head & 15;
      if (type === Wire.stop) return out;
      id = head >> 4 === 0 ? this.zigzag() : id + (head >> 4);
      out.set(id, this.value(type, depth));
    }
  }
}

/** Field id of a struct as a number, or a default when it is absent. */
export function num(s: ThriftStruct, id: number, otherwise?: number): number {
  const v = s.get(id);
  if (typeof v === 'number') return v;
  if (v === undefined && otherwise !== undefined) return otherwise;
  throw new Error(`thrift: field ${id} is ${v === undefined ? 'missing' : 'not a number'}`);
}

export function struct(s: ThriftStruct, id: number): ThriftStruct | undefined {
  const v = s.get(id);
  return v instanceof Map ? v : undefined;
}

export function list(s: ThriftStruct, id: number): ThriftValue[] {
  const v = s.get(id);
  return Array.isArray(v) ? v : [];
}

export function text(s: ThriftStruct, id: number): string | undefined {
  const v = s.get(id);
  return v instanceof Uint8Array ? new TextDecoder().decode(v) : undefined;
}
