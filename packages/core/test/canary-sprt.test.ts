import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  canaryFixedSampleSize,
  canaryFixedSampleTest,
  resolveSprtConfig,
  sprtBoundaries,
  sprtDecide,
  sprtExactOutcome,
  sprtExpectedSampleSize,
  sprtFinish,
  sprtIncrements,
  sprtLogLikelihoodRatio,
  sprtOperatingCharacteristic,
  sprtRun,
  sprtStart,
  sprtStep,
  sprtUpdate,
  sprtWorstCaseSampleSize,
} from '../src/index.js';
import type { SprtConfig, SprtState } from '../src/index.js';
import { standardNormalQuantile } from '../src/canary/normal.js';

// The worked example of CONTEXT.md §5.
const EXAMPLE: SprtConfig = { p0: 0.005, p1: 0.01, alpha: 0.05, beta: 0.05 };

function configurationError(run: () => unknown): ConfigurationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('SPRT boundaries and increments', () => {
  it('puts the boundaries of the worked example at ±2.944', () => {
    const { abort, promote } = sprtBoundaries(EXAMPLE);
    expect(abort).toBeCloseTo(Math.log(19), 12);
    expect(abort).toBeCloseTo(2.944, 3);
    expect(promote).toBeCloseTo(-2.944, 3);
  });

  it('uses ln((1−β)/α) and ln(β/(1−α)) for unequal error probabilities', () => {
    const { abort, promote } = sprtBoundaries({ alpha: 0.01, beta: 0.2 });
    expect(abort).toBeCloseTo(Math.log(0.8 / 0.01), 12);
    expect(promote).toBeCloseTo(Math.log(0.2 / 0.99), 12);
  });

  it('adds ln(p1/p0) per error and ln((1−p1)/(1−p0)) per success', () => {
    const { error, success } = sprtIncrements(EXAMPLE);
    expect(error).toBeCloseTo(Math.log(2), 14);
    expect(success).toBeCloseTo(Math.log(0.99 / 0.995), 14);
    expect(sprtLogLikelihoodRatio(EXAMPLE, 3, 100)).toBeCloseTo(3 * error + 97 * success, 12);
  });
});

