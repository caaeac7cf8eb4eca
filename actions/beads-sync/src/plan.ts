// The tracker edits a run makes, decided as pure functions of the file's contents: which operations
// a transition is, what they change on each ticket, and the new issue a `create` adds. Re-planning
// on a newer version of the file is how a rejected push is healed.
import {
  ConfigurationError,
  beadsApplyOperations,
  beadsDetectPrefix,
  beadsNewId,
  beadsNewIssueRecord,
  beadsString,
  beadsStringArray,
  beadsWithFields,
  encodeBeadsJsonString,
  type BeadsDependencySpec,
  type BeadsEdit,
  type BeadsJsonlDocument,
  type BeadsOperation,
  type BeadsRecord,
} from '@hotfix-actions/core';
import type { BeadsSyncTransition } from './inputs.js';

/** A transition with everything it carries along. */
export interface TransitionRequest {
  transition: Exclude<BeadsSyncTransition, 'create'>;
  /** Mark the ticket deployed before closing it (a successful production deployment). */
  markDeployed: boolean;
  reason?: string;
  labels: readonly string[];
  priority?: number;
  dependsOn: readonly BeadsDependencySpec[];
  notes?: string;
}

/** A new ticket. */
export interface CreateRequest {
  title: string;
  description?: string;
  type: string;
  priority: number;
  labels: readonly string[];
  externalRef?: string;
  dependsOn: readonly BeadsDependencySpec[];
  notes?: string;
}

/** Repository settings the edits depend on. */
export interface PlanSettings {
  /** `status.custom`. */
  customStatuses: readonly string[];
  /** `types.custom`. */
  customTypes: readonly string[];
  /** `issue-prefix` of `.beads/config.yaml`, when set. */
  issuePrefix?: string;
  /** The time written into the records (one per run, so re-planning writes the same values). */
  now: string;
  /** Who is recorded as the creator of issues and dependencies. */
  actor: string;
}

/** What happened (or would happen) to one ticket. */
export interface TicketChange {
  id: string;
  title: string | undefined;
  /** The status before; null for a ticket this run creates. */
  before: string | null;
  /** The status after. */
  after: string;
  changed: boolean;
  /** True for the ticket this run created (or found already created by an earlier run). */
  created: boolean;
  /** What changed, one phrase each (`status open → in_progress`, `label deployed added`). */
  details: string[];
}

/** The operations of a transition, in the order they are applied. */
export function transitionOperations(request: TransitionRequest): BeadsOperation[] {
  const operations: BeadsOperation[] = [];
  switch (request.transition) {
    case 'start':
      operations.push({ kind: 'start' });
      break;
    case 'merged':
      operations.push({ kind: 'merged' });
      break;
    case 'deployed':
      operations.push({ kind: 'deployed' });
      break;
    case 'close':
      if (request.markDeployed) operations.push({ kind: 'deployed' });
      operations.push({ kind: 'close', ...(request.reason ? { reason: request.reason } : {}) });
      break;
  }
  if (request.labels.length > 0) operations.push({ kind: 'add-labels', labels: request.labels });
  if (request.priority !== undefined) operations.push({ kind: 'set-priority', priority: request.priority });
  for (const dependency of request.dependsOn) {
    operations.push({ kind: 'add-dependency', dependsOn: dependency.dependsOn, type: dependency.type });
  }
  if (request.notes) operations.push({ kind: 'append-notes', text: request.notes });
  return operations;
}

function dependencyKeys(record: BeadsRecord): Map<string, string> {
  const keys = new Map<string, string>();
  const dependencies = record['dependencies'];
  if (!Array.isArray(dependencies)) return keys;
  for (const dependency of dependencies) {
    if (typeof dependency !== 'object' || dependency === null || Array.isArray(dependency)) continue;
    const target = dependency['depends_on_id'] ?? dependency['id'];
    const type = dependency['type'] ?? dependency['dependency_type'];
    if (typeof target === 'string') keys.set(target, typeof type === 'string' ? type : 'blocks');
  }
  return keys;
}

