import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  baselineSprtStart,
  baselineSprtUpdate,
  canaryCounterIncrements,
  isCanaryNoData,
  sprtBoundaries,
  sprtIncrements,
  sprtLogLikelihoodRatio,
  sprtOperatingCharacteristic,
  sprtStart,
  sprtStep,
  sprtUpdate,
  thresholdStart,
  thresholdUpdate,
} from '../src/index.js';
import type { CanaryStatus, SprtConfig } from '../src/index.js';

const probability = fc.double({ min: 1e-4, max: 0.4999, noNaN: true });

/** A valid SPRT configuration (0 < p0 < p1 < 1, 0 < α, β < 0.5), without truncation. */
const sprtConfig: fc.Arbitrary<SprtConfig> = fc
  .record({
    p0: fc.double({ min: 1e-4, max: 0.2, noNaN: true }),
    factor: fc.double({ min: 1.1, max: 4, noNaN: true }),
    alpha: probability,
    beta: probability,
  })
  .map(({ p0, factor, alpha, beta }) => ({ p0, p1: Math.min(p0 * factor, 0.9), alpha, beta, maxSamples: Infinity }));

/** n requests of which `errors` failed, in a random order. */
const outcomes = fc
  .integer({ min: 1, max: 120 })
  .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n })))
  .chain(([n, errors]) =>
    fc.shuffledSubarray(
      Array.from({ length: n }, (_, i) => i < errors),
      { minLength: n, maxLength: n },
    ),
  );

/** The same, with boundaries at ±230 so that no decision stops a path of a few hundred requests. */
const undecidedConfig = sprtConfig.map((config) => ({ ...config, alpha: 1e-100, beta: 1e-100 }));

const RANK: Record<CanaryStatus, number> = { promote: 0, continue: 1, inconclusive: 1, 'no-data': 1, abort: 2 };

describe('SPRT properties', () => {
  it('orders the boundaries: promote < 0 < abort, farther apart for smaller α and β', () => {
    fc.assert(
      fc.property(probability, probability, (alpha, beta) => {
        const { abort, promote } = sprtBoundaries({ alpha, beta });
        expect(promote).toBeLessThan(0);
        expect(abort).toBeGreaterThan(0);
        const stricter = sprtBoundaries({ alpha: alpha / 2, beta: beta / 2 });
        expect(stricter.abort).toBeGreaterThan(abort);
        expect(stricter.promote).toBeLessThan(promote);
      }),
    );
  });

  it('adds up: one batch of n requests gives the sum of n single steps', () => {
    fc.assert(
      fc.property(undecidedConfig, outcomes, (config, requests) => {
        const errors = requests.filter(Boolean).length;
        const { error, success } = sprtIncrements(config);
        const summed = requests.reduce((sum, failed) => sum + (failed ? error : success), 0);
        const batch = sprtUpdate(sprtStart(config), { errors, total: requests.length });
        expect(batch.llr).toBeCloseTo(summed, 9);
        let stepped = sprtStart(config);
        for (const failed of requests) stepped = sprtStep(stepped, failed);
        expect(stepped.status).toBe('continue');
        expect({ ...stepped, measurements: 1 }).toEqual(batch);
      }),
    );
  });

  it('adds up across batches: two updates equal one with the sums, while undecided', () => {
    fc.assert(
      fc.property(undecidedConfig, fc.nat(50), fc.nat(500), fc.nat(50), fc.nat(500), (config, e1, s1, e2, s2) => {
        const first = { errors: e1, total: e1 + s1 };
        const second = { errors: e2, total: e2 + s2 };
        const split = sprtUpdate(sprtUpdate(sprtStart(config), first), second);
        const whole = sprtUpdate(sprtStart(config), { errors: e1 + e2, total: first.total + second.total });
        if (sprtUpdate(sprtStart(config), first).status === 'continue') {
          expect(split.llr).toBe(whole.llr);
          expect(split.status).toBe(whole.status);
        }
      }),
    );
  });

  it('is monotone in the error count: more errors never move the verdict towards promotion', () => {
    fc.assert(
      fc.property(sprtConfig, fc.integer({ min: 1, max: 5000 }), fc.nat(), fc.nat(), (config, total, a, b) => {
        const fewer = Math.min(a, b) % (total + 1);
        const more = Math.max(fewer, Math.max(a, b) % (total + 1));
        const low = sprtUpdate(sprtStart(config), { errors: fewer, total });
        const high = sprtUpdate(sprtStart(config), { errors: more, total });
        expect(RANK[high.status]).toBeGreaterThanOrEqual(RANK[low.status]);
        if (more > fewer) expect(high.llr).toBeGreaterThan(low.llr);
        expect(sprtLogLikelihoodRatio(config, more, total)).toBeGreaterThanOrEqual(
          sprtLogLikelihoodRatio(config, fewer, total),
        );
      }),
    );
  });

  it('promotes less often the worse the canary (operating characteristic decreasing in the rate)', () => {
    fc.assert(
      fc.property(
        sprtConfig,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (config, x, y) => {
          const [low, high] = x <= y ? [x, y] : [y, x];
          const atLow = sprtOperatingCharacteristic(config, low);
          const atHigh = sprtOperatingCharacteristic(config, high);
          expect(atLow).toBeGreaterThanOrEqual(0);
          expect(atHigh).toBeLessThanOrEqual(1);
          expect(atHigh).toBeLessThanOrEqual(atLow + 1e-9);
        },
      ),
    );
  });
});

