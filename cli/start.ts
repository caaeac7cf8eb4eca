// `hotfix start`: the first steps of a hotfix at the keyboard (hotfix-workflow 6.1, 6.2, 6.4;
// hotfix-rules IV). The decision tree of `hotfix plan` (same logic as hotfix-plan, Q2 from local git)
// picks the base; a worktree beside the repository gets the hotfix branch from the remote's base, so
// the checkout the engineer was working in stays untouched; and the ticket moves to in_progress the
// way beads-sync moves it, in the repository's own Beads mode.
import { existsSync } from 'node:fs';
import { access, constants, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import {
  DEFAULT_HOTFIX_BRANCH_PREFIX,
  DEFAULT_RELEASE_BRANCH_PATTERN,
  HOTFIX_APPROACH_TITLES,
  HOTFIX_QUESTIONS,
  applyBeadsEdits,
  assertHotfixSeverity,
  beadsDetectPrefix,
  beadsString,
  beadsTransition,
  beadsWriteFileAtomic,
  detectBeadsMode,
  isBeadsIssueId,
  isConfigurationError,
  isTicketId,
  isValidRefName,
  parseBeadsConfig,
  parseBeadsJsonl,
  parseBeadsMetadata,
  readBeadsJsonl,
  runCommand,
  validateReleaseBranchPattern,
  validateTagPrefix,
  validateTicketPrefixes,
  type BeadsConfig,
  type BeadsEdit,
  type BeadsJsonlDocument,
  type BeadsMetadata,
  type BeadsRecord,
  type HotfixPlan,
  type HotfixSeverity,
  type TicketIdOptions,
} from '@hotfix-actions/core';
import { planLocalHotfix } from './plan.js';
import { asUsage, CommandFailure, optionText, parseCommandLine, UsageError } from './usage.js';

/** `hotfix start --help`. */
export const START_HELP = `Starts a hotfix: picks its base with the decision tree, creates a worktree beside the
repository with the hotfix branch, and moves the ticket to in_progress.

Usage: hotfix start --ticket <id> --description <text> [options]

  The base is the release branch (emergency, release-first) or the trunk (trunk-first), chosen as
  \`hotfix plan\` chooses it; Q2 is computed from the remote's branches and tags after a fetch.
  The worktree is ../<repository>_hotfix_<ticket>-<description>, with the branch
  hotfix/<ticket>-<description> made from <remote>/<base>. A ticket in .beads/issues.jsonl is set
  to in_progress there and committed as "chore(beads): <ticket> in_progress"; a repository whose
  Beads data is a Dolt database needs bd on PATH.

Options:
  --ticket <id>                    the ticket of the hotfix, e.g. bd-a1b2 (required)
  --description <text>             a few words for the branch and the pull request ("fix login")
  --production-down [yes|no]       answer Q1 (alone: yes)
  --can-wait [yes|no]              answer Q3 (alone: yes)
  --severity <P0…P4>               the severity (also 0–4, sev2, critical, high, …)
  --labels <a,b,…>                 labels of the ticket (severity, outage, security, cosmetic, …)
  --release-branch <branch>        the affected release branch (default: the newest line)
  --trunk <branch>                 the trunk (default main)
  --remote <name>                  the remote to fetch from and branch off (default origin)
  --tag-prefix <prefix>            prefix of release tags (default v)
  --release-branch-pattern <p>     how release branches are named (default release/{line})
  --no-fetch                       use the remote-tracking branches as they are (offline)
  --no-beads                       leave the ticket as it is
  --dry-run                        print the plan and what would be done; change nothing
  -C, --dir <path>                 the repository (default: the current directory)
  -h, --help                       this help

Exit status: 0 when the hotfix is started (or planned, or found not to be a hotfix), 1 when it
cannot be started (nothing is changed then), 2 for a bad command line.
`;

/** What `hotfix start` was asked. */
export interface StartCommandOptions {
  dir: string;
  ticket: string;
  description?: string;
  productionDown?: boolean;
  canWait?: boolean;
  severity?: HotfixSeverity;
  labels: string[];
  releaseBranch?: string;
  trunk: string;
  remote: string;
  tagPrefix: string;
  releaseBranchPattern: string;
  fetch: boolean;
  beads: boolean;
  dryRun: boolean;
}

/** Where a command writes what it has to say. */
export interface CommandOutput {
  out(text: string): void;
}

/**
 * Lets yes/no options stand alone (`--production-down` means yes) while still taking a value
 * (`--can-wait no`, `--can-wait=false`), as `hotfix plan` takes them. The word after such an option is
 * its value unless it is another option: the commands that use this take no other words.
 */
export function answerFlags(argv: readonly string[], flags: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (!flags.includes(arg)) {
      out.push(arg);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('-')) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(`${arg}=yes`);
    }
  }
  return out;
}

