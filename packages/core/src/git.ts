import { ConfigurationError } from './errors.js';
import { runCommand, type CommandResult } from './exec.js';
import { refNameProblem } from './refname.js';

/** The name and e-mail address that commits and annotated tags are attributed to. */
export interface GitIdentity {
  name: string;
  email: string;
}

/** The identity used when none is given: the GitHub Actions bot, the author GitHub users expect from CI. */
export const DEFAULT_GIT_IDENTITY: GitIdentity = Object.freeze({
  name: 'github-actions[bot]',
  email: '41898282+github-actions[bot]@users.noreply.github.com',
});

/** Options for {@link createGitClient}. */
export interface GitClientOptions {
  /** The working tree (or bare repository) every command runs in. */
  cwd: string;
  /** Extra environment for every git command (e.g. `HOME`); merged over `process.env`. */
  env?: Record<string, string>;
  /** Author and committer of commits and tags; defaults to {@link DEFAULT_GIT_IDENTITY}. */
  identity?: GitIdentity;
}

/** A git command that failed: the command line (credentials redacted), its exit code and its stderr. */
export class GitError extends Error {
  /** The arguments given to git (credentials in URLs redacted). */
  readonly args: readonly string[];
  /** `git …` as one line, for logs. */
  readonly command: string;
  /** The exit code git returned. */
  readonly exitCode: number;
  /** What git wrote to stderr (credentials in URLs redacted). */
  readonly stderr: string;

  /**
   * @param args the arguments given to git
   * @param exitCode the exit code git returned
   * @param stderr what git wrote to stderr
   */
  constructor(args: readonly string[], exitCode: number, stderr: string) {
    const safeArgs = args.map(redactUrlCredentials);
    const command = ['git', ...safeArgs].join(' ');
    const safeStderr = redactUrlCredentials(stderr).trim();
    super(`${command} failed with exit code ${exitCode}${safeStderr ? `: ${safeStderr}` : ''}`);
    this.name = 'GitError';
    this.args = safeArgs;
    this.command = command;
    this.exitCode = exitCode;
    this.stderr = safeStderr;
  }
}

/** True when `error` is a {@link GitError} (also across bundle copies of this class). */
export function isGitError(error: unknown): error is GitError {
  return error instanceof GitError || (error instanceof Error && error.name === 'GitError');
}

/** A ref advertised by a remote; `peeledSha` is the commit an annotated tag points at. */
export interface RemoteRef {
  /** Full ref name, e.g. `refs/tags/v1.2.3` or `refs/heads/main`. */
  name: string;
  /** The object the ref points at (the tag object for an annotated tag). */
  sha: string;
  /** For an annotated tag: the commit it points at (the `^{}` line). */
  peeledSha?: string;
}

/** Which refs {@link GitClient.lsRemote} lists. */
export type LsRemoteScope = 'tags' | 'heads' | 'tags-and-heads' | 'all';

/** Options for {@link GitClient.lsRemote}. */
export interface LsRemoteOptions {
  /** Remote name or URL (default `origin`). */
  remote?: string;
  /** Which refs to list (default `tags-and-heads`). */
  scope?: LsRemoteScope;
  /** Only refs whose name ends with one of these (git's ls-remote patterns, e.g. `refs/dolt/data`). */
  patterns?: readonly string[];
}

/** Options for {@link GitClient.fetch}. */
export interface FetchOptions {
  /** Remote name or URL (default `origin`). */
  remote?: string;
  /** What to fetch, e.g. `+refs/heads/main:refs/remotes/origin/main`; default: the remote's configured refspecs. */
  refspecs?: readonly string[];
  /** Shallow fetch of this many commits (`--depth`). */
  depth?: number;
  /** Deepen a shallow clone by this many commits (`--deepen`). */
  deepen?: number;
  /** Fetch the whole history of a shallow clone (`--unshallow`). */
  unshallow?: boolean;
  /** Partial clone filter, e.g. `blob:none` or `tree:0`. */
  filter?: string;
  /** Fetch all tags too (default false: `--no-tags`, so only what the refspecs name arrives). */
  tags?: boolean;
}

