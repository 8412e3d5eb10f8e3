/**
 * Asks Linux for transparent huge pages (2 MiB) behind the kernels' state: with the state
 * at 10^7 customers, 4 KiB pages cost a page fault per first touch and a TLB miss on most
 * updates (bench/NOTES.md, section 40). A hint through a small native helper
 * (src/native/huge-pages.c, built at install); where the helper is missing (not Linux, no C
 * compiler) or RFM_HUGE_PAGES=0 is set, nothing is asked and everything runs as before.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

interface HugePagesHelper {
  advise(buffer: ArrayBuffer | Uint8Array, span: number): number;
}

let helper: HugePagesHelper | null | undefined;

function loadHelper(): HugePagesHelper | null {
  if (helper !== undefined) return helper;
  helper = null;
  if (process.platform !== 'linux' || process.env.RFM_HUGE_PAGES === '0') return helper;
  try {
    helper = createRequire(import.meta.url)(join(packageRoot(), 'build', 'huge-pages.node')) as HugePagesHelper;
  } catch {
    // not built here: 4 KiB pages, as without it
  }
  return helper;
}

const THP = '/sys/kernel/mm/transparent_hugepage/enabled';

/** The system's transparent huge pages mode ("always", "madvise", "never"), or undefined where there is none. */
export function thpMode(): string | undefined {
  return existsSync(THP) ? /\[(\w+)\]/.exec(readFileSync(THP, 'utf8'))?.[1] : undefined;
}

/** Huge pages are asked for in this process (the helper is built and not switched off). */
export function hugePagesAsked(): boolean {
  return loadHelper() !== null;
}

/** Asks for huge pages behind `buffer`'s memory. Returns whether the hint was taken. */
export function askHugePages(buffer: ArrayBuffer | SharedArrayBuffer): boolean {
  const h = loadHelper();
  if (h === null) return false;
  try {
    // N-API reaches a SharedArrayBuffer's memory only through a view
    return h.advise(buffer instanceof ArrayBuffer ? buffer : new Uint8Array(buffer), buffer.byteLength) === 0;
  } catch {
    // a helper built before it took views: a hint not given
    return false;
  }
}

/**
 * The 4 GiB a 32-bit WebAssembly memory can grow to: on 64-bit hosts V8 reserves that much
 * address space (and more) up front, and the memory grows into it in place.
 */
const WASM_MEMORY_SPAN = 2 ** 32;

/** Asks for huge pages behind a WebAssembly memory, now and as it grows. */
export function askHugePagesForWasm(memory: WebAssembly.Memory): boolean {
  const h = loadHelper();
  return h !== null && h.advise(memory.buffer, WASM_MEMORY_SPAN) === 0;
}
