import { describe, expect, it } from 'vitest';
import { formatCanaryBench, runCanaryBench } from '../../../bench/canary.js';
import { seededPrng as mulberry32 } from '../../testkit/src/random.js';
import type { CanaryBenchMethod, CanaryBenchRow } from '../../../bench/canary.js';

const RUNS = 300;
const result = runCanaryBench({ runs: RUNS, seed: 5 });

function row(method: CanaryBenchMethod, rate: number): CanaryBenchRow {
  const found = result.rows.find((candidate) => candidate.method === method && candidate.rate === rate);
  if (found === undefined) throw new Error(`no row for ${method} at ${rate}`);
  return found;
}

/** Simulated and exact rates agree within five standard errors (plus one run, for rates near 0 or 1). */
function expectRateNear(measured: number, exact: number): void {
  const standardError = Math.sqrt((exact * (1 - exact)) / RUNS);
  expect(Math.abs(measured - exact)).toBeLessThanOrEqual(5 * standardError + 1 / RUNS);
}

describe('seeded canary simulation', () => {
  it('is reproducible: the same seed gives the same figures, another seed others', () => {
    expect(runCanaryBench({ runs: 40, seed: 11 }).rows).toEqual(runCanaryBench({ runs: 40, seed: 11 }).rows);
    expect(runCanaryBench({ runs: 40, seed: 12 }).rows).not.toEqual(runCanaryBench({ runs: 40, seed: 11 }).rows);
    const a = mulberry32(42);
    const b = mulberry32(42);
    const draws = Array.from({ length: 1000 }, () => a());
    expect(draws).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(draws.reduce((sum, x) => sum + x, 0) / draws.length).toBeCloseTo(0.5, 1);
  });

  it('covers every method on p0, the worst case, p1, 2 % and 5 %', () => {
    expect(result.rows).toHaveLength(20);
    expect(new Set(result.rows.map((candidate) => candidate.rate)).size).toBe(5);
    for (const candidate of result.rows) {
      expect(candidate.runs).toBe(RUNS);
      expect(candidate.abortRate + candidate.promoteRate + candidate.inconclusiveRate).toBeCloseTo(1, 12);
    }
  });

  it('measures verdict rates consistent with the exact ones for every method', () => {
    for (const candidate of result.rows) {
      expectRateNear(candidate.abortRate, candidate.exact.abortRate);
      expectRateNear(candidate.promoteRate, candidate.exact.promoteRate);
      expectRateNear(candidate.inconclusiveRate, candidate.exact.inconclusiveRate);
    }
  });

  it('measures mean requests within 15 % of the exact expectation', () => {
    for (const candidate of result.rows) {
      expect(Math.abs(candidate.meanN / candidate.exact.meanN - 1)).toBeLessThan(0.15);
    }
  });

  it('keeps the SPRT’s false-abort and false-promote rates plausible and below the threshold rule’s', () => {
    expect(row('sprt', 0.005).abortRate).toBeLessThanOrEqual(0.08);
    expect(row('sprt', 0.01).promoteRate).toBeLessThanOrEqual(0.08);
    expect(row('sprt', 0.005).exact.abortRate).toBeLessThanOrEqual(0.05);
    expect(row('sprt', 0.01).exact.promoteRate).toBeLessThanOrEqual(0.05);
    expect(row('threshold', 0.005).abortRate).toBeGreaterThan(row('sprt', 0.005).abortRate);
  });

  it('needs far fewer requests than the fixed-sample test', () => {
    const fixedN = result.fixed.samples;
    expect(fixedN).toBe(3129);
    for (const rate of [0.005, 0.01]) {
      expect(row('sprt', rate).meanN).toBeLessThan(0.6 * fixedN);
      expect(row('sprt', rate).exact.meanN).toBeLessThan(0.55 * fixedN);
    }
    expect(row('sprt', 0.02).meanN).toBeLessThan(500);
    expect(row('sprt', 0.05).meanN).toBeLessThan(150);
    expect(row('sprt', 0.05).abortRate).toBe(1);
  });

  it('reports Wald’s approximations and checks the targets', () => {
    expect(result.wald.bad).toBeCloseTo(1363, -1);
    expect(result.wald.good).toBeCloseTo(1713, -1);
    expect(result.wald.worst.samples).toBeCloseTo(2483, -1);
    expect(result.targets).toHaveLength(6);
    expect(result.passed).toBe(result.targets.every((target) => target.pass));
    const report = formatCanaryBench(result);
    expect(report).toContain('sprt-untruncated');
    expect(report).toContain('≤ 0.55 × 3,129 = 1,721');
  });
});