/** Options for {@link GitClient.tag}. */
export interface TagOptions {
  /** What the tag points at (default `HEAD`). */
  target?: string;
  /** Makes an annotated tag with this message; without it the tag is lightweight. */
  message?: string;
  /** Replace an existing local tag of that name. */
  force?: boolean;
}

/** Options for {@link GitClient.push}. */
export interface PushOptions {
  /** Remote name or URL (default `origin`). */
  remote?: string;
  /** What to push, e.g. `HEAD:refs/heads/main`, `refs/tags/v1.2.3:refs/tags/v1.2.3`. */
  refspecs: readonly string[];
  /** All refs update or none does (`--atomic`). */
  atomic?: boolean;
  /** Overwrite remote refs (`--force`); never the default, and needed for a `+` refspec. */
  force?: boolean;
}

/** Why the remote refused a push because its refs moved: fetch, recompute and try again. */
export type PushRejection = 'fetch-first' | 'non-fast-forward' | 'already-exists' | 'stale-info' | 'lost-race';

/** What happened to one ref of a push (`git push --porcelain`). */
export interface PushedRef {
  /** Local side of the refspec. */
  source: string;
  /** Remote ref that was (or was not) updated. */
  destination: string;
  /** The outcome for this ref. */
  status: 'new' | 'fast-forward' | 'forced' | 'deleted' | 'up-to-date' | 'rejected';
  /** Git's reason for a rejection, e.g. `fetch first`, `already exists`, `atomic push failed`. */
  reason?: string;
}

/** The result of {@link GitClient.push}: failures other than a rejection throw a {@link GitError}. */
export type PushResult =
  { ok: true; refs: PushedRef[] } | { ok: false; rejection: PushRejection; message: string; refs: PushedRef[] };

/** The result of a cherry-pick or revert; on a conflict the operation is aborted unless asked not to. */
export type ApplyResult =
  { status: 'applied'; sha: string } | { status: 'conflict'; files: string[] } | { status: 'empty' };

/** Options for {@link GitClient.cherryPick} and {@link GitClient.revert}. */
export interface ApplyOptions {
  /** The parent to diff against when the commit is a merge (`-m`; 1 = the branch merged into). */
  mainline?: number;
  /** Abort the operation on a conflict or an empty result (default true), leaving the tree as it was. */
  abortOnConflict?: boolean;
}

/** The result of {@link GitClient.mergeTree}: a merge computed without touching the working tree. */
export interface MergeTreeResult {
  /** True when the merge has no conflicts. */
  clean: boolean;
  /** The merged tree (with conflict markers in conflicted files). */
  tree: string;
  /** Paths with conflicts, each once. */
  conflicts: string[];
}

/** One commit as listed by {@link GitClient.listCommits}. */
export interface CommitInfo {
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  /** Author date, ISO 8601. */
  authorDate: string;
  /** First line of the message. */
  subject: string;
  /** The whole message, trailing whitespace removed. */
  message: string;
}

/** Options for {@link GitClient.listCommits}. */
export interface ListCommitsOptions {
  /** Exclude commits reachable from this revision (`from..to`). */
  from?: string;
  /** List commits reachable from this revision (default `HEAD`). */
  to?: string;
  maxCount?: number;
  firstParent?: boolean;
  noMerges?: boolean;
  /** Only commits touching these paths. */
  paths?: readonly string[];
}

/** Options for {@link GitClient.switchBranch}. */
export interface SwitchOptions {
  /** Create the branch (`-c`); with `reset`, create or reset it (`-C`). */
  create?: boolean;
  /** Create or reset the branch even when it exists (`-C`). */
  reset?: boolean;
  /** Where a created branch starts (default `HEAD`). */
  startPoint?: string;
}

/** Options for {@link GitClient.raw}. */
export interface RawOptions {
  /** Text written to git's standard input. */
  input?: string;
  /** Exit codes that are not failures (default `[0]`). */
  okExitCodes?: readonly number[];
}

