// Wald's sequential probability ratio test (SPRT) on Bernoulli error events.
//
// Every request is a coin toss: it fails with the canary's unknown error rate p. The test weighs two
// hypotheses, H0: p = p0 (the healthy rate, `baseline-error-rate`) and H1: p = p1 (the rate that must
// not reach production, `max-error-rate`), by the log-likelihood ratio
//
//   S = errors · ln(p1/p0) + successes · ln((1−p1)/(1−p0))
//
// and stops as soon as the evidence is strong enough: abort when S ≥ A = ln((1−β)/α), promote when
// S ≤ B = ln(β/(1−α)). With the same error probabilities α (aborting a healthy canary) and β
// (promoting a bad one), no test needs fewer requests on average (Wald–Wolfowitz).

import { ConfigurationError } from '../errors.js';
import { withNoData } from './nodata.js';
import { standardNormalQuantile } from './normal.js';
import { assertCanaryCounts, isCanaryNoData } from './types.js';
import type { CanaryMeasurement, CanaryStatus } from './types.js';

/** What the user chooses for an SPRT (inputs `baseline-error-rate`, `max-error-rate`, `alpha`, `beta`, ...). */
export interface SprtConfig {
  /** p0, the error rate of a healthy version (`baseline-error-rate`), 0 < p0 < p1. */
  readonly p0: number;
  /** p1, the error rate that must not be promoted (`max-error-rate`), p0 < p1 < 1. */
  readonly p1: number;
  /** α, the accepted probability of aborting a healthy canary, 0 < α < 0.5. */
  readonly alpha: number;
  /** β, the accepted probability of promoting a bad canary, 0 < β < 0.5. */
  readonly beta: number;
  /** No promotion before this many requests were counted (`min-samples`); default 0. Aborts are not held back. */
  readonly minSamples?: number;
  /**
   * Stop with an inconclusive verdict after this many requests (`max-samples`). Default: the fixed-sample
   * size for the same α and β ({@link canaryFixedSampleSize}), which cuts the SPRT's heavy tail where a
   * fixed test would have decided anyway; `Infinity` disables the truncation.
   */
  readonly maxSamples?: number;
  /** Consecutive no-data measurements tolerated before the verdict is `no-data` (`no-data-limit`); default 4. */
  readonly noDataLimit?: number;
}

/** An {@link SprtConfig} that was validated and has every default filled in. */
export interface ResolvedSprtConfig {
  readonly p0: number;
  readonly p1: number;
  readonly alpha: number;
  readonly beta: number;
  readonly minSamples: number;
  readonly maxSamples: number;
  readonly noDataLimit: number;
}

/** The two stopping boundaries of the log-likelihood ratio. */
export interface SprtBoundaries {
  /** A = ln((1−β)/α) > 0: abort when the log-likelihood ratio reaches it. */
  readonly abort: number;
  /** B = ln(β/(1−α)) < 0: promote when the log-likelihood ratio falls to it. */
  readonly promote: number;
}

/** What one error and one success add to the log-likelihood ratio. */
export interface SprtIncrements {
  /** ln(p1/p0) > 0. */
  readonly error: number;
  /** ln((1−p1)/(1−p0)) < 0. */
  readonly success: number;
}

/** Why a sequential analysis stopped. */
export type SprtStop = 'abort-boundary' | 'promote-boundary' | 'max-samples' | 'time-limit' | 'no-data-limit';

/** The outcome of {@link sprtDecide}: keep sampling, or stop with a verdict and the reason. */
export interface SprtDecision {
  readonly status: 'continue' | 'promote' | 'abort' | 'inconclusive';
  readonly stop: SprtStop | undefined;
}

