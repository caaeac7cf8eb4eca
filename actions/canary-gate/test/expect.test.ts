import { describe, expect, it } from 'vitest';
import { isConfigurationError } from '@hotfix-actions/core';
import {
  checkJsonBody,
  formatStatusRanges,
  judgeAnswer,
  parseJsonExpected,
  parseJsonPath,
  parseStatusRanges,
  readJsonPath,
  statusMatches,
} from '../src/expect.js';
import type { AnswerExpectation } from '../src/expect.js';

function configurationErrorOf(fn: () => unknown): { message: string; input: string | undefined } {
  try {
    fn();
  } catch (error) {
    if (isConfigurationError(error)) return { message: error.message, input: error.input };
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('parseStatusRanges', () => {
  it.each([
    ['200-399', [{ from: 200, to: 399 }]],
    [
      '200,204',
      [
        { from: 200, to: 200 },
        { from: 204, to: 204 },
      ],
    ],
    [
      '2xx, 301',
      [
        { from: 200, to: 299 },
        { from: 301, to: 301 },
      ],
    ],
    [
      '200 - 299 404',
      [
        { from: 200, to: 299 },
        { from: 404, to: 404 },
      ],
    ],
    ['5XX', [{ from: 500, to: 599 }]],
  ])('reads %j', (text, ranges) => {
    expect(parseStatusRanges(text)).toEqual(ranges);
  });

  it.each([
    ['ok', 'not a status code, range or class'],
    ['399-200', 'from the lower code to the higher'],
    ['600', 'between 100 and 599'],
    ['20', 'not a status code'],
    [' , ', 'must list status codes'],
  ])('rejects %j naming the input', (text, why) => {
    const error = configurationErrorOf(() => parseStatusRanges(text));
    expect(error.input).toBe('expect-status');
    expect(error.message).toContain('"expect-status"');
    expect(error.message).toContain(why);
  });

  it('matches statuses and writes ranges back', () => {
    const ranges = parseStatusRanges('200-299,304');
    expect([199, 200, 299, 300, 304, 503].map((s) => statusMatches(ranges, s))).toEqual([
      false,
      true,
      true,
      false,
      true,
      false,
    ]);
    expect(formatStatusRanges(ranges)).toBe('200-299, 304');
    expect(parseStatusRanges(formatStatusRanges(ranges))).toEqual(ranges);
  });
});

describe('JSON body checks', () => {
  it('parses paths with dots, indexes, brackets and a leading $', () => {
    expect(parseJsonPath('status')).toEqual(['status']);
    expect(parseJsonPath('checks.db.status')).toEqual(['checks', 'db', 'status']);
    expect(parseJsonPath('items[0].ok')).toEqual(['items', 0, 'ok']);
    expect(parseJsonPath('items.0.ok')).toEqual(['items', 0, 'ok']);
    expect(parseJsonPath('$.a["b.c"]')).toEqual(['a', 'b.c']);
  });

  it.each(['', '$', 'a..b', 'a.', 'a[0]b', '.a'])('rejects the path %j', (path) => {
    expect(configurationErrorOf(() => parseJsonPath(path)).input).toBe('json-path');
  });

  it('reads expectations as JSON when they are JSON, as text otherwise', () => {
    expect(parseJsonExpected('true')).toBe(true);
    expect(parseJsonExpected('42')).toBe(42);
    expect(parseJsonExpected('"ok"')).toBe('ok');
    expect(parseJsonExpected('ok')).toBe('ok');
    expect(parseJsonExpected('{"a":1}')).toEqual({ a: 1 });
  });

  it('walks objects and arrays, and finds nothing where the path does not lead', () => {
    const body = { checks: { db: { status: 'up' } }, items: [{ ok: false }] };
    expect(readJsonPath(body, ['checks', 'db', 'status'])).toBe('up');
    expect(readJsonPath(body, ['items', 0, 'ok'])).toBe(false);
    expect(readJsonPath(body, ['items', 'x'])).toBeUndefined();
    expect(readJsonPath(body, ['checks', 'db', 'status', 'deeper'])).toBeUndefined();
    expect(readJsonPath(body, ['toString'])).toBeUndefined();
  });

  it('says why a body fails', () => {
    const json = { path: 'status', segments: ['status'], expected: 'ok' };
    expect(checkJsonBody('{"status":"ok"}', json)).toBeUndefined();
    expect(checkJsonBody('{"status":"degraded"}', json)).toBe('json status = "degraded"');
    expect(checkJsonBody('{}', json)).toBe('json status missing');
    expect(checkJsonBody('<html>', json)).toBe('body is not JSON');
    const present = { path: 'ready', segments: ['ready'] };
    expect(checkJsonBody('{"ready":true}', present)).toBeUndefined();
    expect(checkJsonBody('{"ready":false}', present)).toBe('json ready = false');
    expect(checkJsonBody('{"ready":null}', present)).toBe('json ready = null');
    expect(checkJsonBody('{"n":1}', { path: 'n', segments: ['n'], expected: '1' })).toBe('json n = 1');
  });
});

describe('judgeAnswer', () => {
  const expectation: AnswerExpectation = {
    statuses: parseStatusRanges('200-399'),
    latencyThresholdMs: 500,
    bodyContains: 'healthy',
  };

  it('accepts a good answer and names the first problem of a bad one', () => {
    expect(judgeAnswer({ status: 200, latencyMs: 20, body: 'healthy' }, expectation)).toBeUndefined();
    expect(judgeAnswer({ status: 503, latencyMs: 900, body: '' }, expectation)).toBe('status 503');
    expect(judgeAnswer({ status: 200, latencyMs: 501, body: 'healthy' }, expectation)).toBe('slower than 500 ms');
    expect(judgeAnswer({ status: 200, latencyMs: 5, body: 'sick' }, expectation)).toBe('body lacks the expected text');
  });

  it('judges on status alone when nothing else is asked', () => {
    const plain: AnswerExpectation = { statuses: parseStatusRanges('200') };
    expect(judgeAnswer({ status: 200, latencyMs: 60_000 }, plain)).toBeUndefined();
    expect(judgeAnswer({ status: 204, latencyMs: 1 }, plain)).toBe('status 204');
  });
});