/**
 * The git operations the actions use. Every ref name is checked with git's check-ref-format rules
 * (and a few stricter ones, see refname.ts) before git runs, and options end before any name, so no
 * value can become an option. Failures throw a {@link GitError}.
 */
export interface GitClient {
  /** The directory the client runs in. */
  readonly cwd: string;
  /** Refs of a remote without fetching (`git ls-remote`), annotated tags peeled. */
  lsRemote(options?: LsRemoteOptions): Promise<RemoteRef[]>;
  /** `git fetch`, by default without tags. */
  fetch(options?: FetchOptions): Promise<void>;
  /** Creates a lightweight tag, or an annotated one when a message is given. */
  tag(name: string, options?: TagOptions): Promise<void>;
  /** `git push --porcelain`; a rejection because the remote moved is returned, anything else throws. */
  push(options: PushOptions): Promise<PushResult>;
  /** The object name a revision resolves to (`rev^{commit}` peels a tag); throws when it does not exist. */
  revParse(revision: string): Promise<string>;
  /** True when `ancestor` is reachable from `descendant`. */
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  /** The best common ancestor of two revisions, or undefined when they share no history. */
  mergeBase(a: string, b: string): Promise<string | undefined>;
  /** `git cherry-pick -x` (records the original commit in the message). */
  cherryPick(commit: string, options?: ApplyOptions): Promise<ApplyResult>;
  /** `git revert` (use `mainline: 1` for a merge commit). */
  revert(commit: string, options?: ApplyOptions): Promise<ApplyResult>;
  /** Merges two revisions in memory (`git merge-tree --write-tree`, git ≥ 2.38) and reports conflicts. */
  mergeTree(ours: string, theirs: string): Promise<MergeTreeResult>;
  /** The stable patch id of a commit's change, or undefined when it changes nothing (or is a merge). */
  patchId(commit: string): Promise<string | undefined>;
  /** Patch ids of the non-merge commits in `from..to`, by commit sha. */
  patchIds(from: string, to: string): Promise<Map<string, string>>;
  /** Commits of a range, newest first. */
  listCommits(options?: ListCommitsOptions): Promise<CommitInfo[]>;
  /** Stages paths (`git add`). */
  add(paths: readonly string[]): Promise<void>;
  /** Commits what is staged (or every tracked change with `all`) and returns the new commit's sha. */
  commit(message: string, options?: { all?: boolean; allowEmpty?: boolean }): Promise<string>;
  /** `git switch`, optionally creating the branch. */
  switchBranch(branch: string, options?: SwitchOptions): Promise<void>;
  /** Checks out a revision with a detached HEAD. */
  detach(revision: string): Promise<void>;
  /** The checked-out branch's short name, or undefined when HEAD is detached. */
  currentBranch(): Promise<string | undefined>;
  /** True when the working tree or the index has changes (untracked files included). */
  hasChanges(): Promise<boolean>;
  /** True in a shallow clone. */
  isShallow(): Promise<boolean>;
  /** Reads a config value, or undefined when it is not set. */
  getConfig(key: string): Promise<string | undefined>;
  /** Sets a value in the repository's own config (`--local`). */
  setConfig(key: string, value: string): Promise<void>;
  /** Runs any other git command with the client's environment; throws unless the exit code is allowed. */
  raw(args: readonly string[], options?: RawOptions): Promise<CommandResult>;
}

