// Active sampling over HTTP: send a batch of requests to the canary (and the baseline), judge every
// answer, and turn the batch into one measurement for the analysis.
import type { CanaryMeasurement } from '@hotfix-actions/core';
import { judgeAnswer, needsBody } from './expect.js';
import type { AnswerExpectation } from './expect.js';

/** What one request came to. `unanswered` (connection error, timeout) is never a success. */
export type ProbeOutcome =
  | { readonly kind: 'success'; readonly status: number; readonly latencyMs: number }
  | { readonly kind: 'failure'; readonly status?: number; readonly latencyMs: number; readonly reason: string }
  | { readonly kind: 'unanswered'; readonly latencyMs: number; readonly reason: string };

/** Sends one request and judges the answer: the seam between the gate and the network. */
export interface HttpProber {
  probe(url: URL): Promise<ProbeOutcome>;
}

/** Options of {@link createHttpProber}. */
export interface HttpProberOptions {
  readonly timeoutMs: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly expectation: AnswerExpectation;
  /** Bodies are read up to this size for the body checks (default 1 MiB). */
  readonly maxBodyBytes?: number;
  readonly fetch?: typeof fetch;
}

/** The requests of one interval against one set of URLs, counted. */
export interface HttpBatch {
  readonly requests: number;
  readonly successes: number;
  readonly failures: number;
  readonly unanswered: number;
  /** Answers by status code. */
  readonly statuses: Record<string, number>;
  /** Why requests failed or went unanswered, with counts. */
  readonly reasons: Record<string, number>;
  /** Latency of the answered requests, in milliseconds. */
  readonly latencyMs?: { readonly p50: number; readonly max: number };
}

const DEFAULT_MAX_BODY = 1024 * 1024;

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** The short reason of a network error: fetch wraps the socket's error (`connect ECONNREFUSED 127.0.0.1:80`) in `cause`. */
export function networkErrorReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { message?: unknown; code?: unknown } | undefined) : undefined;
  if (cause !== undefined && typeof cause.message === 'string' && cause.message !== '') return cause.message;
  if (cause !== undefined && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}

async function readBody(response: Response, limit: number, keep: boolean): Promise<string | undefined> {
  if (response.body === null) return keep ? '' : undefined;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (keep && size < limit) chunks.push(value.subarray(0, limit - size));
    size += value.byteLength;
    // A huge body is judged on its beginning; the rest is not worth the runner's memory.
    if (size >= limit) {
      await reader.cancel();
      break;
    }
  }
  return keep ? Buffer.concat(chunks).toString('utf8') : undefined;
}

/** fetch refuses URLs with credentials: `https://user:pass@host/` becomes the URL without them and a Basic header. */
export function splitCredentials(url: URL): { target: URL; authorization?: string } {
  if (url.username === '' && url.password === '') return { target: url };
  const target = new URL(url.href);
  target.username = '';
  target.password = '';
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { target, authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}

/**
 * A prober on `fetch`: GET with the given headers and an overall timeout (headers and body), the
 * answer judged by {@link judgeAnswer}. A connection error is retried once, because a keep-alive
 * connection the server has just closed fails without the service being at fault. A timeout is a
 * failure when a latency threshold is set (the answer was certainly too slow), otherwise unanswered.
 */
export function createHttpProber(options: HttpProberOptions): HttpProber {
  const doFetch = options.fetch ?? fetch;
  const keepBody = needsBody(options.expectation);
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const headers = Object.fromEntries(options.headers);
  const attempt = async (url: URL): Promise<ProbeOutcome> => {
    const { target, authorization } = splitCredentials(url);
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    try {
      const response = await doFetch(target, {
        headers: authorization === undefined ? headers : { ...headers, authorization },
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const body = await readBody(response, limit, keepBody);
      const latencyMs = elapsed();
      const reason = judgeAnswer({ status: response.status, latencyMs, body }, options.expectation);
      return reason === undefined
        ? { kind: 'success', status: response.status, latencyMs }
        : { kind: 'failure', status: response.status, latencyMs, reason };
    } catch (error) {
      const latencyMs = elapsed();
      if (isTimeout(error)) {
        const threshold = options.expectation.latencyThresholdMs;
        return threshold !== undefined
          ? { kind: 'failure', latencyMs, reason: `slower than ${threshold} ms` }
          : { kind: 'unanswered', latencyMs, reason: `no answer within ${options.timeoutMs} ms` };
      }
      return { kind: 'unanswered', latencyMs, reason: networkErrorReason(error) };
    }
  };
  return {
    async probe(url: URL) {
      const first = await attempt(url);
      if (first.kind !== 'unanswered' || first.reason.startsWith('no answer within')) return first;
      return attempt(url);
    },
  };
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** Counts outcomes into a batch (pure). */
export function countOutcomes(outcomes: readonly ProbeOutcome[]): HttpBatch {
  const statuses: Record<string, number> = {};
  const reasons: Record<string, number> = {};
  const latencies: number[] = [];
  let successes = 0;
  let failures = 0;
  let unanswered = 0;
  for (const outcome of outcomes) {
    if (outcome.kind === 'unanswered') {
      unanswered++;
    } else {
      latencies.push(outcome.latencyMs);
      if (outcome.status !== undefined) statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
      if (outcome.kind === 'success') successes++;
      else failures++;
    }
    if (outcome.kind !== 'success') reasons[outcome.reason] = (reasons[outcome.reason] ?? 0) + 1;
  }
  latencies.sort((a, b) => a - b);
  return {
    requests: outcomes.length,
    successes,
    failures,
    unanswered,
    statuses,
    reasons,
    ...(latencies.length > 0
      ? { latencyMs: { p50: percentile(latencies, 0.5), max: latencies[latencies.length - 1] ?? 0 } }
      : {}),
  };
}

/**
 * Sends `count` requests with at most `concurrency` in flight, spread round-robin over `urls`
 * (starting at `offset`, so successive batches rotate fairly), and counts the outcomes.
 */
export async function probeBatch(
  prober: HttpProber,
  urls: readonly URL[],
  count: number,
  concurrency: number,
  offset = 0,
): Promise<HttpBatch> {
  const outcomes: ProbeOutcome[] = new Array<ProbeOutcome>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      const url = urls[(offset + index) % urls.length] as URL;
      outcomes[index] = await prober.probe(url);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return countOutcomes(outcomes);
}

function topReasons(reasons: Record<string, number>): string {
  return Object.entries(reasons)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 3)
    .map(([reason, n]) => `${n} × ${reason}`)
    .join(', ');
}

/**
 * The measurement of a batch. When no request was answered, nothing about the service was measured
 * (it is down, or the network is): no data. When some were answered, the service was up and the
 * unanswered requests are ones it failed to serve: errors, as users would have seen them.
 */
export function httpBatchMeasurement(batch: HttpBatch): CanaryMeasurement {
  if (batch.requests === 0) return { noData: 'no request was sent' };
  if (batch.successes + batch.failures === 0) {
    const what =
      batch.requests === 1 ? 'the request was not answered' : `none of ${batch.requests} requests was answered`;
    return { noData: `${what}: ${topReasons(batch.reasons)}` };
  }
  return { errors: batch.failures + batch.unanswered, total: batch.requests };
}
