// Ticket transitions as bd performs them, as pure functions of (record, operation, now, actor).
// Each is idempotent: applying it to a record that already reflects it returns 'unchanged', which
// is what lets a rejected push be healed by fetching and re-applying the same operations.
import { ConfigurationError } from '../errors.js';
import type { BeadsJsonValue } from './json.js';
import {
  BEADS_TOMBSTONE_STATUS,
  assertBeadsDependencyType,
  assertBeadsIssueId,
  assertBeadsPriority,
  assertBeadsStatus,
  beadsString,
  beadsStringArray,
  beadsTimestampText,
  beadsWithFields,
  compareBeadsStrings,
  type BeadsRecord,
} from './record.js';

/** The marker of a deployed ticket: a status where `status.custom` lists it, otherwise a label. */
export const BEADS_DEPLOYED = 'deployed';

/** One change to a ticket. */
export type BeadsOperation =
  /** Status `in_progress`; `started_at` on the first start. Never moves a deployed or closed ticket back. */
  | { readonly kind: 'start' }
  /** The PR merged: same effect as `deployed`. */
  | { readonly kind: 'merged' }
  /** Status `deployed` where configured in `status.custom`, otherwise the label `deployed`. */
  | { readonly kind: 'deployed' }
  /** Status `closed` with `closed_at` and (when given) `close_reason`. */
  | { readonly kind: 'close'; readonly reason?: string }
  /** A closed ticket back to `open`, without `closed_at` and `close_reason`. */
  | { readonly kind: 'reopen' }
  /** Any writable status (built-in or `status.custom`), with bd's `started_at`/`closed_at` rules. */
  | { readonly kind: 'set-status'; readonly status: string }
  /** Labels added (kept sorted when they are, as bd writes them). */
  | { readonly kind: 'add-labels'; readonly labels: readonly string[] }
  /** Labels removed (the field is dropped when none remain). */
  | { readonly kind: 'remove-labels'; readonly labels: readonly string[] }
  /** Priority 0 (critical) to 4 (backlog). */
  | { readonly kind: 'set-priority'; readonly priority: number }
  /** "This ticket depends on `dependsOn`" with a dependency type such as `discovered-from`. */
  | { readonly kind: 'add-dependency'; readonly dependsOn: string; readonly type: string }
  /** Text appended to `notes` on a new line, unless the notes already contain it. */
  | { readonly kind: 'append-notes'; readonly text: string };

/** Repository settings a transition needs. */
export interface BeadsTransitionOptions {
  /** `status.custom` from `.beads/config.yaml`. */
  readonly customStatuses?: readonly string[];
}

/** What a transition returns when the record already reflects the operation. */
export type BeadsUnchanged = 'unchanged';

type Changes = Record<string, BeadsJsonValue | undefined>;

// Transitions only move a ticket forward through these stages; 'reopen' and 'set-status' are the
// explicit ways back.
function stage(status: string, deployedIsStatus: boolean): number {
  if (status === 'closed') return 3;
  if (status === BEADS_DEPLOYED && deployedIsStatus) return 2;
  if (status === 'in_progress') return 1;
  return 0;
}

/**
 * Applies one operation to a ticket the way bd does and returns the new record (with `updated_at`
 * set to `now`), or 'unchanged' when the ticket already reflects it. `actor` is recorded as the
 * creator of new dependencies. Pure: `record` is never modified.
 */
export function beadsTransition(
  record: BeadsRecord,
  operation: BeadsOperation,
  now: string | Date,
  actor: string,
  options: BeadsTransitionOptions = {},
): BeadsRecord | BeadsUnchanged {
  const id = record['id'];
  if (typeof id !== 'string' || id === '') throw new TypeError('A Beads record needs a non-empty string "id"');
  const nowText = beadsTimestampText(now);
  const status = beadsString(record, 'status') ?? 'open';
  if (status === BEADS_TOMBSTONE_STATUS || record['deleted_at'] !== undefined) {
    throw new ConfigurationError(
      `Beads issue ${id} has been deleted (status ${status}); it can no longer change. Use another ticket.`,
      'ticket',
    );
  }
  const custom = options.customStatuses ?? [];
  const deployedIsStatus = custom.includes(BEADS_DEPLOYED);
  let changes: Changes | undefined;
  switch (operation.kind) {
    case 'start':
      changes = stage(status, deployedIsStatus) < 1 ? statusChanges(record, status, 'in_progress', nowText) : undefined;
      break;
    case 'merged':
    case 'deployed':
      if (deployedIsStatus) {
        changes =
          stage(status, deployedIsStatus) < 2 ? statusChanges(record, status, BEADS_DEPLOYED, nowText) : undefined;
      } else {
        changes = labelChanges(record, [BEADS_DEPLOYED], 'add');
      }
      break;
    case 'close': {
      if (status === 'closed') break;
      changes = statusChanges(record, status, 'closed', nowText);
      const reason = operation.reason?.trim();
      if (reason) changes['close_reason'] = reason;
      break;
    }
    case 'reopen':
      changes = status === 'closed' ? statusChanges(record, status, 'open', nowText) : undefined;
      break;
    case 'set-status':
      assertBeadsStatus(operation.status, custom);
      changes = statusChanges(record, status, operation.status, nowText);
      break;
    case 'add-labels':
      changes = labelChanges(record, operation.labels, 'add');
      break;
    case 'remove-labels':
      changes = labelChanges(record, operation.labels, 'remove');
      break;
    case 'set-priority':
      assertBeadsPriority(operation.priority);
      changes = record['priority'] === operation.priority ? undefined : { priority: operation.priority };
      break;
    case 'add-dependency':
      changes = dependencyChanges(record, id, operation.dependsOn, operation.type, nowText, actor);
      break;
    case 'append-notes':
      changes = notesChanges(record, operation.text);
      break;
    default:
      throw new TypeError(`Unknown Beads operation ${(operation as { kind: string }).kind}`);
  }
  if (!changes || Object.keys(changes).length === 0) return 'unchanged';
  changes['updated_at'] = nowText;
  return beadsWithFields(record, changes);
}

