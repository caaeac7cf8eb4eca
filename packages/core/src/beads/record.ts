// What a Beads issue line is made of: the field order bd writes, the statuses, types and
// dependency types it accepts, and its timestamp format.
import { ConfigurationError } from '../errors.js';
import type { BeadsJsonObject, BeadsJsonValue } from './json.js';

/** One issue (one line of `.beads/issues.jsonl`); key order is the order on disk. */
export type BeadsRecord = BeadsJsonObject;

/**
 * The order in which bd writes an issue's fields: the order of the `Issue` struct in bd's Go
 * source (`internal/types/types.go`), merged across versions. New fields are placed by it.
 */
export const BEADS_FIELD_ORDER: readonly string[] = [
  'id',
  'title',
  'description',
  'design',
  'acceptance_criteria',
  'notes',
  'spec_id',
  'status',
  'priority',
  'issue_type',
  'assignee',
  'owner',
  'estimated_minutes',
  'created_at',
  'created_by',
  'updated_at',
  'started_at',
  'closed_at',
  'close_reason',
  'closed_by_session',
  'due_at',
  'defer_until',
  'external_ref',
  'source_system',
  'metadata',
  'compaction_level',
  'compacted_at',
  'compacted_at_commit',
  'original_size',
  'labels',
  'dependencies',
  'comments',
  'deleted_at',
  'deleted_by',
  'delete_reason',
  'original_type',
  'sender',
  'ephemeral',
  'no_history',
  'wisp_type',
  'pinned',
  'is_template',
  'bonded_from',
  'creator',
  'validations',
  'await_type',
  'await_id',
  'timeout',
  'waiters',
  'source_formula',
  'source_location',
  'hook_bead',
  'role_bead',
  'agent_state',
  'last_activity',
  'role_type',
  'rig',
  'mol_type',
  'work_type',
  'event_kind',
  'actor',
  'target',
  'payload',
];

const FIELD_RANK = new Map(BEADS_FIELD_ORDER.map((field, index) => [field, index]));

/** Position of a field in {@link BEADS_FIELD_ORDER}, or undefined for a field bd does not know. */
export function beadsFieldRank(field: string): number | undefined {
  return FIELD_RANK.get(field);
}

/** The statuses every bd version accepts without configuration. */
export const BEADS_BUILTIN_STATUSES: readonly string[] = [
  'open',
  'in_progress',
  'blocked',
  'deferred',
  'closed',
  'pinned',
  'hooked',
];

/** The soft-delete status of bd ≤ 0.50: valid on disk, never written by a transition. */
export const BEADS_TOMBSTONE_STATUS = 'tombstone';

/** The issue types every bd version accepts without `types.custom`. */
export const BEADS_CORE_ISSUE_TYPES: readonly string[] = ['bug', 'feature', 'task', 'epic', 'chore'];

/**
 * The dependency types bd knows ("A depends on B" edges). bd stores any short string, but an
 * unknown one is almost always a typo, so only these are written.
 */
export const BEADS_DEPENDENCY_TYPES: readonly string[] = [
  'blocks',
  'parent-child',
  'conditional-blocks',
  'waits-for',
  'related',
  'discovered-from',
  'replies-to',
  'relates-to',
  'duplicates',
  'supersedes',
  'authored-by',
  'assigned-to',
  'approved-by',
  'attests',
  'tracks',
  'until',
  'caused-by',
  'validates',
  'delegated-from',
];

/** True when `status` may be written: a built-in status or one listed in `status.custom`. */
export function isBeadsStatus(status: string, customStatuses: readonly string[] = []): boolean {
  return BEADS_BUILTIN_STATUSES.includes(status) || customStatuses.includes(status);
}

/** Throws a ConfigurationError unless `status` may be written (see {@link isBeadsStatus}). */
export function assertBeadsStatus(status: string, customStatuses: readonly string[] = [], input = 'status'): void {
  if (isBeadsStatus(status, customStatuses)) return;
  const accepted = [...BEADS_BUILTIN_STATUSES, ...customStatuses].join(', ');
  throw new ConfigurationError(
    `Beads status "${status}" is not configured: bd rejects the whole file on one unknown status. ` +
      `Use one of ${accepted}, or add it to status.custom in .beads/config.yaml.`,
    input,
  );
}

/** True when `type` is a core issue type or one listed in `types.custom`. */
export function isBeadsIssueType(type: string, customTypes: readonly string[] = []): boolean {
  return BEADS_CORE_ISSUE_TYPES.includes(type) || customTypes.includes(type);
}

// Ids are `<prefix>-<hash>` with optional `.N` child suffixes; prefixes may contain dashes.
const ISSUE_ID = /^[A-Za-z0-9][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)+(?:\.[0-9]+)*$/;

/** True when `id` has the shape of a Beads issue id (`bd-a1b2`, `proj-x-3f.1`), at most 100 chars. */
export function isBeadsIssueId(id: string): boolean {
  return id.length <= 100 && ISSUE_ID.test(id);
}

/** Throws a ConfigurationError unless `id` is a Beads issue id (see {@link isBeadsIssueId}). */
export function assertBeadsIssueId(id: string, input = 'ticket'): void {
  if (isBeadsIssueId(id)) return;
  throw new ConfigurationError(
    `"${id}" is not a Beads issue id: expected <prefix>-<hash> such as bd-a1b2 (letters, digits, "-", "_", ".N").`,
    input,
  );
}

