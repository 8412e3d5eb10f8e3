/**
 * The kernel contract: every kernel (test/support/kernels.ts) held to the same behaviour,
 * case for case: rule boundaries, index lookups among many customers, state that restores
 * across kernels, purchase days the same in any arrival order. The seeded differential cases
 * (differential-cases.test.ts) then hold the
 * two to identical bytes on random inputs.
 */
import { describe } from 'vitest';
import { KERNELS } from '../../support/kernels.js';
import { dayLists } from '../../support/contract/day-lists.js';
import { indexLookups } from '../../support/contract/index-lookups.js';
import { ruleBoundaries } from '../../support/contract/rule-boundaries.js';
import { stateRestores } from '../../support/contract/state-restores.js';

describe.each(KERNELS)('the %s', (_name, make) => {
  describe('rule boundaries', () => ruleBoundaries(make));
  describe('index lookups', () => indexLookups(make));
  describe('state', () => stateRestores(make));
  describe('purchase-day lists', () => dayLists(make));
});
