/**
 * Byte-level equality of typed arrays and of objects holding them: vitest's deep equality
 * walks typed arrays element by element, which takes seconds on sketches and states.
 */
type Typed = Uint8Array | Uint32Array | Int32Array | Float64Array;

function bytes(a: Typed): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** A comparable stand-in: every typed array replaced by its bytes as hex-free Buffer digests. */
export function digest(value: unknown): unknown {
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name}:${(value as Typed).length}:${bytes(value as Typed).toString('base64')}`;
  if (Array.isArray(value)) return value.map(digest);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, digest(v)]));
  return value;
}
