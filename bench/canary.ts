// Simulation benchmark of canary-gate's analyses: the SPRT, the fixed-sample test with the same α and
// β, and an Argo-style threshold rule, side by side on seeded Bernoulli request streams, next to the
// exact figures of each method (so that the simulation checks the theory and the theory the code).
//
// Every method sees exactly the same stream in a given run (the stream's seed depends only on the
// bench seed, the case and the run), so the comparison is paired and the whole bench is reproducible.

import { seededPrng } from '../packages/testkit/src/random.js';
import {
  canaryFixedSampleTest,
  sprtExactOutcome,
  sprtExpectedSampleSize,
  sprtStart,
  sprtUpdate,
  sprtWorstCaseSampleSize,
  thresholdStart,
  thresholdUpdate,
} from '../packages/core/src/canary.js';
import type { CanaryStatus, SprtState } from '../packages/core/src/canary.js';

/** The methods compared. `sprt` is truncated at the fixed-sample n, as the action runs it by default. */
export type CanaryBenchMethod = 'sprt' | 'sprt-untruncated' | 'fixed' | 'threshold';

/** The figures of one method on one error rate, measured or exact. */
export interface CanaryBenchFigures {
  /** Mean requests until the verdict. */
  readonly meanN: number;
  /** 90th percentile of the requests until the verdict (nearest rank). */
  readonly p90N: number;
  readonly abortRate: number;
  readonly promoteRate: number;
  readonly inconclusiveRate: number;
}

/** The exact figures (computed, not simulated) of one method on one error rate. */
export type CanaryBenchExact = CanaryBenchFigures;

/** One method on one true error rate: the simulated figures, the exact ones, and Wald's approximation. */
export interface CanaryBenchRow extends CanaryBenchFigures {
  /** The case, e.g. `p0 0.5 % (healthy)`. */
  readonly case: string;
  /** The canary's true error rate in this case. */
  readonly rate: number;
  readonly method: CanaryBenchMethod;
  readonly runs: number;
  /** The exact figures of the method at this rate. */
  readonly exact: CanaryBenchExact;
  /** Wald's approximation of the mean requests (untruncated SPRT rows only). */
  readonly waldN: number | undefined;
}

/** One of the benchmark's targets (issue: mean within 10 % of Wald, ≤ 0.55× fixed n, α and β ≤ 0.05). */
export interface CanaryBenchTarget {
  readonly name: string;
  readonly measured: number;
  /** Whether `measured` is a number of requests or a rate. */
  readonly unit: 'requests' | 'rate';
  /** The target in words, e.g. `≤ 0.55 × 3,129 = 1,721`. */
  readonly target: string;
  readonly pass: boolean;
}

type BenchConfig = CanaryBenchResult['config'];
type BenchThreshold = CanaryBenchResult['threshold'];

/** Everything the benchmark measured. */
export interface CanaryBenchResult {
  readonly seed: number;
  readonly runs: number;
  readonly config: { readonly p0: number; readonly p1: number; readonly alpha: number; readonly beta: number };
  /** Wald's approximations: expected requests when good (p0), bad (p1), and the worst case. */
  readonly wald: {
    readonly good: number;
    readonly bad: number;
    readonly worst: { readonly rate: number; readonly samples: number };
  };
  /** The fixed-sample test with the same α and β. */
  readonly fixed: { readonly samples: number; readonly maxErrors: number };
  /** The threshold rule's configuration, with its requests per measurement. */
  readonly threshold: {
    readonly maxErrorRate: number;
    readonly failureLimit: number;
    readonly consecutiveSuccesses: number;
    readonly measurementSize: number;
  };
  readonly rows: readonly CanaryBenchRow[];
  /** The targets, checked on the simulated `sprt` rows. */
  readonly targets: readonly CanaryBenchTarget[];
  /** True when every target passed. */
  readonly passed: boolean;
}

/** A 32-bit hash of a few integers, to give each (seed, case, run) its own independent stream. */
function streamSeed(...values: number[]): number {
  let h = 0x811c9dc5;
  for (const value of values) {
    h = Math.imul(h ^ (value >>> 0), 0x01000193) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995) >>> 0;
    h ^= h >>> 15;
  }
  return h >>> 0;
}

interface RunOutcome {
  readonly samples: number;
  readonly verdict: CanaryStatus;
}

/**
 * One Bernoulli request stream, as the positions (1-based request numbers) of its failed requests,
 * drawn lazily: the successes before the next failure are geometric, one uniform number per failure.
 * This keeps long streams cheap while every method still sees the very same requests.
 */
