import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCanaryService } from '@hotfix-actions/testkit';
import type { CanaryService } from '@hotfix-actions/testkit';
import { parseStatusRanges } from '../src/expect.js';
import {
  countOutcomes,
  createHttpProber,
  httpBatchMeasurement,
  networkErrorReason,
  probeBatch,
  splitCredentials,
} from '../src/http.js';
import type { ProbeOutcome } from '../src/http.js';

const ok: ProbeOutcome = { kind: 'success', status: 200, latencyMs: 3 };
const failed: ProbeOutcome = { kind: 'failure', status: 500, latencyMs: 4, reason: 'status 500' };
const refused: ProbeOutcome = { kind: 'unanswered', latencyMs: 1, reason: 'connect ECONNREFUSED 127.0.0.1:1' };

describe('countOutcomes and httpBatchMeasurement', () => {
  it('counts statuses, reasons and latency', () => {
    const batch = countOutcomes([ok, ok, failed, refused]);
    expect(batch).toEqual({
      requests: 4,
      successes: 2,
      failures: 1,
      unanswered: 1,
      statuses: { 200: 2, 500: 1 },
      reasons: { 'status 500': 1, 'connect ECONNREFUSED 127.0.0.1:1': 1 },
      latencyMs: { p50: 3, max: 4 },
    });
  });

  it('makes a batch nobody answered no data, never a success', () => {
    expect(httpBatchMeasurement(countOutcomes([refused, refused]))).toEqual({
      noData: 'none of 2 requests was answered: 2 × connect ECONNREFUSED 127.0.0.1:1',
    });
    expect(httpBatchMeasurement(countOutcomes([refused]))).toEqual({
      noData: 'the request was not answered: 1 × connect ECONNREFUSED 127.0.0.1:1',
    });
    expect(httpBatchMeasurement(countOutcomes([]))).toEqual({ noData: 'no request was sent' });
  });

  it('counts unanswered requests as errors when the service answered others in the same batch', () => {
    expect(httpBatchMeasurement(countOutcomes([ok, ok, failed, refused]))).toEqual({ errors: 2, total: 4 });
  });
});

describe('splitCredentials and networkErrorReason', () => {
  it('moves URL credentials into a Basic header', () => {
    const { target, authorization } = splitCredentials(new URL('https://us%40er:p%3Ass@example.com/health'));
    expect(target.href).toBe('https://example.com/health');
    expect(Buffer.from((authorization ?? '').replace('Basic ', ''), 'base64').toString()).toBe('us@er:p:ss');
    expect(splitCredentials(new URL('https://example.com/')).authorization).toBeUndefined();
  });

  it('prefers the socket error fetch wraps', () => {
    const error = new TypeError('fetch failed', { cause: { code: 'ECONNRESET', message: 'read ECONNRESET' } });
    expect(networkErrorReason(error)).toBe('read ECONNRESET');
    expect(networkErrorReason(new TypeError('fetch failed', { cause: { code: 'EPIPE' } }))).toBe('EPIPE');
    expect(networkErrorReason(new Error('plain'))).toBe('plain');
  });
});

describe('createHttpProber against a real service', () => {
  let healthy: CanaryService;
  let slow: CanaryService;
  let lying: CanaryService;
  let dead: CanaryService;
  beforeAll(async () => {
    [healthy, slow, lying, dead] = await Promise.all([
      startCanaryService({ errorRate: 0, version: 'v3' }),
      startCanaryService({ mode: 'slow', latencyMs: 150 }),
      startCanaryService({ errorRate: 1, errorStatus: 200 }),
      startCanaryService({ mode: 'dead' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([healthy, slow, lying, dead].map((svc) => svc?.stop()));
  });

  const statuses = parseStatusRanges('200-399');

  it('judges status, body and JSON of real answers', async () => {
    const prober = createHttpProber({
      timeoutMs: 2_000,
      headers: [['x-probe', 'canary-gate']],
      expectation: { statuses, bodyContains: '"v3"', json: { path: 'status', segments: ['status'], expected: 'ok' } },
    });
    expect(await prober.probe(new URL(healthy.healthUrl))).toMatchObject({ kind: 'success', status: 200 });
    expect(await prober.probe(new URL(`${healthy.url}/missing`))).toMatchObject({
      kind: 'failure',
      reason: 'status 404',
    });
    const lies = createHttpProber({
      timeoutMs: 2_000,
      headers: [],
      expectation: { statuses, json: { path: 'status', segments: ['status'], expected: 'ok' } },
    });
    expect(await lies.probe(new URL(lying.healthUrl))).toMatchObject({
      kind: 'failure',
      status: 200,
      reason: 'json status = "error"',
    });
  });

  it('fails slow answers with a latency threshold, and a timeout is a failure then', async () => {
    const withThreshold = createHttpProber({
      timeoutMs: 2_000,
      headers: [],
      expectation: { statuses, latencyThresholdMs: 50 },
    });
    expect(await withThreshold.probe(new URL(slow.healthUrl))).toMatchObject({
      kind: 'failure',
      reason: 'slower than 50 ms',
    });
    const tight = createHttpProber({ timeoutMs: 60, headers: [], expectation: { statuses, latencyThresholdMs: 30 } });
    expect(await tight.probe(new URL(slow.healthUrl))).toMatchObject({ kind: 'failure', reason: 'slower than 30 ms' });
  });

  it('leaves a timeout without a latency threshold unanswered, and a refused connection too', async () => {
    const prober = createHttpProber({ timeoutMs: 60, headers: [], expectation: { statuses } });
    expect(await prober.probe(new URL(slow.healthUrl))).toMatchObject({
      kind: 'unanswered',
      reason: 'no answer within 60 ms',
    });
    const outcome = await prober.probe(new URL(dead.healthUrl));
    expect(outcome).toMatchObject({ kind: 'unanswered' });
    expect(outcome.kind === 'unanswered' && outcome.reason).toContain('ECONNREFUSED');
  });

  it('sends a batch with bounded concurrency, round-robin over the URLs', async () => {
    const second = await startCanaryService({});
    try {
      const before = healthy.requestCount('/health');
      const prober = createHttpProber({ timeoutMs: 2_000, headers: [], expectation: { statuses } });
      const batch = await probeBatch(prober, [new URL(healthy.healthUrl), new URL(second.healthUrl)], 9, 4, 1);
      expect(batch).toMatchObject({ requests: 9, successes: 9, failures: 0, unanswered: 0, statuses: { 200: 9 } });
      // Offset 1 starts at the second URL: it gets 5 of 9.
      expect(second.requestCount('/health')).toBe(5);
      expect(healthy.requestCount('/health') - before).toBe(4);
    } finally {
      await second.stop();
    }
  });
});
