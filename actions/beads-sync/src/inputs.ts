import { posix } from 'node:path';
import {
  BEADS_DEPENDENCY_TYPES,
  ConfigurationError,
  getBooleanInput,
  getEnumInput,
  getIntegerInput,
  getListInput,
  getStringInput,
  isBeadsIssueId,
  parseBeadsDependencySpec,
  parseBeadsPriority,
  parseHotfixContext,
  readRawInput,
  refNameProblem,
  type BeadsDependencySpec,
  type BeadsPriority,
  type HotfixContext,
} from '@hotfix-actions/core';

/** What the `transition` input accepts. */
export const BEADS_SYNC_TRANSITIONS = ['auto', 'start', 'merged', 'deployed', 'close', 'create'] as const;

/** A transition as asked for, `auto` included. */
export type TransitionInput = (typeof BEADS_SYNC_TRANSITIONS)[number];

/** A concrete transition (what `auto` resolves to). */
export type BeadsSyncTransition = Exclude<TransitionInput, 'auto'>;

/** What the `backend` input accepts. */
export const BEADS_SYNC_BACKENDS = ['auto', 'bd', 'jsonl'] as const;

/** A backend as asked for. */
export type BackendInput = (typeof BEADS_SYNC_BACKENDS)[number];

/** Everything the action was asked to do, validated. */
export interface BeadsSyncInputs {
  transition: TransitionInput;
  /** Ticket ids given explicitly; empty when they are to be found in the event. */
  tickets: string[];
  backend: BackendInput;
  /** The tracker file, relative to the workspace, in `/` form (`.beads/issues.jsonl`). */
  path: string;
  push: boolean;
  /** The branch the tracker commit goes to; undefined: `sync.branch` of `.beads/config.yaml`, else the checked-out branch. */
  syncBranch: string | undefined;
  reason: string | undefined;
  labels: string[];
  title: string | undefined;
  description: string | undefined;
  type: string | undefined;
  priority: BeadsPriority | undefined;
  dependsOn: BeadsDependencySpec[];
  externalRef: string | undefined;
  notes: string | undefined;
  /** The hotfix context of an earlier step (tickets, tag, deployment). */
  context: HotfixContext;
  /** Branches starting with this are hotfix branches for `transition: auto`. */
  hotfixBranchPrefix: string;
  maxAttempts: number;
  failOnError: boolean;
  dryRun: boolean;
}

