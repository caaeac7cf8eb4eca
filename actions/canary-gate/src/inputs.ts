import {
  ConfigurationError,
  baselineSprtStart,
  getBooleanInput,
  getDurationInput,
  getEnumInput,
  getIntegerInput,
  getListInput,
  getNumberInput,
  getStringInput,
  getUrlInput,
  parseCanaryPolicy,
  readRawInput,
  sprtStart,
  thresholdStart,
  type CanaryPolicy,
  type SprtConfig,
  type ThresholdConfig,
} from '@hotfix-actions/core';
import { parseJsonExpected, parseJsonPath, parseStatusRanges } from './expect.js';
import type { AnswerExpectation } from './expect.js';
import { splitCredentials } from './http.js';
import type { HeaderLine } from './prometheus.js';

/** The HTTP source: what to probe and what a good answer looks like. */
export interface HttpSourceInputs {
  readonly canaryUrls: readonly URL[];
  /** Empty when there is no baseline. */
  readonly baselineUrls: readonly URL[];
  readonly expectation: AnswerExpectation;
  /** `expect-status` as the user wrote it, for the report. */
  readonly expectStatus: string;
  readonly headers: readonly HeaderLine[];
  readonly requestsPerInterval: number;
  readonly concurrency: number;
}

/** An errors query and a total query of cumulative counters. */
export interface CounterQueries {
  readonly errors: string;
  readonly total: string;
}

/** The Prometheus source. */
export interface PrometheusSourceInputs {
  readonly url: URL;
  readonly authHeader: HeaderLine | undefined;
  readonly canary: CounterQueries;
  readonly baseline: CounterQueries | undefined;
}

/** Everything the gate was asked to do, validated before any request is made. */
export interface CanaryGateInputs {
  readonly http: HttpSourceInputs | undefined;
  readonly prometheus: PrometheusSourceInputs | undefined;
  readonly analysis: 'sprt' | 'threshold';
  /** The SPRT's settings (analysis sprt). */
  readonly sprt: SprtConfig;
  /** The threshold rule's settings (analysis threshold). */
  readonly threshold: ThresholdConfig;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly durationMs: number;
  readonly policy: CanaryPolicy;
  /** Values to mask in the log (credentials in headers and URLs). */
  readonly secrets: readonly string[];
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SENSITIVE_HEADER = /authorization|cookie|token|secret|key|password|auth/i;
const MAX_DURATION = 6 * 3_600_000;

/** Parses one `Name: value` header line (pure); `bareValueAs` names the header of a line without a name. */
export function parseHeaderLine(line: string, input: string, bareValueAs?: string): HeaderLine {
  const colon = line.indexOf(':');
  const name = colon > 0 ? line.slice(0, colon).trim() : '';
  if (colon > 0 && HEADER_NAME.test(name)) {
    const value = line.slice(colon + 1).trim();
    if (value === '') {
      throw new ConfigurationError(`Input "${input}" has the header ${name} without a value.`, input);
    }
    return { name, value };
  }
  if (bareValueAs !== undefined) return { name: bareValueAs, value: line.trim() };
  // The line may hold a credential: describe it, never repeat it.
  throw new ConfigurationError(
    `Input "${input}" must have one header per line as "Name: value" (e.g. "Authorization: Bearer …").`,
    input,
  );
}

/** True for headers whose values are credentials and must be masked. */
export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADER.test(name);
}

function readUrlList(input: string): URL[] {
  const items = getListInput(input) ?? [];
  return items.map((item) => {
    let url: URL | undefined;
    try {
      url = new URL(item);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      const shown = url?.password ? `${url.protocol}//***@${url.host}` : JSON.stringify(item.slice(0, 200));
      throw new ConfigurationError(
        `Input "${input}" must list absolute http or https URLs such as https://canary.example.com/health, ` +
          `but has ${shown}.`,
        input,
      );
    }
    return url;
  });
}

function readQueries(errorsInput: string, totalInput: string): CounterQueries | undefined {
  const errors = getStringInput(errorsInput);
  const total = getStringInput(totalInput);
  if (errors === undefined && total === undefined) return undefined;
  if (errors === undefined || total === undefined) {
    const missing = errors === undefined ? errorsInput : totalInput;
    const given = errors === undefined ? totalInput : errorsInput;
    throw new ConfigurationError(
      `Input "${missing}" is required with "${given}": the gate judges the increase of errors among all ` +
        'requests, so it needs both cumulative counters.',
      missing,
    );
  }
  return { errors, total };
}