/** Throws a ConfigurationError unless `type` is one of {@link BEADS_DEPENDENCY_TYPES}. */
export function assertBeadsDependencyType(type: string, input = 'depends-on'): void {
  if (BEADS_DEPENDENCY_TYPES.includes(type)) return;
  throw new ConfigurationError(
    `Unknown Beads dependency type "${type}". Use one of ${BEADS_DEPENDENCY_TYPES.join(', ')}.`,
    input,
  );
}

/** A priority as bd stores it: an integer from 0 (critical) to 4 (backlog). */
export type BeadsPriority = 0 | 1 | 2 | 3 | 4;

/** Throws a ConfigurationError unless `priority` is an integer from 0 to 4. */
export function assertBeadsPriority(priority: number, input = 'priority'): asserts priority is BeadsPriority {
  if (Number.isInteger(priority) && priority >= 0 && priority <= 4) return;
  throw new ConfigurationError(
    `Beads priority must be an integer from 0 (critical) to 4 (backlog), got ${String(priority)}.`,
    input,
  );
}

/** Parses a priority the way bd's `-p` flag does: `0`–`4` or `P0`–`P4`. */
export function parseBeadsPriority(text: string, input = 'priority'): BeadsPriority {
  const match = /^[Pp]?([0-4])$/.exec(text.trim());
  if (!match) {
    throw new ConfigurationError(`Beads priority "${text}" is not valid: use 0–4 or P0–P4 (0 = critical).`, input);
  }
  return Number(match[1]) as BeadsPriority;
}

/**
 * Formats an instant the way Go's `time.Time` marshals a UTC time (RFC 3339 with nanoseconds,
 * trailing zeros trimmed): `2026-01-12T02:16:51Z`, `2026-01-12T02:16:51.12Z`.
 */
export function beadsTimestamp(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new TypeError('Invalid date');
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** True when `text` is an RFC 3339 timestamp as bd writes them. */
export function isBeadsTimestamp(text: string): boolean {
  return RFC3339.test(text) && !Number.isNaN(Date.parse(text));
}

/** A timestamp as written on disk: strings are kept as given (they must be RFC 3339). */
export function beadsTimestampText(value: string | Date, input = 'now'): string {
  if (typeof value !== 'string') return beadsTimestamp(value);
  if (!isBeadsTimestamp(value)) {
    throw new ConfigurationError(`"${value}" is not an RFC 3339 timestamp such as 2026-01-12T02:16:51Z.`, input);
  }
  return value;
}

/** Nanoseconds since the Unix epoch of an RFC 3339 timestamp, as Go's `UnixNano()` returns them. */
export function beadsUnixNano(value: string | Date): bigint {
  if (typeof value !== 'string') return BigInt(value.getTime()) * 1_000_000n;
  const m = RFC3339.exec(value);
  if (!m) throw new TypeError(`Not an RFC 3339 timestamp: ${value}`);
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const seconds = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000;
  const offset = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60) : 0;
  const nanos = BigInt((frac ?? '').padEnd(9, '0') || '0');
  return BigInt(seconds - offset) * 1_000_000_000n + nanos;
}

/** A string field of a record, or undefined when it is absent or not a string. */
export function beadsString(record: BeadsRecord, field: string): string | undefined {
  const value = record[field];
  return typeof value === 'string' ? value : undefined;
}

/** A string-array field of a record (`labels`), or undefined when absent or malformed. */
export function beadsStringArray(record: BeadsRecord, field: string): string[] | undefined {
  const value: BeadsJsonValue | undefined = record[field];
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;
}

/** Compares strings the way Go and SQLite do (by UTF-8 bytes), which is how bd sorts ids and labels. */
export function compareBeadsStrings(a: string, b: string): number {
  if (a === b) return 0;
  // For text without astral characters, UTF-16 order equals UTF-8 byte order.
  if (!/[\ud800-\udfff]/.test(a + b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The key order of a record after an edit: the kept keys in their existing order, each new key bd
 * knows inserted after the last kept key that bd writes before it, unknown new keys at the end.
 * This is where bd itself would put them, so a later `bd export` does not move them again.
 */
export function beadsPlaceKeys(keptKeys: readonly string[], addedKeys: readonly string[]): string[] {
  const order = [...keptKeys];
  const ranked = addedKeys
    .filter((key) => beadsFieldRank(key) !== undefined)
    .sort((a, b) => (beadsFieldRank(a) as number) - (beadsFieldRank(b) as number));
  for (const key of ranked) {
    const rank = beadsFieldRank(key) as number;
    let at = 0;
    order.forEach((existing, index) => {
      const existingRank = beadsFieldRank(existing);
      if (existingRank !== undefined && existingRank < rank) at = index + 1;
    });
    order.splice(at, 0, key);
  }
  order.push(...addedKeys.filter((key) => beadsFieldRank(key) === undefined));
  return order;
}

/**
 * A copy of `record` with `changes` applied: a value replaces the field in place, `undefined`
 * removes it, and a field the record lacks is inserted where bd writes it ({@link beadsPlaceKeys}).
 */
export function beadsWithFields(
  record: BeadsRecord,
  changes: Readonly<Record<string, BeadsJsonValue | undefined>>,
): BeadsRecord {
  const has = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);
  const kept = Object.keys(record).filter((key) => !has(changes, key) || changes[key] !== undefined);
  const added = Object.keys(changes).filter((key) => !has(record, key) && changes[key] !== undefined);
  // Object.fromEntries defines own properties, so a key such as "__proto__" stays plain data.
  return Object.fromEntries(
    beadsPlaceKeys(kept, added).map((key) => [key, has(changes, key) ? changes[key] : record[key]]),
  ) as BeadsRecord;
}
