// Passive sampling from Prometheus: instant queries of cumulative counters, read at the start and
// after every interval. Anything but a clean number is "no data", never a success; a query that
// Prometheus rejects as malformed is the user's mistake and stops the gate at once.
import { ConfigurationError } from '@hotfix-actions/core';
import { splitCredentials } from './http.js';

/** An HTTP header, e.g. `Authorization: Bearer …`. */
export interface HeaderLine {
  readonly name: string;
  readonly value: string;
}

/** What one instant query returned: a number (the sum of its series), or why there is none. */
export type QueryResult = { readonly value: number; readonly series: number } | { readonly noData: string };

/** Runs instant queries: the seam between the gate and Prometheus. */
export interface PrometheusClient {
  /** The query endpoint, without credentials, for the report. */
  readonly endpoint: string;
  /**
   * Evaluates `query` at `time` (unix seconds). `input` names the input the query came from, for the
   * ConfigurationError thrown when Prometheus rejects it as malformed.
   */
  query(query: string, time: number, input: string): Promise<QueryResult>;
}

/** Options of {@link createPrometheusClient}. */
export interface PrometheusClientOptions {
  readonly url: URL;
  readonly authHeader?: HeaderLine | undefined;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

/** The instant-query endpoint under a Prometheus base URL (a URL that already ends in /api/v1/query is kept). */
export function queryEndpoint(base: URL): URL {
  const url = new URL(base.href);
  url.search = '';
  url.hash = '';
  if (!/\/api\/v1\/query\/?$/.test(url.pathname)) {
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/query`;
  }
  return url;
}

/** A URL with its user name and password removed, safe for logs and reports. */
export function withoutCredentials(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

interface ApiBody {
  status?: unknown;
  errorType?: unknown;
  error?: unknown;
  data?: { resultType?: unknown; result?: unknown };
}

function sampleValue(sample: unknown): number {
  const pair = (sample as { value?: unknown } | null)?.value;
  return Array.isArray(pair) && typeof pair[1] === 'string' ? Number(pair[1]) : Number.NaN;
}

/**
 * Interprets an answer of GET /api/v1/query (pure). A vector is summed over its series (as `sum()`
 * would), a scalar taken as is; an empty vector, NaN, an error status or an unreadable body is no
 * data. A range vector, or `bad_data` (Prometheus could not parse the query), throws a
 * ConfigurationError naming `input`: that will not get better by waiting.
 */
export function parseQueryResponse(status: number, text: string, input: string): QueryResult {
  let body: ApiBody;
  try {
    body = JSON.parse(text) as ApiBody;
  } catch {
    return { noData: `Prometheus answered ${status} with a body that is not JSON` };
  }
  if (body.status !== 'success') {
    const why = typeof body.error === 'string' ? body.error : `status ${status}`;
    if (body.errorType === 'bad_data') {
      throw new ConfigurationError(`Input "${input}" was rejected by Prometheus: ${why}.`, input);
    }
    return { noData: `Prometheus answered ${status}: ${why}` };
  }
  const { resultType, result } = body.data ?? {};
  if (resultType === 'scalar') {
    const value = sampleValue({ value: result });
    return Number.isNaN(value) ? { noData: 'the query returned NaN' } : { value, series: 1 };
  }
  if (resultType === 'matrix') {
    throw new ConfigurationError(
      `Input "${input}" returned a range vector; give an instant query of a cumulative counter, e.g. ` +
        'sum(http_requests_total{job="canary"}).',
      input,
    );
  }
  if (resultType !== 'vector' || !Array.isArray(result)) {
    return { noData: `the query returned a ${String(resultType)} instead of a number` };
  }
  if (result.length === 0) return { noData: 'the query returned no series' };
  const value = result.reduce((sum: number, sample: unknown) => sum + sampleValue(sample), 0);
  if (Number.isNaN(value)) return { noData: 'the query returned NaN' };
  return { value, series: result.length };
}

/** A client for GET /api/v1/query with an optional auth header and a timeout per query. */
export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  const doFetch = options.fetch ?? fetch;
  const { target: endpoint, authorization } = splitCredentials(queryEndpoint(options.url));
  const headers: Record<string, string> = { accept: 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  // An explicit auth header wins over credentials in the URL.
  if (options.authHeader !== undefined) headers[options.authHeader.name.toLowerCase()] = options.authHeader.value;
  return {
    endpoint: endpoint.href,
    async query(query: string, time: number, input: string) {
      const url = new URL(endpoint.href);
      url.searchParams.set('query', query);
      url.searchParams.set('time', time.toFixed(3));
      try {
        const response = await doFetch(url, { headers, signal: AbortSignal.timeout(options.timeoutMs) });
        return parseQueryResponse(response.status, await response.text(), input);
      } catch (error) {
        if (error instanceof ConfigurationError) throw error;
        if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
          return { noData: `Prometheus did not answer within ${options.timeoutMs} ms` };
        }
        const cause = error instanceof Error ? (error.cause as { message?: unknown } | undefined) : undefined;
        const message = typeof cause?.message === 'string' ? cause.message : String(error);
        return { noData: `Prometheus could not be reached (${message})` };
      }
    },
  };
}
