// From cumulative Prometheus counters to per-interval counts.
//
// The gate reads two instant queries (errors, total) at the start and after every interval, and
// judges the increases. Counters only grow, except when the process restarts: a value lower than the
// previous one is a reset, and the increase is then the new value itself (as PromQL's increase()
// does). Anything that is not a usable number (empty result, NaN, a negative or infinite value) is
// no data, never a success.

import type { CanaryCounts, CanaryMeasurement } from './types.js';

/** One reading of the two cumulative counters; undefined, null or NaN means the query returned nothing usable. */
export interface CanaryCounterReading {
  readonly errors: number | null | undefined;
  readonly total: number | null | undefined;
}

/** The outcome of one interval: its measurement, whether a counter reset, and the reading to measure from next. */
export interface CanaryCounterIncrement {
  /** The increases over the interval, or why there are none. */
  readonly measurement: CanaryMeasurement;
  /** True when a counter went down during the interval and was read as a reset. */
  readonly reset: boolean;
  /** The last usable reading, from which the next interval is measured. */
  readonly previous: CanaryCounts | undefined;
}

/** The increase of a cumulative counter from `previous` to `current`; a decrease is a reset, counting `current`. */
export function canaryCounterIncrease(previous: number, current: number): number {
  return current >= previous ? current - previous : current;
}

function readingProblem(value: number | null | undefined, name: string): string | undefined {
  if (value == null) return `the ${name} query returned no value`;
  if (Number.isNaN(value)) return `the ${name} query returned NaN`;
  if (!Number.isFinite(value)) return `the ${name} query returned ${value}`;
  if (value < 0) return `the ${name} query returned a negative counter (${value})`;
  return undefined;
}

/**
 * The increment of one interval, from the last usable reading (`previous`, undefined before the
 * first) to a new `reading`. An unusable reading is no data and keeps `previous`, so the next good
 * reading measures across the gap and nothing is lost. Without an earlier usable reading the
 * increase is unknown (no data) and the reading becomes the starting point. When errors grew more
 * than requests (the two counters out of step) the interval is no data too.
 */
export function canaryCounterIncrement(
  previous: CanaryCounts | undefined,
  reading: CanaryCounterReading,
): CanaryCounterIncrement {
  const { errors: errorsValue, total: totalValue } = reading;
  const problem = readingProblem(errorsValue, 'errors') ?? readingProblem(totalValue, 'total');
  if (problem !== undefined || errorsValue == null || totalValue == null) {
    return { measurement: { noData: problem ?? 'no value' }, reset: false, previous };
  }
  const current: CanaryCounts = { errors: errorsValue, total: totalValue };
  if (previous === undefined) {
    return {
      measurement: { noData: 'no earlier reading to measure the increase from' },
      reset: false,
      previous: current,
    };
  }
  const reset = current.errors < previous.errors || current.total < previous.total;
  const errors = canaryCounterIncrease(previous.errors, current.errors);
  const total = canaryCounterIncrease(previous.total, current.total);
  if (errors > total) {
    return {
      measurement: { noData: `errors grew by ${errors} but requests only by ${total}: the counters are out of step` },
      reset,
      previous: current,
    };
  }
  return { measurement: { errors, total }, reset, previous: current };
}

/**
 * The increments between successive readings: `readings[0]` is the reading at the start, and the
 * result has one entry per later reading (see {@link canaryCounterIncrement}).
 */
export function canaryCounterIncrements(readings: readonly CanaryCounterReading[]): CanaryCounterIncrement[] {
  const increments: CanaryCounterIncrement[] = [];
  let previous: CanaryCounts | undefined;
  readings.forEach((reading, index) => {
    const increment = canaryCounterIncrement(previous, reading);
    previous = increment.previous;
    if (index > 0) increments.push(increment);
  });
  return increments;
}
