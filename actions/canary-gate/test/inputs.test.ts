import { afterEach, describe, expect, it, vi } from 'vitest';
import { inputEnvName, isConfigurationError } from '@hotfix-actions/core';
import { isSensitiveHeader, parseHeaderLine, readInputs } from '../src/inputs.js';

function withInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) vi.stubEnv(inputEnvName(name), value);
}

function inputError(inputs: Record<string, string>): { input: string | undefined; message: string } {
  withInputs(inputs);
  try {
    readInputs();
  } catch (error) {
    if (isConfigurationError(error)) return { input: error.input, message: error.message };
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

const CANARY = { 'canary-url': 'https://canary.example.com/health' };
const PROMETHEUS = {
  'prometheus-url': 'https://prometheus.example.com',
  'canary-errors-query': 'sum(http_requests_total{code=~"5.."}) or vector(0)',
  'canary-total-query': 'sum(http_requests_total)',
};

describe('readInputs', () => {
  it('gives an HTTP gate the defaults', () => {
    withInputs(CANARY);
    const inputs = readInputs();
    expect(inputs.http?.canaryUrls.map(String)).toEqual(['https://canary.example.com/health']);
    expect(inputs.http?.expectation.statuses).toEqual([{ from: 200, to: 399 }]);
    expect(inputs.http?.requestsPerInterval).toBe(10);
    expect(inputs.prometheus).toBeUndefined();
    expect(inputs).toMatchObject({
      analysis: 'sprt',
      sprt: { p0: 0.01, p1: 0.05, alpha: 0.05, beta: 0.05, minSamples: 0, noDataLimit: 4 },
      timeoutMs: 5_000,
      intervalMs: 10_000,
      durationMs: 900_000,
      policy: { noData: 'fail', onInconclusive: 'fail', failOnAbort: true },
      secrets: [],
    });
    expect(inputs.sprt.maxSamples).toBeUndefined();
  });

  it('reads a Prometheus gate with a baseline and an auth header, and lists the secrets to mask', () => {
    withInputs({
      ...PROMETHEUS,
      'baseline-errors-query': 'sum(a) or vector(0)',
      'baseline-total-query': 'sum(b)',
      'prometheus-auth-header': 'Authorization: Bearer s3cret',
      interval: '30s',
      'max-samples': 'unlimited',
    });
    const inputs = readInputs();
    expect(inputs.prometheus?.authHeader).toEqual({ name: 'Authorization', value: 'Bearer s3cret' });
    expect(inputs.prometheus?.baseline).toEqual({ errors: 'sum(a) or vector(0)', total: 'sum(b)' });
    expect(inputs.sprt.maxSamples).toBe(Infinity);
    expect(inputs.secrets).toEqual(['Bearer s3cret']);
  });

  it('takes a bare auth header value as Authorization, and masks URL credentials and sensitive headers', () => {
    withInputs({
      ...PROMETHEUS,
      'prometheus-auth-header': 'Bearer abc',
      'canary-url': 'https://bot:pa%24s@canary.example.com/health',
      'http-headers': 'X-Api-Key: k-123\nAccept: application/json',
    });
    const inputs = readInputs();
    expect(inputs.prometheus?.authHeader).toEqual({ name: 'Authorization', value: 'Bearer abc' });
    expect(inputs.http?.headers).toEqual([
      { name: 'X-Api-Key', value: 'k-123' },
      { name: 'Accept', value: 'application/json' },
    ]);
    expect(inputs.secrets).toEqual(
      expect.arrayContaining(['k-123', 'Bearer abc', 'pa%24s', 'pa$s', Buffer.from('bot:pa$s').toString('base64')]),
    );
    expect(inputs.secrets).not.toContain('application/json');
  });

  it('reads the threshold rule without validating SPRT rates it does not use', () => {
    withInputs({
      ...CANARY,
      analysis: 'threshold',
      'max-error-rate': '0',
      'consecutive-successes': '3',
      interval: '0s',
    });
    const inputs = readInputs();
    expect(inputs.threshold).toMatchObject({ maxErrorRate: 0, consecutiveSuccesses: 3, failureLimit: 0 });
    expect(inputs.intervalMs).toBe(0);
  });

  it.each([
    [{ ...CANARY, 'baseline-error-rate': '0.02', 'max-error-rate': '0.01' }, 'max-error-rate', 'greater than'],
    [{ ...CANARY, alpha: '0.7' }, 'alpha', 'below 0.5'],
    [{ ...CANARY, beta: 'often' }, 'beta', 'a number'],
    [{ 'canary-url': 'not a url' }, 'canary-url', 'absolute http or https URLs'],
    [{ 'canary-url': 'ftp://example.com/x' }, 'canary-url', 'absolute http or https URLs'],
    [{ ...CANARY, analysis: 'bayes' }, 'analysis', '"sprt", "threshold"'],
    [{}, 'canary-url', 'needs something to sample'],
    [{ ...CANARY, 'expect-status': '2oo' }, 'expect-status', 'not a status code'],
    [{ ...CANARY, 'latency-threshold': '5s', timeout: '5s' }, 'latency-threshold', 'shorter than "timeout"'],
    [{ ...CANARY, 'json-expect': 'ok' }, 'json-expect', 'needs "json-path"'],
    [{ ...CANARY, 'http-headers': 'no colon here' }, 'http-headers', '"Name: value"'],
    [{ ...CANARY, 'min-samples': '5000', 'max-samples': '100' }, 'min-samples', 'must not exceed'],
    [{ ...CANARY, 'no-data': 'ignore' }, 'no-data', 'fail, inconclusive, pass'],
    [{ ...CANARY, 'on-inconclusive': 'retry' }, 'on-inconclusive', 'fail, pass'],
    [{ ...CANARY, 'requests-per-interval': '0' }, 'requests-per-interval', 'between 1 and 10000'],
    [{ ...PROMETHEUS, 'canary-total-query': '' }, 'canary-total-query', 'required with "canary-errors-query"'],
    [{ ...PROMETHEUS, 'prometheus-url': '' }, 'prometheus-url', 'is required'],
    [{ 'prometheus-url': 'https://p.example.com' }, 'canary-errors-query', 'is required'],
    [{ ...PROMETHEUS, interval: '500ms' }, 'interval', 'at least 1s'],
    [
      { ...CANARY, analysis: 'threshold', 'baseline-url': 'https://old.example.com/health' },
      'baseline-url',
      'needs analysis "sprt"',
    ],
    [{ ...PROMETHEUS, 'baseline-total-query': 'sum(b)' }, 'baseline-errors-query', 'is required'],
    [{ 'latency-threshold': '1s' }, 'latency-threshold', 'needs "canary-url"'],
    [{ ...CANARY, 'consecutive-successes': '0', analysis: 'threshold' }, 'consecutive-successes', 'at least 1'],
  ])('rejects %j naming %s', (inputs, input, text) => {
    const error = inputError(inputs);
    expect(error.input).toBe(input);
    expect(error.message).toContain(`"${input}"`);
    expect(error.message).toContain(text);
  });

  it('never repeats the auth header in an error', () => {
    const error = inputError({ ...CANARY, 'prometheus-auth-header': 'Bearer t0ken' });
    expect(error.input).toBe('prometheus-url');
    expect(error.message).not.toContain('t0ken');
  });
});

describe('parseHeaderLine', () => {
  it('splits at the first colon and keeps colons in the value', () => {
    expect(parseHeaderLine('X-Trace: a:b:c', 'http-headers')).toEqual({ name: 'X-Trace', value: 'a:b:c' });
    expect(() => parseHeaderLine('X-Empty:', 'http-headers')).toThrow(/without a value/);
    expect(() => parseHeaderLine('Bad Name: x', 'http-headers')).toThrow(/"Name: value"/);
  });

  it('knows which headers carry credentials', () => {
    expect(['Authorization', 'Cookie', 'X-Api-Key', 'X-Auth-Token'].every(isSensitiveHeader)).toBe(true);
    expect(['Accept', 'User-Agent', 'X-Request-Id'].some(isSensitiveHeader)).toBe(false);
  });
});
