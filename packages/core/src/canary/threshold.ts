// The threshold rule of Argo Rollouts and Flagger, for users who want it (`analysis: threshold`).
//
// Each measurement (one interval's requests) is judged on its own: an error rate above
// `max-error-rate` is a failure, anything else a success. The analysis aborts when the failures
// exceed `failure-limit`, promotes after `consecutive-successes` successes in a row, and stops as
// inconclusive when measurements too small to judge exceed `inconclusive-limit`. Measurements
// without data count apart (Argo's consecutiveErrorLimit, default 4) and are never successes.
// Simple to explain, but it has no error guarantees: the benchmark shows its false-abort rate.

import { ConfigurationError } from '../errors.js';
import { withNoData } from './nodata.js';
import { assertCanaryCounts, isCanaryNoData } from './types.js';
import type { CanaryMeasurement, CanaryStatus } from './types.js';

/** What the user chooses for the threshold rule. */
export interface ThresholdConfig {
  /** A measurement whose error rate is above this fails (`max-error-rate`), 0 ≤ rate < 1. */
  readonly maxErrorRate: number;
  /** Failures tolerated; one more aborts (`failure-limit`, Argo's failureLimit); default 0. */
  readonly failureLimit?: number;
  /** Successes in a row needed to promote (`consecutive-successes`); default 5. */
  readonly consecutiveSuccesses?: number;
  /** Measurements too small to judge that are tolerated (`inconclusive-limit`, Argo's inconclusiveLimit); default 0. */
  readonly inconclusiveLimit?: number;
  /** Consecutive no-data measurements tolerated (`no-data-limit`, Argo's consecutiveErrorLimit); default 4. */
  readonly noDataLimit?: number;
  /** A measurement with fewer requests than this is inconclusive (`min-requests`); default 1. */
  readonly minRequests?: number;
}

/** A validated {@link ThresholdConfig} with every default filled in. */
export interface ResolvedThresholdConfig {
  readonly maxErrorRate: number;
  readonly failureLimit: number;
  readonly consecutiveSuccesses: number;
  readonly inconclusiveLimit: number;
  readonly noDataLimit: number;
  readonly minRequests: number;
}

/** Why a threshold analysis stopped. */
export type ThresholdStop =
  'failure-limit' | 'consecutive-successes' | 'inconclusive-limit' | 'no-data-limit' | 'time-limit';

/** The running state of a threshold analysis; updates return new states. */
export interface ThresholdState {
  readonly method: 'threshold';
  readonly config: ResolvedThresholdConfig;
  readonly measurements: number;
  readonly successes: number;
  readonly failures: number;
  /** Measurements with fewer than `minRequests` requests. */
  readonly inconclusive: number;
  readonly noData: number;
  readonly consecutiveSuccesses: number;
  readonly consecutiveNoData: number;
  readonly lastNoData: string | undefined;
  /** Requests counted over all measurements with data. */
  readonly samples: number;
  /** Errors among them. */
  readonly errors: number;
  /** The highest error rate of a judged measurement; undefined before the first. */
  readonly worstRate: number | undefined;
  readonly status: CanaryStatus;
  readonly stop: ThresholdStop | undefined;
}

function assertLimit(value: number, input: string, minimum: number): void {
  if (!(value === Infinity || (Number.isInteger(value) && value >= minimum))) {
    throw new ConfigurationError(
      `Input "${input}" must be a whole number of at least ${minimum}; got ${value}.`,
      input,
    );
  }
}