/** The running state of an SPRT; every update returns a new state and never changes the old one. */
export interface SprtState {
  readonly method: 'sprt';
  readonly config: ResolvedSprtConfig;
  readonly boundaries: SprtBoundaries;
  /** Requests counted so far. */
  readonly samples: number;
  /** Failed requests among them. */
  readonly errors: number;
  /** The log-likelihood ratio S of H1 (p = p1) against H0 (p = p0). */
  readonly llr: number;
  /** Measurements received, with or without data. */
  readonly measurements: number;
  /** Measurements without data. */
  readonly noData: number;
  /** Measurements without data since the last one with data. */
  readonly consecutiveNoData: number;
  /** The reason given by the last measurement without data. */
  readonly lastNoData: string | undefined;
  readonly status: CanaryStatus;
  /** Why the analysis stopped; undefined while it continues. */
  readonly stop: SprtStop | undefined;
}

/** One point of the log-likelihood path, for the report and the chart. */
export interface SprtPathPoint {
  readonly samples: number;
  readonly errors: number;
  readonly llr: number;
}

const DEFAULT_NO_DATA_LIMIT = 4;

function assertOpenRate(value: number, input: string, example: string): void {
  if (!(Number.isFinite(value) && value > 0 && value < 1)) {
    throw new ConfigurationError(
      `Input "${input}" must be an error rate strictly between 0 and 1 (${example}); got ${value}.`,
      input,
    );
  }
}

function assertErrorProbability(value: number, input: string, meaning: string): void {
  if (!(Number.isFinite(value) && value > 0 && value < 0.5)) {
    throw new ConfigurationError(
      `Input "${input}" must be a probability above 0 and below 0.5 (${meaning}, e.g. 0.05); got ${value}.`,
      input,
    );
  }
}

function assertCount(value: number, input: string, minimum: number, infinite: boolean): void {
  const ok = (infinite && value === Infinity) || (Number.isInteger(value) && value >= minimum);
  if (!ok) {
    throw new ConfigurationError(
      `Input "${input}" must be a whole number of at least ${minimum}${infinite ? ' (or unlimited)' : ''}; got ${value}.`,
      input,
    );
  }
}

/** Checks the hypotheses and error probabilities of an SPRT; throws a ConfigurationError naming the input. */
export function assertSprtRates(config: Pick<SprtConfig, 'p0' | 'p1' | 'alpha' | 'beta'>): void {
  assertOpenRate(config.p0, 'baseline-error-rate', 'the error rate of a healthy version, e.g. 0.005 for 0.5 %');
  assertOpenRate(config.p1, 'max-error-rate', 'the error rate that must not be promoted, e.g. 0.01 for 1 %');
  if (!(config.p1 > config.p0)) {
    throw new ConfigurationError(
      `Input "max-error-rate" (${config.p1}) must be greater than "baseline-error-rate" (${config.p0}): the test ` +
        'decides whether the canary is nearer the healthy rate or the unacceptable one.',
      'max-error-rate',
    );
  }
  assertErrorProbability(config.alpha, 'alpha', 'the accepted chance of aborting a healthy canary');
  assertErrorProbability(config.beta, 'beta', 'the accepted chance of promoting a bad canary');
}

/**
 * Validates an SPRT configuration and fills in the defaults (min-samples 0, max-samples = the
 * fixed-sample size, no-data-limit 4). Throws a ConfigurationError that names the offending input.
 */
export function resolveSprtConfig(config: SprtConfig): ResolvedSprtConfig {
  assertSprtRates(config);
  const minSamples = config.minSamples ?? 0;
  assertCount(minSamples, 'min-samples', 0, false);
  const maxSamples = config.maxSamples ?? canaryFixedSampleSize(config);
  assertCount(maxSamples, 'max-samples', 1, true);
  if (minSamples > maxSamples) {
    throw new ConfigurationError(
      `Input "min-samples" (${minSamples}) must not exceed "max-samples" (${maxSamples}).`,
      'min-samples',
    );
  }
  const noDataLimit = config.noDataLimit ?? DEFAULT_NO_DATA_LIMIT;
  assertCount(noDataLimit, 'no-data-limit', 0, true);
  return { p0: config.p0, p1: config.p1, alpha: config.alpha, beta: config.beta, minSamples, maxSamples, noDataLimit };
}