/** The differences between two versions of a ticket, one phrase each, for logs and the summary. */
export function describeTicketChange(before: BeadsRecord | undefined, after: BeadsRecord): string[] {
  if (!before) {
    const details = [`created as ${beadsString(after, 'issue_type') ?? 'task'} P${String(after['priority'] ?? 2)}`];
    for (const [target, type] of dependencyKeys(after)) details.push(`depends on ${target} (${type})`);
    const labels = beadsStringArray(after, 'labels') ?? [];
    if (labels.length > 0) details.push(`labels ${labels.join(', ')}`);
    return details;
  }
  const details: string[] = [];
  const statusBefore = beadsString(before, 'status') ?? 'open';
  const statusAfter = beadsString(after, 'status') ?? 'open';
  if (statusBefore !== statusAfter) details.push(`status ${statusBefore} → ${statusAfter}`);
  const reason = beadsString(after, 'close_reason');
  if (reason !== undefined && reason !== beadsString(before, 'close_reason')) details.push(`reason "${reason}"`);
  const labelsBefore = beadsStringArray(before, 'labels') ?? [];
  const labelsAfter = beadsStringArray(after, 'labels') ?? [];
  for (const label of labelsAfter) if (!labelsBefore.includes(label)) details.push(`label ${label} added`);
  for (const label of labelsBefore) if (!labelsAfter.includes(label)) details.push(`label ${label} removed`);
  if (before['priority'] !== after['priority']) {
    details.push(`priority P${String(before['priority'])} → P${String(after['priority'])}`);
  }
  const depsBefore = dependencyKeys(before);
  for (const [target, type] of dependencyKeys(after)) {
    if (!depsBefore.has(target)) details.push(`depends on ${target} (${type})`);
  }
  if (beadsString(before, 'notes') !== beadsString(after, 'notes')) details.push('notes appended');
  return details;
}

/** The change a transition makes to one record, or the record itself when it already reflects it. */
export function applyTransition(
  record: BeadsRecord,
  operations: readonly BeadsOperation[],
  settings: PlanSettings,
): { record: BeadsRecord; change: TicketChange } {
  const id = String(record['id']);
  const next = beadsApplyOperations(record, operations, settings.now, settings.actor, {
    customStatuses: settings.customStatuses,
  });
  const after = next === 'unchanged' ? record : next;
  return {
    record: after,
    change: {
      id,
      title: beadsString(record, 'title'),
      before: beadsString(record, 'status') ?? 'open',
      after: beadsString(after, 'status') ?? 'open',
      changed: next !== 'unchanged',
      created: false,
      details: next === 'unchanged' ? [] : describeTicketChange(record, after),
    },
  };
}

/** What to change in one version of the file. */
export interface JsonlPlanRequest {
  /** Ids the user named: each must exist. */
  explicit: readonly string[];
  /** Ids found in the event: those not in the file are skipped. */
  candidates: readonly string[];
  transition?: TransitionRequest;
  create?: CreateRequest;
  settings: PlanSettings;
}

/** The edits for one version of the file. */
export interface JsonlPlan {
  edits: BeadsEdit[];
  changes: TicketChange[];
  /** The id of the created ticket (new, or found from an earlier run). */
  created?: string;
  /** Candidate ids that are not in the file. */
  skipped: string[];
}

function requireIssue(doc: BeadsJsonlDocument, id: string, input: string, role: string): BeadsRecord {
  const line = doc.findIssue(id);
  if (!line) {
    throw new ConfigurationError(`${role} ${id} (input "${input}") is not in ${doc.name}; nothing was changed.`, input);
  }
  return doc.recordOf(line);
}

/**
 * An issue that a previous run of the same `create` made: same title, type and external reference,
 * and every requested dependency. Found by searching the bytes for the title as bd encodes it.
 */
