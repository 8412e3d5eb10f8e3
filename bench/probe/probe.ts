// The machine's limit for what the kernel does per order: one read-modify-write of a random
// 64-byte slot, from a precomputed index (no hashing, no probing). AssemblyScript, built by
// `npm run bench` into build/probe.wasm. Layout: slots at 64-byte-aligned `slotsPtr`, then
// the u32 index of slot numbers.

let slotsPtr: usize = 0;
let indexPtr: usize = 0;

/** Sizes memory for `slots` slots and `updates` index entries; returns the index pointer. */
export function setup(slots: i32, updates: i32): usize {
  const need: usize = <usize>64 + (<usize>slots << 6) + (<usize>updates << 2);
  const have: usize = (<usize>memory.size()) << 16;
  if (need > have) memory.grow(<i32>((need - have + 0xffff) >> 16));
  slotsPtr = 64;
  indexPtr = slotsPtr + (<usize>slots << 6);
  return indexPtr;
}

/** Applies the updates: each adds to a count and a sum in its slot. */
export function run(updates: i32): f64 {
  for (let i = 0; i < updates; i++) {
    const p = slotsPtr + (<usize>load<u32>(indexPtr + (<usize>i << 2)) << 6);
    store<u32>(p, load<u32>(p) + 1);
    store<f64>(p, load<f64>(p, 8) + 1.5, 8);
  }
  return load<f64>(slotsPtr, 8);
}