/** Creates a {@link GitClient} for the repository at `options.cwd`. */
export function createGitClient(options: GitClientOptions): GitClient {
  const identity = options.identity ?? DEFAULT_GIT_IDENTITY;
  const env: Record<string, string> = {
    // Never wait for a password prompt or an editor on a runner; parse git's English messages.
    GIT_TERMINAL_PROMPT: '0',
    GIT_EDITOR: ':',
    LC_ALL: 'C',
    // Through the environment, commits work on a bare runner with no user.name/user.email configured.
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
    ...options.env,
  };
  const cwd = options.cwd;
  let gitVersion: Promise<number[]> | undefined;

  async function git(args: readonly string[], raw: RawOptions = {}): Promise<CommandResult> {
    const result = await runCommand('git', args, { cwd, env, input: raw.input });
    if (!(raw.okExitCodes ?? [0]).includes(result.exitCode)) throw new GitError(args, result.exitCode, result.stderr);
    return result;
  }

  async function unmergedFiles(): Promise<string[]> {
    const { stdout } = await git(['diff', '--name-only', '--diff-filter=U', '-z']);
    return stdout.split('\0').filter(Boolean);
  }

  async function apply(kind: 'cherry-pick' | 'revert', commit: string, opts: ApplyOptions): Promise<ApplyResult> {
    checkRevision(commit, 'commit');
    const args = [kind, kind === 'cherry-pick' ? '-x' : '--no-edit'];
    if (opts.mainline !== undefined) args.push('--mainline', String(positiveInteger(opts.mainline, 'mainline')));
    args.push('--end-of-options', commit);
    const result = await git(args, { okExitCodes: [0, 1] });
    if (result.exitCode === 0) return { status: 'applied', sha: await revParse('HEAD') };
    const inProgress = await git(
      ['rev-parse', '-q', '--verify', kind === 'cherry-pick' ? 'CHERRY_PICK_HEAD' : 'REVERT_HEAD'],
      {
        okExitCodes: [0, 1],
      },
    );
    // Without a sequencer state the command failed before applying anything (unknown commit, dirty tree…).
    if (inProgress.exitCode !== 0) throw new GitError(args, result.exitCode, result.stderr);
    const files = await unmergedFiles();
    if (opts.abortOnConflict ?? true) await git([kind, '--abort']);
    return files.length > 0 ? { status: 'conflict', files } : { status: 'empty' };
  }

  async function revParse(revision: string): Promise<string> {
    checkRevision(revision, 'revision');
    const { stdout } = await git(['rev-parse', '--verify', '-q', '--end-of-options', revision]);
    return stdout.trim();
  }

  async function requireGit(minimum: readonly number[], what: string): Promise<void> {
    gitVersion ??= git(['version']).then(({ stdout }) => (/(\d+)\.(\d+)/.exec(stdout) ?? []).slice(1).map(Number));
    const version = await gitVersion;
    const [major = 0, minor = 0] = version;
    const [needMajor = 0, needMinor = 0] = minimum;
    if (major < needMajor || (major === needMajor && minor < needMinor)) {
      throw new Error(
        `${what} needs git ${minimum.join('.')} or newer, but this machine has git ${version.join('.')}.`,
      );
    }
  }

  return {
    cwd,

    async lsRemote(opts = {}) {
      const scope = opts.scope ?? 'tags-and-heads';
      const flags = { tags: ['--tags'], heads: ['--heads'], 'tags-and-heads': ['--tags', '--heads'], all: [] }[scope];
      const { stdout } = await git(['ls-remote', ...flags, '--', opts.remote ?? 'origin', ...(opts.patterns ?? [])]);
      return parseLsRemote(stdout);
    },

    async fetch(opts = {}) {
      const args = ['fetch', opts.tags ? '--tags' : '--no-tags'];
      if (opts.depth !== undefined) args.push(`--depth=${positiveInteger(opts.depth, 'depth')}`);
      if (opts.deepen !== undefined) args.push(`--deepen=${positiveInteger(opts.deepen, 'deepen')}`);
      if (opts.unshallow) args.push('--unshallow');
      if (opts.filter !== undefined) {
        if (!/^(blob:none|blob:limit=\d+[kmg]?|tree:\d+)$/.test(opts.filter)) {
          throw new ConfigurationError(
            `Unsupported fetch filter ${JSON.stringify(opts.filter)}: use blob:none, blob:limit=<n> or tree:<depth>.`,
          );
        }
        args.push(`--filter=${opts.filter}`);
      }
      const refspecs = (opts.refspecs ?? []).map((spec) => checkRefspec(spec, 'fetch', true));
      await git([...args, '--', opts.remote ?? 'origin', ...refspecs]);
    },

    async tag(name, opts = {}) {
      checkRef(name, 'tag name');
      const target = checkRevision(opts.target ?? 'HEAD', 'tag target');
      const args = ['tag'];
      if (opts.force) args.push('--force');
      if (opts.message !== undefined) args.push('--annotate', '--cleanup=whitespace', '--message', opts.message);
      await git([...args, '--', name, target]);
    },

    async push(opts) {
      const refspecs = opts.refspecs.map((spec) => checkRefspec(spec, 'push', opts.force ?? false));
      if (refspecs.length === 0)
        throw new Error('push needs at least one refspec: pushing "matching" refs is never what we want.');
      const args = ['push', '--porcelain'];
      if (opts.atomic) args.push('--atomic');
      if (opts.force) args.push('--force');
      args.push('--', opts.remote ?? 'origin', ...refspecs);
      const result = await git(args, { okExitCodes: [0, 1] });
      const refs = parsePushPorcelain(result.stdout);
      if (result.exitCode === 0) return { ok: true, refs };
      const rejected = refs.filter((ref) => ref.status === 'rejected' && ref.reason !== 'atomic push failed');
      const rejection =
        rejected.length > 0 ? rejected.map((ref) => pushRejection(ref.reason, result.stderr)) : [undefined];
      const first = rejection[0];
      // Anything but "the remote moved" (auth, network, a protected branch, a hook) is a real failure.
      if (first === undefined || rejection.some((reason) => reason === undefined)) {
        throw new GitError(args, result.exitCode, result.stderr || result.stdout);
      }
      const message = rejected.map((ref) => `${ref.destination} was rejected (${ref.reason})`).join('; ');
      return { ok: false, rejection: first, message, refs };
    },

    revParse,

    async isAncestor(ancestor, descendant) {
      checkRevision(ancestor, 'revision');
      checkRevision(descendant, 'revision');
      const args = ['merge-base', '--is-ancestor', '--end-of-options', ancestor, descendant];
      return (await git(args, { okExitCodes: [0, 1] })).exitCode === 0;
    },

    async mergeBase(a, b) {
      checkRevision(a, 'revision');
      checkRevision(b, 'revision');
      const result = await git(['merge-base', '--end-of-options', a, b], { okExitCodes: [0, 1] });
      return result.exitCode === 0 ? result.stdout.trim() : undefined;
    },

    cherryPick: (commit, opts = {}) => apply('cherry-pick', commit, opts),

    revert: (commit, opts = {}) => apply('revert', commit, opts),

    async mergeTree(ours, theirs) {
      checkRevision(ours, 'revision');
      checkRevision(theirs, 'revision');
      await requireGit([2, 38], 'git merge-tree --write-tree');
      const args = ['merge-tree', '--write-tree', '--name-only', '--no-messages', '-z', ours, theirs];
      const result = await git(args, { okExitCodes: [0, 1] });
      const [tree = '', ...files] = result.stdout.split('\0');
      return { clean: result.exitCode === 0, tree, conflicts: files.filter(Boolean) };
    },

    async patchId(commit) {
      checkRevision(commit, 'commit');
      const diff = await git(['diff-tree', '-p', '--root', '--no-color', '--no-ext-diff', '--end-of-options', commit]);
      const { stdout } = await git(['patch-id', '--stable'], { input: diff.stdout });
      return stdout.split(' ')[0] || undefined;
    },

    async patchIds(from, to) {
      checkRevision(from, 'revision');
      checkRevision(to, 'revision');
      const log = await git([
        'log',
        '-p',
        '--no-merges',
        '--no-color',
        '--no-ext-diff',
        '--format=commit %H',
        '--end-of-options',
        `${from}..${to}`,
      ]);
      const { stdout } = await git(['patch-id', '--stable'], { input: log.stdout });
      const ids = new Map<string, string>();
      for (const line of stdout.split('\n')) {
        const [patch, sha] = line.split(' ');
        if (patch && sha) ids.set(sha, patch);
      }
      return ids;
    },

    async listCommits(opts = {}) {
      const to = checkRevision(opts.to ?? 'HEAD', 'revision');
      const range = opts.from === undefined ? to : `${checkRevision(opts.from, 'revision')}..${to}`;
      const args = ['log', '--format=%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%s%x1f%B%x1e'];
      if (opts.maxCount !== undefined) args.push(`--max-count=${positiveInteger(opts.maxCount, 'maxCount')}`);
      if (opts.firstParent) args.push('--first-parent');
      if (opts.noMerges) args.push('--no-merges');
      args.push('--end-of-options', range, '--', ...(opts.paths ?? []));
      const { stdout } = await git(args);
      return parseCommitLog(stdout);
    },

    async add(paths) {
      if (paths.length > 0) await git(['add', '--', ...paths]);
    },

    async commit(message, opts = {}) {
      const args = ['commit', '--cleanup=whitespace', '--file=-'];
      if (opts.all) args.push('--all');
      if (opts.allowEmpty) args.push('--allow-empty');
      await git(args, { input: message });
      return revParse('HEAD');
    },

    async switchBranch(branch, opts = {}) {
      checkRef(branch, 'branch');
      const args = ['switch'];
      if (opts.create || opts.reset) args.push(opts.reset ? '-C' : '-c');
      args.push(branch);
      if (opts.startPoint !== undefined) args.push(checkRevision(opts.startPoint, 'start point'));
      await git(args);
    },

    async detach(revision) {
      await git(['switch', '--detach', checkRevision(revision, 'revision')]);
    },

    async currentBranch() {
      const result = await git(['symbolic-ref', '-q', '--short', 'HEAD'], { okExitCodes: [0, 1] });
      return result.exitCode === 0 ? result.stdout.trim() : undefined;
    },

    async hasChanges() {
      const { stdout } = await git(['status', '--porcelain', '--untracked-files=all']);
      return stdout.trim().length > 0;
    },

    async isShallow() {
      const { stdout } = await git(['rev-parse', '--is-shallow-repository']);
      return stdout.trim() === 'true';
    },

    async getConfig(key) {
      const result = await git(['config', '--get', '--', checkConfigKey(key)], { okExitCodes: [0, 1] });
      return result.exitCode === 0 ? result.stdout.replace(/\n$/, '') : undefined;
    },

    async setConfig(key, value) {
      await git(['config', '--local', '--', checkConfigKey(key), value]);
    },

    raw: (args, opts) => git(args, opts),
  };
}

