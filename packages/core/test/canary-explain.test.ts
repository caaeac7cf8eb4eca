import { describe, expect, it } from 'vitest';
import {
  baselineSprtStart,
  baselineSprtUpdate,
  canaryLlrChart,
  explainCanaryVerdict,
  sprtBoundaries,
  sprtFinish,
  sprtRun,
  sprtStart,
  sprtUpdate,
  thresholdVerdict,
} from '../src/index.js';
import type { CanaryLlrPoint, SprtConfig } from '../src/index.js';

const CONFIG: SprtConfig = { p0: 0.005, p1: 0.01, alpha: 0.05, beta: 0.05 };
const PARAMS = '(p0 0.5 %, p1 1 %, α 0.05, β 0.05)';

describe('explainCanaryVerdict (SPRT)', () => {
  it('explains an abort with the figures behind it', () => {
    const state = sprtUpdate(sprtStart(CONFIG), { errors: 9, total: 600 });
    expect(explainCanaryVerdict(state)).toBe(
      `Abort: 9 errors in 600 requests (1.50 %) pushed the log-likelihood ratio to ${state.llr.toFixed(2)}, ` +
        `past the abort boundary 2.94 ${PARAMS}.`,
    );
  });

  it('explains a promotion', () => {
    const state = sprtUpdate(sprtStart(CONFIG), { errors: 7, total: 1800 });
    expect(explainCanaryVerdict(state)).toBe(
      `Promote: 7 errors in 1,800 requests (0.39 %) brought the log-likelihood ratio down to -4.18, ` +
        `past the promote boundary -2.94 ${PARAMS}.`,
    );
  });

  it('says which limit made a verdict inconclusive', () => {
    const truncated = sprtUpdate(sprtStart({ ...CONFIG, maxSamples: 1000 }), { errors: 8, total: 1000 });
    expect(explainCanaryVerdict(truncated)).toBe(
      `Inconclusive: 8 errors in 1,000 requests (0.80 %) left the log-likelihood ratio at 0.55, between the ` +
        `promote boundary -2.94 and the abort boundary 2.94, when the limit of 1,000 requests was reached ${PARAMS}.`,
    );
    const timedOut = sprtFinish(sprtUpdate(sprtStart(CONFIG), { errors: 1, total: 1 }));
    expect(explainCanaryVerdict(timedOut)).toMatch(
      /^Inconclusive: 1 error in 1 request \(100\.00 %\) left .* when the time limit ran out/,
    );
    const tooFew = sprtFinish(sprtUpdate(sprtStart({ ...CONFIG, minSamples: 2000 }), { errors: 0, total: 1000 }));
    expect(explainCanaryVerdict(tooFew)).toContain(
      'but the time limit ran out before the 2,000 requests required to promote',
    );
  });

  it('explains no data, with the last reason', () => {
    const { state } = sprtRun(
      CONFIG,
      Array.from({ length: 5 }, () => ({ noData: 'connect ECONNREFUSED' })),
    );
    expect(explainCanaryVerdict(state)).toBe(
      `No data: 5 measurements in a row returned nothing (last: connect ECONNREFUSED), more than the no-data ` +
        `limit of 4, before a single request was counted ${PARAMS}.`,
    );
    const empty = sprtFinish(sprtRun(CONFIG, [{ noData: 'empty result' }]).state);
    expect(explainCanaryVerdict(empty)).toBe(
      `No data: not a single request could be counted in 1 measurement (last: empty result) before the time ` +
        `limit ran out ${PARAMS}.`,
    );
  });

  it('describes a running test', () => {
    expect(explainCanaryVerdict(sprtUpdate(sprtStart(CONFIG), { errors: 1, total: 200 }))).toMatch(
      /^Sampling: 1 error in 200 requests/,
    );
  });
});

