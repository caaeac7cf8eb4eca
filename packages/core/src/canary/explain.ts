// Every verdict explained: one sentence with the figures behind it, and a chart of the evidence.

import type { BaselineSprtState } from './baseline.js';
import type { SprtBoundaries, SprtState } from './sprt.js';
import type { ThresholdState } from './threshold.js';

/** Any analysis state that {@link explainCanaryVerdict} can put into words. */
export type CanaryAnalysisState = SprtState | BaselineSprtState | ThresholdState;

/** A point of a log-likelihood path: requests counted so far and the ratio after them. */
export interface CanaryLlrPoint {
  readonly samples: number;
  readonly llr: number;
}

const LABELS = {
  continue: 'Sampling',
  promote: 'Promote',
  abort: 'Abort',
  inconclusive: 'Inconclusive',
  'no-data': 'No data',
} as const;

function formatCount(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function counted(value: number, singular: string): string {
  return `${formatCount(value)} ${value === 1 ? singular : `${singular}s`}`;
}

/** An observed rate, always with two decimals so that small differences show. */
function formatObserved(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(2)} %` : 'n/a';
}

/** A configured rate as the user would write it: 0.005 → "0.5 %". */
function formatRate(rate: number): string {
  return `${Number((rate * 100).toFixed(4))} %`;
}

function formatLlr(value: number): string {
  const text = value.toFixed(2);
  return text === '-0.00' ? '0.00' : text;
}

function requestsPhrase(state: { readonly errors: number; readonly samples: number }): string {
  return `${counted(state.errors, 'error')} in ${counted(state.samples, 'request')} (${formatObserved(state.errors, state.samples)})`;
}

function lastReason(reason: string | undefined): string {
  return reason === undefined ? '' : ` (last: ${reason})`;
}

/** What the log-likelihood ratio did, as the predicate of the sentence. */
function llrPredicate(state: SprtState | BaselineSprtState): string {
  const { llr, boundaries, config } = state;
  const abort = formatLlr(boundaries.abort);
  const promote = formatLlr(boundaries.promote);
  const between = `between the promote boundary ${promote} and the abort boundary ${abort}`;
  switch (state.status) {
    case 'abort':
      return `pushed the log-likelihood ratio to ${formatLlr(llr)}, past the abort boundary ${abort}`;
    case 'promote':
      return `brought the log-likelihood ratio down to ${formatLlr(llr)}, past the promote boundary ${promote}`;
    case 'inconclusive':
      if (state.stop === 'max-samples') {
        return `left the log-likelihood ratio at ${formatLlr(llr)}, ${between}, when the limit of ${counted(config.maxSamples, 'request')} was reached`;
      }
      if (llr <= boundaries.promote) {
        return (
          `brought the log-likelihood ratio down to ${formatLlr(llr)}, past the promote boundary ${promote}, but the ` +
          `time limit ran out before the ${counted(config.minSamples, 'request')} required to promote`
        );
      }
      return `left the log-likelihood ratio at ${formatLlr(llr)}, ${between}, when the time limit ran out`;
    default:
      return `put the log-likelihood ratio at ${formatLlr(llr)}, ${between}`;
  }
}

function noDataSentence(state: CanaryAnalysisState, figures: string, params: string): string {
  const suffix = params === '' ? '' : ` (${params})`;
  if (state.stop === 'no-data-limit') {
    const before = state.samples === 0 ? 'before a single request was counted' : `after ${figures}`;
    return (
      `No data: ${counted(state.consecutiveNoData, 'measurement')} in a row returned nothing` +
      `${lastReason(state.lastNoData)}, more than the no-data limit of ${state.config.noDataLimit}, ${before}${suffix}.`
    );
  }
  return (
    `No data: not a single request could be counted in ${counted(state.measurements, 'measurement')}` +
    `${lastReason(state.lastNoData)} before the time limit ran out${suffix}.`
  );
}

function explainSprt(state: SprtState): string {
  const { p0, p1, alpha, beta } = state.config;
  const params = `p0 ${formatRate(p0)}, p1 ${formatRate(p1)}, α ${alpha}, β ${beta}`;
  const figures = requestsPhrase(state);
  if (state.status === 'no-data') return noDataSentence(state, figures, params);
  return `${LABELS[state.status]}: ${figures} ${llrPredicate(state)} (${params}).`;
}

function explainBaseline(state: BaselineSprtState): string {
  const { alpha, beta } = state.config;
  const params = `degradation ×${Number(state.degradation.toFixed(3))}, α ${alpha}, β ${beta}`;
  const allErrors = state.errors + state.baselineErrors;
  const allRequests = state.samples + state.baselineSamples;
  const rates =
    `error rate ${formatObserved(state.errors, state.samples)} against the baseline's ` +
    `${formatObserved(state.baselineErrors, state.baselineSamples)}`;
  const figures =
    `the canary had ${formatCount(state.errors)} of the ${counted(allErrors, 'error')} ` +
    `(${formatObserved(state.errors, allErrors)}) with ${formatObserved(state.samples, allRequests)} of the ` +
    `${counted(allRequests, 'request')} (${rates})`;
  if (state.status === 'no-data') return noDataSentence(state, `${counted(state.samples, 'canary request')}`, params);
  return `${LABELS[state.status]}: ${figures}; that ${llrPredicate(state)} (${params}).`;
}