/** Validates a threshold configuration and fills in the defaults; throws a ConfigurationError naming the input. */
export function resolveThresholdConfig(config: ThresholdConfig): ResolvedThresholdConfig {
  const { maxErrorRate } = config;
  if (!(Number.isFinite(maxErrorRate) && maxErrorRate >= 0 && maxErrorRate < 1)) {
    throw new ConfigurationError(
      `Input "max-error-rate" must be an error rate from 0 up to (not including) 1, e.g. 0.01 for 1 %; got ${maxErrorRate}.`,
      'max-error-rate',
    );
  }
  const resolved: ResolvedThresholdConfig = {
    maxErrorRate,
    failureLimit: config.failureLimit ?? 0,
    consecutiveSuccesses: config.consecutiveSuccesses ?? 5,
    inconclusiveLimit: config.inconclusiveLimit ?? 0,
    noDataLimit: config.noDataLimit ?? 4,
    minRequests: config.minRequests ?? 1,
  };
  assertLimit(resolved.failureLimit, 'failure-limit', 0);
  if (!(Number.isInteger(resolved.consecutiveSuccesses) && resolved.consecutiveSuccesses >= 1)) {
    throw new ConfigurationError(
      `Input "consecutive-successes" must be a whole number of at least 1; got ${resolved.consecutiveSuccesses}.`,
      'consecutive-successes',
    );
  }
  assertLimit(resolved.inconclusiveLimit, 'inconclusive-limit', 0);
  assertLimit(resolved.noDataLimit, 'no-data-limit', 0);
  if (!(Number.isInteger(resolved.minRequests) && resolved.minRequests >= 1)) {
    throw new ConfigurationError(
      `Input "min-requests" must be a whole number of at least 1; got ${resolved.minRequests}.`,
      'min-requests',
    );
  }
  return resolved;
}

/** A fresh threshold analysis; validates `config` (ConfigurationError naming the input). */
export function thresholdStart(config: ThresholdConfig): ThresholdState {
  return {
    method: 'threshold',
    config: resolveThresholdConfig(config),
    measurements: 0,
    successes: 0,
    failures: 0,
    inconclusive: 0,
    noData: 0,
    consecutiveSuccesses: 0,
    consecutiveNoData: 0,
    lastNoData: undefined,
    samples: 0,
    errors: 0,
    worstRate: undefined,
    status: 'continue',
    stop: undefined,
  };
}

/**
 * The state after one measurement. Order of judgement: no data (counted apart, never a success);
 * too few requests (inconclusive); error rate above the maximum (failure, which also breaks the run
 * of successes); otherwise a success. A decided analysis ignores further measurements.
 */
export function thresholdUpdate(state: ThresholdState, measurement: CanaryMeasurement): ThresholdState {
  if (state.status !== 'continue') return state;
  if (isCanaryNoData(measurement)) return withNoData(state, measurement.noData, 'no-data-limit');
  assertCanaryCounts(measurement);
  const { config } = state;
  const counted = {
    ...state,
    measurements: state.measurements + 1,
    consecutiveNoData: 0,
    samples: state.samples + measurement.total,
    errors: state.errors + measurement.errors,
  };
  if (measurement.total < config.minRequests) {
    const inconclusive = state.inconclusive + 1;
    const over = inconclusive > config.inconclusiveLimit;
    return {
      ...counted,
      inconclusive,
      status: over ? 'inconclusive' : 'continue',
      stop: over ? 'inconclusive-limit' : undefined,
    };
  }
  const rate = measurement.errors / measurement.total;
  const worstRate = Math.max(rate, state.worstRate ?? 0);
  if (rate > config.maxErrorRate) {
    const failures = state.failures + 1;
    const over = failures > config.failureLimit;
    return {
      ...counted,
      worstRate,
      failures,
      consecutiveSuccesses: 0,
      status: over ? 'abort' : 'continue',
      stop: over ? 'failure-limit' : undefined,
    };
  }
  const consecutiveSuccesses = state.consecutiveSuccesses + 1;
  const enough = consecutiveSuccesses >= config.consecutiveSuccesses;
  return {
    ...counted,
    worstRate,
    successes: state.successes + 1,
    consecutiveSuccesses,
    status: enough ? 'promote' : 'continue',
    stop: enough ? 'consecutive-successes' : undefined,
  };
}

/** Ends an analysis that ran out of time: undecided becomes `inconclusive`, or `no-data` when no request was counted. */
export function thresholdFinish(state: ThresholdState): ThresholdState {
  if (state.status !== 'continue') return state;
  return { ...state, status: state.samples === 0 ? 'no-data' : 'inconclusive', stop: 'time-limit' };
}

/**
 * Folds all measurements of a finished run into the final state: stops at the first decision, and
 * treats running out of measurements as running out of time ({@link thresholdFinish}).
 */
export function thresholdVerdict(config: ThresholdConfig, measurements: readonly CanaryMeasurement[]): ThresholdState {
  let state = thresholdStart(config);
  for (const measurement of measurements) {
    if (state.status !== 'continue') break;
    state = thresholdUpdate(state, measurement);
  }
  return thresholdFinish(state);
}