export function findCreatedIssue(doc: BeadsJsonlDocument, request: CreateRequest): string | undefined {
  const needle = Buffer.from(`"title":${encodeBeadsJsonString(request.title)}`);
  const { bytes } = doc;
  for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
    const start = bytes.lastIndexOf(0x0a, at) + 1;
    const newline = bytes.indexOf(0x0a, at);
    const end = newline < 0 ? bytes.length : bytes[newline - 1] === 0x0d ? newline - 1 : newline;
    let record: BeadsRecord;
    try {
      record = doc.recordOf({ start, end });
    } catch {
      continue;
    }
    if (record['title'] !== request.title || beadsString(record, 'issue_type') !== request.type) continue;
    if ((request.externalRef ?? undefined) !== beadsString(record, 'external_ref')) continue;
    const dependencies = dependencyKeys(record);
    if (!request.dependsOn.every((d) => dependencies.get(d.dependsOn) === d.type)) continue;
    if (typeof record['id'] === 'string') return record['id'];
  }
  return undefined;
}

/**
 * Plans the edits of one run on one version of the file. Pure apart from decoding the lines it
 * reads; a ticket the user named that is missing, or a tracker inconsistency, is a ConfigurationError.
 */
export function planJsonlEdits(doc: BeadsJsonlDocument, request: JsonlPlanRequest): JsonlPlan {
  const { settings } = request;
  const plan: JsonlPlan = { edits: [], changes: [], skipped: [] };
  const dependsOn = request.create?.dependsOn ?? request.transition?.dependsOn ?? [];
  for (const dependency of dependsOn) requireIssue(doc, dependency.dependsOn, 'depends-on', 'Ticket');

  if (request.create) {
    const create = request.create;
    const existing = findCreatedIssue(doc, create);
    if (existing !== undefined) {
      const record = doc.recordOf(doc.findIssue(existing)!);
      plan.created = existing;
      plan.changes.push({
        id: existing,
        title: create.title,
        before: beadsString(record, 'status') ?? 'open',
        after: beadsString(record, 'status') ?? 'open',
        changed: false,
        created: true,
        details: [],
      });
      return plan;
    }
    const ids = doc.ids().filter((id): id is string => id !== undefined);
    const prefix = settings.issuePrefix ?? beadsDetectPrefix(ids) ?? 'bd';
    const id = beadsNewId(
      prefix,
      { title: create.title, description: create.description, creator: settings.actor, createdAt: settings.now },
      new Set(ids),
    );
    let record: BeadsRecord = beadsNewIssueRecord(
      {
        id,
        title: create.title,
        description: create.description,
        priority: create.priority,
        issueType: create.type,
        createdAt: settings.now,
        createdBy: settings.actor,
        labels: create.labels,
        externalRef: create.externalRef,
        dependencies: create.dependsOn,
      },
      { customStatuses: settings.customStatuses, customTypes: settings.customTypes },
    );
    // beadsWithFields puts the notes where bd writes them, so a later `bd export` leaves the line alone.
    if (create.notes) record = beadsWithFields(record, { notes: create.notes });
    plan.edits.push({ kind: 'insert', record });
    plan.created = id;
    plan.changes.push({
      id,
      title: create.title,
      before: null,
      after: beadsString(record, 'status') ?? 'open',
      changed: true,
      created: true,
      details: describeTicketChange(undefined, record),
    });
    return plan;
  }

  const transition = request.transition;
  if (!transition) return plan;
  const operations = transitionOperations(transition);
  const tickets: string[] = [];
  for (const id of request.explicit) {
    requireIssue(doc, id, 'ticket', 'Ticket');
    if (!tickets.includes(id)) tickets.push(id);
  }
  for (const id of request.candidates) {
    if (tickets.includes(id)) continue;
    if (doc.findIssue(id)) tickets.push(id);
    else plan.skipped.push(id);
  }
  for (const id of tickets) {
    const record = doc.recordOf(doc.findIssue(id)!);
    const { record: after, change } = applyTransition(record, operations, settings);
    plan.changes.push(change);
    if (change.changed) plan.edits.push({ kind: 'replace', record: after });
  }
  return plan;
}
