/**
 * Customer keys are 64-bit, held as two signed 32-bit words (lo, hi) so the plain
 * core needs no BigInt on the hot path. These functions must stay bit-identical to
 * assembly/hash.ts: both decide which slot and which shard a customer lands in.
 */
import * as abi from '../abi/abi.js';

// The ABI's numbers as this module's own constants: V8 folds those into the code, not
// imported bindings (measured on the plain core's ingest: 15.9 -> 18.7 M rows/s).
const { HASH_HI_PRIME, HASH_HI_SEED, HASH_KEY_HI, HASH_KEY_MUL, HASH_LO_PRIME, HASH_LO_SEED, HASH_MIX1, HASH_MIX2 } =
  abi;

/** 32-bit finaliser ("lowbias32"): every input bit moves every output bit. */
export function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, HASH_MIX1);
  x ^= x >>> 15;
  x = Math.imul(x, HASH_MIX2);
  x ^= x >>> 16;
  return x | 0;
}

/** Hash of a 64-bit key to 32 bits: low bits pick the index bucket, high bits the shard. */
export function keyHash(lo: number, hi: number): number {
  return fmix32(lo ^ Math.imul(hi ^ HASH_KEY_HI, HASH_KEY_MUL));
}

/** Shard of a key hash, from its high bits so it does not correlate with the index bucket. */
export function shardOf(hash: number, numShards: number): number {
  return Math.floor(((hash >>> 0) * numShards) / 4294967296);
}

/**
 * 64-bit key of a UTF-8 string id (an email, say), as two independent 32-bit byte hashes.
 * Writes lo into out[0] and hi into out[1]. 10^7 distinct ids collide with probability ~3e-6.
 */
export function bytesKeyInto(out: Int32Array, bytes: Uint8Array, start: number, end: number): void {
  let lo = HASH_LO_SEED;
  let hi = HASH_HI_SEED;
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    lo = Math.imul(lo ^ b, HASH_LO_PRIME);
    hi = Math.imul(hi ^ b, HASH_HI_PRIME);
    hi ^= hi >>> 13;
  }
  out[0] = fmix32(lo ^ (end - start));
  out[1] = fmix32(hi);
}