function yesNo(value: string | undefined, option: string, command: string): boolean | undefined {
  if (value === undefined) return undefined;
  const text = value.trim().toLowerCase();
  if (['yes', 'y', 'true', '1'].includes(text)) return true;
  if (['no', 'n', 'false', '0'].includes(text)) return false;
  throw new UsageError(`${option} takes yes or no (or nothing, for yes); got "${value}".`, command);
}

/** How ticket ids are recognised for a hotfix of `ticket`: its own prefix, any others given, and bd. */
export function ticketIdOptionsFor(
  ticket: string | undefined,
  extra: readonly (string | undefined)[] = [],
): TicketIdOptions {
  const prefixes: string[] = [];
  for (const prefix of [ticket === undefined ? undefined : beadsDetectPrefix([ticket]), ...extra, 'bd']) {
    if (prefix === undefined || prefixes.includes(prefix)) continue;
    try {
      validateTicketPrefixes([prefix]);
      prefixes.push(prefix);
    } catch {
      // A prefix no ticket id could carry: it cannot match anything either.
    }
  }
  return { prefixes };
}

/** Parses `hotfix start`'s options; `undefined` when help was asked for. */
export function parseStartArgs(argv: readonly string[]): StartCommandOptions | undefined {
  const { values } = parseCommandLine(
    answerFlags(argv, ['--production-down', '--can-wait']),
    {
      dir: { type: 'string', short: 'C' },
      ticket: { type: 'string' },
      description: { type: 'string' },
      'production-down': { type: 'string' },
      'can-wait': { type: 'string' },
      severity: { type: 'string' },
      labels: { type: 'string' },
      'release-branch': { type: 'string' },
      trunk: { type: 'string' },
      remote: { type: 'string' },
      'tag-prefix': { type: 'string' },
      'release-branch-pattern': { type: 'string' },
      'no-fetch': { type: 'boolean' },
      'no-beads': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    'start',
  );
  if (values.help) return undefined;
  const text = (name: string): string | undefined => optionText(values, name);
  const wrap = <T>(fn: () => T): T => asUsage('start', fn);
  const ticket = text('ticket');
  if (ticket === undefined) {
    throw new UsageError(
      'Name the ticket of the hotfix with --ticket (e.g. --ticket bd-a1b2): every hotfix has one ticket.',
      'start',
    );
  }
  if (!isBeadsIssueId(ticket) || !isTicketId(ticket, ticketIdOptionsFor(ticket))) {
    throw new UsageError(
      `--ticket takes a ticket id such as bd-a1b2 (a prefix, "-", then 3 to 12 lowercase letters or digits, ` +
        `optionally .1 for a child); got ${JSON.stringify(ticket)}.`,
      'start',
    );
  }
  const remote = text('remote') ?? 'origin';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(remote)) {
    throw new UsageError(
      `--remote takes the name of a git remote such as origin; got ${JSON.stringify(remote)}.`,
      'start',
    );
  }
  const trunk = text('trunk') ?? 'main';
  const releaseBranch = text('release-branch');
  for (const [option, branch] of [
    ['--trunk', trunk],
    ['--release-branch', releaseBranch],
  ] as const) {
    if (branch !== undefined && (!isValidRefName(branch) || branch.startsWith('-'))) {
      throw new UsageError(`${option} takes a branch name; ${JSON.stringify(branch)} is not a valid one.`, 'start');
    }
  }
  const severityText = text('severity');
  const productionDown = yesNo(text('production-down'), '--production-down', 'start');
  const canWait = yesNo(text('can-wait'), '--can-wait', 'start');
  const description = text('description');
  return {
    dir: resolve(text('dir') ?? '.'),
    ticket,
    ...(description !== undefined ? { description } : {}),
    ...(productionDown !== undefined ? { productionDown } : {}),
    ...(canWait !== undefined ? { canWait } : {}),
    ...(severityText !== undefined ? { severity: wrap(() => assertHotfixSeverity(severityText, 'severity')) } : {}),
    labels: (text('labels') ?? '')
      .split(/[,\n]/)
      .map((label) => label.trim())
      .filter(Boolean),
    ...(releaseBranch !== undefined ? { releaseBranch } : {}),
    trunk,
    remote,
    tagPrefix: wrap(() =>
      validateTagPrefix(typeof values['tag-prefix'] === 'string' ? values['tag-prefix'] : 'v', 'tag-prefix'),
    ),
    releaseBranchPattern: wrap(() =>
      validateReleaseBranchPattern(
        text('release-branch-pattern') ?? DEFAULT_RELEASE_BRANCH_PATTERN,
        'release-branch-pattern',
      ),
    ),
    fetch: values['no-fetch'] !== true,
    beads: values['no-beads'] !== true,
    dryRun: values['dry-run'] === true,
  };
}

