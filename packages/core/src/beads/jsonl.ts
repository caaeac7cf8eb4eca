// `.beads/issues.jsonl` as a sequence of byte ranges. Only the lines an edit touches are decoded
// and re-encoded; everything else is copied from the original buffer, so it stays byte-identical,
// and a transition on a 50,000-issue file costs one read, one write and a binary search.
import { ConfigurationError } from '../errors.js';
import {
  beadsJsonEqual,
  encodeBeadsJson,
  encodeBeadsJsonString,
  scanBeadsJsonObject,
  type BeadsJsonObject,
} from './json.js';
import { beadsPlaceKeys, compareBeadsStrings, type BeadsRecord } from './record.js';

const ID_PREFIX = Buffer.from('{"id":"');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Options for {@link parseBeadsJsonl}. */
export interface BeadsJsonlParseOptions {
  /** How the file is named in error messages (default `.beads/issues.jsonl`). */
  readonly name?: string;
}

/** Where one line sits in the file: the byte range of its content, terminator excluded. */
export interface BeadsJsonlLine {
  /** Offset of the line's first byte. */
  readonly start: number;
  /** Offset just past its content (before `\r\n` or `\n`). */
  readonly end: number;
}

interface LineTable {
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  /** Lines that do not open with `{"id":"` (hand-edited ones), which the byte searches cannot see. */
  readonly nonstandard: ReadonlySet<number>;
}

/**
 * A parsed `issues.jsonl`: the original bytes and the file's conventions. Nothing is decoded up
 * front: an issue is found by searching the bytes (a binary search over the id-sorted lines bd
 * writes, else a scan for `{"id":"<id>"`), the line table is built only when line numbers are
 * asked for, and records are decoded on demand and cached. Nothing here mutates the bytes.
 */
export class BeadsJsonlDocument {
  /** The file exactly as read. */
  readonly bytes: Buffer;
  /** The file's line terminator (from its first line; `\n` for a file without one). */
  readonly eol: '\n' | '\r\n';
  /** Whether the last line is terminated (bd always terminates it); true for an empty file. */
  readonly finalNewline: boolean;
  /** Whether the file starts with a UTF-8 byte-order mark (kept if so; bd never writes one). */
  readonly bom: boolean;
  /** How the file is named in error messages. */
  readonly name: string;

  private readonly dataStart: number;
  private table: LineTable | undefined;
  private readonly records = new Map<number, BeadsRecord>();
  private idsCache: (string | undefined)[] | undefined;
  private idIndex: Map<string, number> | undefined;

  /** Use {@link parseBeadsJsonl}. */
  constructor(bytes: Buffer, options: BeadsJsonlParseOptions = {}) {
    this.bytes = bytes;
    this.name = options.name ?? '.beads/issues.jsonl';
    this.bom = bytes.subarray(0, 3).equals(BOM);
    this.dataStart = this.bom ? 3 : 0;
    const firstNewline = bytes.indexOf(0x0a, this.dataStart);
    this.eol = firstNewline > this.dataStart && bytes[firstNewline - 1] === 0x0d ? '\r\n' : '\n';
    this.finalNewline = bytes.length === this.dataStart || bytes[bytes.length - 1] === 0x0a;
  }

  /** Number of lines, blank ones included. */
  get lineCount(): number {
    return this.lines().starts.length;
  }

  /** The location of line `index` (0-based). */
  lineAt(index: number): BeadsJsonlLine {
    const table = this.lines();
    if (!Number.isInteger(index) || index < 0 || index >= table.starts.length) {
      throw new RangeError(`Line index ${index} is outside ${this.name} (${table.starts.length} lines)`);
    }
    return { start: table.starts[index] as number, end: table.ends[index] as number };
  }

  /** Byte offset where line `index` starts (`bytes.length` for `index === lineCount`). */
  lineStart(index: number): number {
    return index === this.lineCount ? this.bytes.length : this.lineAt(index).start;
  }

  /** Byte offset where line `index`'s content ends (before `\r\n` or `\n`). */
  lineEnd(index: number): number {
    return this.lineAt(index).end;
  }