function readHttp(timeoutMs: number): HttpSourceInputs | undefined {
  const canaryUrls = readUrlList('canary-url');
  const baselineUrls = readUrlList('baseline-url');
  const only = (input: string) => {
    if (canaryUrls.length === 0 && readRawInput(input) !== undefined) {
      throw new ConfigurationError(`Input "${input}" needs "canary-url": it configures the HTTP probes.`, input);
    }
  };
  if (canaryUrls.length === 0) {
    for (const input of [
      'baseline-url',
      'latency-threshold',
      'body-contains',
      'json-path',
      'json-expect',
      'http-headers',
    ]) {
      only(input);
    }
    return undefined;
  }
  const expectStatus = getStringInput('expect-status', { default: '200-399' });
  const statuses = parseStatusRanges(expectStatus);
  const latencyThresholdMs = getDurationInput('latency-threshold', { min: 1, max: MAX_DURATION });
  if (latencyThresholdMs !== undefined && latencyThresholdMs >= timeoutMs) {
    throw new ConfigurationError(
      `Input "latency-threshold" (${latencyThresholdMs} ms) must be shorter than "timeout" (${timeoutMs} ms): ` +
        'slower answers would be cut off by the timeout before the threshold could judge them.',
      'latency-threshold',
    );
  }
  const bodyContains = getStringInput('body-contains', { trim: false });
  const jsonPathText = getStringInput('json-path');
  const jsonExpectText = getStringInput('json-expect');
  if (jsonExpectText !== undefined && jsonPathText === undefined) {
    throw new ConfigurationError(
      'Input "json-expect" needs "json-path": say where in the JSON body the expected value is, e.g. status.',
      'json-expect',
    );
  }
  const json =
    jsonPathText === undefined
      ? undefined
      : {
          path: jsonPathText,
          segments: parseJsonPath(jsonPathText),
          ...(jsonExpectText === undefined ? {} : { expected: parseJsonExpected(jsonExpectText) }),
        };
  const headers = (getListInput('http-headers', { separator: 'newline' }) ?? []).map((line) =>
    parseHeaderLine(line, 'http-headers'),
  );
  return {
    canaryUrls,
    baselineUrls,
    expectStatus,
    expectation: { statuses, latencyThresholdMs, bodyContains, json },
    headers,
    requestsPerInterval: getIntegerInput('requests-per-interval', { default: 10, min: 1, max: 10_000 }),
    concurrency: getIntegerInput('concurrency', { default: 10, min: 1, max: 256 }),
  };
}

function readPrometheus(): PrometheusSourceInputs | undefined {
  const url = getUrlInput('prometheus-url');
  const canary = readQueries('canary-errors-query', 'canary-total-query');
  const baseline = readQueries('baseline-errors-query', 'baseline-total-query');
  const authLine = getStringInput('prometheus-auth-header', { secret: true });
  if (url === undefined) {
    const stray =
      canary !== undefined ? 'canary-errors-query' : baseline !== undefined ? 'baseline-errors-query' : undefined;
    if (stray !== undefined || authLine !== undefined) {
      throw new ConfigurationError(
        `Input "prometheus-url" is required with "${stray ?? 'prometheus-auth-header'}": say which Prometheus server ` +
          'to query, e.g. https://prometheus.example.com.',
        'prometheus-url',
      );
    }
    return undefined;
  }
  if (canary === undefined) {
    throw new ConfigurationError(
      'Input "canary-errors-query" is required with "prometheus-url", together with "canary-total-query": instant ' +
        "queries of the canary's cumulative failed and total requests.",
      'canary-errors-query',
    );
  }
  const authHeader =
    authLine === undefined ? undefined : parseHeaderLine(authLine, 'prometheus-auth-header', 'Authorization');
  return { url, authHeader, canary, baseline };
}

function readMaxSamples(): number | undefined {
  const raw = readRawInput('max-samples');
  if (raw !== undefined && /^(unlimited|none|infinity)$/i.test(raw)) return Infinity;
  return getIntegerInput('max-samples', { min: 1 });
}

