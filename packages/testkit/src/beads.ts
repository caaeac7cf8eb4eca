// Test tooling for the Beads tracker: the real fixture (the beads project's own `.beads/` data),
// repositories seeded with it, a line-by-line comparison of two versions of `issues.jsonl`, a
// branch protection stand-in for a bare origin, and a fake `bd` for PATH.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GitSandbox } from './sandbox.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where the fixture lives: `../shared/fixtures/beads` next to the repository (outside it, also in CI). */
export const BEADS_FIXTURE_DIR = join(REPO_ROOT, '..', 'shared', 'fixtures', 'beads');

/** The fixture's files, as read from disk. */
export interface BeadsFixture {
  /** `issues.jsonl`, byte for byte (2,536 issues). */
  issues: Buffer;
  /** `config.yaml` (issue-prefix bd, sync-branch beads-sync). */
  config: string;
  /** `metadata.json` (a bd 0.27 JSONL repository). */
  metadata: string;
  /** The `.gitattributes` line that sets bd's merge driver. */
  gitattributes: string;
}

let cachedFixture: BeadsFixture | undefined;

/** Reads the fixture once; throws a message saying where it is expected when it is missing. */
export function readBeadsFixture(): BeadsFixture {
  if (cachedFixture) return cachedFixture;
  const file = (name: string) => join(BEADS_FIXTURE_DIR, name);
  const missing = ['issues.jsonl', 'config.yaml', 'metadata.json', 'gitattributes'].filter(
    (name) => !existsSync(file(name)),
  );
  if (missing.length > 0) {
    throw new Error(
      `The Beads fixture is missing: ${missing.map(file).join(', ')} not found. These tests run on the real ` +
        `data of the beads project, kept outside the repository in ${BEADS_FIXTURE_DIR} ` +
        '(../shared/fixtures/beads from the repository root); restore that directory to run them.',
    );
  }
  cachedFixture = {
    issues: readFileSync(file('issues.jsonl')),
    config: readFileSync(file('config.yaml'), 'utf8'),
    metadata: readFileSync(file('metadata.json'), 'utf8'),
    gitattributes: readFileSync(file('gitattributes'), 'utf8'),
  };
  return cachedFixture;
}

/** Options for {@link seedBeadsRepo}. */
export interface SeedBeadsOptions {
  /** `.beads/config.yaml`: text, or a function of the fixture's text (default: the fixture's). */
  config?: string | ((fixture: string) => string);
  /** `.beads/metadata.json` (default: the fixture's); `null` leaves it out. */
  metadata?: string | null;
  /** `.beads/issues.jsonl` (default: the fixture's bytes). */
  issues?: Buffer | string;
  /** More files to commit, by path; `null` deletes one. */
  files?: Record<string, string | Buffer | null>;
  /** Commit message (default `Add the Beads tracker`). */
  message?: string;
  /** Push the commit to origin (default true). */
  push?: boolean;
}

/**
 * Commits a `.beads/` directory made of the real fixture (plus `.gitattributes`) in the sandbox's
 * working clone, on its current branch, and pushes it. Returns the commit's SHA.
 */