function explainThreshold(state: ThresholdState): string {
  const { config } = state;
  const max = formatRate(config.maxErrorRate);
  const worst = state.worstRate === undefined ? '' : ` (worst ${formatObserved(state.worstRate, 1)})`;
  const inAll = `${requestsPhrase(state)} in all`;
  switch (state.status) {
    case 'abort':
      return (
        `Abort: ${state.failures} of ${counted(state.successes + state.failures, 'measurement')} exceeded the maximum ` +
        `error rate ${max}${worst}, more than the failure limit of ${config.failureLimit}; ${inAll}.`
      );
    case 'promote':
      return `Promote: ${counted(state.consecutiveSuccesses, 'measurement')} in a row stayed at or below the maximum error rate ${max}${worst}; ${inAll}.`;
    case 'no-data':
      return noDataSentence(state, requestsPhrase(state), '');
    case 'inconclusive':
      if (state.stop === 'inconclusive-limit') {
        return (
          `Inconclusive: ${counted(state.inconclusive, 'measurement')} had fewer than ` +
          `${counted(config.minRequests, 'request')}, more than the inconclusive limit of ${config.inconclusiveLimit}; ${inAll}.`
        );
      }
      return (
        `Inconclusive: the time limit ran out with ${state.consecutiveSuccesses} of the ${config.consecutiveSuccesses} ` +
        `successes in a row needed to promote and ${counted(state.failures, 'failure')} (limit ${config.failureLimit}); ${inAll}.`
      );
    default:
      return (
        `Sampling: ${state.consecutiveSuccesses} of the ${config.consecutiveSuccesses} successes in a row needed to promote, ` +
        `${counted(state.failures, 'failure')} (limit ${config.failureLimit}); ${requestsPhrase(state)} so far.`
      );
  }
}

/**
 * The verdict in one sentence with the figures behind it, e.g. "Abort: 31 errors in 1,204 requests
 * (2.57 %) pushed the log-likelihood ratio to 3.10, past the abort boundary 2.94 (p0 0.5 %, p1 1 %,
 * α 0.05, β 0.05)." Works for running analyses too ("Sampling: ...").
 */
export function explainCanaryVerdict(state: CanaryAnalysisState): string {
  switch (state.method) {
    case 'sprt':
      return explainSprt(state);
    case 'baseline':
      return explainBaseline(state);
    case 'threshold':
      return explainThreshold(state);
  }
}

/** Linear interpolation of the path at `x` requests; `path` is sorted by samples. */
function llrAt(path: readonly CanaryLlrPoint[], x: number, from: number): { value: number; index: number } {
  let index = from;
  while (index + 1 < path.length && (path[index + 1] as CanaryLlrPoint).samples <= x) index++;
  const left = path[index] as CanaryLlrPoint;
  const right = path[index + 1];
  if (right === undefined || right.samples === left.samples) return { value: left.llr, index };
  const t = (x - left.samples) / (right.samples - left.samples);
  return { value: left.llr + t * (right.llr - left.llr), index };
}

function chartNumber(value: number): string {
  const text = String(Number(value.toFixed(3)));
  return text === '-0' ? '0' : text;
}

/**
 * A mermaid `xychart-beta` of the log-likelihood path between its two boundaries (three lines: the
 * path, the abort boundary, the promote boundary), for the job summary. The x axis is requests; long
 * paths are resampled at evenly spaced request counts so that at most `maxPoints` (default 100)
 * points are drawn, and the last point is always the final ratio. Returns the diagram source without
 * the surrounding code fence.
 */
export function canaryLlrChart(
  path: readonly CanaryLlrPoint[],
  boundaries: SprtBoundaries,
  options: { readonly maxPoints?: number; readonly title?: string } = {},
): string {
  const maxPoints = Math.max(2, Math.floor(options.maxPoints ?? 100));
  const sorted = [...path].sort((a, b) => a.samples - b.samples);
  const first = sorted[0];
  const points = first === undefined || first.samples > 0 ? [{ samples: 0, llr: 0 }, ...sorted] : sorted;
  const last = points[points.length - 1] as CanaryLlrPoint;
  const count = Math.max(2, Math.min(maxPoints, Math.floor(last.samples) + 1));
  const values: number[] = [];
  let index = 0;
  for (let i = 0; i < count; i++) {
    const x = i === count - 1 ? last.samples : (i * last.samples) / (count - 1);
    const at = llrAt(points, x, index);
    index = at.index;
    values.push(i === count - 1 ? last.llr : at.value);
  }
  const low = Math.min(boundaries.promote, ...values);
  const high = Math.max(boundaries.abort, ...values);
  const margin = (high - low) * 0.1;
  const yMin = Math.floor((low - margin) * 10) / 10;
  const yMax = Math.ceil((high + margin) * 10) / 10;
  const title =
    options.title ??
    `Log-likelihood ratio: abort at ${formatLlr(boundaries.abort)}, promote at ${formatLlr(boundaries.promote)}`;
  const constant = (value: number): string => `[${Array.from({ length: count }, () => chartNumber(value)).join(', ')}]`;
  return [
    'xychart-beta',
    `  title "${title.replace(/"/g, "'")}"`,
    `  x-axis "requests" 0 --> ${chartNumber(Math.max(last.samples, 1))}`,
    `  y-axis "log-likelihood ratio" ${chartNumber(yMin)} --> ${chartNumber(yMax)}`,
    `  line [${values.map(chartNumber).join(', ')}]`,
    `  line ${constant(boundaries.abort)}`,
    `  line ${constant(boundaries.promote)}`,
  ].join('\n');
}