/** Wald's boundaries: abort at ln((1−β)/α), promote at ln(β/(1−α)); validates α and β. */
export function sprtBoundaries({ alpha, beta }: { readonly alpha: number; readonly beta: number }): SprtBoundaries {
  assertErrorProbability(alpha, 'alpha', 'the accepted chance of aborting a healthy canary');
  assertErrorProbability(beta, 'beta', 'the accepted chance of promoting a bad canary');
  return { abort: Math.log((1 - beta) / alpha), promote: Math.log(beta / (1 - alpha)) };
}

/** What one error (ln(p1/p0)) and one success (ln((1−p1)/(1−p0))) add to the log-likelihood ratio. */
export function sprtIncrements({ p0, p1 }: { readonly p0: number; readonly p1: number }): SprtIncrements {
  return { error: Math.log(p1 / p0), success: Math.log1p(-p1) - Math.log1p(-p0) };
}

/**
 * The log-likelihood ratio after `errors` failures in `total` requests. It depends only on the two
 * counts, so one batch of n requests and n single requests end at exactly the same value.
 */
export function sprtLogLikelihoodRatio(
  hypotheses: { readonly p0: number; readonly p1: number },
  errors: number,
  total: number,
): number {
  const { error, success } = sprtIncrements(hypotheses);
  return errors * error + (total - errors) * success;
}

/**
 * The decision after a measurement, given the log-likelihood ratio and the requests counted.
 *
 * Abort may come before `minSamples`, promotion may not. Under H0 the likelihood ratio e^S is a
 * martingale of mean 1, so by Ville's inequality the chance that S *ever* reaches A is at most
 * e^−A = α/(1−β), whatever the sample size and however long the test runs: an early abort keeps its
 * error guarantee, and a badly broken canary (say 20 % errors) is stopped after a handful of requests
 * instead of serving users until `min-samples`. Promotion is the step that needs the minimum: a
 * service can look healthy on its first requests (warm caches, one endpoint) and `min-samples` is the
 * user's statement of how much traffic a healthy verdict must rest on. A boundary reached in the same
 * measurement as `maxSamples` still counts: the evidence is there.
 */
export function sprtDecide(
  llr: number,
  samples: number,
  boundaries: SprtBoundaries,
  limits: { readonly minSamples: number; readonly maxSamples: number },
): SprtDecision {
  if (llr >= boundaries.abort) return { status: 'abort', stop: 'abort-boundary' };
  if (llr <= boundaries.promote && samples >= limits.minSamples) return { status: 'promote', stop: 'promote-boundary' };
  if (samples >= limits.maxSamples) return { status: 'inconclusive', stop: 'max-samples' };
  return { status: 'continue', stop: undefined };
}

/** A fresh SPRT: validates `config` (ConfigurationError naming the input) and starts at S = 0. */
export function sprtStart(config: SprtConfig): SprtState {
  const resolved = resolveSprtConfig(config);
  return {
    method: 'sprt',
    config: resolved,
    boundaries: sprtBoundaries(resolved),
    samples: 0,
    errors: 0,
    llr: 0,
    measurements: 0,
    noData: 0,
    consecutiveNoData: 0,
    lastNoData: undefined,
    status: 'continue',
    stop: undefined,
  };
}

/**
 * The state after one measurement (a batch of requests, or no data). The decision is taken once per
 * measurement, on the cumulative counts. A no-data measurement leaves S alone; more than
 * `noDataLimit` of them in a row end the test with the verdict `no-data`. A measurement of zero
 * requests carries no information and changes nothing but the measurement count. Once the test has
 * stopped, further measurements are ignored: a verdict is final.
 */