  /** The bytes of line `index` (0-based), without its terminator. */
  lineBytes(index: number): Buffer {
    const line = this.lineAt(index);
    return this.bytes.subarray(line.start, line.end);
  }

  /** The text of line `index` (0-based), without its terminator. */
  lineText(index: number): string {
    return this.textOf(this.lineAt(index));
  }

  /** The text of a line, without its terminator. */
  textOf(line: BeadsJsonlLine): string {
    return this.bytes.toString('utf8', line.start, line.end);
  }

  /** Whether line `index` holds only whitespace (bd never writes such lines; they are kept as they are). */
  isBlank(index: number): boolean {
    const line = this.lineAt(index);
    return this.blankAt(line.start, line.end);
  }

  /** The decoded record of line `index`; a line that is not a JSON object is a ConfigurationError. */
  record(index: number): BeadsRecord {
    return this.recordOf(this.lineAt(index));
  }

  /** The decoded record of a line (cached); a line that is not a JSON object is a ConfigurationError. */
  recordOf(line: BeadsJsonlLine): BeadsRecord {
    const cached = this.records.get(line.start);
    if (cached) return cached;
    let value: unknown;
    try {
      value = JSON.parse(this.textOf(line));
    } catch (error) {
      throw this.lineError(line.start, `is not valid JSON (${(error as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw this.lineError(line.start, 'is not a JSON object');
    }
    const record = value as BeadsJsonObject;
    this.records.set(line.start, record);
    return record;
  }

  /** The issue id of line `index`, or undefined for a blank line. */
  lineId(index: number): string | undefined {
    return this.ids()[index];
  }

  /** The id of every line (undefined for blank lines), read from the `{"id":"…"` prefix where possible. */
  ids(): readonly (string | undefined)[] {
    if (this.idsCache) return this.idsCache;
    const table = this.lines();
    const ids: (string | undefined)[] = new Array<string | undefined>(table.starts.length);
    for (let i = 0; i < ids.length; i++) {
      const start = table.starts[i] as number;
      const end = table.ends[i] as number;
      if (this.blankAt(start, end)) continue;
      let id = table.nonstandard.has(i) ? undefined : this.idAt(start, end);
      if (id === undefined) {
        const value = this.recordOf({ start, end })['id'];
        if (typeof value !== 'string' || value === '') throw this.lineError(start, 'has no "id" string');
        id = value;
      }
      ids[i] = id;
    }
    this.idsCache = ids;
    return ids;
  }

  /** Whether the issues are in ascending id order, as `bd export` writes them. */
  isSortedById(): boolean {
    let previous: string | undefined;
    for (const id of this.ids()) {
      if (id === undefined) continue;
      if (previous !== undefined && compareBeadsStrings(previous, id) >= 0) return false;
      previous = id;
    }
    return true;
  }

  /** The index of the line holding issue `id`, or -1; two lines with one id are a ConfigurationError. */
  findLine(id: string): number {
    return this.buildIdIndex().get(id) ?? -1;
  }

  /**
   * The line holding issue `id`, found without decoding or indexing the file: a binary search when
   * the lines are in id order (as bd writes them), else a scan of the bytes for `{"id":"<id>"` at a
   * line start. Duplicates are refused when next to the line found (sorted files) or met by the
   * scan; {@link findLine} and {@link ids} check the whole file. Only hand-edited lines need the
   * full index.
   */
  findIssue(id: string): BeadsJsonlLine | undefined {
    if (this.idIndex) {
      const index = this.idIndex.get(id);
      return index === undefined ? undefined : this.lineAt(index);
    }
    const found = this.binarySearch(id) ?? this.scan(id);
    if (found) return found;
    if (this.lines().nonstandard.size === 0) return undefined;
    const index = this.buildIdIndex().get(id);
    return index === undefined ? undefined : this.lineAt(index);
  }

  private lines(): LineTable {
    if (this.table) return this.table;
    const { bytes } = this;
    const starts: number[] = [];
    const ends: number[] = [];
    const nonstandard = new Set<number>();
    for (let pos = this.dataStart; pos < bytes.length;) {
      const newline = bytes.indexOf(0x0a, pos);
      const next = newline < 0 ? bytes.length : newline;
      const end = newline > pos && bytes[newline - 1] === 0x0d ? next - 1 : next;
      if (!this.hasIdPrefix(pos, end) && !this.blankAt(pos, end)) nonstandard.add(starts.length);
      starts.push(pos);
      ends.push(end);
      pos = next + 1;
    }
    this.table = { starts: Float64Array.from(starts), ends: Float64Array.from(ends), nonstandard };
    return this.table;
  }

  private hasIdPrefix(start: number, end: number): boolean {
    return end - start > ID_PREFIX.length && this.bytes.compare(ID_PREFIX, 0, ID_PREFIX.length, start, start + 7) === 0;
  }

  private blankAt(start: number, end: number): boolean {
    for (let p = start; p < end; p++) {
      const c = this.bytes[p];
      if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
    }
    return true;
  }

  /** The id of a line read from its `{"id":"…",` prefix, or undefined when it has none. */
  private idAt(start: number, end: number): string | undefined {
    if (!this.hasIdPrefix(start, end)) return undefined;
    const from = start + ID_PREFIX.length;
    const close = this.bytes.indexOf(QUOTE, from);
    if (close < from || close >= end) return undefined;
    const next = this.bytes[close + 1];
    if (next !== COMMA && next !== CLOSE_BRACE) return undefined;
    const raw = this.bytes.subarray(from, close);
    return raw.indexOf(BACKSLASH) < 0 ? raw.toString('utf8') : undefined;
  }

  private lineFrom(start: number): BeadsJsonlLine {
    const newline = this.bytes.indexOf(0x0a, start);
    const next = newline < 0 ? this.bytes.length : newline;
    return { start, end: newline > start && this.bytes[newline - 1] === 0x0d ? next - 1 : next };
  }

  // Bisects byte ranges whose ends are line starts; gives up (undefined) on any line without an id
  // prefix, and simply misses in a file that is not sorted, leaving the scan to decide.
  private binarySearch(id: string): BeadsJsonlLine | undefined {
    const { bytes } = this;
    let lo = this.dataStart;
    let hi = bytes.length;
    while (lo < hi) {
      const mid = lo + ((hi - lo) >>> 1);
      const start = mid === lo ? lo : Math.max(lo, bytes.lastIndexOf(0x0a, mid - 1) + 1);
      const line = this.lineFrom(start);
      const found = this.idAt(line.start, line.end);
      if (found === undefined) return undefined;
      const order = compareBeadsStrings(found, id);
      if (order === 0) {
        this.refuseNeighbourDuplicate(id, line);
        return line;
      }
      if (order < 0) {
        const newline = bytes.indexOf(0x0a, start);
        if (newline < 0) return undefined;
        lo = newline + 1;
      } else {
        hi = start;
      }
    }
    return undefined;
  }

  // In a sorted file a duplicate sits next to the line found.
  private refuseNeighbourDuplicate(id: string, line: BeadsJsonlLine): void {
    const { bytes } = this;
    if (line.start > this.dataStart) {
      const previous = line.start - 2 < this.dataStart ? this.dataStart : bytes.lastIndexOf(0x0a, line.start - 2) + 1;
      const before = this.lineFrom(Math.max(previous, this.dataStart));
      if (this.idAt(before.start, before.end) === id) {
        throw this.duplicateError(id, this.lineNumber(before.start), this.lineNumber(line.start));
      }
    }
    const newline = bytes.indexOf(0x0a, line.end);
    if (newline >= 0 && newline + 1 < bytes.length) {
      const after = this.lineFrom(newline + 1);
      if (this.idAt(after.start, after.end) === id) {
        throw this.duplicateError(id, this.lineNumber(line.start), this.lineNumber(after.start));
      }
    }
  }

  private scan(id: string): BeadsJsonlLine | undefined {
    const needle = Buffer.from(`{"id":${encodeBeadsJsonString(id)}`);
    let found: BeadsJsonlLine | undefined;
    for (let from = this.dataStart; ;) {
      const at = this.bytes.indexOf(needle, from);
      if (at < 0) break;
      from = at + 1;
      const next = this.bytes[at + needle.length];
      if (next !== COMMA && next !== CLOSE_BRACE) continue;
      if (at !== this.dataStart && this.bytes[at - 1] !== 0x0a) continue;
      if (found) throw this.duplicateError(id, this.lineNumber(found.start), this.lineNumber(at));
      found = this.lineFrom(at);
    }
    return found;
  }

  private buildIdIndex(): Map<string, number> {
    if (this.idIndex) return this.idIndex;
    const index = new Map<string, number>();
    this.ids().forEach((id, line) => {
      if (id === undefined) return;
      const other = index.get(id);
      if (other !== undefined) throw this.duplicateError(id, other + 1, line + 1);
      index.set(id, line);
    });
    this.idIndex = index;
    return index;
  }

  /** 1-based number of the line starting at byte `offset` (for messages). */
  private lineNumber(offset: number): number {
    const { starts } = this.lines();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const start = starts[mid] as number;
      if (start === offset) return mid + 1;
      if (start < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return lo;
  }

  private lineError(offset: number, problem: string): ConfigurationError {
    return new ConfigurationError(
      `Line ${this.lineNumber(offset)} of ${this.name} ${problem}. Fix or remove that line (bd would reject it too).`,
      'path',
    );
  }

  private duplicateError(id: string, first: number, second: number): ConfigurationError {
    return new ConfigurationError(
      `Lines ${first} and ${second} of ${this.name} both hold issue ${id}. ` +
        'Resolve the duplicate (for example with bd) before editing the file.',
      'path',
    );
  }
}

/** Parses the bytes (or text) of an `issues.jsonl` without decoding its records. */
export function parseBeadsJsonl(input: Buffer | string, options: BeadsJsonlParseOptions = {}): BeadsJsonlDocument {
  return new BeadsJsonlDocument(typeof input === 'string' ? Buffer.from(input, 'utf8') : input, options);
}

/**
 * The new text of an edited line: the original key order and unknown fields kept, values that did
 * not change copied byte for byte from `originalText`, changed values encoded as bd would, new
 * fields placed where bd writes them and removed fields dropped.
 */
export function encodeBeadsRecordEdit(originalText: string, updated: BeadsRecord, original?: BeadsRecord): string {
  const before = original ?? (JSON.parse(originalText) as BeadsRecord);
  const members = scanBeadsJsonObject(originalText);
  const raw = new Map((members ?? []).map((member) => [member.key, member]));
  const originalKeys = members ? members.map((member) => member.key) : Object.keys(before);
  const updatedKeys = Object.keys(updated).filter((key) => updated[key] !== undefined);
  const updatedSet = new Set(updatedKeys);
  const originalSet = new Set(originalKeys);
  const order = beadsPlaceKeys(
    originalKeys.filter((key) => updatedSet.has(key)),
    updatedKeys.filter((key) => !originalSet.has(key)),
  );
  const parts = order.map((key) => {
    const member = raw.get(key);
    if (member && beadsJsonEqual(before[key], updated[key])) return `${member.rawKey}:${member.rawValue}`;
    return `${member?.rawKey ?? encodeBeadsJsonString(key)}:${encodeBeadsJson(updated[key])}`;
  });
  return `{${parts.join(',')}}`;
}

/** One change to an `issues.jsonl`. */
export type BeadsEdit =
  /** Rewrite the line of `record.id` (only if the record differs from what is on disk). */
  | { readonly kind: 'replace'; readonly record: BeadsRecord }
  /** Add a new issue: at its id's place when the file is sorted by id (as bd writes it), else at the end. */
  | { readonly kind: 'insert'; readonly record: BeadsRecord };

/** The outcome of {@link applyBeadsEdits}. */
export interface BeadsEditResult {
  /** The new file as consecutive pieces (mostly slices of the original buffer, nothing copied). */
  readonly chunks: readonly Buffer[];
  /** Total size of `chunks` in bytes. */
  readonly byteLength: number;
  /** Whether the new file differs from the original. */
  readonly changed: boolean;
  /** Ids whose line was rewritten. */
  readonly replaced: readonly string[];
  /** Ids of the lines that were added. */
  readonly inserted: readonly string[];
}

interface PlannedChange {
  /** Byte offset of the replaced content, or of the line an insert goes before. */
  readonly offset: number;
  /** End of the replaced content (equal to offset for an insert). */
  readonly end: number;
  readonly insert: boolean;
  /** An insert after the last line. */
  readonly atEnd: boolean;
  readonly text: Buffer;
}

/**
 * Applies edits to a document and returns the new file: only replaced lines are re-encoded (see
 * {@link encodeBeadsRecordEdit}), inserted lines use the file's line terminator, and every other
 * byte is copied unchanged. A replace whose record equals the line on disk changes nothing.
 */
export function applyBeadsEdits(doc: BeadsJsonlDocument, edits: readonly BeadsEdit[]): BeadsEditResult {
  const changes: PlannedChange[] = [];
  const replaced: string[] = [];
  const touched = new Set<string>();
  const inserts: BeadsRecord[] = [];
  for (const edit of edits) {
    const id = edit.record['id'];
    if (typeof id !== 'string' || id === '') throw new TypeError('A Beads record needs a non-empty string "id"');
    if (touched.has(id)) throw new TypeError(`Two edits for Beads issue ${id}: combine them into one record`);
    touched.add(id);
    if (edit.kind === 'insert') {
      if (doc.findLine(id) >= 0) {
        throw new ConfigurationError(`Beads issue ${id} already exists in ${doc.name}.`, 'ticket');
      }
      inserts.push(edit.record);
      continue;
    }
    const line = doc.findIssue(id);
    if (!line) throw new ConfigurationError(`Beads issue ${id} is not in ${doc.name}.`, 'ticket');
    const before = doc.textOf(line);
    const after = encodeBeadsRecordEdit(before, edit.record, doc.recordOf(line));
    if (after === before) continue;
    changes.push({ offset: line.start, end: line.end, insert: false, atEnd: false, text: Buffer.from(after, 'utf8') });
    replaced.push(id);
  }
  const inserted: string[] = [];
  if (inserts.length > 0) {
    const sorted = doc.isSortedById();
    const ids = doc.ids();
    let lastRecord = -1;
    ids.forEach((id, line) => {
      if (id !== undefined) lastRecord = line;
    });
    const ordered = sorted
      ? [...inserts].sort((a, b) => compareBeadsStrings(a['id'] as string, b['id'] as string))
      : inserts;
    for (const record of ordered) {
      const id = record['id'] as string;
      let line = lastRecord + 1;
      if (sorted) {
        const before = ids.findIndex((other) => other !== undefined && compareBeadsStrings(other, id) > 0);
        if (before >= 0) line = before;
      }
      const offset = doc.lineStart(line);
      const text = Buffer.from(encodeBeadsJson(record), 'utf8');
      changes.push({ offset, end: offset, insert: true, atEnd: line === doc.lineCount, text });
      inserted.push(id);
    }
  }
  // Stable: inserts keep their order, and an insert before a line precedes a rewrite of that line.
  changes.sort((a, b) => a.offset - b.offset || Number(b.insert) - Number(a.insert));

  const eol = Buffer.from(doc.eol);
  const bytes = doc.bytes;
  const chunks: Buffer[] = [];
  const push = (chunk: Buffer): void => {
    if (chunk.length > 0) chunks.push(chunk);
  };
  let cursor = 0;
  let tailTerminated = doc.finalNewline;
  for (const change of changes) {
    if (change.atEnd) {
      push(bytes.subarray(cursor));
      cursor = bytes.length;
      if (!tailTerminated) push(eol);
      push(change.text);
      // A file without a final newline keeps that convention after an append.
      if (doc.finalNewline) push(eol);
      tailTerminated = doc.finalNewline;
    } else {
      push(bytes.subarray(cursor, change.offset));
      push(change.text);
      if (change.insert) push(eol);
      cursor = change.end;
    }
  }
  push(bytes.subarray(cursor));
  const byteLength = chunks.reduce((total, chunk) => total + chunk.length, 0);
  return { chunks, byteLength, changed: changes.length > 0, replaced, inserted };
}
