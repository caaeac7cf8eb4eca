// Exact operating figures of the SPRT, where Wald's approximations ignore the overshoot of the
// boundaries and the truncation at max-samples.
//
// With one decision per request, the test's state after n requests is just the error count e, and
// the log-likelihood ratio is increasing in e: the undecided counts always form one short interval
// (about (A − B)/(ln(p1/p0) − ln((1−p1)/(1−p0))) values, 9 for the worked example). Carrying the
// probability of each undecided count from one request to the next therefore costs a few operations
// per request, and gives the exact probabilities of each verdict and the distribution of the
// number of requests.

import { resolveSprtConfig, sprtBoundaries, sprtDecide, sprtIncrements } from './sprt.js';
import type { SprtConfig } from './sprt.js';

/** The exact behaviour of an SPRT at one true error rate, one decision per request. */
export interface SprtExactOutcome {
  /** Probability of the verdict abort. */
  readonly abort: number;
  /** Probability of the verdict promote. */
  readonly promote: number;
  /** Probability of stopping at max-samples undecided (plus the negligible tail left when max-samples is unlimited). */
  readonly inconclusive: number;
  /** Expected number of requests until the verdict. */
  readonly expectedSamples: number;
  /** Standard deviation of the number of requests until the verdict. */
  readonly samplesStdDev: number;
  /** The 90th percentile of the number of requests until the verdict. */
  readonly p90Samples: number;
}

/** Beyond this probability of still running, an unlimited test's tail is dropped. */
const TAIL = 1e-13;

/**
 * The exact probabilities of abort, promote and inconclusive, and the distribution of the number of
 * requests, of the SPRT configured by `config` (defaults as {@link resolveSprtConfig}) when the true
 * error rate is `rate` and every request is judged on its own. Cost: a few operations per request
 * up to max-samples (or until less than 1e-13 of the probability is still undecided).
 */
export function sprtExactOutcome(config: SprtConfig, rate: number): SprtExactOutcome {
  const resolved = resolveSprtConfig(config);
  if (!(Number.isFinite(rate) && rate >= 0 && rate <= 1)) {
    throw new RangeError(`An error rate must lie between 0 and 1; got ${rate}.`);
  }
  const boundaries = sprtBoundaries(resolved);
  const { error, success } = sprtIncrements(resolved);
  let low = 0; // error count of alive[0]
  let alive: number[] = [1];
  let abort = 0;
  let promote = 0;
  let inconclusive = 0;
  let first = 0;
  let second = 0;
  let stopped = 0;
  let p90: number | undefined;
  let n = 0;
  while (alive.length > 0) {
    n++;
    const spread = new Array<number>(alive.length + 1).fill(0);
    alive.forEach((weight, index) => {
      spread[index] = (spread[index] as number) + weight * (1 - rate);
      spread[index + 1] = (spread[index + 1] as number) + weight * rate;
    });
    let keepFrom = -1;
    let keepTo = -1;
    let stoppedNow = 0;
    spread.forEach((weight, index) => {
      const errors = low + index;
      if (weight === 0 || errors > n) return;
      const llr = errors * error + (n - errors) * success;
      const { status } = sprtDecide(llr, n, boundaries, resolved);
      if (status === 'continue') {
        if (keepFrom < 0) keepFrom = index;
        keepTo = index;
        return;
      }
      if (status === 'abort') abort += weight;
      else if (status === 'promote') promote += weight;
      else inconclusive += weight;
      stoppedNow += weight;
    });
    first += stoppedNow * n;
    second += stoppedNow * n * n;
    stopped += stoppedNow;
    if (p90 === undefined && stopped >= 0.9) p90 = n;
    alive = keepFrom < 0 ? [] : spread.slice(keepFrom, keepTo + 1);
    low += Math.max(keepFrom, 0);
    const remaining = alive.reduce((sum, weight) => sum + weight, 0);
    if (remaining < TAIL && resolved.maxSamples === Infinity) {
      inconclusive += remaining;
      first += remaining * n;
      second += remaining * n * n;
      break;
    }
  }
  const variance = Math.max(0, second - first * first);
  return {
    abort,
    promote,
    inconclusive,
    expectedSamples: first,
    samplesStdDev: Math.sqrt(variance),
    p90Samples: p90 ?? n,
  };
}
