// Canary versus live baseline: an SPRT on how the errors split between the two versions.
//
// A fixed healthy rate p0 is a guess, and the real error rate moves with the time of day, the traffic
// mix and every outage of a shared dependency. Running the old version side by side (the baseline)
// and comparing the two removes the guess (Netflix, "Rapid Regression Detection in Software
// Deployments through Sequential Testing", KDD 2022).
//
// Derivation. In one measurement the canary served n_c requests and the baseline n_b. Errors are rare
// events, so each version's error count is (very nearly) Poisson with mean n·rate. Given the total
// number of errors m = e_c + e_b, the canary's share e_c is then binomial, Bin(m, π), with
//
//   π = n_c·r_c / (n_c·r_c + n_b·r_b) = k·n_c / (k·n_c + n_b),   k = r_c / r_b,
//
// and the unknown baseline rate r_b has cancelled out: only the relative degradation k matters.
//   H0 (the canary is as good as the baseline): k = 1,       π0 = n_c / (n_c + n_b), its traffic share;
//   H1 (the canary is k times worse):           k = p1 / p0, π1 = k·n_c / (k·n_c + n_b).
// Each measurement adds e_c·ln(π1/π0) + e_b·ln((1−π1)/(1−π0)) to the log-likelihood ratio, with the
// same boundaries as the one-sample SPRT. π0 and π1 are recomputed per measurement, so a traffic split
// that changes during the rollout is handled. Evidence comes only from errors: without any error in
// either version the ratio does not move, and the test waits (or runs into its limits).

import { ConfigurationError } from '../errors.js';
import { resolveSprtConfig, sprtBoundaries, sprtDecide } from './sprt.js';
import type { ResolvedSprtConfig, SprtBoundaries, SprtConfig, SprtPathPoint, SprtStop } from './sprt.js';
import { withNoData } from './nodata.js';
import { assertCanaryCounts, isCanaryNoData } from './types.js';
import type { CanaryCounts, CanaryMeasurement, CanaryStatus } from './types.js';

/** One measurement of both versions over the same interval. */
export interface BaselineComparison {
  readonly canary: CanaryMeasurement;
  readonly baseline: CanaryMeasurement;
}

/** The running state of a canary-versus-baseline SPRT; updates return new states. */
export interface BaselineSprtState {
  readonly method: 'baseline';
  /** The validated configuration; only the ratio p1/p0 and α, β enter the test. */
  readonly config: ResolvedSprtConfig;
  readonly boundaries: SprtBoundaries;
  /** k = p1/p0: how many times the baseline's error rate counts as a regression. */
  readonly degradation: number;
  /** Canary requests counted (min-samples and max-samples apply to these). */
  readonly samples: number;
  /** Canary errors. */
  readonly errors: number;
  /** Baseline requests counted. */
  readonly baselineSamples: number;
  /** Baseline errors. */
  readonly baselineErrors: number;
  /** The log-likelihood ratio of H1 (the canary is k times worse) against H0 (it is as good). */
  readonly llr: number;
  readonly measurements: number;
  readonly noData: number;
  readonly consecutiveNoData: number;
  readonly lastNoData: string | undefined;
  readonly status: CanaryStatus;
  readonly stop: SprtStop | undefined;
}

/**
 * π, the probability that an error falls in the canary, when the canary served `canaryTotal`
 * requests, the baseline `baselineTotal`, and the canary's error rate is `degradation` times the
 * baseline's: k·n_c / (k·n_c + n_b). With k = 1 this is the canary's traffic share.
 */
export function canaryErrorShare(canaryTotal: number, baselineTotal: number, degradation: number): number {
  const weighted = degradation * canaryTotal;
  return weighted / (weighted + baselineTotal);
}

/**
 * What one comparison adds to the log-likelihood ratio: e_c·ln(π1/π0) + e_b·ln((1−π1)/(1−π0)).
 * Zero when either version served no request, as such a measurement says nothing about the split.
 */