export function sprtUpdate(state: SprtState, measurement: CanaryMeasurement): SprtState {
  if (state.status !== 'continue') return state;
  if (isCanaryNoData(measurement)) return withNoData(state, measurement.noData, 'no-data-limit');
  const measurements = state.measurements + 1;
  assertCanaryCounts(measurement);
  if (measurement.total === 0) return { ...state, measurements };
  const samples = state.samples + measurement.total;
  const errors = state.errors + measurement.errors;
  const llr = sprtLogLikelihoodRatio(state.config, errors, samples);
  const { status, stop } = sprtDecide(llr, samples, state.boundaries, state.config);
  return { ...state, measurements, samples, errors, llr, consecutiveNoData: 0, status, stop };
}

/** The state after one single request (`failed` = it counted as an error). */
export function sprtStep(state: SprtState, failed: boolean): SprtState {
  return sprtUpdate(state, { errors: failed ? 1 : 0, total: 1 });
}

/**
 * Ends a test that ran out of time (`duration`): an undecided test becomes `inconclusive`, or
 * `no-data` when not a single request was counted. A decided test is returned unchanged.
 */
export function sprtFinish(state: SprtState): SprtState {
  if (state.status !== 'continue') return state;
  return { ...state, status: state.samples === 0 ? 'no-data' : 'inconclusive', stop: 'time-limit' };
}

/** Runs an SPRT over a list of measurements; returns the last state and the path of S (starting at 0). */
export function sprtRun(
  config: SprtConfig,
  measurements: readonly CanaryMeasurement[],
): { readonly state: SprtState; readonly path: SprtPathPoint[] } {
  let state = sprtStart(config);
  const path: SprtPathPoint[] = [{ samples: 0, errors: 0, llr: 0 }];
  for (const measurement of measurements) {
    if (state.status !== 'continue') break;
    const next = sprtUpdate(state, measurement);
    if (next.samples !== state.samples) path.push({ samples: next.samples, errors: next.errors, llr: next.llr });
    state = next;
  }
  return { state, path };
}

/** Expected change of S per request when the true error rate is `rate`. */
function driftAt(increments: SprtIncrements, rate: number): number {
  return rate * increments.error + (1 - rate) * increments.success;
}

/**
 * Wald's h(p): the non-zero root of p·(p1/p0)^h + (1−p)·((1−p1)/(1−p0))^h = 1 (h = 1 at p0, −1 at p1,
 * 0 where the drift vanishes). Found by bisection on the side the drift's sign points to.
 */