/** Parses `git ls-remote` output, folding each `^{}` line into its tag as `peeledSha`. */
export function parseLsRemote(text: string): RemoteRef[] {
  const refs = new Map<string, RemoteRef>();
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{40,64})\t(\S+)$/.exec(line.trim());
    if (!match) continue;
    const [, sha = '', name = ''] = match;
    if (name.endsWith('^{}')) {
      const tag = refs.get(name.slice(0, -3));
      if (tag) tag.peeledSha = sha;
    } else {
      refs.set(name, { name, sha });
    }
  }
  return [...refs.values()];
}

/** Parses the per-ref lines of `git push --porcelain`. */
export function parsePushPorcelain(text: string): PushedRef[] {
  const statuses: Record<string, PushedRef['status']> = {
    ' ': 'fast-forward',
    '+': 'forced',
    '-': 'deleted',
    '*': 'new',
    '=': 'up-to-date',
    '!': 'rejected',
  };
  const refs: PushedRef[] = [];
  for (const line of text.split('\n')) {
    const match = /^([ +\-*=!])\t([^\t]*):([^\t]*)\t(.*)$/.exec(line);
    if (!match) continue;
    const [, flag = '', source = '', destination = '', summary = ''] = match;
    const reason = /\((.*)\)\s*$/.exec(summary)?.[1];
    refs.push({ source, destination, status: statuses[flag] ?? 'rejected', ...(reason ? { reason } : {}) });
  }
  return refs;
}

