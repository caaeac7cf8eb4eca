// What an HTTP answer must look like to count as a success: status, latency and body. Pure parsing
// and judging, so the prober stays a thin wrapper around fetch.
import { ConfigurationError } from '@hotfix-actions/core';

/** An inclusive range of HTTP status codes. */
export interface StatusRange {
  readonly from: number;
  readonly to: number;
}

/** The JSON body check: the value at `path` must equal `expected` (or, without it, be present and not false/null). */
export interface JsonExpectation {
  /** The path as the user wrote it (`checks.database.status`). */
  readonly path: string;
  /** Object keys and array indexes, in order. */
  readonly segments: readonly (string | number)[];
  /** The expected value; `undefined` means "present, not null and not false". */
  readonly expected?: unknown;
}

/** Everything an answer is judged on. */
export interface AnswerExpectation {
  readonly statuses: readonly StatusRange[];
  /** Answers slower than this many milliseconds are failures. */
  readonly latencyThresholdMs?: number | undefined;
  /** Text the body must contain. */
  readonly bodyContains?: string | undefined;
  readonly json?: JsonExpectation | undefined;
}

/** An answer as the prober saw it. */
export interface ObservedAnswer {
  readonly status: number;
  readonly latencyMs: number;
  /** The body (up to the prober's size limit); undefined when no body check needs it. */
  readonly body?: string | undefined;
}

const STATUS_ITEM = /^(?:(\d{3})(?:\s*-\s*(\d{3}))?|([1-5])xx)$/i;

/**
 * Parses `expect-status`: codes, ranges and classes separated by commas or spaces, e.g. `200-399`,
 * `200,204`, `2xx, 301`. Throws a ConfigurationError naming `input` otherwise.
 */
export function parseStatusRanges(text: string, input = 'expect-status'): StatusRange[] {
  const items = text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
  // "200 - 399" splits into three items: glue a lone dash back onto its neighbours.
  const joined = items
    .join(' ')
    .replace(/\s*-\s*/g, '-')
    .split(' ')
    .filter(Boolean);
  if (joined.length === 0) {
    throw new ConfigurationError(`Input "${input}" must list status codes, e.g. 200-399 or 200,204.`, input);
  }
  return joined.map((item) => {
    const match = STATUS_ITEM.exec(item);
    const problem = (why: string) =>
      new ConfigurationError(
        `Input "${input}" has ${JSON.stringify(item)}: ${why}. Use codes (200), ranges (200-399) or classes (2xx), ` +
          'separated by commas.',
        input,
      );
    if (match === null) throw problem('not a status code, range or class');
    const [, single, upper, klass] = match;
    const range =
      klass !== undefined
        ? { from: Number(klass) * 100, to: Number(klass) * 100 + 99 }
        : { from: Number(single), to: Number(upper ?? single) };
    if (range.from < 100 || range.to > 599) throw problem('HTTP status codes lie between 100 and 599');
    if (range.from > range.to) throw problem('a range must go from the lower code to the higher');
    return range;
  });
}

/** Writes ranges back the way {@link parseStatusRanges} reads them: `200-399, 404`. */
export function formatStatusRanges(ranges: readonly StatusRange[]): string {
  return ranges.map(({ from, to }) => (from === to ? String(from) : `${from}-${to}`)).join(', ');
}

/** True when `status` lies in one of `ranges`. */
export function statusMatches(ranges: readonly StatusRange[], status: number): boolean {
  return ranges.some(({ from, to }) => status >= from && status <= to);
}

/**
 * Parses `json-path`: keys separated by dots, array indexes as numbers or in brackets
 * (`status`, `checks.db.status`, `items[0].ok`, `items.0.ok`); a leading `$.` is allowed.
 */
export function parseJsonPath(text: string, input = 'json-path'): (string | number)[] {
  const path = text.trim().replace(/^\$\.?/, '');
  const segments: (string | number)[] = [];
  const pattern = /([^.[\]]+)|\[(\d+)\]|\[["']([^"']*)["']\]|(\.)/gy;
  let expectKey = true;
  let valid = true;
  let match: RegExpExecArray | null;
  while (valid && pattern.lastIndex < path.length && (match = pattern.exec(path)) !== null) {
    const [, key, index, quoted, dot] = match;
    if (dot !== undefined) {
      valid = !expectKey;
      expectKey = true;
      continue;
    }
    if (key !== undefined) {
      valid = expectKey;
      segments.push(/^\d+$/.test(key) ? Number(key) : key);
    } else {
      segments.push(index !== undefined ? Number(index) : (quoted ?? ''));
    }
    expectKey = false;
  }
  if (!valid || segments.length === 0 || pattern.lastIndex !== path.length || expectKey) {
    throw new ConfigurationError(
      `Input "${input}" must be a path into the JSON body such as status, checks.db.status or items[0].ok; ` +
        `got ${JSON.stringify(text)}.`,
      input,
    );
  }
  return segments;
}

/**
 * Parses `json-expect`: JSON when it is JSON (`true`, `42`, `"ok"`, `null`), otherwise the text itself,
 * so `json-expect: ok` and `json-expect: '"ok"'` mean the same.
 */
export function parseJsonExpected(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The value at `segments` in `value`, or undefined when the path does not exist. */
export function readJsonPath(value: unknown, segments: readonly (string | number)[]): unknown {
  let current = value;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      if (typeof segment !== 'number') return undefined;
      current = current[segment];
    } else {
      if (!Object.hasOwn(current, String(segment))) return undefined;
      current = (current as Record<string, unknown>)[String(segment)];
    }
  }
  return current;
}

function sameJson(actual: unknown, expected: unknown): boolean {
  if (actual === expected) return true;
  if (typeof actual === 'object' && actual !== null && typeof expected === 'object' && expected !== null) {
    return JSON.stringify(actual) === JSON.stringify(expected);
  }
  // A number in the body compared with an expectation that was meant as text ("1" vs 1) is a mismatch
  // worth reporting rather than guessing.
  return false;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Whether the JSON check passes on `body`, and why not. */
export function checkJsonBody(body: string, json: JsonExpectation): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body) as unknown;
  } catch {
    return 'body is not JSON';
  }
  const actual = readJsonPath(parsed, json.segments);
  if (json.expected === undefined) {
    if (actual === undefined) return `json ${json.path} missing`;
    if (actual === null || actual === false) return `json ${json.path} = ${describe(actual)}`;
    return undefined;
  }
  if (actual === undefined) return `json ${json.path} missing`;
  return sameJson(actual, json.expected) ? undefined : `json ${json.path} = ${describe(actual)}`;
}

/** True when any check needs the body. */
export function needsBody(expectation: AnswerExpectation): boolean {
  return expectation.bodyContains !== undefined || expectation.json !== undefined;
}

/**
 * Judges one answer: undefined when it is a success, otherwise the reason it failed, short enough to
 * count reasons in the report (`status 503`, `latency 812 ms > 500 ms`, `json status = "degraded"`).
 * The status is judged first: a 503 is a 503 however fast it came.
 */
export function judgeAnswer(answer: ObservedAnswer, expectation: AnswerExpectation): string | undefined {
  if (!statusMatches(expectation.statuses, answer.status)) return `status ${answer.status}`;
  const limit = expectation.latencyThresholdMs;
  if (limit !== undefined && answer.latencyMs > limit) return `slower than ${limit} ms`;
  if (expectation.bodyContains !== undefined && !(answer.body ?? '').includes(expectation.bodyContains)) {
    return 'body lacks the expected text';
  }
  if (expectation.json !== undefined) return checkJsonBody(answer.body ?? '', expectation.json);
  return undefined;
}