function waldExponent(increments: SprtIncrements, rate: number): number {
  const drift = driftAt(increments, rate);
  if (drift === 0) return 0;
  const f = (h: number): number =>
    rate * Math.exp(h * increments.error) + (1 - rate) * Math.exp(h * increments.success) - 1;
  const sign = drift < 0 ? 1 : -1;
  let low = 0;
  let high = sign;
  while (f(high) <= 0) {
    low = high;
    high *= 2;
    if (Math.abs(high) > 1e6) return high;
  }
  for (let i = 0; i < 200; i++) {
    const middle = (low + high) / 2;
    if (middle === low || middle === high) break;
    if (f(middle) <= 0) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

function assertTrueRate(rate: number): void {
  if (!(Number.isFinite(rate) && rate >= 0 && rate <= 1)) {
    throw new RangeError(`An error rate must lie between 0 and 1; got ${rate}.`);
  }
}

/**
 * Wald's operating characteristic: the probability that the SPRT promotes when the canary's true
 * error rate is `rate` (≈ 1 − α at p0, ≈ β at p1). Ignores truncation and the overshoot of the boundaries.
 */
export function sprtOperatingCharacteristic(
  config: Pick<SprtConfig, 'p0' | 'p1' | 'alpha' | 'beta'>,
  rate: number,
): number {
  assertSprtRates(config);
  assertTrueRate(rate);
  if (rate === 0) return 1;
  if (rate === 1) return 0;
  const { abort: a, promote: b } = sprtBoundaries(config);
  const h = waldExponent(sprtIncrements(config), rate);
  if (Math.abs(h) < 1e-9) return a / (a - b);
  // (e^{hA} − 1)/(e^{hA} − e^{hB}), rearranged so that no exponential can overflow.
  if (h > 0) return -Math.expm1(-h * a) / -Math.expm1(h * (b - a));
  return (Math.exp(-h * b) - Math.exp(h * (a - b))) / -Math.expm1(h * (a - b));
}

/**
 * Wald's approximation of the expected number of requests until the SPRT decides, when the true
 * error rate is `rate`: (L·B + (1−L)·A) / E[Z], or −A·B / E[Z²] where the drift E[Z] vanishes.
 * For p0 = 0.5 %, p1 = 1 %, α = β = 0.05: ≈ 1,713 at p0 and ≈ 1,363 at p1. Ignores truncation.
 */
export function sprtExpectedSampleSize(config: Pick<SprtConfig, 'p0' | 'p1' | 'alpha' | 'beta'>, rate: number): number {
  assertSprtRates(config);
  assertTrueRate(rate);
  const increments = sprtIncrements(config);
  const { abort: a, promote: b } = sprtBoundaries(config);
  const h = rate === 0 || rate === 1 ? Number.NaN : waldExponent(increments, rate);
  if (Math.abs(h) < 1e-6) {
    const secondMoment = rate * increments.error ** 2 + (1 - rate) * increments.success ** 2;
    return (-a * b) / secondMoment;
  }
  const promote = sprtOperatingCharacteristic(config, rate);
  return (promote * b + (1 - promote) * a) / driftAt(increments, rate);
}

/**
 * Wald's worst case: the error rate at which S has no drift, between p0 and p1, and the expected
 * number of requests there, −A·B / E[Z²] (≈ 2,483 at ≈ 0.72 % for the worked example). The exact
 * maximum of {@link sprtExpectedSampleSize} lies within a fraction of a percent of it.
 */
export function sprtWorstCaseSampleSize(config: Pick<SprtConfig, 'p0' | 'p1' | 'alpha' | 'beta'>): {
  readonly rate: number;
  readonly samples: number;
} {
  assertSprtRates(config);
  const increments = sprtIncrements(config);
  const rate = -increments.success / (increments.error - increments.success);
  const { abort: a, promote: b } = sprtBoundaries(config);
  const secondMoment = rate * increments.error ** 2 + (1 - rate) * increments.success ** 2;
  return { rate, samples: (-a * b) / secondMoment };
}

/**
 * The one-sided fixed-sample test with the same α and β (normal approximation to the binomial):
 * count `samples` requests, then abort when more than `maxErrors` failed. For p0 = 0.5 %, p1 = 1 %,
 * α = β = 0.05 that is 3,129 requests with at most 22 errors.
 */
export function canaryFixedSampleTest(config: Pick<SprtConfig, 'p0' | 'p1' | 'alpha' | 'beta'>): {
  readonly samples: number;
  readonly maxErrors: number;
} {
  assertSprtRates(config);
  const { p0, p1, alpha, beta } = config;
  const zAlpha = standardNormalQuantile(1 - alpha);
  const zBeta = standardNormalQuantile(1 - beta);
  const root = (zAlpha * Math.sqrt(p0 * (1 - p0)) + zBeta * Math.sqrt(p1 * (1 - p1))) / (p1 - p0);
  const samples = Math.ceil(root * root - 1e-9);
  const critical = samples * p0 + zAlpha * Math.sqrt(samples * p0 * (1 - p0));
  return { samples, maxErrors: Math.floor(critical) };
}

/** The number of requests of the fixed-sample test with the same α and β ({@link canaryFixedSampleTest}). */
export function canaryFixedSampleSize(config: Pick<SprtConfig, 'p0' | 'p1' | 'alpha' | 'beta'>): number {
  return canaryFixedSampleTest(config).samples;
}
