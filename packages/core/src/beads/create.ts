// New issues the way `bd create` makes them: a hash id of bd's own construction, checked against
// the ids already taken, and a record whose fields are in bd's order.
import { createHash } from 'node:crypto';
import { ConfigurationError } from '../errors.js';
import type { BeadsJsonValue } from './json.js';
import {
  BEADS_CORE_ISSUE_TYPES,
  assertBeadsDependencyType,
  assertBeadsIssueId,
  assertBeadsPriority,
  assertBeadsStatus,
  beadsTimestampText,
  beadsUnixNano,
  compareBeadsStrings,
  isBeadsIssueType,
  type BeadsRecord,
} from './record.js';

/** What an issue id is hashed from (bd: `title|description|creator|created_at-in-ns|nonce`). */
export interface BeadsIdInput {
  /** The title exactly as it will be written. */
  readonly title: string;
  /** The description exactly as it will be written (empty when absent). */
  readonly description?: string;
  /** The actor creating the issue (bd hashes its actor, which it also records as `created_by`). */
  readonly creator: string;
  /** The creation time that will be written as `created_at`. */
  readonly createdAt: string | Date;
}

/** Shortest hash bd uses. */
export const BEADS_ID_MIN_LENGTH = 3;
/** Longest hash bd uses; it gives up beyond it. */
export const BEADS_ID_MAX_LENGTH = 8;

// How many leading bytes of the SHA-256 bd feeds into each hash length.
const HASH_BYTES: Readonly<Record<number, number>> = { 3: 2, 4: 3, 5: 4, 6: 4, 7: 5, 8: 5 };

/**
 * One candidate id: `<prefix>-<hash>`, where hash is the first bytes of
 * sha256(`title|description|creator|unixNano|nonce`) in base 36, zero-padded or cut to `length`
 * (keeping the least significant digits), exactly as bd's `GenerateHashID`.
 */
export function beadsHashId(prefix: string, input: BeadsIdInput & { readonly nonce: number }, length: number): string {
  const content = [
    input.title,
    input.description ?? '',
    input.creator,
    beadsUnixNano(input.createdAt).toString(),
    String(input.nonce),
  ].join('|');
  const digest = createHash('sha256').update(content, 'utf8').digest();
  const bytes = HASH_BYTES[length] ?? 3;
  const digits = BigInt(`0x${digest.subarray(0, bytes).toString('hex')}`).toString(36);
  const hash = digits.length >= length ? digits.slice(digits.length - length) : digits.padStart(length, '0');
  return `${prefix}-${hash}`;
}

/**
 * The hash length bd starts with for a prefix that already has `count` top-level issues: the
 * shortest length (3–8) at which the birthday-paradox chance of a collision stays ≤ 25 %.
 */
export function beadsAdaptiveIdLength(count: number): number {
  for (let length = BEADS_ID_MIN_LENGTH; length <= BEADS_ID_MAX_LENGTH; length++) {
    const probability = 1 - Math.exp(-(count * count) / (2 * 36 ** length));
    if (probability <= 0.25) return length;
  }
  return BEADS_ID_MAX_LENGTH;
}

/**
 * A fresh id the bd way: starting at the adaptive length for the prefix's current size, ten nonces
 * per length, lengthening up to 8 until a candidate is not in `existingIds`.
 */
export function beadsNewId(prefix: string, input: BeadsIdInput, existingIds: Iterable<string>): string {
  assertBeadsPrefix(prefix);
  const taken = existingIds instanceof Set ? (existingIds as ReadonlySet<string>) : new Set(existingIds);
  // bd counts the prefix's top-level issues; child ids (`bd-a1b2.1`) do not grow the id space.
  const head = `${prefix}-`;
  let count = 0;
  for (const id of taken) if (id.startsWith(head) && !id.slice(head.length).includes('.')) count++;
  for (let length = beadsAdaptiveIdLength(count); length <= BEADS_ID_MAX_LENGTH; length++) {
    for (let nonce = 0; nonce < 10; nonce++) {
      const candidate = beadsHashId(prefix, { ...input, nonce }, length);
      if (!taken.has(candidate)) return candidate;
    }
  }
  throw new Error(`No free Beads id for prefix ${prefix} after every length up to ${BEADS_ID_MAX_LENGTH}`);
}

/** Throws a ConfigurationError unless `prefix` can start an issue id (`bd`, `my-app`). */
export function assertBeadsPrefix(prefix: string, input = 'issue-prefix'): void {
  if (/^[A-Za-z0-9][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*$/.test(prefix) && prefix.length <= 50) return;
  throw new ConfigurationError(
    `"${prefix}" is not a Beads issue prefix: use letters, digits, "_" and inner "-" (for example bd or my-app).`,
    input,
  );
}

/**
 * The prefix most issues in a file use (everything before the hash), for repositories whose
 * config.yaml does not set `issue-prefix`; undefined when there are no issues.
 */
export function beadsDetectPrefix(ids: Iterable<string | undefined>): string | undefined {
  const counts = new Map<string, number>();
  for (const id of ids) {
    if (id === undefined) continue;
    const root = id.split('.')[0] as string;
    const dash = root.lastIndexOf('-');
    if (dash <= 0) continue;
    const prefix = root.slice(0, dash);
    counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const [prefix, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== undefined && prefix.length < best.length)) {
      best = prefix;
      bestCount = count;
    }
  }
  return best;
}

/** A dependency of a new issue: "the new issue depends on `dependsOn`". */
export interface BeadsDependencySpec {
  /** A dependency type from {@link BEADS_DEPENDENCY_TYPES}, e.g. `discovered-from`. */
  readonly type: string;
  /** The id of the issue depended on. */
  readonly dependsOn: string;
}