const LOST_RACE = /cannot lock ref|failed to update ref|incorrect old value|but expected [0-9a-f]{7,}/i;
const LOST_RACE_OR_EXISTS = /cannot lock ref|reference already exists|incorrect old value|but expected [0-9a-f]{7,}/i;

function pushRejection(reason: string | undefined, stderr = ''): PushRejection | undefined {
  // With --atomic, a ref that another push took first while both were inside the server is reported
  // as "atomic transaction failed"; the lock message that says so is only on stderr.
  if (reason !== undefined && /atomic transaction failed/i.test(reason) && LOST_RACE_OR_EXISTS.test(stderr)) {
    return 'lost-race';
  }
  switch (reason) {
    case 'fetch first':
      return 'fetch-first';
    case 'non-fast-forward':
      return 'non-fast-forward';
    case 'already exists':
      return 'already-exists';
    case 'stale info':
      return 'stale-info';
    default:
      // Two pushes inside the server at once: the loser's ref lock fails ("cannot lock ref … is at X
      // but expected Y"). Like "fetch first", the remote moved: fetch, recompute, try again.
      return reason !== undefined && LOST_RACE.test(reason) ? 'lost-race' : undefined;
  }
}

function parseCommitLog(text: string): CommitInfo[] {
  const commits: CommitInfo[] = [];
  for (const record of text.split('\x1e')) {
    const fields = record.replace(/^\n/, '').split('\x1f');
    if (fields.length < 7) continue;
    const [sha = '', parents = '', authorName = '', authorEmail = '', authorDate = '', subject = '', message = ''] =
      fields;
    commits.push({
      sha,
      parents: parents.split(' ').filter(Boolean),
      authorName,
      authorEmail,
      authorDate,
      subject,
      message: message.trimEnd(),
    });
  }
  return commits;
}