export function baselineSprtIncrement(canary: CanaryCounts, baseline: CanaryCounts, degradation: number): number {
  assertCanaryCounts(canary, 'canary measurement');
  assertCanaryCounts(baseline, 'baseline measurement');
  if (canary.total === 0 || baseline.total === 0) return 0;
  const share0 = canaryErrorShare(canary.total, baseline.total, 1);
  const share1 = canaryErrorShare(canary.total, baseline.total, degradation);
  return canary.errors * Math.log(share1 / share0) + baseline.errors * Math.log((1 - share1) / (1 - share0));
}

/**
 * A fresh canary-versus-baseline SPRT. The degradation is k = p1/p0 (`max-error-rate` over
 * `baseline-error-rate`), validated like the one-sample SPRT. `maxSamples` defaults to unlimited here:
 * the baseline's rate is estimated too, so this test needs more canary requests than the one-sample
 * fixed-sample size, and the wall-clock `duration` is the natural limit.
 */
export function baselineSprtStart(config: SprtConfig): BaselineSprtState {
  const resolved = resolveSprtConfig({ ...config, maxSamples: config.maxSamples ?? Infinity });
  const degradation = resolved.p1 / resolved.p0;
  if (!Number.isFinite(degradation)) {
    throw new ConfigurationError(
      `Input "baseline-error-rate" (${resolved.p0}) is too small next to "max-error-rate" (${resolved.p1}).`,
      'baseline-error-rate',
    );
  }
  return {
    method: 'baseline',
    config: resolved,
    boundaries: sprtBoundaries(resolved),
    degradation,
    samples: 0,
    errors: 0,
    baselineSamples: 0,
    baselineErrors: 0,
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
 * The state after one comparison. No data from either version makes the whole measurement no data
 * (there is nothing to compare); more than `noDataLimit` in a row end the test with `no-data`.
 * Decisions follow {@link sprtDecide} on the canary's request count. A decided test ignores updates.
 */
export function baselineSprtUpdate(state: BaselineSprtState, comparison: BaselineComparison): BaselineSprtState {
  if (state.status !== 'continue') return state;
  const { canary, baseline } = comparison;
  // Nothing can be compared when either side is missing.
  if (isCanaryNoData(canary)) return withNoData(state, `canary: ${canary.noData}`, 'no-data-limit');
  if (isCanaryNoData(baseline)) return withNoData(state, `baseline: ${baseline.noData}`, 'no-data-limit');
  const llr = state.llr + baselineSprtIncrement(canary, baseline, state.degradation);
  const samples = state.samples + canary.total;
  const { status, stop } = sprtDecide(llr, samples, state.boundaries, state.config);
  return {
    ...state,
    measurements: state.measurements + 1,
    samples,
    errors: state.errors + canary.errors,
    baselineSamples: state.baselineSamples + baseline.total,
    baselineErrors: state.baselineErrors + baseline.errors,
    llr,
    consecutiveNoData: 0,
    status,
    stop,
  };
}

/** Ends a comparison that ran out of time: undecided becomes `inconclusive`, or `no-data` without any canary request. */
export function baselineSprtFinish(state: BaselineSprtState): BaselineSprtState {
  if (state.status !== 'continue') return state;
  return { ...state, status: state.samples === 0 ? 'no-data' : 'inconclusive', stop: 'time-limit' };
}

/** Runs a canary-versus-baseline SPRT over a list of comparisons; returns the last state and the path of S. */
export function baselineSprtRun(
  config: SprtConfig,
  comparisons: readonly BaselineComparison[],
): { readonly state: BaselineSprtState; readonly path: SprtPathPoint[] } {
  let state = baselineSprtStart(config);
  const path: SprtPathPoint[] = [{ samples: 0, errors: 0, llr: 0 }];
  for (const comparison of comparisons) {
    if (state.status !== 'continue') break;
    const next = baselineSprtUpdate(state, comparison);
    if (next.measurements !== state.measurements && next.consecutiveNoData === 0) {
      path.push({ samples: next.samples, errors: next.errors, llr: next.llr });
    }
    state = next;
  }
  return { state, path };
}