const MAX_TITLE_BYTES = 500;
const MAX_TEXT_CHARS = 65_536;
const MAX_REASON_CHARS = 2_000;
const LABEL = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,63}$/;
const EXTERNAL_REF = /^[A-Za-z0-9][A-Za-z0-9._:/#@+=?&%~-]{0,199}$/;
const ISSUE_TYPE = /^[a-z][a-z0-9_-]{0,31}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// With the u flag a surrogate pair is one code point, so only a lone surrogate matches.
const LONE_SURROGATE = /\p{Cs}/u;

/** How a value is quoted in an error message: JSON (so control characters are visible), cut at 80 characters. */
export function quoteInputValue(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

function invalid(input: string, value: string, accepts: string): ConfigurationError {
  return new ConfigurationError(`Input "${input}" must be ${accepts}, but got ${quoteInputValue(value)}.`, input);
}

/** Checks one ticket id (`bd-a1b2`, `bd-a1b2.1`); a ConfigurationError naming `input` otherwise. */
export function validateTicketId(id: string, input = 'ticket'): string {
  if (isBeadsIssueId(id)) return id;
  throw invalid(input, id, 'Beads issue ids such as bd-a1b2 or bd-a1b2.1 (letters, digits, "-", "_", ".N")');
}

/** Checks one label: 1–64 letters, digits and `. _ : / @ + -`, starting with a letter or digit. */
export function validateLabel(label: string, input = 'labels'): string {
  if (LABEL.test(label)) return label;
  throw invalid(
    input,
    label,
    'labels of 1–64 letters, digits and . _ : / @ + - that start with a letter or digit (such as hotfix or area:api)',
  );
}

/** Checks a title: one line of text, not blank, at most 500 bytes (bd refuses longer ones). */
export function validateTitle(title: string, input = 'title'): string {
  if (title.trim() === '' || CONTROL.test(title) || LONE_SURROGATE.test(title)) {
    throw invalid(input, title, 'one line of text without control characters');
  }
  if (Buffer.byteLength(title, 'utf8') > MAX_TITLE_BYTES) {
    throw invalid(input, title, `at most ${MAX_TITLE_BYTES} bytes long (bd refuses longer titles)`);
  }
  return title;
}

/** Checks free text (description, notes): lines of text without other control characters, at most 64 KiB. */
export function validateText(text: string, input: string, maxChars = MAX_TEXT_CHARS): string {
  if (CONTROL_EXCEPT_LINES.test(text) || LONE_SURROGATE.test(text)) {
    throw invalid(input, text, 'text without control characters other than line breaks and tabs');
  }
  if (text.length > maxChars) throw invalid(input, text, `at most ${maxChars} characters long`);
  return text;
}

/** Checks an external reference such as `gh-123`, `JIRA-42` or a URL. */
export function validateExternalRef(ref: string, input = 'external-ref'): string {
  if (EXTERNAL_REF.test(ref)) return ref;
  throw invalid(input, ref, 'a reference such as gh-123, JIRA-42 or https://example.com/incident/7 (no spaces)');
}

/** Checks the shape of an issue type (`bug`, `task`, a `types.custom` name). */
export function validateIssueTypeShape(type: string, input = 'type'): string {
  if (ISSUE_TYPE.test(type)) return type;
  throw invalid(input, type, 'an issue type such as bug, feature, task, epic or chore');
}

/**
 * Normalises the tracker path: relative to the workspace, inside it, ending in `.jsonl`. Returns it
 * in `/` form without `./`.
 */
export function normalizeTrackerPath(text: string, input = 'path'): string {
  const accepts = 'a path inside the workspace to a .jsonl file, such as .beads/issues.jsonl';
  if (CONTROL.test(text) || text.includes('\\') || posix.isAbsolute(text) || /^[A-Za-z]:/.test(text)) {
    throw invalid(input, text, accepts);
  }
  const normalized = posix.normalize(text);
  if (
    normalized === '..' ||
    normalized.startsWith('../') ||
    !normalized.endsWith('.jsonl') ||
    normalized === '.jsonl'
  ) {
    throw invalid(input, text, accepts);
  }
  return normalized;
}

/** Checks a branch name with git's rules. */
export function validateBranchName(branch: string, input: string): string {
  const problem = refNameProblem(branch);
  if (problem === undefined && !branch.startsWith('refs/') && branch !== 'HEAD') return branch;
  throw invalid(input, branch, `a branch name such as beads-sync (${problem ?? 'a short name, not a full ref'})`);
}

/** Parses a priority the way bd's `-p` does: 0–4 or P0–P4 (0 = critical). */
export function parsePriority(text: string, input = 'priority'): BeadsPriority {
  try {
    return parseBeadsPriority(text, input);
  } catch {
    throw invalid(input, text, 'a priority from 0 (critical) to 4 (backlog), or P0 to P4');
  }
}

/** Parses `depends-on` entries (`discovered-from:bd-a1b2`, `blocks:bd-c3d4`, a bare id = blocks). */
export function parseDependsOn(items: readonly string[], input = 'depends-on'): BeadsDependencySpec[] {
  const specs: BeadsDependencySpec[] = [];
  for (const item of items) {
    let spec: BeadsDependencySpec;
    try {
      spec = parseBeadsDependencySpec(item, input);
    } catch {
      throw invalid(
        input,
        item,
        `type:id entries such as discovered-from:bd-a1b2 or blocks:bd-c3d4, with a type among ${BEADS_DEPENDENCY_TYPES.join(', ')}`,
      );
    }
    if (specs.some((other) => other.dependsOn === spec.dependsOn)) {
      throw new ConfigurationError(
        `Input "${input}" names ${spec.dependsOn} twice: bd keeps one dependency per pair of issues.`,
        input,
      );
    }
    specs.push(spec);
  }
  return specs;
}

function optionalText(name: string, check: (value: string) => string): string | undefined {
  const value = getStringInput(name);
  return value === undefined ? undefined : check(value);
}

/** Reads and validates the inputs; a mistake throws a ConfigurationError naming the input. */
export function readInputs(): BeadsSyncInputs {
  const transition = getEnumInput('transition', BEADS_SYNC_TRANSITIONS, { default: 'auto' });
  const tickets = getListInput('ticket', { unique: true }) ?? [];
  for (const ticket of tickets) validateTicketId(ticket);

  const labels = [...new Set(getListInput('labels') ?? [])];
  for (const label of labels) validateLabel(label);

  const title = optionalText('title', (value) => validateTitle(value));
  // Description and notes keep their inner layout; only the surrounding blank lines go.
  const description = readRawInput('description', false);
  const notes = readRawInput('notes', false);
  const type = optionalText('type', (value) => validateIssueTypeShape(value));
  const priorityText = getStringInput('priority');
  const priority = priorityText === undefined ? undefined : parsePriority(priorityText);
  const externalRef = optionalText('external-ref', (value) => validateExternalRef(value));
  const reason = optionalText('reason', (value) => validateText(value, 'reason', MAX_REASON_CHARS));
  const dependsOn = parseDependsOn(getListInput('depends-on', { separator: 'newline-or-comma' }) ?? []);
  const syncBranch = optionalText('sync-branch', (value) => validateBranchName(value, 'sync-branch'));
  const hotfixBranchPrefix = getStringInput('hotfix-branch-prefix', { default: 'hotfix/' });
  if (refNameProblem(`${hotfixBranchPrefix}x`) !== undefined) {
    throw invalid('hotfix-branch-prefix', hotfixBranchPrefix, 'the start of a branch name, such as hotfix/');
  }
  const contextText = getStringInput('context');

  const inputs: BeadsSyncInputs = {
    transition,
    tickets,
    backend: getEnumInput('backend', BEADS_SYNC_BACKENDS, { default: 'auto' }),
    path: normalizeTrackerPath(getStringInput('path', { default: '.beads/issues.jsonl' })),
    push: getBooleanInput('push', { default: true }),
    syncBranch,
    reason,
    labels,
    title,
    description: description === undefined ? undefined : validateText(description.trim(), 'description'),
    type,
    priority,
    dependsOn,
    externalRef,
    notes: notes === undefined ? undefined : validateText(notes.trim(), 'notes'),
    context: contextText === undefined ? parseHotfixContext('') : parseHotfixContext(contextText, 'context'),
    hotfixBranchPrefix,
    maxAttempts: getIntegerInput('max-attempts', { default: 10, min: 1, max: 50 }),
    failOnError: getBooleanInput('fail-on-error', { default: false }),
    dryRun: getBooleanInput('dry-run', { default: false }),
  };
  checkCombination(inputs);
  return inputs;
}

/** Refuses inputs the chosen transition would silently ignore. */
export function checkCombination(inputs: BeadsSyncInputs): void {
  const creating = inputs.transition === 'create';
  if (creating) {
    if (inputs.title === undefined) {
      throw new ConfigurationError(
        'Input "title" is required with transition create: set it to the new ticket\'s title, such as ' +
          '"Post-incident review for bd-a1b2".',
        'title',
      );
    }
    if (inputs.tickets.length > 0) {
      throw new ConfigurationError(
        'Input "ticket" is not used by transition create: name related tickets in depends-on instead ' +
          '(for example discovered-from:bd-a1b2).',
        'ticket',
      );
    }
    if (inputs.reason !== undefined) {
      throw new ConfigurationError(
        'Input "reason" is used when a ticket is closed, not with transition create.',
        'reason',
      );
    }
    return;
  }
  const createOnly: [string, unknown][] = [
    ['title', inputs.title],
    ['description', inputs.description],
    ['type', inputs.type],
    ['external-ref', inputs.externalRef],
  ];
  for (const [name, value] of createOnly) {
    if (value !== undefined) {
      throw new ConfigurationError(
        `Input "${name}" is only used with transition create (a new ticket); transition ${inputs.transition} ` +
          'changes existing tickets.',
        name,
      );
    }
  }
  if (inputs.reason !== undefined && !['close', 'auto'].includes(inputs.transition)) {
    throw new ConfigurationError(
      `Input "reason" is the close reason: it is used with transition close (or auto), not ${inputs.transition}.`,
      'reason',
    );
  }
}
