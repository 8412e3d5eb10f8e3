// Bit-identical to src/core/hash.ts: slot and shard of a customer depend on it.

// @ts-ignore: decorator
@inline
export function fmix32(x: i32): i32 {
  x ^= x >>> 16;
  x *= 0x7feb352d;
  x ^= x >>> 15;
  x *= 0x846ca68b;
  x ^= x >>> 16;
  return x;
}

// @ts-ignore: decorator
@inline
export function keyHash(lo: i32, hi: i32): i32 {
  return fmix32(lo ^ ((hi ^ 0x9e3779b9) * 0x85ebca6b));
}

// @ts-ignore: decorator
@inline
export function shardOf(hash: i32, numShards: i32): i32 {
  return <i32>((<u64><u32>hash * <u64>numShards) >> 32);
}

/** Two 32-bit hashes of the UTF-8 bytes at [ptr, ptr + len); sets keyLoOut / keyHiOut. */
export let keyLoOut: i32 = 0;
export let keyHiOut: i32 = 0;

export function bytesKey(ptr: usize, len: i32): void {
  let lo: i32 = 0x811c9dc5;
  let hi: i32 = 0x3c6ef372;
  for (let i = 0; i < len; i++) {
    const b = <i32>load<u8>(ptr + <usize>i);
    lo = (lo ^ b) * 0x01000193;
    hi = (hi ^ b) * 0x5bd1e995;
    hi ^= hi >>> 13;
  }
  keyLoOut = fmix32(lo ^ len);
  keyHiOut = fmix32(hi);
}
