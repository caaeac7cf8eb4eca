// Internal: how the sequential analyses count measurements without data.

import type { CanaryStatus } from './types.js';

interface NoDataCounters {
  readonly measurements: number;
  readonly noData: number;
  readonly consecutiveNoData: number;
  readonly lastNoData: string | undefined;
  readonly status: CanaryStatus;
  readonly config: { readonly noDataLimit: number };
}

/** The state after a measurement without data: counted apart, and `no-data` once more than the limit came in a row. */
export function withNoData<S extends NoDataCounters, Stop extends string>(
  state: S,
  reason: string,
  stopAtLimit: Stop,
): S & { readonly stop: Stop | undefined } {
  const consecutiveNoData = state.consecutiveNoData + 1;
  const overLimit = consecutiveNoData > state.config.noDataLimit;
  return {
    ...state,
    measurements: state.measurements + 1,
    noData: state.noData + 1,
    consecutiveNoData,
    lastNoData: reason,
    status: overLimit ? 'no-data' : state.status,
    stop: overLimit ? stopAtLimit : undefined,
  };
}