function refused(what: string, value: string, problem: string): ConfigurationError {
  return new ConfigurationError(`Refusing to run git: the ${what} ${JSON.stringify(value)} is not valid: ${problem}.`);
}

function checkRef(name: string, what: string): string {
  const problem = refNameProblem(name);
  if (problem !== undefined) throw refused(what, name, problem);
  return name;
}

// A revision is a ref name or an object name, optionally followed by ~n, ^n or ^{type} (HEAD~1, v1.2^{commit}).
function checkRevision(revision: string, what: string): string {
  const base = revision.replace(/(?:~\d*|\^\d*|\^\{(?:commit|tree|tag)?\})+$/, '');
  const problem = refNameProblem(base);
  if (problem !== undefined) throw refused(what, revision, problem);
  return revision;
}

// A refspec is [+]src[:dst]; each side is a ref name or object name with at most one "*" (a pattern).
function checkRefspec(spec: string, kind: 'fetch' | 'push', allowForce: boolean): string {
  let body = spec;
  if (body.startsWith('+')) {
    if (!allowForce) throw refused(`${kind} refspec`, spec, 'a forced ("+") refspec needs force: true');
    body = body.slice(1);
  }
  const sides = body.split(':');
  if (sides.length > 2) throw refused(`${kind} refspec`, spec, 'it contains more than one ":"');
  const [source = '', destination] = sides;
  for (const [index, side] of sides.entries()) {
    // An empty source deletes the destination on push; every other side must be a ref or object name.
    if (side === '' && index === 0 && kind === 'push' && destination) continue;
    if ((side.match(/\*/g) ?? []).length > 1) throw refused(`${kind} refspec`, spec, 'it contains more than one "*"');
    const problem = refNameProblem(side.replace('*', 'x'));
    if (problem !== undefined) throw refused(`${kind} refspec`, spec, problem);
  }
  if (source === '' && !destination) throw refused(`${kind} refspec`, spec, 'it is empty');
  return spec;
}

function checkConfigKey(key: string): string {
  if (!/^[A-Za-z][A-Za-z0-9-]*(\.[^\s\0]+)?\.[A-Za-z][A-Za-z0-9-]*$/.test(key)) {
    throw refused('config key', key, 'expected section[.subsection].name, for example user.name');
  }
  return key;
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`git option ${what} must be a positive integer, not ${value}.`);
  return value;
}

function redactUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}