describe('explainCanaryVerdict (baseline and threshold)', () => {
  it('explains the error split against the live baseline', () => {
    const state = baselineSprtUpdate(baselineSprtStart(CONFIG), {
      canary: { errors: 31, total: 1204 },
      baseline: { errors: 21, total: 10836 },
    });
    expect(explainCanaryVerdict(state)).toBe(
      `Abort: the canary had 31 of the 52 errors (59.62 %) with 10.00 % of the 12,040 requests (error rate ` +
        `2.57 % against the baseline's 0.19 %); that pushed the log-likelihood ratio to ${state.llr.toFixed(2)}, past the ` +
        `abort boundary 2.94 (degradation ×2, α 0.05, β 0.05).`,
    );
  });

  it('explains threshold verdicts', () => {
    expect(
      explainCanaryVerdict(
        thresholdVerdict({ maxErrorRate: 0.01 }, [
          { errors: 1, total: 500 },
          { errors: 9, total: 500 },
        ]),
      ),
    ).toBe(
      'Abort: 1 of 2 measurements exceeded the maximum error rate 1 % (worst 1.80 %), more than the failure limit ' +
        'of 0; 10 errors in 1,000 requests (1.00 %) in all.',
    );
    expect(
      explainCanaryVerdict(
        thresholdVerdict({ maxErrorRate: 0.01, consecutiveSuccesses: 2 }, [
          { errors: 1, total: 500 },
          { errors: 0, total: 500 },
        ]),
      ),
    ).toBe(
      'Promote: 2 measurements in a row stayed at or below the maximum error rate 1 % (worst 0.20 %); 1 error in ' +
        '1,000 requests (0.10 %) in all.',
    );
    expect(explainCanaryVerdict(thresholdVerdict({ maxErrorRate: 0.01 }, [{ errors: 0, total: 400 }]))).toBe(
      'Inconclusive: the time limit ran out with 1 of the 5 successes in a row needed to promote and 0 failures ' +
        '(limit 0); 0 errors in 400 requests (0.00 %) in all.',
    );
  });
});

function lines(chart: string, prefix: string): number[][] {
  return chart
    .split('\n')
    .filter((line) => line.trimStart().startsWith(prefix))
    .map((line) => JSON.parse(line.trim().slice(prefix.length).trim()) as number[]);
}

describe('canaryLlrChart', () => {
  const boundaries = sprtBoundaries(CONFIG);

  it('draws the path and both boundaries as a mermaid xychart', () => {
    const path: CanaryLlrPoint[] = [
      { samples: 0, llr: 0 },
      { samples: 50, llr: 1 },
      { samples: 99, llr: 3.1 },
    ];
    const chart = canaryLlrChart(path, boundaries);
    expect(chart.split('\n')[0]).toBe('xychart-beta');
    expect(chart).toContain('x-axis "requests" 0 --> 99');
    const [llr, abort, promote] = lines(chart, 'line');
    expect(llr).toHaveLength(100);
    expect(llr?.[0]).toBe(0);
    expect(llr?.[50]).toBe(1);
    expect(llr?.at(-1)).toBe(3.1);
    expect(new Set(abort)).toEqual(new Set([2.944]));
    expect(new Set(promote)).toEqual(new Set([-2.944]));
    const [, low, high] = /y-axis "log-likelihood ratio" (\S+) --> (\S+)/.exec(chart) ?? [];
    expect(Number(low)).toBeLessThan(-2.944);
    expect(Number(high)).toBeGreaterThan(3.1);
  });

  it('downsamples long paths to at most 100 points and keeps the final ratio', () => {
    const { path, state } = sprtRun(
      { ...CONFIG, maxSamples: Infinity },
      Array.from({ length: 5000 }, (_, i) => ({ errors: i % 150 === 0 ? 1 : 0, total: 1 })),
    );
    expect(path.length).toBeGreaterThan(1000);
    const [llr] = lines(canaryLlrChart(path, state.boundaries), 'line');
    expect(llr).toHaveLength(100);
    expect(llr?.at(-1)).toBe(Number(state.llr.toFixed(3)));
    expect(lines(canaryLlrChart(path, state.boundaries, { maxPoints: 20 }), 'line')[0]).toHaveLength(20);
  });

  it('draws short paths point by point, starting from zero', () => {
    const chart = canaryLlrChart([{ samples: 3, llr: 2.079 }], boundaries);
    expect(lines(chart, 'line')[0]).toEqual([0, 0.693, 1.386, 2.079]);
  });

  it('still draws a chart without any request', () => {
    const chart = canaryLlrChart([], boundaries, { title: 'No "data"' });
    expect(chart).toContain(`title "No 'data'"`);
    expect(lines(chart, 'line')[0]).toEqual([0, 0]);
  });
});