/**
 * Parses `type:id` (`discovered-from:bd-a1b2`, `blocks:bd-c3d4`); a bare id means `blocks`, as
 * `bd dep add` defaults to.
 */
export function parseBeadsDependencySpec(spec: string, input = 'depends-on'): BeadsDependencySpec {
  const text = spec.trim();
  const colon = text.indexOf(':');
  const type = colon < 0 ? 'blocks' : text.slice(0, colon).trim();
  const dependsOn = colon < 0 ? text : text.slice(colon + 1).trim();
  assertBeadsDependencyType(type, input);
  assertBeadsIssueId(dependsOn, input);
  return { type, dependsOn };
}

/** The fields of a new issue. */
export interface BeadsNewIssue {
  /** From {@link beadsNewId}. */
  readonly id: string;
  /** Required; at most 500 bytes. */
  readonly title: string;
  /** Omitted when empty, as bd omits it. */
  readonly description?: string;
  /** Default `open`; `closed` is refused (a new issue is created open, then closed). */
  readonly status?: string;
  /** 0–4, default 2 as in bd. */
  readonly priority?: number;
  /** Default `task`. */
  readonly issueType?: string;
  /** Who works on it. */
  readonly assignee?: string;
  /** The human owner (bd writes the git author email). */
  readonly owner?: string;
  /** Written as both `created_at` and `updated_at`; use the time the id was hashed from. */
  readonly createdAt: string | Date;
  /** The actor creating it, also recorded on its dependencies. */
  readonly createdBy: string;
  /** Written sorted and without duplicates. */
  readonly labels?: readonly string[];
  /** A link to an external tracker, e.g. `gh-123`. */
  readonly externalRef?: string;
  /** What the new issue depends on, e.g. `{ type: 'discovered-from', dependsOn: 'bd-a1b2' }`. */
  readonly dependencies?: readonly BeadsDependencySpec[];
}

/** Repository settings that decide which values a new issue may carry. */
export interface BeadsNewIssueOptions {
  /** `status.custom` from `.beads/config.yaml`. */
  readonly customStatuses?: readonly string[];
  /** `types.custom` from `.beads/config.yaml`. */
  readonly customTypes?: readonly string[];
}

/**
 * The record `bd create` would write, fields in bd's order: id, title, description, status,
 * priority, issue_type, assignee, owner, created_at, created_by, updated_at, external_ref, labels
 * (sorted), dependencies. Empty optional fields are omitted as bd omits them.
 */
export function beadsNewIssueRecord(issue: BeadsNewIssue, options: BeadsNewIssueOptions = {}): BeadsRecord {
  assertBeadsIssueId(issue.id, 'ticket');
  const title = issue.title;
  if (title.trim() === '') throw new ConfigurationError('A Beads issue needs a title.', 'title');
  if (Buffer.byteLength(title, 'utf8') > 500) {
    throw new ConfigurationError('A Beads title must be at most 500 bytes (bd refuses longer ones).', 'title');
  }
  const status = issue.status ?? 'open';
  assertBeadsStatus(status, options.customStatuses ?? []);
  if (status === 'closed') {
    throw new ConfigurationError('A new Beads issue cannot start closed: create it, then close it.', 'status');
  }
  const priority = issue.priority ?? 2;
  assertBeadsPriority(priority);
  const issueType = issue.issueType ?? 'task';
  if (!isBeadsIssueType(issueType, options.customTypes ?? [])) {
    const accepted = [...BEADS_CORE_ISSUE_TYPES, ...(options.customTypes ?? [])].join(', ');
    throw new ConfigurationError(
      `Beads issue type "${issueType}" is not configured. Use one of ${accepted}, or add it to types.custom.`,
      'type',
    );
  }
  const createdAt = beadsTimestampText(issue.createdAt, 'created-at');
  const record: Record<string, BeadsJsonValue> = { id: issue.id, title };
  if (issue.description) record['description'] = issue.description;
  record['status'] = status;
  record['priority'] = priority;
  record['issue_type'] = issueType;
  if (issue.assignee) record['assignee'] = issue.assignee;
  if (issue.owner) record['owner'] = issue.owner;
  record['created_at'] = createdAt;
  if (issue.createdBy) record['created_by'] = issue.createdBy;
  record['updated_at'] = createdAt;
  if (issue.externalRef?.trim()) record['external_ref'] = issue.externalRef.trim();
  const labels = [...new Set((issue.labels ?? []).map((label) => label.trim()))];
  if (labels.includes('')) throw new ConfigurationError('A Beads label cannot be empty.', 'labels');
  if (labels.length > 0) record['labels'] = labels.sort(compareBeadsStrings);
  const dependencies: BeadsJsonValue[] = [];
  const seen = new Set<string>();
  for (const dependency of issue.dependencies ?? []) {
    assertBeadsDependencyType(dependency.type);
    assertBeadsIssueId(dependency.dependsOn, 'depends-on');
    if (dependency.dependsOn === issue.id) {
      throw new ConfigurationError(`Beads issue ${issue.id} cannot depend on itself.`, 'depends-on');
    }
    if (seen.has(dependency.dependsOn)) {
      throw new ConfigurationError(`${dependency.dependsOn} is listed twice in depends-on.`, 'depends-on');
    }
    seen.add(dependency.dependsOn);
    const entry: Record<string, BeadsJsonValue> = {
      issue_id: issue.id,
      depends_on_id: dependency.dependsOn,
      type: dependency.type,
      created_at: createdAt,
    };
    if (issue.createdBy) entry['created_by'] = issue.createdBy;
    dependencies.push(entry);
  }
  if (dependencies.length > 0) record['dependencies'] = dependencies;
  return record;
}