export async function seedBeadsRepo(sandbox: GitSandbox, options: SeedBeadsOptions = {}): Promise<string> {
  const fixture = readBeadsFixture();
  const config =
    options.config === undefined
      ? fixture.config
      : typeof options.config === 'function'
        ? options.config(fixture.config)
        : options.config;
  const files: Record<string, string | Buffer | null> = {
    '.beads/issues.jsonl': options.issues ?? fixture.issues,
    '.beads/config.yaml': config,
    '.gitattributes': fixture.gitattributes,
    ...(options.metadata === null ? {} : { '.beads/metadata.json': options.metadata ?? fixture.metadata }),
    ...options.files,
  };
  for (const [path, content] of Object.entries(files)) {
    const target = join(sandbox.work, path);
    if (content === null) {
      await rm(target, { force: true });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  const written = Object.keys(files).filter((path) => files[path] !== null);
  const deleted = Object.keys(files).filter((path) => files[path] === null);
  if (written.length > 0) await sandbox.git(['add', '--all', '--', ...written]);
  if (deleted.length > 0) await sandbox.git(['rm', '--quiet', '--cached', '--ignore-unmatch', '--', ...deleted]);
  await sandbox.git(['commit', '--quiet', '--no-verify', '-m', options.message ?? 'Add the Beads tracker']);
  if (options.push ?? true) {
    const branch = await sandbox.git(['symbolic-ref', '--short', 'HEAD']);
    await sandbox.git(['push', '--quiet', 'origin', `refs/heads/${branch}:refs/heads/${branch}`]);
  }
  return sandbox.git(['rev-parse', 'HEAD']);
}

// No system or global configuration and stable messages, whatever machine the tests run on.
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
  return { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
}

/** Runs git and returns stdout as bytes (for file contents that must be compared exactly). */
export function gitBytes(args: readonly string[], cwd: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...args],
      { cwd, env: gitEnv(), encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`git ${args.join(' ')} failed in ${cwd}: ${stderr.toString().trim() || error.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** The bytes of `path` at `rev` in a repository (bare or not). */
export function gitShowBytes(repo: string, rev: string, path: string): Promise<Buffer> {
  return gitBytes(['cat-file', 'blob', `${rev}:${path}`], repo);
}

/** One line that differs between two versions of an `issues.jsonl`. */
export interface BeadsLineChange {
  id: string;
  /** 0-based line index in the old file. */
  line: number;
  before: string;
  after: string;
}

/** How two versions of an `issues.jsonl` differ, line by line and keyed by issue id. */
export interface BeadsLineDiff {
  /** Lines present in both, byte-identical. */
  identical: number;
  changed: BeadsLineChange[];
  /** Lines only in the new file, with their 0-based index there. */
  inserted: { id: string; line: number; text: string }[];
  removed: { id: string; line: number; text: string }[];
  /** The ids common to both files appear in the same order. */
  orderKept: boolean;
  /** Both end with a newline, or neither does. */
  finalNewlineKept: boolean;
}

function splitLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, start)) {
    lines.push(bytes.subarray(start, i));
    start = i + 1;
  }
  if (start < bytes.length) lines.push(bytes.subarray(start));
  return lines;
}

function lineId(line: Buffer, index: number): string {
  const match = /^\{"id":"([^"\\]+)"/.exec(line.subarray(0, 200).toString('utf8'));
  return match?.[1] ?? `#line-${index}`;
}

/** Compares two versions of an `issues.jsonl` byte for byte, line by line, matching lines by issue id. */
export function beadsLineDiff(before: Buffer, after: Buffer): BeadsLineDiff {
  const oldLines = splitLines(before);
  const newLines = splitLines(after);
  const newById = new Map<string, number>();
  newLines.forEach((line, index) => newById.set(lineId(line, index), index));
  const oldIds = new Set<string>();
  const diff: BeadsLineDiff = {
    identical: 0,
    changed: [],
    inserted: [],
    removed: [],
    orderKept: true,
    finalNewlineKept: (before.at(-1) === 0x0a) === (after.at(-1) === 0x0a),
  };
  let lastIndex = -1;
  oldLines.forEach((line, index) => {
    const id = lineId(line, index);
    oldIds.add(id);
    const match = newById.get(id);
    if (match === undefined) {
      diff.removed.push({ id, line: index, text: line.toString('utf8') });
      return;
    }
    if (match < lastIndex) diff.orderKept = false;
    lastIndex = match;
    const other = newLines[match]!;
    if (other.equals(line)) diff.identical++;
    else diff.changed.push({ id, line: index, before: line.toString('utf8'), after: other.toString('utf8') });
  });
  newLines.forEach((line, index) => {
    const id = lineId(line, index);
    if (!oldIds.has(id)) diff.inserted.push({ id, line: index, text: line.toString('utf8') });
  });
  return diff;
}

/** The decoded issue `id` of an `issues.jsonl`, or undefined. */
export function beadsIssueOf(bytes: Buffer, id: string): Record<string, unknown> | undefined {
  for (const line of splitLines(bytes)) {
    if (lineId(line, -1) === id) return JSON.parse(line.toString('utf8')) as Record<string, unknown>;
  }
  return undefined;
}

/**
 * Makes a bare repository refuse pushes to `branches` with a pre-receive hook, the way GitHub refuses
 * a push to a protected branch (`GH006: Protected branch update failed`).
 */
export async function protectBranches(bareRepo: string, branches: readonly string[]): Promise<void> {
  const refs = branches.map((branch) => `refs/heads/${branch}`);
  const cases = refs.map(
    (ref) =>
      `    ${ref.replace(/[^A-Za-z0-9/._-]/g, '')}) echo "remote: error: GH006: Protected branch update failed for ${ref}." >&2; exit 1 ;;`,
  );
  const hook = [
    '#!/bin/sh',
    'while read old new ref; do',
    '  case "$ref" in',
    ...cases,
    '  esac',
    'done',
    'exit 0',
    '',
  ].join('\n');
  const path = join(bareRepo, 'hooks', 'pre-receive');
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, hook);
  await chmod(path, 0o755);
}

/** One call of the fake `bd`. */
export interface FakeBdCall {
  /** The arguments, exactly as received. */
  argv: string[];
  cwd: string;
  /** `BD_ACTOR` of the call's environment. */
  actor: string | null;
  exitCode: number;
  /** The refusal, when the arguments broke bd's documented interface. */
  error?: string;
}

/** Options for {@link createFakeBd}. */
export interface FakeBdOptions {
  /** What `bd version` reports (default 1.0.2, a Dolt-era bd). */
  version?: string;
  /** Issues the fake knows, as bd prints them. */
  issues?: readonly Record<string, unknown>[];
  /** Prefix of created ids (default bd). */
  prefix?: string;
  /** `status.custom` of the repository the fake pretends to serve. */
  customStatuses?: readonly string[];
  /** `types.custom`. */
  customTypes?: readonly string[];
  /** Make a command (`update`, `dep add`, `dolt push`, …) fail with this exit code and message. */
  fail?: Record<string, { exitCode?: number; stderr?: string }>;
}

/** A fake `bd` executable in a directory of its own; put {@link FakeBd.dir} first on PATH. */
export interface FakeBd {
  /** The directory holding `bd`. */
  dir: string;
  /** The executable. */
  path: string;
  /** PATH with the fake first. */
  pathEnv(base?: string): string;
  /** Every call so far, in order. */
  calls(): Promise<FakeBdCall[]>;
  /** The issues as the fake holds them now. */
  issues(): Promise<Record<string, Record<string, unknown>>>;
  cleanup(): Promise<void>;
}

/**
 * Creates a fake `bd` that accepts only bd's documented commands and flags (version, show, update,
 * close, reopen, create, dep add, list, sync, dolt push/pull, and the global ones such as --json),
 * parses them the way bd's flag library does, validates values (statuses, priorities, types,
 * dependency types), keeps issues in a state file, prints bd's JSON, and records every call. An
 * unknown command or flag fails as bd fails (`Error: unknown flag: --x`, exit 1). It never runs
 * anything it is given.
 */
export async function createFakeBd(options: FakeBdOptions = {}): Promise<FakeBd> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'hotfix-fake-bd-')));
  const statePath = join(dir, 'state.json');
  const logPath = join(dir, 'calls.jsonl');
  const issues: Record<string, Record<string, unknown>> = {};
  for (const issue of options.issues ?? []) issues[String(issue.id)] = { ...issue };
  await writeFile(statePath, JSON.stringify({ issues, next: 0 }));
  await writeFile(logPath, '');
  await writeFile(
    join(dir, 'fake-bd.json'),
    JSON.stringify({
      statePath,
      logPath,
      version: options.version ?? '1.0.2',
      prefix: options.prefix ?? 'bd',
      customStatuses: options.customStatuses ?? [],
      customTypes: options.customTypes ?? [],
      fail: options.fail ?? {},
    }),
  );
  // Extensionless scripts are CommonJS unless a package.json says otherwise: say it.
  await writeFile(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
  const path = join(dir, 'bd');
  await writeFile(path, `#!${process.execPath}\n${FAKE_BD_SOURCE}`);
  await chmod(path, 0o755);
  return {
    dir,
    path,
    pathEnv: (base = process.env.PATH ?? '') => `${dir}${delimiter}${base}`,
    async calls() {
      const text = await readFile(logPath, 'utf8');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as FakeBdCall);
    },
    async issues() {
      return (JSON.parse(await readFile(statePath, 'utf8')) as { issues: Record<string, Record<string, unknown>> })
        .issues;
    },
    async cleanup() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// The fake itself: plain CommonJS so it runs under any Node without a build step.
const FAKE_BD_SOURCE = String.raw`'use strict';
const fs = require('node:fs');
const path = require('node:path');
const config = JSON.parse(fs.readFileSync(path.join(__dirname, 'fake-bd.json'), 'utf8'));
const argv = process.argv.slice(2);

const BUILTIN_STATUSES = ['open', 'in_progress', 'blocked', 'deferred', 'closed', 'pinned', 'hooked'];
const TYPES = ['bug', 'feature', 'task', 'epic', 'chore', 'decision'];
const DEP_TYPES = ['blocks', 'parent-child', 'conditional-blocks', 'waits-for', 'related', 'discovered-from',
  'replies-to', 'relates-to', 'duplicates', 'supersedes', 'tracks', 'until', 'caused-by', 'validates'];

const GLOBAL = { json: 'bool', actor: 'string', db: 'string', 'no-daemon': 'bool', 'no-auto-flush': 'bool',
  'no-auto-import': 'bool', sandbox: 'bool', quiet: 'bool', verbose: 'bool', readonly: 'bool', 'allow-stale': 'bool' };
const GLOBAL_SHORT = { q: 'quiet', v: 'verbose' };
const COMMON_ISSUE = { assignee: 'string', description: 'string', design: 'string', acceptance: 'string',
  notes: 'string', 'external-ref': 'string' };
const COMMANDS = {
  version: { flags: { daemon: 'bool' }, short: {}, args: [0, 0] },
  show: { flags: { short: 'bool', thread: 'bool', refs: 'bool' }, short: {}, args: [1, 100] },
  update: { flags: Object.assign({ status: 'string', priority: 'string', title: 'string', type: 'string',
    'append-notes': 'string', 'add-label': 'slice', 'remove-label': 'slice', 'set-labels': 'slice',
    parent: 'string', claim: 'bool', estimate: 'int', due: 'string', defer: 'string' }, COMMON_ISSUE),
    short: { s: 'status', p: 'priority', t: 'type', a: 'assignee', d: 'description', e: 'estimate' }, args: [0, 100] },
  close: { flags: { reason: 'string', force: 'bool', session: 'string' }, short: { r: 'reason', f: 'force' }, args: [1, 100] },
  reopen: { flags: { reason: 'string' }, short: { r: 'reason' }, args: [1, 100] },
  create: { flags: Object.assign({ title: 'string', type: 'string', priority: 'string', labels: 'slice', label: 'slice',
    id: 'string', parent: 'string', deps: 'slice', silent: 'bool', 'dry-run': 'bool', estimate: 'int', force: 'bool',
    file: 'string' }, COMMON_ISSUE),
    short: { t: 'type', p: 'priority', l: 'labels', a: 'assignee', d: 'description', e: 'estimate', f: 'file' }, args: [0, 1] },
  'dep add': { flags: { type: 'string', 'blocked-by': 'string', 'depends-on': 'string' }, short: { t: 'type' }, args: [1, 2] },
  list: { flags: { status: 'string', priority: 'string', assignee: 'string', type: 'string', label: 'slice',
    'label-any': 'slice', title: 'string', id: 'string', limit: 'int', all: 'bool', format: 'string' },
    short: { s: 'status', p: 'priority', a: 'assignee', t: 'type', l: 'label', n: 'limit' }, args: [0, 0] },
  sync: { flags: { message: 'string', 'dry-run': 'bool', 'no-push': 'bool', 'no-pull': 'bool', 'flush-only': 'bool',
    'import-only': 'bool' }, short: { m: 'message' }, args: [0, 0] },
  'dolt push': { flags: {}, short: {}, args: [0, 0] },
  'dolt pull': { flags: {}, short: {}, args: [0, 0] },
};

let exitCode = 0;
let refusal;
function finish(code, out, err) {
  exitCode = code;
  if (out) process.stdout.write(out.endsWith('\n') ? out : out + '\n');
  if (err) process.stderr.write(err.endsWith('\n') ? err : err + '\n');
  fs.appendFileSync(config.logPath, JSON.stringify({ argv, cwd: process.cwd(), actor: process.env.BD_ACTOR || null,
    exitCode, ...(refusal ? { error: refusal } : {}) }) + '\n');
  process.exit(exitCode);
}
function refuse(message) {
  refusal = message;
  finish(1, '', 'Error: ' + message);
}

// Flags are parsed as bd's flag library (pflag) parses them: --name=value, --name value, -n value,
// -nvalue; persistent (global) flags anywhere; "--" ends the flags.
function parse() {
  const words = [];
  let i = 0;
  while (i < argv.length && argv[i].startsWith('-') && argv[i] !== '--') i += globalFlag(i);
  if (i >= argv.length) refuse('a command is required');
  let name = argv[i++];
  if ((name === 'dep' || name === 'dolt') && i < argv.length) name += ' ' + argv[i++];
  const spec = COMMANDS[name];
  if (!spec) refuse('unknown command "' + name + '" for "bd"');
  const flags = {};
  const positional = [];
  let rest = false;
  for (; i < argv.length; i++) {
    const token = argv[i];
    if (rest || token === '-' || !token.startsWith('-')) { positional.push(token); continue; }
    if (token === '--') { rest = true; continue; }
    let key, value, inline = false;
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      key = eq < 0 ? token.slice(2) : token.slice(2, eq);
      if (eq >= 0) { value = token.slice(eq + 1); inline = true; }
    } else {
      const letter = token[1];
      key = spec.short[letter] || GLOBAL_SHORT[letter];
      if (!key) refuse('unknown shorthand flag: ' + JSON.stringify(letter) + ' in ' + token);
      if (token.length > 2) { value = token.slice(2).replace(/^=/, ''); inline = true; }
    }
    const kind = spec.flags[key] || GLOBAL[key];
    if (!kind) refuse('unknown flag: --' + key);
    if (kind === 'bool') {
      if (inline && !['true', 'false', '1', '0'].includes(value)) refuse('invalid argument ' + JSON.stringify(value) + ' for --' + key);
      flags[key] = inline ? value === 'true' || value === '1' : true;
      continue;
    }
    if (!inline) {
      if (i + 1 >= argv.length) refuse('flag needs an argument: --' + key);
      value = argv[++i];
    }
    if (kind === 'int' && !/^-?\d+$/.test(value)) refuse('invalid argument ' + JSON.stringify(value) + ' for --' + key);
    if (kind === 'slice') flags[key] = (flags[key] || []).concat(value === '' ? [] : value.split(','));
    else flags[key] = value;
  }
  if (positional.length < spec.args[0] || positional.length > spec.args[1]) {
    refuse('"bd ' + name + '" accepts between ' + spec.args[0] + ' and ' + spec.args[1] + ' arg(s), received ' + positional.length);
  }
  return { name, flags, positional };

  function globalFlag(at) {
    const token = argv[at];
    const key = token.startsWith('--') ? token.slice(2).split('=')[0] : GLOBAL_SHORT[token[1]];
    const kind = GLOBAL[key];
    if (!kind) refuse('unknown flag: ' + token);
    return kind === 'bool' || token.includes('=') ? 1 : 2;
  }
}

const { name, flags, positional } = parse();
const state = JSON.parse(fs.readFileSync(config.statePath, 'utf8'));
const now = new Date().toISOString();
const statuses = BUILTIN_STATUSES.concat(config.customStatuses);
const types = TYPES.concat(config.customTypes);
function save() { fs.writeFileSync(config.statePath, JSON.stringify(state)); }
function json(value) { return JSON.stringify(value, null, 2); }
function checkPriority(text) {
  if (!/^[Pp]?[0-4]$/.test(text)) refuse('invalid priority ' + JSON.stringify(text) + ' (expected 0-4 or P0-P4)');
  return Number(text.replace(/^[Pp]/, ''));
}
function checkStatus(text) {
  if (!statuses.includes(text)) refuse('invalid status ' + JSON.stringify(text));
  return text;
}
function checkType(text) {
  if (!types.includes(text)) refuse('invalid issue type ' + JSON.stringify(text) + '. Valid types: ' + types.join(', '));
  return text;
}
const failure = config.fail[name];
if (failure) finish(failure.exitCode ?? 1, '', failure.stderr ?? 'Error: ' + name + ' failed');

switch (name) {
  case 'version':
    finish(0, flags.json ? json({ version: config.version, build: 'fake' }) : 'bd version ' + config.version + ' (fake)');
    break;
  case 'show': {
    const found = positional.map((id) => state.issues[id]).filter(Boolean);
    if (found.length === 0) finish(1, '', 'Error: no issue found matching ' + JSON.stringify(positional[0]));
    finish(0, flags.json ? json(found) : found.map((issue) => issue.id + ': ' + issue.title).join('\n'));
    break;
  }
  case 'update': {
    if (flags.status !== undefined) checkStatus(flags.status);
    if (flags.priority !== undefined) checkPriority(flags.priority);
    if (flags.type !== undefined) checkType(flags.type);
    if (flags.notes !== undefined && flags['append-notes'] !== undefined) refuse('cannot specify both --notes and --append-notes');
    const updated = [];
    const errors = [];
    for (const id of positional) {
      const issue = state.issues[id];
      if (!issue) { errors.push('Issue ' + id + ' not found'); continue; }
      if (flags.status !== undefined) {
        if (flags.status === 'in_progress' && !issue.started_at) issue.started_at = now;
        if (flags.status === 'closed') issue.closed_at = now; else delete issue.closed_at;
        issue.status = flags.status;
      }
      if (flags.priority !== undefined) issue.priority = checkPriority(flags.priority);
      if (flags.title !== undefined) issue.title = flags.title;
      if (flags.notes !== undefined) issue.notes = flags.notes;
      if (flags['append-notes'] !== undefined) issue.notes = (issue.notes ? issue.notes + '\n' : '') + flags['append-notes'];
      const labels = new Set(issue.labels || []);
      for (const label of flags['add-label'] || []) labels.add(label);
      for (const label of flags['remove-label'] || []) labels.delete(label);
      if (labels.size > 0) issue.labels = [...labels].sort(); else delete issue.labels;
      issue.updated_at = now;
      updated.push(issue);
    }
    save();
    // bd reports a missing issue on stderr and still exits 0.
    finish(0, flags.json ? (updated.length > 0 ? json(updated) : '') : updated.map((i) => 'Updated issue: ' + i.id).join('\n'), errors.join('\n'));
    break;
  }
  case 'close': {
    const closed = [];
    const errors = [];
    for (const id of positional) {
      const issue = state.issues[id];
      if (!issue) { errors.push('Error closing ' + id + ': not found'); continue; }
      issue.status = 'closed';
      issue.closed_at = now;
      issue.updated_at = now;
      if (flags.reason) issue.close_reason = flags.reason;
      closed.push(issue);
    }
    save();
    finish(0, flags.json ? (closed.length > 0 ? json(closed) : '') : closed.map((i) => 'Closed ' + i.id).join('\n'), errors.join('\n'));
    break;
  }
  case 'reopen': {
    for (const id of positional) if (state.issues[id]) { state.issues[id].status = 'open'; delete state.issues[id].closed_at; }
    save();
    finish(0, 'ok');
    break;
  }
  case 'create': {
    const title = flags.title !== undefined ? flags.title : positional[0];
    if (positional.length > 0 && flags.title !== undefined && positional[0] !== flags.title) refuse('cannot specify different titles');
    if (!title) refuse('title required (or use --file to create from markdown)');
    const issue = { id: '', title };
    if (flags.description) issue.description = flags.description;
    if (flags.notes) issue.notes = flags.notes;
    issue.status = 'open';
    issue.priority = flags.priority !== undefined ? checkPriority(flags.priority) : 2;
    issue.issue_type = checkType(flags.type !== undefined ? flags.type : 'task');
    issue.created_at = now;
    issue.created_by = process.env.BD_ACTOR || 'fake';
    issue.updated_at = now;
    if (flags['external-ref']) issue.external_ref = flags['external-ref'];
    const labels = (flags.labels || []).concat(flags.label || []);
    if (labels.length > 0) issue.labels = [...new Set(labels)].sort();
    for (const dep of flags.deps || []) {
      const colon = dep.indexOf(':');
      const type = colon < 0 ? 'blocks' : dep.slice(0, colon);
      if (!DEP_TYPES.includes(type)) refuse('invalid dependency type ' + JSON.stringify(type));
    }
    do { state.next += 1; issue.id = config.prefix + '-f' + state.next.toString(36).padStart(3, '0'); } while (state.issues[issue.id]);
    if (flags['dry-run']) finish(0, json(issue));
    state.issues[issue.id] = issue;
    save();
    finish(0, flags.json ? json(issue) : 'Created issue: ' + issue.id);
    break;
  }
  case 'dep add': {
    const issueId = positional[0];
    const target = positional[1] || flags['blocked-by'] || flags['depends-on'];
    if (!target) refuse('a dependency target is required');
    const type = flags.type !== undefined ? flags.type : 'blocks';
    if (!DEP_TYPES.includes(type)) refuse('invalid dependency type ' + JSON.stringify(type));
    if (!state.issues[issueId]) finish(1, '', 'Error: issue ' + issueId + ' not found');
    if (!state.issues[target]) finish(1, '', 'Error: issue ' + target + ' not found');
    const issue = state.issues[issueId];
    issue.dependencies = (issue.dependencies || []).filter((d) => d.depends_on_id !== target);
    issue.dependencies.push({ issue_id: issueId, depends_on_id: target, type, created_at: now, created_by: process.env.BD_ACTOR || 'fake' });
    save();
    finish(0, flags.json ? json({ status: 'added', issue_id: issueId, depends_on_id: target, type }) : 'Added dependency');
    break;
  }
  case 'list': {
    let found = Object.values(state.issues);
    if (!flags.all && flags.status === undefined) found = found.filter((i) => i.status !== 'closed');
    if (flags.status !== undefined) found = found.filter((i) => i.status === flags.status);
    if (flags.type !== undefined) found = found.filter((i) => i.issue_type === flags.type);
    if (flags.title !== undefined) found = found.filter((i) => String(i.title).toLowerCase().includes(flags.title.toLowerCase()));
    if (flags.limit !== undefined && Number(flags.limit) > 0) found = found.slice(0, Number(flags.limit));
    finish(0, flags.json ? json(found) : found.map((i) => i.id).join('\n'));
    break;
  }
  default:
    finish(0, 'ok');
}
`;
