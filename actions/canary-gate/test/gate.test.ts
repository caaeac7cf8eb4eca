import { describe, expect, it } from 'vitest';
import type { CanaryMeasurement } from '@hotfix-actions/core';
import { combineVerdicts, runGate } from '../src/gate.js';
import type { AnalysisSettings, CanarySource, GateClock, SourceSample } from '../src/gate.js';
import type { PrometheusClient, QueryResult } from '../src/prometheus.js';
import { createPrometheusSource } from '../src/sources.js';

/** A clock that advances only when the gate sleeps, or when a source says a measurement took time. */
function fakeClock(): GateClock & { advance(ms: number): void; sleeps: number[] } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
    sleeps,
  };
}

/** A source that plays back measurements; past the end it repeats the last one. */
function scripted(
  name: string,
  measurements: CanaryMeasurement[],
  options: { baseline?: CanaryMeasurement[]; clock?: ReturnType<typeof fakeClock>; tookMs?: number } = {},
): CanarySource & { calls: number } {
  let index = 0;
  const source = {
    kind: 'http' as const,
    name,
    hasBaseline: options.baseline !== undefined,
    calls: 0,
    async start() {
      return source.sample();
    },
    async sample(): Promise<SourceSample> {
      source.calls++;
      if (options.tookMs) options.clock?.advance(options.tookMs);
      const i = Math.min(index++, measurements.length - 1);
      const baseline = options.baseline?.[Math.min(i, options.baseline.length - 1)];
      return { canary: measurements[i] as CanaryMeasurement, ...(baseline ? { baseline } : {}), detail: { i } };
    },
    describe: () => ({ name }),
  };
  return source;
}

const SPRT: AnalysisSettings = {
  analysis: 'sprt',
  sprt: { p0: 0.005, p1: 0.01, alpha: 0.05, beta: 0.05 },
  threshold: { maxErrorRate: 0.01 },
};

describe('combineVerdicts', () => {
  it('promotes only when every source promotes, otherwise takes the most severe verdict', () => {
    expect(combineVerdicts(['promote', 'promote'])).toBe('promote');
    expect(combineVerdicts(['promote', 'abort'])).toBe('abort');
    expect(combineVerdicts(['inconclusive', 'no-data'])).toBe('no-data');
    expect(combineVerdicts(['promote', 'continue'])).toBe('inconclusive');
    expect(combineVerdicts(['no-data', 'abort'])).toBe('abort');
  });
});

describe('runGate', () => {
  it('samples once at the start and then once per interval until the SPRT decides', async () => {
    const clock = fakeClock();
    const source = scripted('HTTP', [{ errors: 0, total: 200 }]);
    const result = await runGate({
      sources: [source],
      settings: SPRT,
      intervalMs: 10_000,
      durationMs: 3_600_000,
      clock,
    });
    expect(result.verdict).toBe('promote');
    // Each 200-request batch without errors moves the ratio by 200 · ln(0.99/0.995) ≈ −1.01: the third crosses −2.94.
    expect(source.calls).toBe(3);
    expect(clock.sleeps).toEqual([10_000, 10_000]);
    expect(result.deciding.path.map((p) => p.samples)).toEqual([0, 200, 400, 600]);
    expect(result.deciding.batches.map((b) => [b.index, b.atMs, b.samples, b.status])).toEqual([
      [0, 0, 200, 'continue'],
      [1, 10_000, 400, 'continue'],
      [2, 20_000, 600, 'promote'],
    ]);
    expect(result.elapsedMs).toBe(20_000);
  });

  it('keeps the interval from start to start: a slow measurement shortens the wait', async () => {
    const clock = fakeClock();
    const source = scripted('HTTP', [{ errors: 0, total: 200 }], { clock, tookMs: 4_000 });
    await runGate({ sources: [source], settings: SPRT, intervalMs: 10_000, durationMs: 3_600_000, clock });
    expect(clock.sleeps).toEqual([6_000, 6_000]);
  });

  it('stops at the time limit with an inconclusive verdict, starting no measurement after it', async () => {
    const clock = fakeClock();
    const source = scripted('HTTP', [{ errors: 1, total: 100 }]);
    const result = await runGate({ sources: [source], settings: SPRT, intervalMs: 10_000, durationMs: 35_000, clock });
    expect(source.calls).toBe(4);
    expect(result.verdict).toBe('inconclusive');
    expect(result.deciding.state.stop).toBe('time-limit');
  });

  it('ends with no data when nothing could be measured', async () => {
    const clock = fakeClock();
    const source = scripted('HTTP', [{ noData: 'connection refused' }]);
    const result = await runGate({
      sources: [source],
      settings: { ...SPRT, sprt: { ...SPRT.sprt, noDataLimit: 2 } },
      intervalMs: 0,
      durationMs: 60_000,
      clock,
    });
    expect(result.verdict).toBe('no-data');
    expect(source.calls).toBe(3);
  });

  it('runs the threshold rule, one judgement per interval', async () => {
    const clock = fakeClock();
    const source = scripted('HTTP', [{ errors: 0, total: 3 }]);
    const result = await runGate({
      sources: [source],
      settings: { ...SPRT, analysis: 'threshold', threshold: { maxErrorRate: 0, consecutiveSuccesses: 3 } },
      intervalMs: 5_000,
      durationMs: 60_000,
      clock,
    });
    expect(result.verdict).toBe('promote');
    expect(source.calls).toBe(3);
    expect(result.deciding.path).toEqual([{ samples: 0, llr: 0 }]);
    expect(result.deciding.batches.every((b) => b.llr === undefined)).toBe(true);
  });

  it('compares with a baseline when the source has one', async () => {
    const clock = fakeClock();
    const source = scripted('HTTP', [{ errors: 10, total: 100 }], { baseline: [{ errors: 1, total: 100 }] });
    const result = await runGate({
      sources: [source],
      settings: { ...SPRT, sprt: { p0: 0.01, p1: 0.05, alpha: 0.05, beta: 0.05 } },
      intervalMs: 0,
      durationMs: 60_000,
      clock,
    });
    expect(result.deciding.state.method).toBe('baseline');
    expect(result.verdict).toBe('abort');
    expect(result.deciding.batches[0]?.baseline).toEqual({ errors: 1, total: 100 });
  });

  it('stops every source when one aborts, and marks the others as stopped early', async () => {
    const clock = fakeClock();
    const good = scripted('HTTP', [{ errors: 0, total: 10 }]);
    const bad = scripted('Prometheus', [
      { errors: 0, total: 10 },
      { errors: 30, total: 100 },
    ]);
    const result = await runGate({
      sources: [good, bad],
      settings: SPRT,
      intervalMs: 1_000,
      durationMs: 60_000,
      clock,
    });
    expect(result.verdict).toBe('abort');
    expect(result.deciding.source.name).toBe('Prometheus');
    expect(result.runs[0]?.stoppedEarly).toBe(true);
    expect(result.runs[0]?.state.status).toBe('continue');
    expect(good.calls).toBe(2);
  });
});

