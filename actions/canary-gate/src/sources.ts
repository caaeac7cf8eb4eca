// The two kinds of source: HTTP probes (active) and Prometheus counters (passive).
import { canaryCounterIncrement, type CanaryCounts, type CanaryMeasurement } from '@hotfix-actions/core';
import { httpBatchMeasurement, probeBatch } from './http.js';
import type { HttpProber } from './http.js';
import type { PrometheusClient, QueryResult } from './prometheus.js';
import type { CanarySource, SourceSample } from './gate.js';
import type { CounterQueries } from './inputs.js';

/** Options of {@link createHttpSource}. */
export interface HttpSourceOptions {
  readonly prober: HttpProber;
  readonly canaryUrls: readonly URL[];
  readonly baselineUrls: readonly URL[];
  readonly requestsPerInterval: number;
  readonly concurrency: number;
  /** For the report: the status expectation, latency threshold and body checks as configured. */
  readonly checks: Record<string, unknown>;
}

function displayUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password !== '') copy.password = '***';
  return copy.href;
}

/** A source that sends `requestsPerInterval` requests to the canary (and as many to the baseline) per measurement. */
export function createHttpSource(options: HttpSourceOptions): CanarySource {
  const hasBaseline = options.baselineUrls.length > 0;
  let offset = 0;
  const sample = async (): Promise<SourceSample> => {
    const count = options.requestsPerInterval;
    const at = offset;
    offset += count;
    const [canary, baseline] = await Promise.all([
      probeBatch(options.prober, options.canaryUrls, count, options.concurrency, at),
      hasBaseline ? probeBatch(options.prober, options.baselineUrls, count, options.concurrency, at) : undefined,
    ]);
    return {
      canary: httpBatchMeasurement(canary),
      ...(baseline !== undefined ? { baseline: httpBatchMeasurement(baseline) } : {}),
      detail: { http: { canary, ...(baseline !== undefined ? { baseline } : {}) } },
    };
  };
  return {
    kind: 'http',
    name: 'HTTP',
    hasBaseline,
    start: sample,
    sample,
    describe: () => ({
      canaryUrls: options.canaryUrls.map(displayUrl),
      ...(hasBaseline ? { baselineUrls: options.baselineUrls.map(displayUrl) } : {}),
      requestsPerInterval: options.requestsPerInterval,
      concurrency: options.concurrency,
      ...options.checks,
    }),
  };
}

/** Options of {@link createPrometheusSource}. */
export interface PrometheusSourceOptions {
  readonly client: PrometheusClient;
  readonly canary: CounterQueries;
  readonly baseline?: CounterQueries | undefined;
  /** Milliseconds since the epoch; the queries of one reading are all evaluated at this instant. */
  readonly now?: () => number;
}

type Side = 'canary' | 'baseline';

const INPUTS: Record<Side, { errors: string; total: string }> = {
  canary: { errors: 'canary-errors-query', total: 'canary-total-query' },
  baseline: { errors: 'baseline-errors-query', total: 'baseline-total-query' },
};

function valueOf(result: QueryResult): number | null {
  return 'value' in result ? result.value : null;
}

/** What one reading of one side gave, for the report. */
interface SideReading {
  readonly errors: number | null;
  readonly total: number | null;
  readonly reset?: boolean;
  readonly problem?: string;
}

/**
 * A source reading cumulative counters: the start reading is the base, every later one measures the
 * increase since the last usable reading (resets handled by the core). All queries of a reading are
 * evaluated at the same instant, so the errors and total counters come from the same scrape.
 */
export function createPrometheusSource(options: PrometheusSourceOptions): CanarySource {
  const now = options.now ?? Date.now;
  const sides: Side[] = options.baseline !== undefined ? ['canary', 'baseline'] : ['canary'];
  const queries: Record<Side, CounterQueries | undefined> = { canary: options.canary, baseline: options.baseline };
  const previous: Record<Side, CanaryCounts | undefined> = { canary: undefined, baseline: undefined };

  const readSide = async (side: Side, time: number) => {
    const pair = queries[side] as CounterQueries;
    const [errors, total] = await Promise.all([
      options.client.query(pair.errors, time, INPUTS[side].errors),
      options.client.query(pair.total, time, INPUTS[side].total),
    ]);
    return { errors, total };
  };

  /** The measurement of one side, or its no-data reason naming the query at fault. */
  const measure = (
    side: Side,
    results: { errors: QueryResult; total: QueryResult },
  ): { measurement: CanaryMeasurement; reading: SideReading; usable: boolean } => {
    const errors = valueOf(results.errors);
    const total = valueOf(results.total);
    const failed = 'noData' in results.total ? 'total' : 'noData' in results.errors ? 'errors' : undefined;
    if (failed !== undefined) {
      const result = results[failed] as { noData: string };
      // The classic empty errors query: a 5xx series only exists after the first 5xx.
      const hint =
        failed === 'errors' && result.noData === 'the query returned no series'
          ? ' (an errors query needs "or vector(0)" to read 0 before the first error)'
          : '';
      const problem = `${INPUTS[side][failed]}: ${result.noData}${hint}`;
      return { measurement: { noData: problem }, reading: { errors, total, problem }, usable: false };
    }
    const increment = canaryCounterIncrement(previous[side], { errors, total });
    previous[side] = increment.previous;
    return {
      measurement: increment.measurement,
      reading: { errors, total, ...(increment.reset ? { reset: true } : {}) },
      usable: true,
    };
  };

  const read = async () => {
    const time = now() / 1000;
    const results = await Promise.all(sides.map((side) => readSide(side, time)));
    return { time, measured: sides.map((side, index) => measure(side, results[index] as (typeof results)[number])) };
  };

  const toSample = (time: number, measured: Awaited<ReturnType<typeof read>>['measured']): SourceSample => {
    const [canary, baseline] = measured;
    return {
      canary: (canary as (typeof measured)[number]).measurement,
      ...(baseline !== undefined ? { baseline: baseline.measurement } : {}),
      detail: {
        prometheus: {
          time: Number(time.toFixed(3)),
          canary: canary?.reading,
          ...(baseline !== undefined ? { baseline: baseline.reading } : {}),
        },
      },
    };
  };

  return {
    kind: 'prometheus',
    name: 'Prometheus',
    hasBaseline: options.baseline !== undefined,
    async start() {
      const { time, measured } = await read();
      if (measured.every((side) => side.usable)) return undefined;
      // A usable side only set its base: it measured no requests yet.
      const zero: CanaryMeasurement = { errors: 0, total: 0 };
      const sample = toSample(time, measured);
      const [canary, baseline] = measured;
      return {
        ...sample,
        canary: canary?.usable ? zero : sample.canary,
        ...(baseline !== undefined ? { baseline: baseline.usable ? zero : baseline.measurement } : {}),
      };
    },
    async sample() {
      const { time, measured } = await read();
      return toSample(time, measured);
    },
    describe: () => ({
      endpoint: options.client.endpoint,
      queries: Object.fromEntries(
        sides.flatMap((side) => {
          const pair = queries[side] as CounterQueries;
          return [
            [INPUTS[side].errors, pair.errors],
            [INPUTS[side].total, pair.total],
          ];
        }),
      ),
    }),
  };
}
