/** The one table of kernels the contract suite (test/kernel/contract.test.ts) holds to the same results. */
import { CoreKernel } from '../../src/core/core-kernel.js';
import type { Kernel } from '../../src/domain/types.js';
import { WasmKernel } from '../../src/kernel/wasm-kernel.js';

export type MakeKernel = () => Kernel;

export const KERNELS: readonly (readonly [string, MakeKernel])[] = [
  ['plain core', () => new CoreKernel()],
  ['WASM kernel', () => new WasmKernel()],
];
