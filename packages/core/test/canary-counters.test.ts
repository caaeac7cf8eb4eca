import { describe, expect, it } from 'vitest';
import {
  canaryCounterIncrease,
  canaryCounterIncrement,
  canaryCounterIncrements,
  isCanaryNoData,
} from '../src/index.js';

describe('canaryCounterIncrease (PromQL increase() semantics)', () => {
  it('is the difference while the counter grows, and the new value after a reset', () => {
    expect(canaryCounterIncrease(100, 130)).toBe(30);
    expect(canaryCounterIncrease(100, 100)).toBe(0);
    expect(canaryCounterIncrease(100, 7)).toBe(7);
    expect(canaryCounterIncrease(100, 0)).toBe(0);
  });
});

describe('canaryCounterIncrements', () => {
  it('turns cumulative readings into per-interval counts', () => {
    const increments = canaryCounterIncrements([
      { errors: 10, total: 1000 },
      { errors: 12, total: 1400 },
      { errors: 12, total: 1400 },
      { errors: 20, total: 2000 },
    ]);
    expect(increments.map((increment) => increment.measurement)).toEqual([
      { errors: 2, total: 400 },
      { errors: 0, total: 0 },
      { errors: 8, total: 600 },
    ]);
    expect(increments.every((increment) => !increment.reset)).toBe(true);
  });

  it('reads a decrease as a process restart and counts the new values', () => {
    const increments = canaryCounterIncrements([
      { errors: 50, total: 10_000 },
      { errors: 3, total: 250 },
      { errors: 4, total: 400 },
    ]);
    expect(increments[0]).toMatchObject({ measurement: { errors: 3, total: 250 }, reset: true });
    expect(increments[1]).toMatchObject({ measurement: { errors: 1, total: 150 }, reset: false });
  });

  it('handles a reset of one counter only', () => {
    const [increment] = canaryCounterIncrements([
      { errors: 0, total: 10_000 },
      { errors: 2, total: 300 },
    ]);
    expect(increment).toMatchObject({ measurement: { errors: 2, total: 300 }, reset: true });
  });

  it.each([
    [{ errors: undefined, total: 100 }, 'errors query returned no value'],
    [{ errors: null, total: 100 }, 'errors query returned no value'],
    [{ errors: 1, total: Number.NaN }, 'total query returned NaN'],
    [{ errors: 1, total: Infinity }, 'total query returned Infinity'],
    [{ errors: -1, total: 100 }, 'negative counter'],
  ])('treats %o as no data, never as success', (reading, reason) => {
    const increment = canaryCounterIncrement({ errors: 0, total: 0 }, reading);
    expect(isCanaryNoData(increment.measurement)).toBe(true);
    expect(increment.measurement).toEqual({ noData: expect.stringContaining(reason) });
    expect(increment.previous).toEqual({ errors: 0, total: 0 });
  });

  it('measures across a gap from the last usable reading, so nothing is lost', () => {
    const increments = canaryCounterIncrements([
      { errors: 1, total: 100 },
      { errors: undefined, total: undefined },
      { errors: 5, total: 700 },
    ]);
    expect(isCanaryNoData(increments[0]!.measurement)).toBe(true);
    expect(increments[1]!.measurement).toEqual({ errors: 4, total: 600 });
  });

  it('has no data for the first interval when the start reading is missing, then starts from the next', () => {
    const increments = canaryCounterIncrements([
      { errors: undefined, total: undefined },
      { errors: 2, total: 200 },
      { errors: 3, total: 500 },
    ]);
    expect(increments[0]!.measurement).toEqual({ noData: 'no earlier reading to measure the increase from' });
    expect(increments[1]!.measurement).toEqual({ errors: 1, total: 300 });
  });

  it('refuses intervals in which errors grew more than requests (counters out of step)', () => {
    const [increment] = canaryCounterIncrements([
      { errors: 0, total: 100 },
      { errors: 10, total: 105 },
    ]);
    expect(increment!.measurement).toEqual({ noData: expect.stringContaining('out of step') });
    expect(increment!.previous).toEqual({ errors: 10, total: 105 });
  });

  it('returns nothing for fewer than two readings', () => {
    expect(canaryCounterIncrements([])).toEqual([]);
    expect(canaryCounterIncrements([{ errors: 1, total: 1 }])).toEqual([]);
  });
});
