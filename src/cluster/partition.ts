/**
 * Which partition of the order stream a customer's rows go to. From the engine's own key
 * hash (core/hash.ts: 17 and "17" are one key), mixed once more: the index takes a key's low
 * bits and the shard its high bits, so a partition taken from either would leave a node
 * that owns some partitions with half its index buckets, or all its customers on one worker.
 */
import { fmix32, keyHash } from '../core/hash.js';

/** Any constant would do that is none of the hash's own (abi/table.mjs). */
const PARTITION_SEED = 0x2c1b3c6d;

/** The most partitions a stream may have (a subject each, a lease each). */
export const MAX_PARTITIONS = 1024;

/** The partition (0..partitions-1) of the customer whose 64-bit key is (lo, hi). */
export function partitionOf(lo: number, hi: number, partitions: number): number {
  return (fmix32(keyHash(lo, hi) ^ PARTITION_SEED) >>> 0) % partitions;
}