/** Reads and validates every input; a mistake throws a ConfigurationError naming the input, before any request. */
export function readInputs(): CanaryGateInputs {
  const timeoutMs = getDurationInput('timeout', { default: 5_000, min: 1, max: 10 * 60_000 });
  const http = readHttp(timeoutMs);
  const prometheus = readPrometheus();
  if (http === undefined && prometheus === undefined) {
    throw new ConfigurationError(
      'Input "canary-url" is required, unless "prometheus-url" with "canary-errors-query" and "canary-total-query" ' +
        'is given: the gate needs something to sample (HTTP probes, Prometheus counters, or both).',
      'canary-url',
    );
  }

  const analysis = getEnumInput('analysis', ['sprt', 'threshold'] as const, { default: 'sprt' });
  const withBaseline = (http?.baselineUrls.length ?? 0) > 0 || prometheus?.baseline !== undefined;
  if (analysis === 'threshold' && withBaseline) {
    const input = (http?.baselineUrls.length ?? 0) > 0 ? 'baseline-url' : 'baseline-errors-query';
    throw new ConfigurationError(
      `Input "${input}" needs analysis "sprt": the threshold rule judges each interval's error rate on its own ` +
        'and cannot compare with a baseline.',
      input,
    );
  }

  const noDataLimit = getIntegerInput('no-data-limit', { default: 4, min: 0, max: 100_000 });
  const sprt: SprtConfig = {
    p0: getNumberInput('baseline-error-rate', { default: 0.01 }),
    p1: getNumberInput('max-error-rate', { default: 0.05 }),
    alpha: getNumberInput('alpha', { default: 0.05 }),
    beta: getNumberInput('beta', { default: 0.05 }),
    minSamples: getIntegerInput('min-samples', { default: 0, min: 0 }),
    maxSamples: readMaxSamples(),
    noDataLimit,
  };
  const threshold: ThresholdConfig = {
    maxErrorRate: sprt.p1,
    failureLimit: getIntegerInput('failure-limit', { default: 0, min: 0 }),
    consecutiveSuccesses: getIntegerInput('consecutive-successes', { default: 5, min: 1 }),
    inconclusiveLimit: getIntegerInput('inconclusive-limit', { default: 0, min: 0 }),
    minRequests: getIntegerInput('min-requests', { default: 1, min: 1 }),
    noDataLimit,
  };
  // The analyses validate their own settings (p0 < p1, 0 < alpha < 0.5, ...); starting one is the check.
  if (analysis === 'threshold') thresholdStart(threshold);
  else if (withBaseline) baselineSprtStart(sprt);
  else sprtStart(sprt);

  const intervalMs = getDurationInput('interval', { default: 10_000, min: 0, max: MAX_DURATION });
  if (prometheus !== undefined && intervalMs < 1_000) {
    throw new ConfigurationError(
      `Input "interval" must be at least 1s with "prometheus-url" (got ${intervalMs} ms): counters only change when ` +
        'Prometheus scrapes, so use the scrape interval or more.',
      'interval',
    );
  }
  const durationMs = getDurationInput('duration', { default: 15 * 60_000, min: 1, max: MAX_DURATION });
  const policy = parseCanaryPolicy({
    noData: getStringInput('no-data'),
    onInconclusive: getStringInput('on-inconclusive'),
    failOnAbort: getBooleanInput('fail-on-abort', { default: true }),
  });

  const secrets: string[] = [];
  for (const header of [...(http?.headers ?? []), ...(prometheus?.authHeader ? [prometheus.authHeader] : [])]) {
    if (isSensitiveHeader(header.name)) secrets.push(header.value);
  }
  if (prometheus?.authHeader !== undefined) secrets.push(prometheus.authHeader.value);
  for (const url of [
    ...(http?.canaryUrls ?? []),
    ...(http?.baselineUrls ?? []),
    ...(prometheus ? [prometheus.url] : []),
  ]) {
    const { authorization } = splitCredentials(url);
    if (url.password !== '') secrets.push(url.password, decodeURIComponent(url.password));
    if (authorization !== undefined) secrets.push(authorization.replace(/^Basic /, ''));
  }

  return {
    http,
    prometheus,
    analysis,
    sprt,
    threshold,
    timeoutMs,
    intervalMs,
    durationMs,
    policy,
    secrets: [...new Set(secrets)],
  };
}