describe('canary versus baseline properties', () => {
  it('adds up across comparisons with the same traffic split', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        fc.nat(30),
        fc.nat(30),
        fc.nat(30),
        fc.nat(30),
        (canaryUnit, baselineUnit, c1, b1, c2, b2) => {
          // Boundaries at ±230: no decision interferes with the sums.
          const config = { p0: 0.005, p1: 0.01, alpha: 1e-100, beta: 1e-100 };
          // The same traffic split in both parts (totals in the ratio canaryUnit : baselineUnit).
          const first = {
            canary: { errors: c1, total: 100 * canaryUnit },
            baseline: { errors: b1, total: 100 * baselineUnit },
          };
          const second = {
            canary: { errors: c2, total: 300 * canaryUnit },
            baseline: { errors: b2, total: 300 * baselineUnit },
          };
          const split = baselineSprtUpdate(baselineSprtUpdate(baselineSprtStart(config), first), second);
          const whole = baselineSprtUpdate(baselineSprtStart(config), {
            canary: { errors: c1 + c2, total: 400 * canaryUnit },
            baseline: { errors: b1 + b2, total: 400 * baselineUnit },
          });
          expect(split.llr).toBeCloseTo(whole.llr, 9);
        },
      ),
    );
  });

  it('is monotone in the canary’s errors', () => {
    fc.assert(
      fc.property(fc.nat(50), fc.nat(50), fc.nat(50), (baselineErrors, a, b) => {
        const start = baselineSprtStart({ p0: 0.005, p1: 0.01, alpha: 0.05, beta: 0.05 });
        const at = (errors: number) =>
          baselineSprtUpdate(start, {
            canary: { errors, total: 1000 },
            baseline: { errors: baselineErrors, total: 9000 },
          });
        const low = at(Math.min(a, b));
        const high = at(Math.max(a, b));
        expect(high.llr).toBeGreaterThanOrEqual(low.llr);
        expect(RANK[high.status]).toBeGreaterThanOrEqual(RANK[low.status]);
      }),
    );
  });
});

describe('threshold and counter properties', () => {
  it('never judges a measurement with more errors more kindly', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.integer({ min: 1, max: 2000 }),
        fc.nat(),
        fc.nat(),
        (maxErrorRate, total, a, b) => {
          const start = thresholdStart({ maxErrorRate, consecutiveSuccesses: 1 });
          const low = thresholdUpdate(start, { errors: Math.min(a, b) % (total + 1), total });
          const high = thresholdUpdate(start, {
            errors: Math.max(Math.min(a, b) % (total + 1), Math.max(a, b) % (total + 1)),
            total,
          });
          expect(RANK[high.status]).toBeGreaterThanOrEqual(RANK[low.status]);
        },
      ),
    );
  });

  it('yields non-negative increments that add up to the growth of a counter without resets', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(100), fc.nat(1000)), { minLength: 2, maxLength: 30 }), (steps) => {
        let errors = 0;
        let total = 0;
        const readings = steps.map(([moreErrors, moreSuccesses]) => {
          errors += moreErrors;
          total += moreErrors + moreSuccesses;
          return { errors, total };
        });
        const increments = canaryCounterIncrements(readings);
        let sumErrors = 0;
        let sumTotal = 0;
        for (const { measurement, reset } of increments) {
          expect(reset).toBe(false);
          if (isCanaryNoData(measurement)) throw new Error(measurement.noData);
          expect(measurement.errors).toBeGreaterThanOrEqual(0);
          expect(measurement.errors).toBeLessThanOrEqual(measurement.total);
          sumErrors += measurement.errors;
          sumTotal += measurement.total;
        }
        expect(sumErrors).toBe(errors - (readings[0]?.errors ?? 0));
        expect(sumTotal).toBe(total - (readings[0]?.total ?? 0));
      }),
    );
  });

  it('never yields negative increments, whatever the readings', () => {
    const value = fc.oneof(fc.nat(10_000), fc.constant(undefined), fc.constant(Number.NaN));
    fc.assert(
      fc.property(fc.array(fc.record({ errors: value, total: value }), { maxLength: 30 }), (readings) => {
        for (const { measurement } of canaryCounterIncrements(readings)) {
          if (!isCanaryNoData(measurement)) {
            expect(measurement.errors).toBeGreaterThanOrEqual(0);
            expect(measurement.total).toBeGreaterThanOrEqual(measurement.errors);
          }
        }
      }),
    );
  });
});
