import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  baselineSprtFinish,
  baselineSprtIncrement,
  baselineSprtRun,
  baselineSprtStart,
  baselineSprtUpdate,
  canaryErrorShare,
} from '../src/index.js';
import type { BaselineSprtState, SprtConfig } from '../src/index.js';

// k = p1/p0 = 2: the canary is a regression when it fails twice as often as the baseline.
const CONFIG: SprtConfig = { p0: 0.005, p1: 0.01, alpha: 0.05, beta: 0.05 };

describe('error split between canary and baseline', () => {
  it('is the traffic share under H0 and k·n_c/(k·n_c + n_b) under H1', () => {
    expect(canaryErrorShare(100, 900, 1)).toBeCloseTo(0.1, 15);
    expect(canaryErrorShare(100, 900, 2)).toBeCloseTo(200 / 1100, 15);
    expect(canaryErrorShare(500, 500, 3)).toBeCloseTo(0.75, 15);
  });

  it('adds e_c·ln(π1/π0) + e_b·ln((1−π1)/(1−π0)) per comparison', () => {
    const pi0 = 0.1;
    const pi1 = 200 / 1100;
    const expected = 6 * Math.log(pi1 / pi0) + 54 * Math.log((1 - pi1) / (1 - pi0));
    expect(baselineSprtIncrement({ errors: 6, total: 100 }, { errors: 54, total: 900 }, 2)).toBeCloseTo(expected, 12);
  });

  it('learns nothing when one version served no request, or when nobody failed', () => {
    expect(baselineSprtIncrement({ errors: 0, total: 0 }, { errors: 3, total: 900 }, 2)).toBe(0);
    expect(baselineSprtIncrement({ errors: 2, total: 100 }, { errors: 0, total: 0 }, 2)).toBe(0);
    expect(baselineSprtIncrement({ errors: 0, total: 100 }, { errors: 0, total: 900 }, 2)).toBe(0);
  });

  it('weighs only the split: ten times the errors in the same proportions is ten times the evidence', () => {
    const few = baselineSprtIncrement({ errors: 2, total: 1000 }, { errors: 8, total: 4000 }, 2);
    const many = baselineSprtIncrement({ errors: 20, total: 1000 }, { errors: 80, total: 4000 }, 2);
    expect(many).toBeCloseTo(10 * few, 10);
    // A split equal to the traffic share is evidence for H0.
    expect(few).toBeLessThan(0);
  });
});

describe('canary versus baseline SPRT', () => {
  it('aborts a canary that takes most errors with a tenth of the traffic', () => {
    const state = baselineSprtUpdate(baselineSprtStart(CONFIG), {
      canary: { errors: 31, total: 1204 },
      baseline: { errors: 21, total: 10836 },
    });
    expect(state).toMatchObject({ status: 'abort', stop: 'abort-boundary', degradation: 2 });
    expect(state.samples).toBe(1204);
    expect(state.baselineErrors).toBe(21);
  });

  it('promotes a canary whose share of errors matches its share of traffic', () => {
    let state: BaselineSprtState = baselineSprtStart(CONFIG);
    let rounds = 0;
    while (state.status === 'continue' && rounds < 100) {
      state = baselineSprtUpdate(state, { canary: { errors: 5, total: 1000 }, baseline: { errors: 5, total: 1000 } });
      rounds++;
    }
    expect(state.status).toBe('promote');
    // Each round of 10 errors split 5/5 adds 5·ln(4/3) + 5·ln(2/3) ≈ −0.59; B ≈ −2.94 takes 5 rounds.
    expect(rounds).toBe(5);
  });

  it('defaults max-samples to unlimited, and honours min- and max-samples when given', () => {
    expect(baselineSprtStart(CONFIG).config.maxSamples).toBe(Infinity);
    const capped = baselineSprtUpdate(baselineSprtStart({ ...CONFIG, maxSamples: 1000 }), {
      canary: { errors: 1, total: 1000 },
      baseline: { errors: 1, total: 1000 },
    });
    expect(capped).toMatchObject({ status: 'inconclusive', stop: 'max-samples' });
    const waiting = baselineSprtUpdate(baselineSprtStart({ ...CONFIG, minSamples: 10_000 }), {
      canary: { errors: 30, total: 5000 },
      baseline: { errors: 30, total: 5000 },
    });
    expect(waiting.llr).toBeLessThan(waiting.boundaries.promote);
    expect(waiting.status).toBe('continue');
  });

  it('treats missing data from either side as no data, and fails closed past the limit', () => {
    let state = baselineSprtStart({ ...CONFIG, noDataLimit: 1 });
    state = baselineSprtUpdate(state, { canary: { noData: 'timeout' }, baseline: { errors: 0, total: 10 } });
    expect(state).toMatchObject({ status: 'continue', noData: 1, lastNoData: 'canary: timeout' });
    state = baselineSprtUpdate(state, { canary: { errors: 0, total: 10 }, baseline: { noData: 'empty result' } });
    expect(state).toMatchObject({ status: 'no-data', stop: 'no-data-limit', lastNoData: 'baseline: empty result' });
    expect(state.samples).toBe(0);
  });

  it('finishes undecided runs as inconclusive, or no-data without canary requests', () => {
    const some = baselineSprtUpdate(baselineSprtStart(CONFIG), {
      canary: { errors: 0, total: 10 },
      baseline: { errors: 0, total: 10 },
    });
    expect(baselineSprtFinish(some)).toMatchObject({ status: 'inconclusive', stop: 'time-limit' });
    expect(baselineSprtFinish(baselineSprtStart(CONFIG))).toMatchObject({ status: 'no-data', stop: 'time-limit' });
  });

  it('validates like the one-sample test, naming the input', () => {
    expect(() => baselineSprtStart({ ...CONFIG, p1: 0.001 })).toThrow(ConfigurationError);
    expect(() => baselineSprtStart({ ...CONFIG, beta: 0 })).toThrow(expect.objectContaining({ input: 'beta' }));
  });

  it('runs over a list and records the path', () => {
    const { state, path } = baselineSprtRun(CONFIG, [
      { canary: { errors: 1, total: 100 }, baseline: { errors: 1, total: 900 } },
      { canary: { noData: 'timeout' }, baseline: { errors: 0, total: 900 } },
      { canary: { errors: 9, total: 100 }, baseline: { errors: 2, total: 900 } },
    ]);
    expect(state.status).toBe('abort');
    expect(path.map((point) => point.samples)).toEqual([0, 100, 200]);
    expect(path[2]?.llr).toBe(state.llr);
  });
});
