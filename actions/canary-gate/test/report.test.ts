import { describe, expect, it } from 'vitest';
import { applyCanaryPolicy, DEFAULT_CANARY_POLICY } from '@hotfix-actions/core';
import type { CanaryMeasurement } from '@hotfix-actions/core';
import { runGate } from '../src/gate.js';
import type { AnalysisSettings, BatchRecord, CanarySource, GateClock } from '../src/gate.js';
import {
  batchLogLine,
  buildReport,
  formatRateOutput,
  gateOutputs,
  limitBatches,
  renderSummary,
  thresholdChart,
} from '../src/report.js';

const clock: GateClock = (() => {
  let now = 0;
  return { now: () => now, sleep: async (ms: number) => void (now += ms) };
})();

function playback(name: string, measurements: CanaryMeasurement[], baseline?: CanaryMeasurement[]): CanarySource {
  let i = 0;
  const sample = async () => {
    const at = Math.min(i++, measurements.length - 1);
    const base = baseline?.[Math.min(at, baseline.length - 1)];
    return { canary: measurements[at] as CanaryMeasurement, ...(base ? { baseline: base } : {}), detail: { at } };
  };
  return {
    kind: 'prometheus',
    name,
    hasBaseline: baseline !== undefined,
    start: sample,
    sample,
    describe: () => ({ endpoint: 'http://prom/api/v1/query', queries: { 'canary-total-query': 'sum(x)' } }),
  };
}

const SPRT: AnalysisSettings = {
  analysis: 'sprt',
  sprt: { p0: 0.005, p1: 0.01, alpha: 0.05, beta: 0.05 },
  threshold: { maxErrorRate: 0.02, consecutiveSuccesses: 2 },
};

describe('formatRateOutput and limitBatches', () => {
  it('writes rates as plain decimals', () => {
    expect(formatRateOutput(1, 750)).toBe('0.001333');
    expect(formatRateOutput(0, 750)).toBe('0');
    expect(formatRateOutput(3, 4)).toBe('0.75');
    expect(formatRateOutput(4, 4)).toBe('1');
    expect(formatRateOutput(0, 0)).toBe('');
  });

  it('keeps the start and the end of a long run', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    expect(limitBatches(items, 4)).toEqual({ kept: [0, 1, 8, 9], omitted: 6 });
    expect(limitBatches(items, 20)).toEqual({ kept: items, omitted: 0 });
  });
});