function failurePositions(rate: number, random: () => number): () => number {
  const logSuccess = Math.log1p(-rate);
  let position = 0;
  return () => {
    position += Math.floor(Math.log(1 - random()) / logSuccess) + 1;
    return position;
  };
}

/**
 * Feeds `count` successes to the SPRT and stops where a test judging every request would have
 * stopped: S only falls during successes, so whether the test has stopped after k of them is
 * monotone in k and a binary search finds the first such k.
 */
function feedSuccesses(state: SprtState, count: number): SprtState {
  if (count <= 0) return state;
  const all = sprtUpdate(state, { errors: 0, total: count });
  if (all.status === 'continue') return all;
  let low = 1;
  let high = count;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (sprtUpdate(state, { errors: 0, total: middle }).status === 'continue') low = middle + 1;
    else high = middle;
  }
  return sprtUpdate(state, { errors: 0, total: low });
}

function runSprt(config: BenchConfig, maxSamples: number, nextFailure: () => number): RunOutcome {
  let state = sprtStart({ ...config, maxSamples });
  while (state.status === 'continue') {
    const failure = nextFailure();
    state = feedSuccesses(state, failure - state.samples - 1);
    if (state.status === 'continue') state = sprtUpdate(state, { errors: 1, total: 1 });
  }
  return { samples: state.samples, verdict: state.status };
}

function runFixed(fixed: CanaryBenchResult['fixed'], nextFailure: () => number): RunOutcome {
  let errors = 0;
  while (nextFailure() <= fixed.samples) errors++;
  return { samples: fixed.samples, verdict: errors > fixed.maxErrors ? 'abort' : 'promote' };
}

function runThreshold(config: BenchThreshold, nextFailure: () => number, maxMeasurements: number): RunOutcome {
  let state = thresholdStart(config);
  let failure = nextFailure();
  for (let m = 1; m <= maxMeasurements && state.status === 'continue'; m++) {
    const end = m * config.measurementSize;
    let errors = 0;
    while (failure <= end) {
      errors++;
      failure = nextFailure();
    }
    state = thresholdUpdate(state, { errors, total: config.measurementSize });
  }
  return { samples: state.samples, verdict: state.status === 'continue' ? 'inconclusive' : state.status };
}

/** P(X ≤ k) for X ~ Binomial(n, p), summing the probabilities upwards from zero. */
function binomialCdf(n: number, p: number, k: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  let term = Math.exp(n * Math.log1p(-p));
  let sum = term;
  for (let i = 0; i < k; i++) {
    term *= ((n - i) / (i + 1)) * (p / (1 - p));
    sum += term;
  }
  return Math.min(1, sum);
}

/** Exact figures of the fixed-sample test: it always counts n requests. */
function exactFixed(fixed: CanaryBenchResult['fixed'], rate: number): CanaryBenchExact {
  const abort = 1 - binomialCdf(fixed.samples, rate, fixed.maxErrors);
  return { meanN: fixed.samples, p90N: fixed.samples, abortRate: abort, promoteRate: 1 - abort, inconclusiveRate: 0 };
}

/**
 * Exact figures of the bench's threshold rule (failure limit 0, k successes in a row): each
 * measurement fails independently with q = P(errors > m·max-error-rate), so the run ends at the
 * first failure or after k successes.
 */
function exactThreshold(config: BenchThreshold, rate: number): CanaryBenchExact {
  const m = config.measurementSize;
  const fail = 1 - binomialCdf(m, rate, Math.floor(m * config.maxErrorRate));
  const k = config.consecutiveSuccesses;
  let mean = 0;
  let cumulative = 0;
  let p90: number | undefined;
  for (let j = 1; j <= k; j++) {
    const stopHere = j < k ? (1 - fail) ** (j - 1) * fail : (1 - fail) ** (k - 1);
    mean += stopHere * j * m;
    cumulative += stopHere;
    if (p90 === undefined && cumulative >= 0.9 - 1e-12) p90 = j * m;
  }
  const promote = (1 - fail) ** k;
  return { meanN: mean, p90N: p90 ?? k * m, abortRate: 1 - promote, promoteRate: promote, inconclusiveRate: 0 };
}

function exactSprt(config: BenchConfig, maxSamples: number, rate: number): CanaryBenchExact {
  const exact = sprtExactOutcome({ ...config, maxSamples }, rate);
  return {
    meanN: exact.expectedSamples,
    p90N: exact.p90Samples,
    abortRate: exact.abort,
    promoteRate: exact.promote,
    inconclusiveRate: exact.inconclusive,
  };
}