// ---------------------------------------------------------------------------------------------
// Git plumbing shared by start, finish and init

/** The outcome of one git command. */
export interface GitRun {
  ok: boolean;
  out: string;
  err: string;
}

/** Runs git in `dir` with stable English messages and never a password prompt; never throws on failure. */
export async function runGit(dir: string, args: readonly string[]): Promise<GitRun> {
  const result = await runCommand('git', args, { cwd: dir, env: { LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' } });
  return { ok: result.exitCode === 0, out: result.stdout, err: result.stderr.trim() };
}

/** Runs git and throws a CommandFailure starting with `what` when it fails. */
export async function mustGit(dir: string, args: readonly string[], what: string): Promise<string> {
  const result = await runGit(dir, args);
  if (!result.ok) throw new CommandFailure(`${what} failed: ${result.err || `git ${args[0]} exited non-zero`}`);
  return result.out;
}

/** A local repository as the commands see it. */
export interface LocalRepository {
  /** The top of the working tree the command was run in (a linked worktree, or the main one). */
  top: string;
  /** The top of the main working tree (where `git worktree list` starts). */
  main: string;
}

/**
 * The repository at `dir`; a missing directory is a usage error, anything but a git working tree a
 * CommandFailure that says where to run `hotfix <command>`. `pointer` is how the command is given a
 * directory (`-C <path>`, or `hotfix init <dir>`).
 */
export async function openRepository(dir: string, command: string, pointer = '-C <path>'): Promise<LocalRepository> {
  if (!existsSync(dir)) {
    throw new UsageError(`${dir} does not exist: give the directory of a git repository (${pointer}).`, command);
  }
  const top = await runGit(dir, ['rev-parse', '--show-toplevel']);
  if (!top.ok || top.out.trim() === '') {
    throw new CommandFailure(
      `${dir} is not inside a git repository (or has no working tree): run hotfix ${command} in your ` +
        `repository's checkout, or give its directory (${pointer}).`,
    );
  }
  const worktrees = await listWorktrees(dir);
  return { top: top.out.trim(), main: worktrees[0]?.path ?? top.out.trim() };
}

/** One working tree of a repository, as `git worktree list --porcelain` lists it. */
export interface WorktreeEntry {
  path: string;
  /** The checked-out branch (short name), undefined when HEAD is detached. */
  branch?: string;
  head: string;
}

/** The repository's working trees, the main one first. */
export async function listWorktrees(dir: string): Promise<WorktreeEntry[]> {
  const listed = await runGit(dir, ['worktree', 'list', '--porcelain', '-z']);
  if (!listed.ok) return [];
  const entries: WorktreeEntry[] = [];
  let current: WorktreeEntry | undefined;
  for (const field of listed.out.split('\0')) {
    if (field.startsWith('worktree ')) {
      current = { path: field.slice('worktree '.length), head: '' };
      entries.push(current);
    } else if (current !== undefined && field.startsWith('HEAD ')) {
      current.head = field.slice('HEAD '.length);
    } else if (current !== undefined && field.startsWith('branch refs/heads/')) {
      current.branch = field.slice('branch refs/heads/'.length);
    }
  }
  return entries;
}

/**
 * Where `hotfix start` puts the worktree of `branch`: `<repository>_hotfix_<ticket>-<description>` next to
 * the main working tree (hotfix-workflow 6.1). The name part is made of letters, digits, `.`, `_` and `-`
 * only, never starts with `.` or `-`, so the path stays in the repository's parent directory.
 */
export function hotfixWorktreePath(mainTop: string, branch: string): string {
  const tail =
    (branch.startsWith(DEFAULT_HOTFIX_BRANCH_PREFIX) ? branch.slice(DEFAULT_HOTFIX_BRANCH_PREFIX.length) : branch)
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/\.{2,}/g, '.')
      .replace(/^[.-]+/, '') || 'hotfix';
  const parent = dirname(mainTop);
  const path = join(parent, `${basename(mainTop)}_hotfix_${tail}`);
  // Unreachable by construction; a bug here must not hand out a path elsewhere.
  if (dirname(path) !== parent) throw new Error(`hotfixWorktreePath built ${path}, outside ${parent}`);
  return path;
}

/** `text` as one shell word (single-quoted unless it is plainly safe), for commands printed to copy. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9._/:=@%+,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** What `hotfix start` records about a hotfix branch in the repository's config (`branch.<name>.hotfix-*`). */
export interface HotfixBranchRecord {
  base?: string;
  remote?: string;
  ticket?: string;
  description?: string;
  approach?: string;
  trunk?: string;
  /** Where the fix goes after its first merge, in order. */
  targets?: string[];
  tagPrefix?: string;
  releaseBranchPattern?: string;
}

const RECORD_KEYS: Readonly<Record<string, keyof HotfixBranchRecord>> = {
  'hotfix-base': 'base',
  'hotfix-remote': 'remote',
  'hotfix-ticket': 'ticket',
  'hotfix-description': 'description',
  'hotfix-approach': 'approach',
  'hotfix-trunk': 'trunk',
  'hotfix-targets': 'targets',
  'hotfix-tag-prefix': 'tagPrefix',
  'hotfix-release-branch-pattern': 'releaseBranchPattern',
};

/** What `hotfix start` recorded about `branch` (empty for a branch it did not make). */
export async function readHotfixRecord(dir: string, branch: string): Promise<HotfixBranchRecord> {
  const listed = await runGit(dir, ['config', '-z', '--get-regexp', '^branch\\..*\\.hotfix-']);
  const record: HotfixBranchRecord = {};
  if (!listed.ok) return record;
  const prefix = `branch.${branch}.`;
  for (const entry of listed.out.split('\0')) {
    const newline = entry.indexOf('\n');
    const key = newline < 0 ? entry : entry.slice(0, newline);
    const value = newline < 0 ? '' : entry.slice(newline + 1);
    // git lower-cases the section and the variable, never the subsection (the branch name).
    if (!key.startsWith(prefix)) continue;
    const field = RECORD_KEYS[key.slice(prefix.length).toLowerCase()];
    if (field === undefined || value === '') continue;
    if (field === 'targets') record.targets = value.split(',').filter(Boolean);
    else record[field] = value;
  }
  return record;
}

async function writeHotfixRecord(dir: string, branch: string, record: HotfixBranchRecord): Promise<void> {
  for (const [key, field] of Object.entries(RECORD_KEYS)) {
    const value = field === 'targets' ? record.targets?.join(',') : record[field];
    if (value === undefined || value === '') continue;
    await mustGit(dir, ['config', '--local', `branch.${branch}.${key}`, value], `Recording ${key} of ${branch}`);
  }
}

/** The commit message format of hotfix-workflow 6.4, with the ticket as its closing reference. */
export function hotfixCommitTemplate(ticket: string, description: string | undefined): string {
  return [
    `fix(hotfix): ${description ?? '<brief description of the fix>'}`,
    '',
    '<what broke, for whom, and how this change fixes it>',
    '',
    'Root cause: <what caused the bug>',
    'Fix: <what was changed>',
    'Impact: <who is affected>',
    'Regression test: <test file added or updated>',
    '',
    `Resolves ${ticket}`,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The ticket

/** How the ticket will be moved to in_progress, decided before anything is changed. */
type TicketPlan =
  | { kind: 'skip'; note: string }
  | {
      kind: 'jsonl';
      path: string;
      customStatuses: readonly string[];
      before: string;
      /** False when the ticket is in progress or further along already (it is never moved back). */
      starts: boolean;
      from: 'base' | 'trunk';
    }
  | { kind: 'bd'; bd: string; cwd: string; before: string; starts: boolean };

/** Finds an executable on PATH (undefined when there is none). */
async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
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

async function treeText(dir: string, ref: string, path: string): Promise<string | undefined> {
  const shown = await runGit(dir, ['show', `${ref}:${path}`]);
  return shown.ok ? shown.out : undefined;
}

async function diskText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

function ticketStatus(record: BeadsRecord): string {
  return beadsString(record, 'status') ?? 'open';
}

/** The ticket's record in `doc` and what starting it makes of it ('unchanged' when it is in progress or further). */
function startedRecord(
  doc: BeadsJsonlDocument,
  ticket: string,
  customStatuses: readonly string[],
  now: Date,
): { record: BeadsRecord; next: BeadsRecord | 'unchanged' } | undefined {
  const line = doc.findIssue(ticket);
  if (line === undefined) return undefined;
  const record = doc.recordOf(line);
  return { record, next: beadsTransition(record, { kind: 'start' }, now, '', { customStatuses }) };
}

function asFailure(error: unknown, hint: string): never {
  if (isConfigurationError(error)) throw new CommandFailure(`${error.message} ${hint}`);
  throw error;
}

interface TicketContext {
  repo: LocalRepository;
  ticket: string;
  base: string;
  baseRef: string;
  trunk: string;
  trunkRef: string | undefined;
  remote: string;
  online: boolean;
}

const NO_BEADS = '(pass --no-beads to start without moving the ticket)';

/**
 * Decides how the ticket is moved, from the base branch's `.beads` (and the main checkout's, for a
 * Dolt database that is not committed): refuses now, before anything changes, when it cannot be.
 */
async function planTicket(context: TicketContext): Promise<TicketPlan> {
  const { repo, ticket, base, baseRef } = context;
  const tree = await runGit(repo.main, ['ls-tree', '--name-only', '-z', baseRef, '--', '.beads/']);
  const onDisk = await readdir(join(repo.main, '.beads')).catch(() => [] as string[]);
  const files = [...(tree.ok ? tree.out.split('\0').filter(Boolean) : []), ...onDisk];
  let config: BeadsConfig | undefined;
  let metadata: BeadsMetadata | undefined;
  try {
    const configText =
      (await treeText(repo.main, baseRef, '.beads/config.yaml')) ??
      (await diskText(join(repo.main, '.beads', 'config.yaml')));
    if (configText !== undefined) config = await parseBeadsConfig(configText);
    const metadataText =
      (await treeText(repo.main, baseRef, '.beads/metadata.json')) ??
      (await diskText(join(repo.main, '.beads', 'metadata.json')));
    if (metadataText !== undefined) metadata = parseBeadsMetadata(metadataText);
  } catch (error) {
    asFailure(error, NO_BEADS);
  }
  let hasDoltRemoteRef: boolean | undefined;
  if (context.online && files.length > 0) {
    const refs = await runGit(repo.main, ['ls-remote', '--', context.remote, 'refs/dolt/data']);
    hasDoltRemoteRef = refs.ok ? refs.out.includes('refs/dolt/data') : undefined;
  }
  const jsonlName = metadata?.jsonlExport ?? 'issues.jsonl';
  const detection = detectBeadsMode({
    files,
    ...(config !== undefined ? { config } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
    ...(hasDoltRemoteRef !== undefined ? { hasDoltRemoteRef } : {}),
    jsonlName,
  });
  const customStatuses = config?.customStatuses ?? [];

  if (detection.mode === 'none') {
    return {
      kind: 'skip',
      note: `no .beads/${jsonlName} on ${base}: move ${ticket} to in_progress in your tracker`,
    };
  }

  if (detection.mode === 'dolt') {
    const bd = await findOnPath('bd');
    if (bd === undefined) {
      throw new CommandFailure(
        `${detection.reason} Since bd 1.0 that database is the source of truth and .beads/${jsonlName} only an ` +
          `export: an edit to it would be ignored or overwritten, so nothing was changed. Install bd ` +
          `(https://github.com/steveyegge/beads) to have ${ticket} moved to in_progress, or pass --no-beads ` +
          `and run bd update ${ticket} --status=in_progress yourself.`,
      );
    }
    const shown = await runCommand(bd, ['show', ticket, '--json'], { cwd: repo.main });
    const record = bdIssue(shown.stdout, ticket);
    if (shown.exitCode !== 0 || record === undefined) {
      throw new CommandFailure(
        `bd does not know ${ticket} (bd show ${ticket}: ${(shown.stderr || shown.stdout).trim().slice(0, 200) || 'no such issue'}): ` +
          `check the id, or create the ticket first (bd create). ${NO_BEADS}`,
      );
    }
    const starts = beadsTransition(record, { kind: 'start' }, new Date(), '', { customStatuses }) !== 'unchanged';
    return { kind: 'bd', bd, cwd: repo.main, before: ticketStatus(record), starts };
  }

  if (config?.syncBranch !== undefined) {
    return {
      kind: 'skip',
      note:
        `.beads/config.yaml keeps the tracker on branch ${config.syncBranch}, not on ${base}: move the ticket there ` +
        `(bd update ${ticket} --status=in_progress, or the beads-sync action)`,
    };
  }

  const path = `.beads/${jsonlName}`;
  try {
    const here = await treeJsonl(repo.main, baseRef, path);
    if (here === undefined) {
      // A release branch cut before the tracker was added: the hotfix branch has nowhere to record it.
      return {
        kind: 'skip',
        note: `${base} has no ${path}: move ${ticket} to in_progress on ${context.trunk} (bd update, or the beads-sync action)`,
      };
    }
    const found = startedRecord(here, ticket, customStatuses, new Date());
    if (found !== undefined) {
      const before = ticketStatus(found.record);
      return { kind: 'jsonl', path, customStatuses, before, starts: found.next !== 'unchanged', from: 'base' };
    }
    const trunkDoc = context.trunkRef === undefined ? undefined : await treeJsonl(repo.main, context.trunkRef, path);
    const there = trunkDoc === undefined ? undefined : startedRecord(trunkDoc, ticket, customStatuses, new Date());
    if (there !== undefined) {
      const before = ticketStatus(there.record);
      return { kind: 'jsonl', path, customStatuses, before, starts: there.next !== 'unchanged', from: 'trunk' };
    }
  } catch (error) {
    asFailure(error, NO_BEADS);
  }
  throw new CommandFailure(
    `Ticket ${ticket} is not in ${path} on ${base}${base === context.trunk ? '' : ` nor on ${context.trunk}`}: check the id, ` +
      `or create the ticket first (bd create "Hotfix: …" --type bug --priority 1) and push it. ${NO_BEADS}`,
  );
}

async function treeJsonl(dir: string, ref: string, path: string): Promise<BeadsJsonlDocument | undefined> {
  const text = await treeText(dir, ref, path);
  return text === undefined
    ? undefined
    : parseBeadsJsonl(text, { name: `${path} on ${ref.replace(/^refs\/remotes\//, '')}` });
}

function bdIssue(output: string, id: string): BeadsRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(output);
  } catch {
    return undefined;
  }
  const issue: unknown = Array.isArray(value) ? value[0] : value;
  if (typeof issue !== 'object' || issue === null || (issue as { id?: unknown }).id !== id) return undefined;
  return issue as BeadsRecord;
}

/** What the ticket plan will do, in a line, before it is done. */
function describeTicketPlan(plan: TicketPlan, ticket: string): string {
  if (plan.kind === 'skip') return `left as it is: ${plan.note}`;
  if (plan.before === 'in_progress') return `${ticket} is in_progress already`;
  if (!plan.starts) return `${ticket} is ${plan.before}: left as it is (reopen it first if the hotfix is for it)`;
  if (plan.kind === 'bd') return `${ticket} ${plan.before} → in_progress with bd update`;
  const where = plan.from === 'trunk' ? ' (copied from the trunk, where the ticket was created)' : '';
  return `${ticket} ${plan.before} → in_progress in ${plan.path}${where}, committed as "chore(beads): ${ticket} in_progress"`;
}

/** Moves the ticket as planned; returns what happened, in a line. */
async function applyTicket(plan: TicketPlan, context: TicketContext, worktree: string): Promise<string> {
  const { ticket } = context;
  if (plan.kind === 'skip') return `left as it is: ${plan.note}`;
  if (plan.kind === 'bd') {
    if (!plan.starts) return describeTicketPlan(plan, ticket);
    const updated = await runCommand(plan.bd, ['update', ticket, '--status=in_progress', '--json'], { cwd: plan.cwd });
    if (updated.exitCode !== 0) {
      throw new CommandFailure(
        `The worktree is ready at ${worktree}, but bd update ${ticket} --status=in_progress failed: ` +
          `${(updated.stderr || updated.stdout).trim().slice(0, 300)}. Run it yourself once bd works.`,
      );
    }
    return `${ticket} ${plan.before} → in_progress (bd update; publish it as your team does, e.g. bd dolt push)`;
  }
  const file = join(worktree, plan.path);
  const now = new Date();
  let edit: BeadsEdit | undefined;
  let before: string;
  let starts: boolean;
  try {
    const doc = await readBeadsJsonl(file, { name: plan.path });
    const here = startedRecord(doc, ticket, plan.customStatuses, now);
    if (here !== undefined) {
      before = ticketStatus(here.record);
      starts = here.next !== 'unchanged';
      if (here.next !== 'unchanged') edit = { kind: 'replace', record: here.next };
    } else {
      // Release-first: the ticket was filed on trunk after the release branch was cut.
      const trunkDoc =
        context.trunkRef === undefined ? undefined : await treeJsonl(context.repo.main, context.trunkRef, plan.path);
      const there = trunkDoc === undefined ? undefined : startedRecord(trunkDoc, ticket, plan.customStatuses, now);
      if (there === undefined) throw new CommandFailure(`Ticket ${ticket} disappeared from ${plan.path} meanwhile.`);
      before = ticketStatus(there.record);
      starts = there.next !== 'unchanged';
      if (there.next !== 'unchanged') edit = { kind: 'insert', record: there.next };
    }
    if (edit === undefined) return describeTicketPlan({ ...plan, before, starts }, ticket);
    const edited = applyBeadsEdits(doc, [edit]);
    await beadsWriteFileAtomic(file, edited.chunks);
  } catch (error) {
    if (isConfigurationError(error)) {
      throw new CommandFailure(
        `The worktree is ready at ${worktree}, but ${plan.path} could not be edited: ${error.message}`,
      );
    }
    throw error;
  }
  const message = `chore(beads): ${ticket} in_progress`;
  await mustGit(worktree, ['add', '--', plan.path], `Staging ${plan.path}`);
  // The repository's hooks are for commits of code; bd's own pre-commit hook would even export its
  // database over the edit just made.
  const committed = await runGit(worktree, ['-c', 'core.hooksPath=/dev/null', 'commit', '--quiet', '-m', message]);
  if (!committed.ok) {
    throw new CommandFailure(
      `The worktree is ready at ${worktree} with ${plan.path} edited, but the commit failed: ${committed.err}. ` +
        `Fix that (git config user.name / user.email?) and commit it there: git commit -m "${message}".`,
    );
  }
  const copied = edit.kind === 'insert' ? ' (copied from the trunk)' : '';
  return `${ticket} ${before} → in_progress${copied}, committed as "${message}"`;
}

// ---------------------------------------------------------------------------------------------
// The command

function decisionLines(plan: HotfixPlan): string[] {
  const lines = [HOTFIX_APPROACH_TITLES[plan.approach], `  ${plan.decision.reason}`, ''];
  for (const step of plan.decision.path) {
    lines.push(
      `  ${step.question}  ${HOTFIX_QUESTIONS[step.question].padEnd(42)} ${step.answer.padEnd(9)} ${step.because}`,
    );
  }
  return lines;
}

function row(name: string, value: string): string {
  return `  ${`${name}:`.padEnd(16)}${value}`;
}

/** Runs `hotfix start`; returns the exit code. */
export async function startHotfix(options: StartCommandOptions, io: CommandOutput): Promise<number> {
  const repo = await openRepository(options.dir, 'start');
  const remoteUrl = await runGit(repo.main, ['remote', 'get-url', '--', options.remote]);
  if (!remoteUrl.ok) {
    throw new CommandFailure(
      `There is no remote "${options.remote}" in ${repo.main}: a hotfix branch starts from the shared base ` +
        `(${options.remote}/<base>). Add the remote, or name yours with --remote.`,
    );
  }
  const online = options.fetch && !options.dryRun;
  if (online) {
    // Branches and tags as the team sees them now: Q2 and the base both depend on them.
    const fetched = await runGit(repo.main, ['fetch', '--quiet', '--tags', '--', options.remote]);
    if (!fetched.ok) {
      throw new CommandFailure(
        `Fetching from ${options.remote} failed: ${fetched.err}. Check the connection, or pass --no-fetch to ` +
          'decide from the remote-tracking branches as they are.',
      );
    }
  }

  const { plan } = await planLocalHotfix({
    dir: repo.top,
    ...(options.productionDown !== undefined ? { productionDown: options.productionDown } : {}),
    ...(options.canWait !== undefined ? { canWait: options.canWait } : {}),
    ...(options.severity !== undefined ? { severity: options.severity } : {}),
    labels: options.labels,
    ticket: options.ticket,
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(options.releaseBranch !== undefined ? { releaseBranch: options.releaseBranch } : {}),
    trunk: options.trunk,
    remote: options.remote,
    tagPrefix: options.tagPrefix,
    releaseBranchPattern: options.releaseBranchPattern,
    json: false,
  });
  const lines = decisionLines(plan);
  if (plan.approach === 'regular-issue' || plan.hotfixBranch === undefined) {
    lines.push(
      '',
      `Not a hotfix: fix ${options.ticket} on ${plan.baseBranch} for the next release, as a regular issue. ` +
        'Nothing was changed.',
    );
    io.out(`${lines.join('\n')}\n`);
    return 0;
  }

  const base = plan.baseBranch;
  const branch = plan.hotfixBranch;
  const baseRef = `refs/remotes/${options.remote}/${base}`;
  const baseSha = await runGit(repo.main, ['rev-parse', '--verify', '--quiet', `${baseRef}^{commit}`]);
  if (!baseSha.ok) {
    throw new CommandFailure(
      `${options.remote}/${base} does not exist${online ? '' : ' here (nothing was fetched)'}: a hotfix branch starts ` +
        `from the shared ${base}. Push it first (git push ${options.remote} ${base})${online ? '' : ', or fetch'}, or ` +
        'name another base with --release-branch.',
    );
  }
  const worktree = hotfixWorktreePath(repo.main, branch);
  if ((await runGit(repo.main, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])).ok) {
    const where = (await listWorktrees(repo.main)).find((entry) => entry.branch === branch);
    throw new CommandFailure(
      `Branch ${branch} exists already: this hotfix is started${where ? ` (worktree ${where.path})` : ''}. Carry on ` +
        'there, finish it (hotfix finish --cleanup), or give another --description.',
    );
  }
  if ((await runGit(repo.main, ['rev-parse', '--verify', '--quiet', `refs/remotes/${options.remote}/${branch}`])).ok) {
    throw new CommandFailure(
      `${options.remote} has a branch ${branch} already: someone started this hotfix. To work on it here: ` +
        `git worktree add ${shellQuote(worktree)} ${shellQuote(branch)}; or give another --description.`,
    );
  }
  if (existsSync(worktree)) {
    throw new CommandFailure(
      `${worktree} exists already: move it out of the way (git worktree remove, if it is an old worktree), or ` +
        'give another --description.',
    );
  }
  const trunkRef = (
    await runGit(repo.main, ['rev-parse', '--verify', '--quiet', `refs/remotes/${options.remote}/${options.trunk}`])
  ).ok
    ? `refs/remotes/${options.remote}/${options.trunk}`
    : undefined;
  const context: TicketContext = {
    repo,
    ticket: options.ticket,
    base,
    baseRef,
    trunk: options.trunk,
    trunkRef,
    remote: options.remote,
    online: options.fetch,
  };
  const ticketPlan: TicketPlan = options.beads ? await planTicket(context) : { kind: 'skip', note: '--no-beads' };

  lines.push(
    '',
    row('base branch', `${base} (${options.remote}/${base} at ${baseSha.out.trim().slice(0, 12)})`),
    row('hotfix branch', branch),
    row('worktree', worktree),
    row('then to', plan.targets.length > 0 ? plan.targets.join(' → ') : 'nothing'),
  );
  if (plan.decision.severity !== undefined) lines.push(row('severity', plan.decision.severity));

  if (options.dryRun) {
    lines.push(
      row('ticket', describeTicketPlan(ticketPlan, options.ticket)),
      '',
      `Dry run: nothing was changed${options.fetch ? ' (nor fetched: the plan reads the remote-tracking branches as they are)' : ''}. It would run:`,
      `  git worktree add --no-track -b ${branch} ${shellQuote(worktree)} ${options.remote}/${base}`,
      '',
    );
    io.out(`${lines.join('\n')}\n`);
    return 0;
  }

  await mustGit(
    repo.main,
    ['worktree', 'add', '--quiet', '--no-track', '-b', branch, worktree, baseRef],
    `Creating the worktree ${worktree}`,
  );
  await writeHotfixRecord(repo.main, branch, {
    base,
    remote: options.remote,
    ticket: options.ticket,
    ...(options.description !== undefined
      ? { description: options.description.replace(/\s+/g, ' ').trim().slice(0, 200) }
      : {}),
    approach: plan.approach,
    trunk: options.trunk,
    targets: plan.targets,
    tagPrefix: options.tagPrefix,
    releaseBranchPattern: options.releaseBranchPattern,
  });
  io.out(`${lines.join('\n')}\n`);
  const ticketLine = await applyTicket(ticketPlan, context, worktree);
  const gitDir = (await runGit(worktree, ['rev-parse', '--absolute-git-dir'])).out.trim();
  const template = join(gitDir, 'HOTFIX_COMMIT_TEMPLATE');
  const commitFormat = hotfixCommitTemplate(options.ticket, options.description);
  // A convenience only: a git directory that cannot take the file changes nothing else.
  await writeFile(template, commitFormat).catch(() => undefined);

  const next = [
    row('ticket', ticketLine),
    '',
    `Hotfix ${branch} started. Next:`,
    `  1. cd ${shellQuote(worktree)}`,
    '  2. Fix only the immediate issue: a minimal change, no refactoring (6.4).',
    '  3. Add a regression test, then run the whole test suite (II.A).',
    `  4. Commit in the hotfix format (git commit -t ${shellQuote(template)} opens it):`,
    '',
    ...commitFormat
      .trimEnd()
      .split('\n')
      .map((line) => (line === '' ? '' : `       ${line}`)),
    '',
    `  5. hotfix finish: checks the policy, pushes the branch and prints the pull request into ${base}.`,
    `     After it merges: hotfix finish --cleanup removes the worktree and the branch.`,
    '',
  ];
  io.out(`${next.join('\n')}\n`);
  return 0;
}