describe('outputs, report and summary of a run', () => {
  it('reports an abort with its figures, boundaries, batches and queries', async () => {
    const result = await runGate({
      sources: [
        playback('Prometheus', [
          { errors: 0, total: 100 },
          { noData: 'the query returned no series' },
          { errors: 9, total: 300 },
        ]),
      ],
      settings: SPRT,
      intervalMs: 1_000,
      durationMs: 60_000,
      clock,
    });
    const outcome = applyCanaryPolicy(result.verdict, DEFAULT_CANARY_POLICY);
    const outputs = gateOutputs(result, outcome);
    expect(outputs).toMatchObject({
      decision: 'abort',
      samples: '400',
      errors: '9',
      'error-rate': '0.0225',
      'baseline-error-rate-observed': '',
    });
    expect(Number(outputs.llr)).toBeCloseTo(9 * Math.log(2) + 391 * Math.log(0.99 / 0.995), 3);
    expect(outputs.explanation).toMatch(/^Abort: 9 errors in 400 requests \(2\.25 %\).*abort fails the step/);

    const report = JSON.parse(JSON.stringify(buildReport(result, outcome, { ...DEFAULT_CANARY_POLICY_SETTINGS })));
    expect(report).toMatchObject({ decision: 'abort', verdict: 'abort', stepFails: true, intervalMs: 1_000 });
    const [source] = report.sources;
    expect(source).toMatchObject({
      kind: 'prometheus',
      analysis: 'sprt',
      status: 'abort',
      stop: 'abort-boundary',
      samples: 400,
      errors: 9,
      noData: 1,
      target: { endpoint: 'http://prom/api/v1/query', queries: { 'canary-total-query': 'sum(x)' } },
      config: { p0: 0.005, p1: 0.01, maxSamples: 3129 },
    });
    expect(source.boundaries.abort).toBeCloseTo(Math.log(19), 10);
    expect(source.batches.map((b: BatchRecord) => b.canary)).toEqual([
      { errors: 0, total: 100 },
      { noData: 'the query returned no series' },
      { errors: 9, total: 300 },
    ]);

    const summary = renderSummary(result, outcome);
    expect(summary).toContain('### ❌ Canary gate: abort');
    expect(summary).toContain(`**${outputs.explanation}**`);
    expect(summary).toContain('```mermaid\nxychart-beta');
    expect(summary).toContain('| measurements | 3 (1 without data) |');
    expect(summary).toContain('no data: the query returned no series');
    expect(summary).toContain('<summary>Queries as sent</summary>');

    expect(batchLogLine(result.runs[0]!, result.runs[0]!.batches[1]!)).toBe(
      'Prometheus #1 at 1s: errors/requests no data: the query returned no series; total 0/100, LLR -0.504',
    );
  });

  it('reports a baseline comparison with the baseline rate, and two sources by the deciding one', async () => {
    const result = await runGate({
      sources: [
        playback('HTTP', [{ errors: 0, total: 50 }]),
        playback('Prometheus', [{ errors: 1, total: 100 }], [{ errors: 10, total: 100 }]),
      ],
      settings: { ...SPRT, sprt: { p0: 0.01, p1: 0.05, alpha: 0.05, beta: 0.05 } },
      intervalMs: 1_000,
      durationMs: 30_000,
      clock,
    });
    const outcome = applyCanaryPolicy(result.verdict);
    expect(result.verdict).toBe('promote');
    const outputs = gateOutputs(result, outcome);
    expect(outputs.decision).toBe('promote');
    expect(outputs.explanation).toMatch(/^HTTP: Promote/);
    const prometheus = result.runs[1]!;
    expect(prometheus.state.method).toBe('baseline');
    const summary = renderSummary(result, outcome);
    expect(summary).toContain('#### HTTP: promote');
    expect(summary).toContain('#### Prometheus: promote');
    expect(summary).toContain('|  | canary | baseline |');
  });

  it('charts the threshold rule as error rate per interval against its maximum', async () => {
    const result = await runGate({
      sources: [
        playback('HTTP', [
          { errors: 1, total: 100 },
          { errors: 5, total: 100 },
          { errors: 0, total: 100 },
        ]),
      ],
      settings: {
        ...SPRT,
        analysis: 'threshold',
        threshold: { maxErrorRate: 0.02, failureLimit: 1, consecutiveSuccesses: 2 },
      },
      intervalMs: 0,
      durationMs: 60_000,
      clock,
    });
    expect(result.verdict).toBe('promote');
    const outputs = gateOutputs(result, applyCanaryPolicy(result.verdict));
    expect(outputs.llr).toBe('');
    const chart = thresholdChart(result.deciding.batches, 0.02);
    expect(chart).toBe(
      [
        'xychart-beta',
        '  title "Error rate per interval (%), at most 2 % passes"',
        '  x-axis ["#0", "#1", "#2", "#3"]',
        '  y-axis "error rate (%)" 0 --> 5.5',
        '  bar [1, 5, 0, 0]',
        '  line [2, 2, 2, 2]',
      ].join('\n'),
    );
    const summary = renderSummary(result, applyCanaryPolicy(result.verdict));
    expect(summary).toContain('| intervals | 3 passed, 1 failed, 0 too small |');
    expect(summary).toContain('| # | at | canary errors/requests | so far | status |');
  });
});

const DEFAULT_CANARY_POLICY_SETTINGS = {
  policy: DEFAULT_CANARY_POLICY,
  intervalMs: 1_000,
  durationMs: 60_000,
  timeoutMs: 5_000,
};