/**
 * Applies operations in order (see {@link beadsTransition}); 'unchanged' when none changed anything.
 * The result carries one `updated_at`, as a single `bd update` with several flags would.
 */
export function beadsApplyOperations(
  record: BeadsRecord,
  operations: readonly BeadsOperation[],
  now: string | Date,
  actor: string,
  options: BeadsTransitionOptions = {},
): BeadsRecord | BeadsUnchanged {
  let current = record;
  let changed = false;
  for (const operation of operations) {
    const next = beadsTransition(current, operation, now, actor, options);
    if (next === 'unchanged') continue;
    current = next;
    changed = true;
  }
  return changed ? current : 'unchanged';
}

function statusChanges(record: BeadsRecord, from: string, to: string, now: string): Changes {
  if (from === to) return {};
  const changes: Changes = { status: to };
  if (to === 'in_progress' && record['started_at'] === undefined) changes['started_at'] = now;
  if (to === 'closed') changes['closed_at'] = now;
  // bd keeps closed_at set exactly while an issue is closed, and a reopened issue has no reason.
  if (to !== 'closed' && record['closed_at'] !== undefined) changes['closed_at'] = undefined;
  if (from === 'closed' && to !== 'closed') changes['close_reason'] = undefined;
  return changes;
}

function normalizeLabels(labels: readonly string[]): string[] {
  const result: string[] = [];
  for (const raw of labels) {
    const label = raw.trim();
    if (label === '') throw new ConfigurationError('A Beads label cannot be empty.', 'labels');
    if (!result.includes(label)) result.push(label);
  }
  return result;
}

function isSorted(values: readonly string[]): boolean {
  return values.every((value, i) => i === 0 || compareBeadsStrings(values[i - 1] as string, value) < 0);
}

function labelChanges(record: BeadsRecord, labels: readonly string[], mode: 'add' | 'remove'): Changes | undefined {
  const wanted = normalizeLabels(labels);
  const current = beadsStringArray(record, 'labels') ?? [];
  if (record['labels'] !== undefined && beadsStringArray(record, 'labels') === undefined) {
    throw new ConfigurationError(`Beads issue ${String(record['id'])} has a malformed "labels" field.`, 'ticket');
  }
  if (mode === 'remove') {
    const kept = current.filter((label) => !wanted.includes(label));
    if (kept.length === current.length) return undefined;
    return { labels: kept.length > 0 ? kept : undefined };
  }
  const missing = wanted.filter((label) => !current.includes(label));
  if (missing.length === 0) return undefined;
  const merged = [...current, ...missing];
  return { labels: isSorted(current) ? merged.sort(compareBeadsStrings) : merged };
}

function dependencyChanges(
  record: BeadsRecord,
  id: string,
  dependsOn: string,
  type: string,
  now: string,
  actor: string,
): Changes | undefined {
  assertBeadsIssueId(dependsOn, 'depends-on');
  assertBeadsDependencyType(type);
  if (dependsOn === id) throw new ConfigurationError(`Beads issue ${id} cannot depend on itself.`, 'depends-on');
  const existing = record['dependencies'];
  if (existing !== undefined && !Array.isArray(existing)) {
    throw new ConfigurationError(`Beads issue ${id} has a malformed "dependencies" field.`, 'ticket');
  }
  for (const dependency of existing ?? []) {
    if (typeof dependency !== 'object' || dependency === null || Array.isArray(dependency)) continue;
    if (dependency['depends_on_id'] !== dependsOn) continue;
    if (dependency['type'] === type) return undefined;
    // bd keys dependencies by the pair of issues, so a second type for the same pair is refused.
    throw new ConfigurationError(
      `Beads issue ${id} already depends on ${dependsOn} as "${String(dependency['type'])}"; ` +
        `it cannot also be "${type}".`,
      'depends-on',
    );
  }
  const dependency: Record<string, BeadsJsonValue> = {
    issue_id: id,
    depends_on_id: dependsOn,
    type,
    created_at: now,
  };
  if (actor !== '') dependency['created_by'] = actor;
  return { dependencies: [...(existing ?? []), dependency] };
}

function notesChanges(record: BeadsRecord, text: string): Changes | undefined {
  const addition = text.trim();
  if (addition === '') return undefined;
  const notes = beadsString(record, 'notes') ?? '';
  if (notes.includes(addition)) return undefined;
  return { notes: notes === '' ? addition : `${notes}\n${addition}` };
}
