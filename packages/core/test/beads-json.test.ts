import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  beadsJsonEqual,
  encodeBeadsJson,
  encodeBeadsJsonNumber,
  encodeBeadsJsonString,
  scanBeadsJsonObject,
} from '../src/beads/index.js';

// The beads project's own tracker, as bd wrote it (2,536 issues).
const FIXTURE = fileURLToPath(new URL('../../../../shared/fixtures/beads/issues.jsonl', import.meta.url));
const fixtureLines = readFileSync(FIXTURE, 'utf8').split('\n').slice(0, -1);

describe('encodeBeadsJson on the real tracker', () => {
  it('reproduces every line of the fixture byte for byte', () => {
    expect(fixtureLines).toHaveLength(2536);
    const differing = fixtureLines.filter((line) => encodeBeadsJson(JSON.parse(line)) !== line);
    expect(differing).toEqual([]);
  });

  it('splits every line into members that rebuild it exactly', () => {
    for (const line of fixtureLines) {
      const members = scanBeadsJsonObject(line);
      expect(members).toBeDefined();
      expect(`{${members?.map((m) => `${m.rawKey}:${m.rawValue}`).join(',')}}`).toBe(line);
    }
  });
});

describe('encodeBeadsJsonString follows Go', () => {
  // Expected strings written by hand from encoding/json's rules (Go 1.22+), not produced by the code.
  const cases: [string, string, string][] = [
    ['quotes', 'He said "ship it"', String.raw`"He said \"ship it\""`],
    ['backslash', 'C:\\tmp\\x', String.raw`"C:\\tmp\\x"`],
    ['script tag', "<script>alert('x')</script>", String.raw`"\u003cscript\u003ealert('x')\u003c/script\u003e"`],
    ['ampersand', 'R&D &amp;', String.raw`"R\u0026D \u0026amp;"`],
    ['line separators', 'a\u2028b\u2029c', String.raw`"a\u2028b\u2029c"`],
    ['emoji stays raw', 'fix 🔥 prod 🚀', '"fix 🔥 prod 🚀"'],
    ['accents stay raw', 'café über', '"café über"'],
    ['newlines and tabs', 'one\ntwo\r\n\tthree', String.raw`"one\ntwo\r\n\tthree"`],
    ['backspace and form feed', 'a\bb\fc', String.raw`"a\bb\fc"`],
    ['other controls', '\u0000\u0001\u001f\u000b', String.raw`"\u0000\u0001\u001f\u000b"`],
    ['DEL is not escaped', 'x\u007fy', '"x\u007fy"'],
    ['slash is not escaped', 'a/b</c', String.raw`"a/b\u003c/c"`],
    ['lone surrogate', 'bad\ud800end', String.raw`"bad\ufffdend"`],
    ['empty', '', '""'],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(encodeBeadsJsonString(input)).toBe(expected);
  });

  it('decodes back to the same text for any valid string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        expect(JSON.parse(encodeBeadsJsonString(text))).toBe(text);
      }),
    );
  });
});

describe('encodeBeadsJson values', () => {
  it('writes numbers as Go writes float64', () => {
    expect(encodeBeadsJsonNumber(0)).toBe('0');
    expect(encodeBeadsJsonNumber(-0)).toBe('-0');
    expect(encodeBeadsJsonNumber(4)).toBe('4');
    expect(encodeBeadsJsonNumber(1800000000000)).toBe('1800000000000');
    expect(encodeBeadsJsonNumber(0.5)).toBe('0.5');
    expect(encodeBeadsJsonNumber(1e21)).toBe('1e+21');
    expect(encodeBeadsJsonNumber(1e-7)).toBe('1e-7');
    expect(encodeBeadsJsonNumber(0.000001)).toBe('0.000001');
    expect(() => encodeBeadsJsonNumber(Number.NaN)).toThrow(TypeError);
  });

  it('keeps key order, nests, and skips undefined members', () => {
    expect(encodeBeadsJson({ z: 1, a: [true, null, 'x'], m: { b: undefined, c: {} } })).toBe(
      '{"z":1,"a":[true,null,"x"],"m":{"c":{}}}',
    );
    expect(encodeBeadsJson([])).toBe('[]');
    expect(() => encodeBeadsJson({ f: () => 1 })).toThrow(TypeError);
  });

  it('escapes keys like values', () => {
    expect(encodeBeadsJson({ '<k>': 1 })).toBe(String.raw`{"\u003ck\u003e":1}`);
  });

  const fieldKey = fc.constantFrom(
    'id',
    'title',
    'description',
    'status',
    'priority',
    'labels',
    'notes',
    'metadata',
    '_type',
    'x-custom',
  );
  const text = fc.string({ unit: 'binary', maxLength: 30 });
  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      text,
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(fieldKey, tie('node'), { maxKeys: 4 }),
    ),
  })).node;
  const record = fc.dictionary(fieldKey, value, { minKeys: 1, maxKeys: 8 });

  it('is stable: encode(parse(encode(x))) equals encode(x) for generated records', () => {
    fc.assert(
      fc.property(record, (generated) => {
        const encoded = encodeBeadsJson(generated);
        expect(encodeBeadsJson(JSON.parse(encoded))).toBe(encoded);
        expect(beadsJsonEqual(JSON.parse(encoded), generated)).toBe(true);
      }),
    );
  });

  it('settles after one round trip even for arbitrary JSON (integer-like keys reorder in JavaScript)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (json) => {
        const once = encodeBeadsJson(JSON.parse(encodeBeadsJson(json)));
        expect(encodeBeadsJson(JSON.parse(once))).toBe(once);
      }),
    );
  });
});

describe('beadsJsonEqual', () => {
  it('treats key order and -0 as differences, as they are on disk', () => {
    expect(beadsJsonEqual({ a: 1, b: [1, { c: 'x' }] }, { a: 1, b: [1, { c: 'x' }] })).toBe(true);
    expect(beadsJsonEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(beadsJsonEqual(0, -0)).toBe(false);
    expect(beadsJsonEqual([1], { 0: 1 })).toBe(false);
    expect(beadsJsonEqual({ a: undefined, b: 1 }, { b: 1 })).toBe(true);
  });
});

describe('scanBeadsJsonObject', () => {
  it('keeps raw value text, escapes and number forms included', () => {
    const members = scanBeadsJsonObject(String.raw`{ "a" : 1.50 , "b":"\u00e9\"}" ,"c":{"x":[1,"]"]},"d":null}`);
    expect(members?.map((m) => [m.key, m.rawValue])).toEqual([
      ['a', '1.50'],
      ['b', String.raw`"\u00e9\"}"`],
      ['c', '{"x":[1,"]"]}'],
      ['d', 'null'],
    ]);
  });

  it('refuses what is not one object with unique keys', () => {
    expect(scanBeadsJsonObject('[1]')).toBeUndefined();
    expect(scanBeadsJsonObject('{"a":1,"a":2}')).toBeUndefined();
    expect(scanBeadsJsonObject('{"a":1} x')).toBeUndefined();
    expect(scanBeadsJsonObject('{"a":"open')).toBeUndefined();
    expect(scanBeadsJsonObject('{}')).toEqual([]);
  });
});
