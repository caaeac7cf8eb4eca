// JSON written the way bd (Go's encoding/json, Go ≥ 1.22) writes it, so that a line we rewrite is
// indistinguishable from a line bd rewrote, and a line we do not rewrite stays byte-identical.

/** A JSON value as bd stores it: objects keep their key order, which is significant on disk. */
export type BeadsJsonValue = null | boolean | number | string | BeadsJsonValue[] | BeadsJsonObject;

/** A JSON object whose key order is the order the keys are written in. */
export interface BeadsJsonObject {
  [key: string]: BeadsJsonValue;
}

const HEX = '0123456789abcdef';

// Everything Go escapes, plus lone surrogates (which Go could never have produced, see below).
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\<>&\u0000-\u001f\u2028\u2029\ud800-\udfff]/;

/**
 * Encodes a string exactly as Go's `json.Marshal` does: raw UTF-8; `"` and `\` backslashed;
 * `\b \f \n \r \t` as short escapes (Go ≥ 1.22; older Go wrote `\u0008`/`\u000c`); other control
 * characters as `\u00XX`; `<` `>` `&` as `\u003c` `\u003e` `\u0026`; U+2028/U+2029 escaped.
 * A lone UTF-16 surrogate cannot be UTF-8, so it is written as `\ufffd`, which is what Go writes
 * for bytes that are not valid UTF-8.
 */
export function encodeBeadsJsonString(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`;
  let out = '"';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let escaped: string | undefined;
    if (c < 0x20) {
      escaped =
        c === 0x08
          ? '\\b'
          : c === 0x0c
            ? '\\f'
            : c === 0x0a
              ? '\\n'
              : c === 0x0d
                ? '\\r'
                : c === 0x09
                  ? '\\t'
                  : `\\u00${HEX[c >> 4]}${HEX[c & 0xf]}`;
    } else if (c === 0x22) escaped = '\\"';
    else if (c === 0x5c) escaped = '\\\\';
    else if (c === 0x3c) escaped = '\\u003c';
    else if (c === 0x3e) escaped = '\\u003e';
    else if (c === 0x26) escaped = '\\u0026';
    else if (c === 0x2028) escaped = '\\u2028';
    else if (c === 0x2029) escaped = '\\u2029';
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a valid pair: one code point, written raw
        continue;
      }
      escaped = '\\ufffd';
    } else if (c >= 0xdc00 && c <= 0xdfff) escaped = '\\ufffd';
    if (escaped !== undefined) {
      out += text.slice(start, i) + escaped;
      start = i + 1;
    }
  }
  return `${out}${text.slice(start)}"`;
}

/**
 * Encodes a number as Go encodes a float64 (which is also how it prints every int that fits):
 * shortest round-trip digits, exponent form below 1e-6 and from 1e21 on. JavaScript's own
 * number printing follows the same thresholds and digit rules, so only `-0` needs care.
 */
export function encodeBeadsJsonNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`JSON cannot represent the number ${String(value)}`);
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

/**
 * Encodes a value exactly as Go's `json.Marshal` would write bd's record: no whitespace, keys in
 * the object's own order, strings per {@link encodeBeadsJsonString}, numbers per
 * {@link encodeBeadsJsonNumber}. `undefined` properties are skipped (an absent `omitempty` field).
 */
export function encodeBeadsJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return encodeBeadsJsonString(value);
    case 'number':
      return encodeBeadsJsonNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((item) => encodeBeadsJson(item ?? null)).join(',')}]`;
      const parts: string[] = [];
      for (const key of Object.keys(value)) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        parts.push(`${encodeBeadsJsonString(key)}:${encodeBeadsJson(item)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TypeError(`JSON cannot represent a value of type ${typeof value}`);
  }
}

/**
 * Deep equality of two JSON values, key order included: a reordered object is a different line on
 * disk, so it must count as a change.
 */
export function beadsJsonEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number') return Object.is(a, b); // 0 and -0 are written differently
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => beadsJsonEqual(item, b[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every(
      (k, i) => k === kb[i] && beadsJsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

/** One top-level member of a JSON object as it appears in the source text. */
export interface BeadsRawMember {
  /** The decoded key. */
  readonly key: string;
  /** The key exactly as written, quotes included. */
  readonly rawKey: string;
  /** The value exactly as written. */
  readonly rawValue: string;
}

/**
 * Splits the text of one JSON object into its top-level members without decoding the values, so
 * an edit can copy untouched values byte for byte (whatever escapes or number forms they use).
 * Returns undefined when the text is not a single well-formed object with unique keys.
 */
export function scanBeadsJsonObject(text: string): BeadsRawMember[] | undefined {
  const members: BeadsRawMember[] = [];
  const seen = new Set<string>();
  let i = skipSpace(text, 0);
  if (text[i] !== '{') return undefined;
  i = skipSpace(text, i + 1);
  if (text[i] === '}') return skipSpace(text, i + 1) === text.length ? members : undefined;
  for (;;) {
    if (text[i] !== '"') return undefined;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return undefined;
    const rawKey = text.slice(i, keyEnd);
    let key: string;
    try {
      key = JSON.parse(rawKey) as string;
    } catch {
      return undefined;
    }
    i = skipSpace(text, keyEnd);
    if (text[i] !== ':') return undefined;
    i = skipSpace(text, i + 1);
    const valueEnd = valueEndAt(text, i);
    if (valueEnd < 0) return undefined;
    if (seen.has(key)) return undefined;
    seen.add(key);
    members.push({ key, rawKey, rawValue: text.slice(i, valueEnd) });
    i = skipSpace(text, valueEnd);
    if (text[i] === ',') {
      i = skipSpace(text, i + 1);
      continue;
    }
    if (text[i] === '}') return skipSpace(text, i + 1) === text.length ? members : undefined;
    return undefined;
  }
}

function skipSpace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

/** Index just past the closing quote of the string starting at `i`, or -1. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x22) return j + 1;
  }
  return -1;
}

/** Index just past the value starting at `i`, or -1; structure is checked only as far as needed. */
function valueEndAt(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return stringEnd(text, i);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '"') {
        j = stringEnd(text, j) - 1;
        if (j < 0) return -1;
      } else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < text.length && !',}] \t\r\n'.includes(text[j] as string)) j++;
  return j > i ? j : -1;
}
