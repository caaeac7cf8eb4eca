import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '@hotfix-actions/core';
import { createPrometheusClient, parseQueryResponse, queryEndpoint, withoutCredentials } from '../src/prometheus.js';

const vector = (...values: string[]) =>
  JSON.stringify({
    status: 'success',
    data: {
      resultType: 'vector',
      result: values.map((v, i) => ({ metric: { i: String(i) }, value: [1700000000, v] })),
    },
  });

describe('parseQueryResponse', () => {
  it('sums the series of a vector and takes a scalar as is', () => {
    expect(parseQueryResponse(200, vector('12'), 'q')).toEqual({ value: 12, series: 1 });
    expect(parseQueryResponse(200, vector('12', '30.5'), 'q')).toEqual({ value: 42.5, series: 2 });
    const scalar = JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1700000000, '7'] } });
    expect(parseQueryResponse(200, scalar, 'q')).toEqual({ value: 7, series: 1 });
  });

  it('makes empty results, NaN, errors and garbage no data', () => {
    expect(parseQueryResponse(200, vector(), 'q')).toEqual({ noData: 'the query returned no series' });
    expect(parseQueryResponse(200, vector('NaN'), 'q')).toEqual({ noData: 'the query returned NaN' });
    expect(parseQueryResponse(502, '<html>bad gateway</html>', 'q')).toEqual({
      noData: 'Prometheus answered 502 with a body that is not JSON',
    });
    const timeout = JSON.stringify({ status: 'error', errorType: 'timeout', error: 'query timed out' });
    expect(parseQueryResponse(503, timeout, 'q')).toEqual({ noData: 'Prometheus answered 503: query timed out' });
    const text = JSON.stringify({ status: 'success', data: { resultType: 'string', result: [1, 'x'] } });
    expect(parseQueryResponse(200, text, 'q')).toEqual({ noData: 'the query returned a string instead of a number' });
  });

  it('rejects a malformed query or a range vector as the input named', () => {
    const bad = JSON.stringify({
      status: 'error',
      errorType: 'bad_data',
      error: 'parse error: unclosed left parenthesis',
    });
    expect(() => parseQueryResponse(400, bad, 'canary-errors-query')).toThrow(ConfigurationError);
    expect(() => parseQueryResponse(400, bad, 'canary-errors-query')).toThrow(
      'Input "canary-errors-query" was rejected by Prometheus: parse error: unclosed left parenthesis.',
    );
    const matrix = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } });
    expect(() => parseQueryResponse(200, matrix, 'canary-total-query')).toThrow(
      /"canary-total-query" returned a range vector/,
    );
  });
});

describe('queryEndpoint and withoutCredentials', () => {
  it('appends /api/v1/query under any path prefix, once', () => {
    expect(queryEndpoint(new URL('http://prom:9090')).href).toBe('http://prom:9090/api/v1/query');
    expect(queryEndpoint(new URL('https://example.com/prometheus/')).href).toBe(
      'https://example.com/prometheus/api/v1/query',
    );
    expect(queryEndpoint(new URL('http://prom:9090/api/v1/query?x=1')).href).toBe('http://prom:9090/api/v1/query');
    expect(withoutCredentials(new URL('https://u:p@prom/'))).toBe('https://prom/');
  });
});

describe('createPrometheusClient', () => {
  it('sends the query at the given instant with the auth header, and never leaks credentials in its endpoint', async () => {
    const seen: { url: string; headers: Record<string, unknown> }[] = [];
    const server = createServer((request, response) => {
      seen.push({ url: request.url ?? '', headers: request.headers });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(vector('5'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const client = createPrometheusClient({
        url: new URL(`http://user:pw@127.0.0.1:${port}/prom`),
        authHeader: { name: 'X-Scope-OrgID', value: 'tenant-1' },
        timeoutMs: 2_000,
      });
      expect(client.endpoint).toBe(`http://127.0.0.1:${port}/prom/api/v1/query`);
      expect(await client.query('sum(up)', 1700000000.5, 'canary-total-query')).toEqual({ value: 5, series: 1 });
      const [request] = seen;
      const url = new URL(request?.url ?? '', 'http://x');
      expect(url.pathname).toBe('/prom/api/v1/query');
      expect(url.searchParams.get('query')).toBe('sum(up)');
      expect(url.searchParams.get('time')).toBe('1700000000.500');
      expect(request?.headers['x-scope-orgid']).toBe('tenant-1');
      expect(request?.headers.authorization).toBe(`Basic ${Buffer.from('user:pw').toString('base64')}`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('makes an unreachable server no data', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const client = createPrometheusClient({ url: new URL(`http://127.0.0.1:${port}`), timeoutMs: 1_000 });
    const result = await client.query('up', 1, 'canary-total-query');
    expect(result).toEqual({ noData: expect.stringMatching(/^Prometheus could not be reached \(.*ECONNREFUSED/) });
  });
});
