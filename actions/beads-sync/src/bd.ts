// The bd backend: the tracker's own CLI, for repositories whose truth is a Dolt database (bd 1.x)
// or when asked for. Only documented commands and flags, each value in its own `--flag=value`
// argument (never a shell string), `--json` output checked, and nothing run that the ticket already
// reflects, so re-runs change nothing here either.
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import {
  BEADS_DEPLOYED,
  ConfigurationError,
  beadsString,
  beadsStringArray,
  beadsTransition,
  runCommand,
  type BeadsJsonValue,
  type BeadsOperation,
  type BeadsRecord,
  type CommandResult,
} from '@hotfix-actions/core';
import {
  describeTicketChange,
  transitionOperations,
  type CreateRequest,
  type PlanSettings,
  type TicketChange,
  type TransitionRequest,
} from './plan.js';

/** The oldest bd accepted: 0.20 introduced hash ids, which every id this action handles is. */
export const BD_MINIMUM_VERSION: readonly [number, number, number] = [0, 20, 0];

/** Finds an executable named `name` on `PATH` (undefined when there is none). */
export async function findOnPath(name: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Reads the version from `bd version` output (`bd version 0.49.1 (Homebrew)`). */
export function parseBdVersion(output: string): [number, number, number] | undefined {
  const match = /\bv?(\d+)\.(\d+)\.(\d+)/.exec(output);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function older(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

/** Options of {@link syncWithBd}. */
export interface BdSyncOptions {
  /** The bd executable. */
  bd: string;
  /** Where bd runs (the checkout's top level). */
  cwd: string;
  explicit: readonly string[];
  candidates: readonly string[];
  transition?: TransitionRequest;
  create?: CreateRequest;
  settings: PlanSettings;
  push: boolean;
  dryRun: boolean;
  log: (message: string) => void;
}

/** What {@link syncWithBd} did. */
export interface BdSyncResult {
  version: string;
  changes: TicketChange[];
  created?: string;
  changed: boolean;
  skipped: string[];
  /** The command that published the change (`bd dolt push`, `bd sync`), when one ran. */
  pushedWith?: string;
}

/** bd's JSON for an issue, in the shape the transitions read (`dependencies` as depends_on_id/type). */
export function normalizeBdIssue(value: unknown): BeadsRecord | undefined {
  const issue = Array.isArray(value) ? value[0] : value;
  if (typeof issue !== 'object' || issue === null || Array.isArray(issue)) return undefined;
  const record = { ...(issue as BeadsRecord) };
  if (typeof record['id'] !== 'string') return undefined;
  const dependencies = record['dependencies'];
  if (Array.isArray(dependencies)) {
    // `bd show` lists dependencies as the issues depended on, with their type alongside.
    record['dependencies'] = dependencies.flatMap((dependency): BeadsJsonValue[] => {
      if (typeof dependency !== 'object' || dependency === null || Array.isArray(dependency)) return [];
      const target = dependency['depends_on_id'] ?? dependency['id'];
      const type = dependency['type'] ?? dependency['dependency_type'] ?? 'blocks';
      return typeof target === 'string' ? [{ issue_id: record['id'] as string, depends_on_id: target, type }] : [];
    });
  }
  return record;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function mentionsIssue(output: string, id: string): boolean {
  const value = parseJson(output);
  const list = Array.isArray(value) ? value : [value];
  return list.some((item) => typeof item === 'object' && item !== null && (item as { id?: unknown }).id === id);
}

/** Applies the run's transition or creation with the bd CLI; see the module comment. */
export async function syncWithBd(options: BdSyncOptions): Promise<BdSyncResult> {
  const { log, settings } = options;
  const env = { BD_ACTOR: settings.actor };

  async function bd(args: readonly string[], allowFailure = false): Promise<CommandResult> {
    const result = await runCommand(options.bd, args, { cwd: options.cwd, env });
    if (result.exitCode !== 0 && !allowFailure) {
      const detail = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' ');
      throw new Error(
        `bd ${args.slice(0, args[0] === 'dep' || args[0] === 'dolt' ? 2 : 1).join(' ')} failed (exit ${result.exitCode}): ${detail}`,
      );
    }
    return result;
  }

  async function show(id: string): Promise<BeadsRecord | undefined> {
    const result = await bd(['show', id, '--json'], true);
    if (result.exitCode !== 0) return undefined;
    const record = normalizeBdIssue(parseJson(result.stdout));
    return record && record['id'] === id ? record : undefined;
  }

  const versionOutput = (await bd(['version'])).stdout.trim();
  const version = parseBdVersion(versionOutput);
  if (!version) throw new Error(`Could not read the version of bd from "bd version": ${versionOutput.slice(0, 200)}`);
  if (older(version, BD_MINIMUM_VERSION)) {
    throw new ConfigurationError(
      `bd ${version.join('.')} is too old: beads-sync needs bd ${BD_MINIMUM_VERSION.join('.')} or newer.`,
      'backend',
    );
  }
  const versionText = version.join('.');
  log(`Using bd ${versionText} (${options.bd}).`);
  const result: BdSyncResult = { version: versionText, changes: [], changed: false, skipped: [] };

  if (options.create) {
    await createWithBd(options, bd, show, result);
  } else if (options.transition) {
    const operations = transitionOperations(options.transition);
    const tickets: [string, BeadsRecord][] = [];
    for (const id of options.explicit) {
      const record = await show(id);
      if (!record)
        throw new ConfigurationError(
          `Ticket ${id} (input "ticket") is not known to bd; nothing was changed.`,
          'ticket',
        );
      tickets.push([id, record]);
    }
    for (const id of options.candidates) {
      if (tickets.some(([known]) => known === id)) continue;
      const record = await show(id);
      if (record) tickets.push([id, record]);
      else result.skipped.push(id);
    }
    for (const dependency of options.transition.dependsOn) {
      if (!(await show(dependency.dependsOn))) {
        throw new ConfigurationError(
          `Ticket ${dependency.dependsOn} (input "depends-on") is not known to bd.`,
          'depends-on',
        );
      }
    }
    for (const [id, record] of tickets) {
      result.changes.push(await transitionWithBd(id, record, operations, options, bd, show));
    }
  }
  result.changed = result.changes.some((change) => change.changed);

  if (result.changed && options.push && !options.dryRun) {
    // bd 1.x keeps the truth in Dolt and publishes it with `bd dolt push`; before 1.0, `bd sync`
    // exports, commits and pushes the JSONL (to the sync branch when one is configured).
    const publish = version[0] >= 1 ? ['dolt', 'push'] : ['sync'];
    await bd(publish);
    result.pushedWith = `bd ${publish.join(' ')}`;
    log(`Published with ${result.pushedWith}.`);
  }
  return result;
}

type Bd = (args: readonly string[], allowFailure?: boolean) => Promise<CommandResult>;
type Show = (id: string) => Promise<BeadsRecord | undefined>;

async function transitionWithBd(
  id: string,
  record: BeadsRecord,
  operations: readonly BeadsOperation[],
  options: BdSyncOptions,
  bd: Bd,
  show: Show,
): Promise<TicketChange> {
  const { settings } = options;
  const deployedIsStatus = settings.customStatuses.includes(BEADS_DEPLOYED);
  const updateFlags: string[] = [];
  const dependencies: [string, string][] = [];
  let close: { reason?: string } | undefined;
  let current = record;
  for (const operation of operations) {
    const next = beadsTransition(current, operation, settings.now, settings.actor, {
      customStatuses: settings.customStatuses,
    });
    if (next === 'unchanged') continue;
    switch (operation.kind) {
      case 'start':
        updateFlags.push('--status=in_progress');
        break;
      case 'merged':
      case 'deployed':
        updateFlags.push(deployedIsStatus ? `--status=${BEADS_DEPLOYED}` : `--add-label=${BEADS_DEPLOYED}`);
        break;
      case 'close':
        close = operation.reason ? { reason: operation.reason } : {};
        break;
      case 'add-labels': {
        const had = beadsStringArray(current, 'labels') ?? [];
        for (const label of beadsStringArray(next, 'labels') ?? []) {
          if (!had.includes(label)) updateFlags.push(`--add-label=${label}`);
        }
        break;
      }
      case 'set-priority':
        updateFlags.push(`--priority=${operation.priority}`);
        break;
      case 'add-dependency':
        dependencies.push([operation.dependsOn, operation.type]);
        break;
      case 'append-notes':
        // --notes (the whole text) exists in every bd version; --append-notes only in newer ones.
        updateFlags.push(`--notes=${beadsString(next, 'notes') ?? ''}`);
        break;
      default:
        throw new TypeError(`Operation ${operation.kind} has no bd command here`);
    }
    current = next;
  }
  const changed = current !== record;
  if (changed && !options.dryRun) {
    if (updateFlags.length > 0) {
      const updated = await bd(['update', id, ...updateFlags, '--json']);
      if (!mentionsIssue(updated.stdout, id)) {
        throw new Error(`bd update did not update ${id}: ${(updated.stderr || updated.stdout).trim().slice(0, 300)}`);
      }
    }
    for (const [target, type] of dependencies) await bd(['dep', 'add', id, target, `--type=${type}`, '--json']);
    if (close) {
      const closed = await bd(['close', id, ...(close.reason ? [`--reason=${close.reason}`] : []), '--json']);
      if (!mentionsIssue(closed.stdout, id)) {
        throw new Error(`bd close did not close ${id}: ${(closed.stderr || closed.stdout).trim().slice(0, 300)}`);
      }
    }
  }
  const after = changed && !options.dryRun ? ((await show(id)) ?? current) : current;
  options.log(`${id}: ${changed ? describeTicketChange(record, after).join('; ') : 'already up to date'}.`);
  return {
    id,
    title: beadsString(record, 'title'),
    before: beadsString(record, 'status') ?? 'open',
    after: beadsString(after, 'status') ?? 'open',
    changed,
    created: false,
    details: changed ? describeTicketChange(record, after) : [],
  };
}

async function createWithBd(options: BdSyncOptions, bd: Bd, show: Show, result: BdSyncResult): Promise<void> {
  const create = options.create!;
  for (const dependency of create.dependsOn) {
    if (!(await show(dependency.dependsOn))) {
      throw new ConfigurationError(
        `Ticket ${dependency.dependsOn} (input "depends-on") is not known to bd.`,
        'depends-on',
      );
    }
  }
  // A re-run finds the ticket its first run created instead of making a second one.
  const listed = parseJson((await bd(['list', `--title=${create.title}`, '--all', '--limit=0', '--json'])).stdout);
  for (const item of Array.isArray(listed) ? listed : []) {
    const candidate = normalizeBdIssue(item);
    if (!candidate || candidate['title'] !== create.title || beadsString(candidate, 'issue_type') !== create.type)
      continue;
    if ((create.externalRef ?? undefined) !== beadsString(candidate, 'external_ref')) continue;
    const full = await show(candidate['id'] as string);
    const dependencies = (full?.['dependencies'] ?? []) as BeadsRecord[];
    const has = (target: string, type: string) =>
      dependencies.some((d) => d['depends_on_id'] === target && d['type'] === type);
    if (!create.dependsOn.every((d) => has(d.dependsOn, d.type))) continue;
    const id = candidate['id'] as string;
    result.created = id;
    result.changes.push({
      id,
      title: create.title,
      before: beadsString(full ?? candidate, 'status') ?? 'open',
      after: beadsString(full ?? candidate, 'status') ?? 'open',
      changed: false,
      created: true,
      details: [],
    });
    options.log(`${id} "${create.title}" exists already (created by an earlier run).`);
    return;
  }
  const args = ['create', `--title=${create.title}`, `--type=${create.type}`, `--priority=${create.priority}`];
  if (create.description) args.push(`--description=${create.description}`);
  if (create.labels.length > 0) args.push(`--labels=${create.labels.join(',')}`);
  if (create.externalRef) args.push(`--external-ref=${create.externalRef}`);
  if (create.notes) args.push(`--notes=${create.notes}`);
  args.push('--json');
  if (options.dryRun) {
    result.changes.push({
      id: '(new)',
      title: create.title,
      before: null,
      after: 'open',
      changed: true,
      created: true,
      details: [`would be created as ${create.type} P${create.priority}`],
    });
    return;
  }
  const created = normalizeBdIssue(parseJson((await bd(args)).stdout));
  if (!created) throw new Error('bd create did not print the new issue as JSON.');
  const id = created['id'] as string;
  // Never `bd create --deps`: the meaning of `blocks:` there flipped in bd 0.51; `bd dep add` is stable.
  for (const dependency of create.dependsOn) {
    await bd(['dep', 'add', id, dependency.dependsOn, `--type=${dependency.type}`, '--json']);
  }
  const after = (await show(id)) ?? created;
  result.created = id;
  result.changes.push({
    id,
    title: create.title,
    before: null,
    after: beadsString(after, 'status') ?? 'open',
    changed: true,
    created: true,
    details: describeTicketChange(undefined, after),
  });
  options.log(`Created ${id} "${create.title}".`);
}