describe('Wald approximations and the fixed-sample test (CONTEXT.md §5 figures)', () => {
  it('expects ≈ 1,363 requests when the canary is bad and ≈ 1,713 when it is good', () => {
    expect(sprtExpectedSampleSize(EXAMPLE, 0.01)).toBeCloseTo(1363, -1);
    expect(Math.abs(sprtExpectedSampleSize(EXAMPLE, 0.01) - 1363)).toBeLessThan(2);
    expect(Math.abs(sprtExpectedSampleSize(EXAMPLE, 0.005) - 1713)).toBeLessThan(2);
  });

  it('puts the worst case at ≈ 2,483 requests for p ≈ 0.72 %', () => {
    const worst = sprtWorstCaseSampleSize(EXAMPLE);
    expect(Math.abs(worst.samples - 2483)).toBeLessThan(2);
    expect(worst.rate).toBeCloseTo(0.0072, 4);
    // The drift-free point is, to a fraction of a percent, where the expected size peaks.
    for (const rate of [0.006, 0.007, 0.0075, 0.008]) {
      expect(sprtExpectedSampleSize(EXAMPLE, rate)).toBeLessThan(worst.samples * 1.005);
    }
    expect(Math.abs(sprtExpectedSampleSize(EXAMPLE, worst.rate) - worst.samples) / worst.samples).toBeLessThan(0.002);
  });

  it('needs 3,129 requests (abort above 22 errors) for the fixed one-sided test', () => {
    expect(canaryFixedSampleTest(EXAMPLE)).toEqual({ samples: 3129, maxErrors: 22 });
    expect(canaryFixedSampleSize(EXAMPLE)).toBe(3129);
  });

  it('gives the operating characteristic 1 − α at p0 and β at p1, and the certain ends', () => {
    expect(sprtOperatingCharacteristic(EXAMPLE, 0.005)).toBeCloseTo(0.95, 9);
    expect(sprtOperatingCharacteristic(EXAMPLE, 0.01)).toBeCloseTo(0.05, 9);
    expect(sprtOperatingCharacteristic(EXAMPLE, 0)).toBe(1);
    expect(sprtOperatingCharacteristic(EXAMPLE, 1)).toBe(0);
    expect(sprtOperatingCharacteristic(EXAMPLE, sprtWorstCaseSampleSize(EXAMPLE).rate)).toBeCloseTo(0.5, 3);
    expect(sprtOperatingCharacteristic(EXAMPLE, 0.05)).toBeLessThan(1e-6);
  });

  it('expects exactly A/ln(p1/p0) requests at 100 % errors and B/ln((1−p1)/(1−p0)) at none', () => {
    const { abort, promote } = sprtBoundaries(EXAMPLE);
    const { error, success } = sprtIncrements(EXAMPLE);
    expect(sprtExpectedSampleSize(EXAMPLE, 1)).toBeCloseTo(abort / error, 9);
    expect(sprtExpectedSampleSize(EXAMPLE, 0)).toBeCloseTo(promote / success, 9);
  });

  it('computes the standard normal quantile to 1e-8', () => {
    expect(standardNormalQuantile(0.95)).toBeCloseTo(1.6448536269514722, 8);
    expect(standardNormalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(standardNormalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 8);
    expect(standardNormalQuantile(0.5)).toBe(0);
    expect(() => standardNormalQuantile(1)).toThrow(RangeError);
  });
});

describe('exact operating figures', () => {
  it('keeps the truncated test within α and β, close to Wald where Wald applies', () => {
    const good = sprtExactOutcome(EXAMPLE, 0.005);
    const bad = sprtExactOutcome(EXAMPLE, 0.01);
    expect(good.abort).toBeCloseTo(0.03626, 4);
    expect(bad.promote).toBeCloseTo(0.04504, 4);
    expect(good.abort + good.promote + good.inconclusive).toBeCloseTo(1, 12);
    expect(good.expectedSamples).toBeLessThan(0.55 * 3129);
    expect(bad.expectedSamples).toBeLessThan(0.55 * 3129);
    expect(Math.abs(good.expectedSamples / 1713 - 1)).toBeLessThan(0.1);
    expect(Math.abs(bad.expectedSamples / 1363 - 1)).toBeLessThan(0.1);
    expect(good.p90Samples).toBe(3129);
  });

  it('respects Wald’s bound α/(1−β) without truncation (the overshoot only helps)', () => {
    const good = sprtExactOutcome({ ...EXAMPLE, maxSamples: Infinity }, 0.005);
    const bad = sprtExactOutcome({ ...EXAMPLE, maxSamples: Infinity }, 0.01);
    expect(good.abort).toBeLessThanOrEqual(0.05 / 0.95);
    expect(bad.promote).toBeLessThanOrEqual(0.05 / 0.95);
    expect(good.inconclusive).toBeLessThan(1e-12);
  });

  it('barely changes the false-abort rate when promotion waits for min-samples (Ville’s inequality)', () => {
    const plain = sprtExactOutcome(EXAMPLE, 0.005);
    const waiting = sprtExactOutcome({ ...EXAMPLE, minSamples: 2000 }, 0.005);
    expect(waiting.abort).toBeGreaterThanOrEqual(plain.abort);
    expect(waiting.abort).toBeLessThan(0.05 / 0.95);
  });

  it('stops a 5 % canary after about a hundred requests', () => {
    const broken = sprtExactOutcome(EXAMPLE, 0.05);
    expect(broken.abort).toBeGreaterThan(0.999999);
    expect(broken.expectedSamples).toBeGreaterThan(100);
    expect(broken.expectedSamples).toBeLessThan(115);
  });
});

describe('SPRT configuration', () => {
  it('fills in the defaults: min 0, max = the fixed-sample size, no-data limit 4', () => {
    expect(resolveSprtConfig(EXAMPLE)).toEqual({ ...EXAMPLE, minSamples: 0, maxSamples: 3129, noDataLimit: 4 });
    expect(resolveSprtConfig({ ...EXAMPLE, maxSamples: Infinity }).maxSamples).toBe(Infinity);
  });

  it.each([
    [{ p0: 0 }, 'baseline-error-rate'],
    [{ p0: 1 }, 'baseline-error-rate'],
    [{ p0: Number.NaN }, 'baseline-error-rate'],
    [{ p1: 1 }, 'max-error-rate'],
    [{ p1: -0.1 }, 'max-error-rate'],
    [{ p1: 0.005 }, 'max-error-rate'],
    [{ p0: 0.02, p1: 0.01 }, 'max-error-rate'],
    [{ alpha: 0 }, 'alpha'],
    [{ alpha: 0.5 }, 'alpha'],
    [{ beta: 0.5 }, 'beta'],
    [{ beta: -1 }, 'beta'],
    [{ minSamples: -1 }, 'min-samples'],
    [{ minSamples: 1.5 }, 'min-samples'],
    [{ maxSamples: 0 }, 'max-samples'],
    [{ minSamples: 500, maxSamples: 400 }, 'min-samples'],
    [{ noDataLimit: -1 }, 'no-data-limit'],
  ])('rejects %o naming the input %s', (override, input) => {
    const error = configurationError(() => sprtStart({ ...EXAMPLE, ...override }));
    expect(error.input).toBe(input);
    expect(error.message).toContain(`"${input}"`);
  });

  it('says what would be accepted', () => {
    expect(configurationError(() => sprtStart({ ...EXAMPLE, alpha: 0.7 })).message).toMatch(/above 0 and below 0\.5/);
    expect(configurationError(() => sprtStart({ ...EXAMPLE, p1: 0.004 })).message).toMatch(/greater than/);
  });
});

describe('SPRT decisions', () => {
  const boundaries = sprtBoundaries(EXAMPLE);
  const limits = { minSamples: 100, maxSamples: 1000 };

  it('aborts at the abort boundary, even before min-samples', () => {
    expect(sprtDecide(boundaries.abort, 10, boundaries, limits)).toEqual({ status: 'abort', stop: 'abort-boundary' });
  });

  it('promotes at the promote boundary only once min-samples requests were counted', () => {
    expect(sprtDecide(boundaries.promote, 99, boundaries, limits).status).toBe('continue');
    expect(sprtDecide(boundaries.promote, 100, boundaries, limits)).toEqual({
      status: 'promote',
      stop: 'promote-boundary',
    });
  });

  it('is inconclusive at max-samples between the boundaries, and lets a boundary win there', () => {
    expect(sprtDecide(0, 1000, boundaries, limits)).toEqual({ status: 'inconclusive', stop: 'max-samples' });
    expect(sprtDecide(3, 1000, boundaries, limits).status).toBe('abort');
    expect(sprtDecide(-3, 1000, boundaries, limits).status).toBe('promote');
  });

  it('aborts the worked example after 31 errors in 1,204 requests', () => {
    const state = sprtUpdate(sprtStart(EXAMPLE), { errors: 31, total: 1204 });
    expect(state.status).toBe('abort');
    expect(state.stop).toBe('abort-boundary');
    expect(state.llr).toBeCloseTo(31 * Math.log(2) + 1173 * Math.log(0.99 / 0.995), 10);
  });

  it('promotes a clean canary after exactly ceil(B / ln((1−p1)/(1−p0))) successes', () => {
    let state = sprtStart(EXAMPLE);
    while (state.status === 'continue') state = sprtStep(state, false);
    expect(state.status).toBe('promote');
    expect(state.samples).toBe(585);
  });

  it('aborts after five errors in a row (5 · ln 2 > 2.944 > 4 · ln 2)', () => {
    let state = sprtStart(EXAMPLE);
    for (let i = 0; i < 4; i++) state = sprtStep(state, true);
    expect(state.status).toBe('continue');
    state = sprtStep(state, true);
    expect(state.status).toBe('abort');
    expect(state.samples).toBe(5);
  });

  it('holds promotion back until min-samples', () => {
    let state = sprtStart({ ...EXAMPLE, minSamples: 1000 });
    state = sprtUpdate(state, { errors: 0, total: 800 });
    expect(state.llr).toBeLessThan(state.boundaries.promote);
    expect(state.status).toBe('continue');
    state = sprtUpdate(state, { errors: 0, total: 200 });
    expect(state.status).toBe('promote');
  });

  it('stops inconclusive at max-samples', () => {
    const state = sprtUpdate(sprtStart({ ...EXAMPLE, maxSamples: 1000 }), { errors: 7, total: 1000 });
    expect(state.status).toBe('inconclusive');
    expect(state.stop).toBe('max-samples');
  });

  it('ignores measurements once decided', () => {
    const decided = sprtUpdate(sprtStart(EXAMPLE), { errors: 10, total: 10 });
    expect(sprtUpdate(decided, { errors: 0, total: 100_000 })).toBe(decided);
    expect(sprtFinish(decided)).toBe(decided);
  });

  it('does not change the given state', () => {
    const start = sprtStart(EXAMPLE);
    const copy = { ...start };
    sprtUpdate(start, { errors: 3, total: 50 });
    expect(start).toEqual(copy);
  });

  it('treats a measurement of zero requests as no information', () => {
    const state = sprtUpdate(sprtStart(EXAMPLE), { errors: 0, total: 0 });
    expect(state).toMatchObject({ samples: 0, llr: 0, measurements: 1, noData: 0, status: 'continue' });
  });

  it('rejects impossible counts as a bug, not a user mistake', () => {
    expect(() => sprtUpdate(sprtStart(EXAMPLE), { errors: 5, total: 4 })).toThrow(RangeError);
    expect(() => sprtUpdate(sprtStart(EXAMPLE), { errors: -1, total: 4 })).toThrow(RangeError);
    expect(() => sprtUpdate(sprtStart(EXAMPLE), { errors: 0, total: Number.NaN })).toThrow(RangeError);
  });
});

describe('SPRT without data', () => {
  it('ends with no-data after more than no-data-limit measurements in a row without data', () => {
    let state: SprtState = sprtStart(EXAMPLE);
    for (let i = 0; i < 4; i++) state = sprtUpdate(state, { noData: 'connect ECONNREFUSED' });
    expect(state.status).toBe('continue');
    state = sprtUpdate(state, { noData: 'timeout after 5s' });
    expect(state).toMatchObject({
      status: 'no-data',
      stop: 'no-data-limit',
      noData: 5,
      lastNoData: 'timeout after 5s',
    });
  });

  it('resets the run of no-data measurements when data arrives, and never counts no data as success', () => {
    let state: SprtState = sprtStart(EXAMPLE);
    for (let i = 0; i < 20; i++) {
      state = sprtUpdate(state, { noData: 'empty result' });
      state = sprtUpdate(state, { noData: 'empty result' });
      state = sprtUpdate(state, { errors: 0, total: 1 });
    }
    expect(state).toMatchObject({ status: 'continue', samples: 20, noData: 40, consecutiveNoData: 0 });
    expect(state.llr).toBeCloseTo(20 * sprtIncrements(EXAMPLE).success, 12);
  });

  it('finishes as no-data without a single request, inconclusive otherwise', () => {
    expect(sprtFinish(sprtUpdate(sprtStart(EXAMPLE), { noData: 'x' }))).toMatchObject({
      status: 'no-data',
      stop: 'time-limit',
    });
    expect(sprtFinish(sprtUpdate(sprtStart(EXAMPLE), { errors: 1, total: 100 }))).toMatchObject({
      status: 'inconclusive',
      stop: 'time-limit',
    });
  });
});

describe('sprtRun', () => {
  it('records the path of the log-likelihood ratio from 0 and stops at the verdict', () => {
    const { state, path } = sprtRun(EXAMPLE, [
      { errors: 3, total: 200 },
      { noData: 'timeout' },
      { errors: 2, total: 300 },
      { errors: 20, total: 700 },
      { errors: 0, total: 5000 },
    ]);
    expect(state.status).toBe('abort');
    expect(state.samples).toBe(1200);
    expect(path.map((point) => point.samples)).toEqual([0, 200, 500, 1200]);
    expect(path[3]?.llr).toBe(state.llr);
  });
});