describe('createPrometheusSource', () => {
  /** A client that answers from a table of readings, one reading per instant, and records the queries. */
  function tableClient(readings: Record<string, QueryResult>[]): PrometheusClient & { sent: [string, number][] } {
    const times: number[] = [];
    const sent: [string, number][] = [];
    return {
      endpoint: 'http://prometheus.test/api/v1/query',
      sent,
      async query(query, time) {
        if (!times.includes(time)) times.push(time);
        sent.push([query, time]);
        const reading = readings[Math.min(times.indexOf(time), readings.length - 1)] ?? {};
        return reading[query] ?? { noData: 'the query returned no series' };
      },
    };
  }
  const v = (value: number): QueryResult => ({ value, series: 1 });
  const queries = { errors: 'E', total: 'T' };

  it('takes the start reading as the base and measures increases, across a counter reset', async () => {
    let now = 1_700_000_000_000;
    const client = tableClient([
      { E: v(5), T: v(1000) },
      { E: v(6), T: v(1500) },
      { E: v(1), T: v(200) },
    ]);
    const source = createPrometheusSource({ client, canary: queries, now: () => (now += 1000) });
    expect(await source.start()).toBeUndefined();
    const first = await source.sample();
    expect(first.canary).toEqual({ errors: 1, total: 500 });
    const reset = await source.sample();
    expect(reset.canary).toEqual({ errors: 1, total: 200 });
    expect(reset.detail).toEqual({
      prometheus: { time: 1_700_000_003, canary: { errors: 1, total: 200, reset: true } },
    });
    // Both queries of one reading are evaluated at the same instant.
    expect(client.sent.slice(0, 2)).toEqual([
      ['E', 1_700_000_001],
      ['T', 1_700_000_001],
    ]);
    expect(source.describe()).toEqual({
      endpoint: 'http://prometheus.test/api/v1/query',
      queries: { 'canary-errors-query': 'E', 'canary-total-query': 'T' },
    });
  });

  it('feeds an empty start reading as no data and points at or vector(0)', async () => {
    const client = tableClient([{ T: v(1000) }, { T: v(1100) }, { E: v(0), T: v(1300) }, { E: v(2), T: v(1400) }]);
    let now = 0;
    const source = createPrometheusSource({ client, canary: queries, now: () => (now += 1000) });
    const start = await source.start();
    expect(start?.canary).toEqual({
      noData:
        'canary-errors-query: the query returned no series (an errors query needs "or vector(0)" to read 0 before the first error)',
    });
    expect((await source.sample()).canary).toMatchObject({ noData: expect.stringContaining('canary-errors-query') });
    // The first usable reading only sets the base.
    expect((await source.sample()).canary).toEqual({ noData: 'no earlier reading to measure the increase from' });
    expect((await source.sample()).canary).toEqual({ errors: 2, total: 100 });
  });

  it('reads canary and baseline at the same instant and gives a side without data its own reason', async () => {
    const client = tableClient([
      { E: v(0), T: v(100), BE: v(0), BT: v(100) },
      { E: v(3), T: v(200), BT: v(300) },
    ]);
    let now = 0;
    const source = createPrometheusSource({
      client,
      canary: queries,
      baseline: { errors: 'BE', total: 'BT' },
      now: () => (now += 1000),
    });
    expect(source.hasBaseline).toBe(true);
    expect(await source.start()).toBeUndefined();
    const sample = await source.sample();
    expect(sample.canary).toEqual({ errors: 3, total: 100 });
    expect(sample.baseline).toMatchObject({
      noData: expect.stringContaining('baseline-errors-query: the query returned no series'),
    });
  });
});
