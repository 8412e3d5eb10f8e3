// Bit-identical to src/core/hash.ts: slot and shard of a customer depend on it.
import {
  HASH_HI_PRIME, HASH_HI_SEED, HASH_KEY_HI, HASH_KEY_MUL, HASH_LO_PRIME, HASH_LO_SEED, HASH_MIX1, HASH_MIX2,
} from './abi';

// @ts-ignore: decorator
@inline
export function fmix32(x: i32): i32 {
  x ^= x >>> 16;
  x *= HASH_MIX1;
  x ^= x >>> 15;
  x *= HASH_MIX2;
  x ^= x >>> 16;
  return x;
}

// @ts-ignore: decorator
@inline
export function keyHash(lo: i32, hi: i32): i32 {
  return fmix32(lo ^ ((hi ^ HASH_KEY_HI) * HASH_KEY_MUL));
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
  let lo: i32 = HASH_LO_SEED;
  let hi: i32 = HASH_HI_SEED;
  for (let i = 0; i < len; i++) {
    const b = <i32>load<u8>(ptr + <usize>i);
    lo = (lo ^ b) * HASH_LO_PRIME;
    hi = (hi ^ b) * HASH_HI_PRIME;
    hi ^= hi >>> 13;
  }
  keyLoOut = fmix32(lo ^ len);
  keyHiOut = fmix32(hi);
}
