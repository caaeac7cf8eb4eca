// Shared vocabulary of the canary analyses (SPRT, canary versus baseline, threshold rule).

/** Requests counted in one measurement (one interval, or one request) and how many of them failed. */
export interface CanaryCounts {
  /** Failed requests (a 5xx, a wrong status, a too slow answer, ...). */
  readonly errors: number;
  /** All requests counted, failed ones included. */
  readonly total: number;
}

/**
 * A measurement in which nothing could be counted: a connection error, a timeout, a Prometheus
 * error or an empty query result. Never a success: the analyses count it apart and fail closed.
 */
export interface CanaryNoData {
  /** Why there is no data, in words for the report (e.g. `the errors query returned no series`). */
  readonly noData: string;
}

/** What one measurement yields: counts, or the reason why there are none. */
export type CanaryMeasurement = CanaryCounts | CanaryNoData;

/** The verdict of an analysis before the user's policy (`no-data`, `on-inconclusive`, ...) is applied. */
export type CanaryVerdict = 'promote' | 'abort' | 'inconclusive' | 'no-data';

/** The value of the action's `decision` output. */
export type CanaryDecision = 'promote' | 'abort' | 'inconclusive';

/** Where an analysis stands: still sampling (`continue`) or finished with a verdict. */
export type CanaryStatus = 'continue' | CanaryVerdict;

/** True when `measurement` carries no data. */
export function isCanaryNoData(measurement: CanaryMeasurement): measurement is CanaryNoData {
  return 'noData' in measurement;
}

/**
 * Returns `counts` when they are usable counts (finite, non-negative, errors ≤ total) and throws a
 * RangeError otherwise: counts come from our own sampling code, so bad ones are a bug, not a user's mistake.
 */
export function assertCanaryCounts(counts: CanaryCounts, what = 'measurement'): CanaryCounts {
  const { errors, total } = counts;
  if (!Number.isFinite(errors) || !Number.isFinite(total) || errors < 0 || total < 0 || errors > total) {
    throw new RangeError(
      `A canary ${what} needs finite counts with 0 ≤ errors ≤ total; got errors ${errors}, total ${total}.`,
    );
  }
  return counts;
}