function summarize(
  label: string,
  rate: number,
  method: CanaryBenchMethod,
  outcomes: readonly RunOutcome[],
  exact: CanaryBenchExact,
  waldN: number | undefined,
): CanaryBenchRow {
  const sizes = outcomes.map((outcome) => outcome.samples).sort((a, b) => a - b);
  const count = (verdict: CanaryStatus): number => outcomes.filter((outcome) => outcome.verdict === verdict).length;
  const aborts = count('abort');
  const promotions = count('promote');
  return {
    case: label,
    rate,
    method,
    runs: outcomes.length,
    meanN: sizes.reduce((sum, size) => sum + size, 0) / sizes.length,
    p90N: sizes[Math.max(0, Math.ceil(0.9 * sizes.length) - 1)] ?? 0,
    abortRate: aborts / outcomes.length,
    promoteRate: promotions / outcomes.length,
    inconclusiveRate: (outcomes.length - aborts - promotions) / outcomes.length,
    exact,
    waldN,
  };
}

function formatInteger(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/**
 * Runs the benchmark: for p0 = 0.5 %, p1 = 1 %, α = β = 0.05 and true error rates p0, Wald's worst
 * case, p1, 2 % and 5 %, simulates `runs` request streams per case with each method, computes each
 * method's exact figures, and checks the targets on the simulated SPRT as the action runs it
 * (truncated at the fixed-sample n). The default of 10,000 runs puts the measured α and β within
 * about 0.2 % of their exact values (3.6 % and 4.5 %); with 2,000 runs the noise (about 0.5 %) makes
 * the β ≤ 0.05 target depend on the seed.
 */
export function runCanaryBench(options: { readonly runs?: number; readonly seed?: number } = {}): CanaryBenchResult {
  const runs = options.runs ?? 10_000;
  const seed = options.seed ?? 20220814;
  if (!(Number.isInteger(runs) && runs >= 1))
    throw new RangeError(`runs must be a positive whole number; got ${runs}.`);
  const config: BenchConfig = { p0: 0.005, p1: 0.01, alpha: 0.05, beta: 0.05 };
  const fixed = canaryFixedSampleTest(config);
  const wald = {
    good: sprtExpectedSampleSize(config, config.p0),
    bad: sprtExpectedSampleSize(config, config.p1),
    worst: sprtWorstCaseSampleSize(config),
  };
  // The rule as Argo users write it: judge each interval against max-error-rate, abort on the first
  // failure, promote after five good intervals, with the fixed test's request budget split in five.
  const threshold: BenchThreshold = {
    maxErrorRate: config.p1,
    failureLimit: 0,
    consecutiveSuccesses: 5,
    measurementSize: Math.ceil(fixed.samples / 5),
  };
  // A cap that a run of the untruncated test reaches with a probability far below 1e-13.
  const untruncatedCap = 100 * fixed.samples;
  const cases = [
    { label: 'p0 0.5 % (healthy)', rate: config.p0 },
    { label: `worst ${(wald.worst.rate * 100).toFixed(2)} %`, rate: wald.worst.rate },
    { label: 'p1 1 % (bad)', rate: config.p1 },
    { label: '2 %', rate: 0.02 },
    { label: '5 %', rate: 0.05 },
  ];
  const rows: CanaryBenchRow[] = [];
  cases.forEach(({ label, rate }, caseIndex) => {
    const outcomes: Record<CanaryBenchMethod, RunOutcome[]> = {
      sprt: [],
      'sprt-untruncated': [],
      fixed: [],
      threshold: [],
    };
    for (let run = 0; run < runs; run++) {
      const stream = streamSeed(seed, caseIndex, run);
      const failures = (): (() => number) => failurePositions(rate, seededPrng(stream));
      outcomes.sprt.push(runSprt(config, fixed.samples, failures()));
      outcomes['sprt-untruncated'].push(runSprt(config, untruncatedCap, failures()));
      outcomes.fixed.push(runFixed(fixed, failures()));
      outcomes.threshold.push(runThreshold(threshold, failures(), 1000));
    }
    rows.push(summarize(label, rate, 'sprt', outcomes.sprt, exactSprt(config, fixed.samples, rate), undefined));
    rows.push(
      summarize(
        label,
        rate,
        'sprt-untruncated',
        outcomes['sprt-untruncated'],
        exactSprt(config, Infinity, rate),
        sprtExpectedSampleSize(config, rate),
      ),
    );
    rows.push(summarize(label, rate, 'fixed', outcomes.fixed, exactFixed(fixed, rate), undefined));
    rows.push(summarize(label, rate, 'threshold', outcomes.threshold, exactThreshold(threshold, rate), undefined));
  });

  const sprtRow = (rate: number): CanaryBenchRow =>
    rows.find((row) => row.method === 'sprt' && row.rate === rate) as CanaryBenchRow;
  const good = sprtRow(config.p0);
  const bad = sprtRow(config.p1);
  const budget = 0.55 * fixed.samples;
  const within = (measured: number, expected: number): boolean => Math.abs(measured / expected - 1) <= 0.1;
  const targets: CanaryBenchTarget[] = [
    {
      name: 'SPRT mean requests when bad (p1), against Wald',
      measured: bad.meanN,
      unit: 'requests',
      target: `within 10 % of ${formatInteger(wald.bad)}`,
      pass: within(bad.meanN, wald.bad),
    },
    {
      name: 'SPRT mean requests when good (p0), against Wald',
      measured: good.meanN,
      unit: 'requests',
      target: `within 10 % of ${formatInteger(wald.good)}`,
      pass: within(good.meanN, wald.good),
    },
    {
      name: 'SPRT mean requests when bad (p1), against the fixed test',
      measured: bad.meanN,
      unit: 'requests',
      target: `≤ 0.55 × ${formatInteger(fixed.samples)} = ${formatInteger(budget)}`,
      pass: bad.meanN <= budget,
    },
    {
      name: 'SPRT mean requests when good (p0), against the fixed test',
      measured: good.meanN,
      unit: 'requests',
      target: `≤ 0.55 × ${formatInteger(fixed.samples)} = ${formatInteger(budget)}`,
      pass: good.meanN <= budget,
    },
    {
      name: 'SPRT false-abort rate at p0 (measured α)',
      measured: good.abortRate,
      unit: 'rate',
      target: `≤ ${config.alpha}`,
      pass: good.abortRate <= config.alpha,
    },
    {
      name: 'SPRT false-promote rate at p1 (measured β)',
      measured: bad.promoteRate,
      unit: 'rate',
      target: `≤ ${config.beta}`,
      pass: bad.promoteRate <= config.beta,
    },
  ];
  return { seed, runs, config, wald, fixed, threshold, rows, targets, passed: targets.every((target) => target.pass) };
}

/** The result as a plain-text report (figures measured, with the exact ones beside them, then the targets). */
export function formatCanaryBench(result: CanaryBenchResult): string {
  const percent = (value: number): string => `${(value * 100).toFixed(1)} %`;
  const pair = (measured: string, exact: string): string => `${measured} (${exact})`;
  const header = [
    'case',
    'method',
    'mean N (exact)',
    'p90 N (exact)',
    'Wald N',
    'abort (exact)',
    'promote (exact)',
    'inconclusive (exact)',
  ];
  const body = result.rows.map((row) => [
    row.case,
    row.method,
    pair(formatInteger(row.meanN), formatInteger(row.exact.meanN)),
    pair(formatInteger(row.p90N), formatInteger(row.exact.p90N)),
    row.waldN === undefined ? '' : formatInteger(row.waldN),
    pair(percent(row.abortRate), percent(row.exact.abortRate)),
    pair(percent(row.promoteRate), percent(row.exact.promoteRate)),
    pair(percent(row.inconclusiveRate), percent(row.exact.inconclusiveRate)),
  ]);
  const table = (rows: readonly (readonly string[])[], leftColumns: number): string => {
    const widths = (rows[0] ?? []).map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
    return rows
      .map((row) =>
        row
          .map((cell, column) =>
            column < leftColumns ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
          )
          .join('  ')
          .trimEnd(),
      )
      .join('\n');
  };
  const { p0, p1, alpha, beta } = result.config;
  const { fixed, threshold } = result;
  return [
    `canary-gate simulation: p0 ${p0 * 100} %, p1 ${p1 * 100} %, α ${alpha}, β ${beta}; ` +
      `${formatInteger(result.runs)} runs per case, seed ${result.seed}`,
    `sprt: truncated at the fixed-sample n (the default); sprt-untruncated: no max-samples. ` +
      `fixed: ${formatInteger(fixed.samples)} requests, abort above ${fixed.maxErrors} errors. ` +
      `threshold: ${formatInteger(threshold.measurementSize)} requests per measurement, fail above ` +
      `${threshold.maxErrorRate * 100} %, failure limit ${threshold.failureLimit}, ` +
      `${threshold.consecutiveSuccesses} successes in a row to promote.`,
    '',
    table([header, ...body], 2),
    '',
    table(
      [
        ['target', 'measured', 'wanted', ''],
        ...result.targets.map((target) => [
          target.name,
          target.unit === 'rate' ? percent(target.measured) : formatInteger(target.measured),
          target.target,
          target.pass ? 'pass' : 'FAIL',
        ]),
      ],
      1,
    ),
  ].join('\n');
}
