import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../src/errors.js';
import type { HotfixContext } from '../src/context.js';
import { emptyHotfixContext, mergeHotfixContext, parseHotfixContext, serializeHotfixContext } from '../src/context.js';

const SHA = 'a'.repeat(40);

const full: HotfixContext = {
  line: '1.2',
  version: '1.2.4',
  tag: 'v1.2.4',
  previousTag: 'v1.2.3',
  sha: SHA,
  tickets: ['bd-a1b2'],
  targets: ['main', 'release/v1.3'],
  deployment: { environment: 'production', id: 17, url: 'https://app.example.com' },
  extra: { zeta: 1, alpha: { b: [1, 'two'], a: null } },
};

function configurationError(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('serializeHotfixContext', () => {
  it('writes one line of JSON in a fixed key order', () => {
    expect(serializeHotfixContext(full)).toBe(
      '{"line":"1.2","version":"1.2.4","tag":"v1.2.4","previousTag":"v1.2.3","sha":"' +
        SHA +
        '","tickets":["bd-a1b2"],"targets":["main","release/v1.3"],' +
        '"deployment":{"environment":"production","id":17,"url":"https://app.example.com"},' +
        '"extra":{"alpha":{"a":null,"b":[1,"two"]},"zeta":1}}',
    );
  });

  it('does not depend on the order properties were set in', () => {
    const shuffled: HotfixContext = {
      extra: { alpha: { a: null, b: [1, 'two'] }, zeta: 1 },
      deployment: { url: 'https://app.example.com', id: 17, environment: 'production' },
      targets: ['main', 'release/v1.3'],
      tickets: ['bd-a1b2'],
      sha: SHA,
      previousTag: 'v1.2.3',
      tag: 'v1.2.4',
      version: '1.2.4',
      line: '1.2',
    };
    expect(serializeHotfixContext(shuffled)).toBe(serializeHotfixContext(full));
  });

  it('keeps multi-line text on one line', () => {
    const text = serializeHotfixContext({ ...emptyHotfixContext(), extra: { notes: 'a\nb' } });
    expect(text).not.toContain('\n');
    expect(parseHotfixContext(text).extra['notes']).toBe('a\nb');
  });

  it('round-trips through parseHotfixContext', () => {
    expect(parseHotfixContext(serializeHotfixContext(full))).toEqual(full);
    expect(parseHotfixContext(serializeHotfixContext(emptyHotfixContext()))).toEqual(emptyHotfixContext());
    expect(serializeHotfixContext(emptyHotfixContext())).toBe('{"tickets":[],"targets":[],"extra":{}}');
  });
});

describe('parseHotfixContext', () => {
  it('reads blank text as an empty context and fills missing lists', () => {
    expect(parseHotfixContext('')).toEqual(emptyHotfixContext());
    expect(parseHotfixContext('  \n')).toEqual(emptyHotfixContext());
    expect(parseHotfixContext('{"version":"1.3.0-hotfix.1","line":"1.x"}')).toEqual({
      version: '1.3.0-hotfix.1',
      line: '1.x',
      tickets: [],
      targets: [],
      extra: {},
    });
    expect(parseHotfixContext('{"tag":null,"deployment":null}')).toEqual(emptyHotfixContext());
  });

  it.each([
    ['{"version":', 'not valid JSON'],
    ['[1,2]', 'not a JSON object'],
    ['"text"', 'not a JSON object'],
    ['{"verison":"1.2.3"}', 'unknown fields "verison"'],
    ['{"line":"1.2.3"}', '"line" is "1.2.3"'],
    ['{"line":12}', 'not a string'],
    ['{"version":"v1.2"}', '"version" is "v1.2"'],
    ['{"tag":"v1.2;rm -rf"}', 'not a valid git ref name'],
    ['{"previousTag":"a..b"}', '"previousTag"'],
    ['{"sha":"abc123"}', 'full commit SHA'],
    ['{"tickets":"bd-a1b2"}', '"tickets" is not a list'],
    ['{"tickets":[1]}', '"tickets[0]" is 1'],
    ['{"tickets":["bd a"]}', '"tickets[0]"'],
    ['{"targets":["main","$(id)"]}', '"targets[1]" is "$(id)"'],
    ['{"deployment":"prod"}', '"deployment" is not an object'],
    ['{"deployment":{}}', 'no "environment"'],
    ['{"deployment":{"environment":" "}}', 'is empty'],
    ['{"deployment":{"environment":"prod","id":1.5}}', '"deployment.id"'],
    ['{"deployment":{"environment":"prod","url":"nope"}}', 'not an absolute URL'],
    ['{"deployment":{"environment":"prod","region":"eu"}}', 'unknown fields "region"'],
    ['{"extra":[1]}', '"extra" is not an object'],
  ])('rejects %s naming the input', (text, problem) => {
    const error = configurationError(() => parseHotfixContext(text, 'hotfix-context'));
    expect(error.input).toBe('hotfix-context');
    expect(error.message).toContain('Input "hotfix-context" must be the JSON "context" output');
    expect(error.message).toContain(problem);
  });

  it('accepts a 64-digit SHA and build metadata', () => {
    const context = parseHotfixContext(`{"sha":"${'b'.repeat(64)}","version":"1.2.4+build.9"}`);
    expect(context.sha).toHaveLength(64);
    expect(context.version).toBe('1.2.4+build.9');
  });
});

describe('mergeHotfixContext', () => {
  it('overlays fields, unites lists and merges extra deeply without changing its arguments', () => {
    const base = parseHotfixContext(serializeHotfixContext(full));
    const before = serializeHotfixContext(base);
    const merged = mergeHotfixContext(base, {
      version: '1.2.5',
      tickets: ['bd-c3d4', 'bd-a1b2'],
      targets: ['develop'],
      deployment: { id: 18 },
      extra: { alpha: { b: 'replaced', c: true }, omega: 'new' },
    });
    expect(merged.version).toBe('1.2.5');
    expect(merged.tag).toBe('v1.2.4');
    expect(merged.tickets).toEqual(['bd-a1b2', 'bd-c3d4']);
    expect(merged.targets).toEqual(['main', 'release/v1.3', 'develop']);
    expect(merged.deployment).toEqual({ environment: 'production', id: 18, url: 'https://app.example.com' });
    expect(merged.extra).toEqual({ zeta: 1, alpha: { a: null, b: 'replaced', c: true }, omega: 'new' });
    expect(serializeHotfixContext(base)).toBe(before);
  });

  it('adds a deployment only with an environment', () => {
    const empty = emptyHotfixContext();
    expect(mergeHotfixContext(empty, { deployment: { environment: 'canary' } }).deployment).toEqual({
      environment: 'canary',
    });
    expect(() => mergeHotfixContext(empty, { deployment: { id: 3 } })).toThrow(/needs an environment/);
    expect(mergeHotfixContext(empty, { deployment: { environment: 'canary', id: undefined } }).deployment).toEqual({
      environment: 'canary',
    });
  });

  it('unites lists without repeats, is idempotent and round-trips (property)', () => {
    const id = fc.constantFrom('bd-a1b', 'bd-c2d', 'bd-e3f', 'bd-g4h');
    const patch = fc.record({
      tickets: fc.array(id, { maxLength: 4 }),
      targets: fc.array(fc.constantFrom('main', 'develop'), { maxLength: 2 }),
    });
    fc.assert(
      fc.property(patch, patch, (p, q) => {
        const once = mergeHotfixContext(mergeHotfixContext(emptyHotfixContext(), p), q);
        expect(new Set(once.tickets)).toEqual(new Set([...p.tickets, ...q.tickets]));
        expect(once.tickets).toHaveLength(new Set(once.tickets).size);
        expect(mergeHotfixContext(once, q)).toEqual(once);
        expect(parseHotfixContext(serializeHotfixContext(once))).toEqual(once);
      }),
    );
  });
});
