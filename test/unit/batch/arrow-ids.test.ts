/** The converter's copies of apache-arrow's enum numbers (src/batch/arrow-ids.ts) are the package's. */
import { DateUnit, Precision, TimeUnit, Type } from 'apache-arrow';
import { expect, test } from 'vitest';
import { DateUnitId, PrecisionId, TimeUnitId, TypeId } from '../../../src/batch/arrow-ids.js';

test('type ids, time and date units and float precisions match apache-arrow', () => {
  for (const [name, id] of Object.entries(TypeId)) expect(id, `Type.${name}`).toBe(Type[name as keyof typeof Type]);
  for (const [name, id] of Object.entries(TimeUnitId))
    expect(id, `TimeUnit.${name}`).toBe(TimeUnit[name as keyof typeof TimeUnit]);
  for (const [name, id] of Object.entries(DateUnitId))
    expect(id, `DateUnit.${name}`).toBe(DateUnit[name as keyof typeof DateUnit]);
  for (const [name, id] of Object.entries(PrecisionId))
    expect(id, `Precision.${name}`).toBe(Precision[name as keyof typeof Precision]);
});
