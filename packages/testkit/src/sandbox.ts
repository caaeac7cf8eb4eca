import { seededPrng } from './random.js';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync } from 'node:fs';
import { cp, mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The identity the sandbox's working clone commits with (set in that clone's own config only). */
export const SANDBOX_IDENTITY = { name: 'Sandbox Developer', email: 'developer@sandbox.test' } as const;

/** Options for {@link createGitSandbox}. */
export interface GitSandboxOptions {
  /** Name of the default branch (default `main`). */
  defaultBranch?: string;
  /** Create and push a first commit on the default branch (default true). */
  initialCommit?: boolean;
  /** Parent directory of the sandbox (default: the OS temp dir). */
  parentDir?: string;
}

/** Options for {@link GitSandbox.commit}. */
export interface SandboxCommitOptions {
  /** Branch to commit on; created (from `from`) when it does not exist. Default: the current branch. */
  branch?: string;
  /** Where a new `branch` starts (default: the current HEAD). */
  from?: string;
  /** Author and committer date (default: now). */
  date?: Date | string;
  /** Push the branch to origin afterwards (default false). */
  push?: boolean;
}

/** Options for {@link GitSandbox.tag}. */
export interface SandboxTagOptions {
  /** Annotated tag object instead of a lightweight ref (default: true when a message is given). */
  annotated?: boolean;
  /** Tag message (annotated tags; default `Release <name>`). */
  message?: string;
  /** What to tag (default HEAD of the working clone). */
  ref?: string;
  /** Push the tag to origin afterwards (default false). */
  push?: boolean;
}

/** Options for {@link GitSandbox.clone}. */
export interface SandboxCloneOptions {
  /** Shallow clone of this many commits (through a file:// URL, so git honours it). */
  depth?: number;
  /** Branch (or tag) to check out. */
  branch?: string;
  /** Fetch only that branch. */
  singleBranch?: boolean;
  /** Do not fetch tags. */
  noTags?: boolean;
  /** Make a bare clone. */
  bare?: boolean;
  /** Configure the sandbox identity in the clone (default false: like a runner with no git config). */
  identity?: boolean;
  /** Directory name inside the sandbox (default `clone-<n>`). */
  name?: string;
}

/** Options for {@link GitSandbox.generateHistory}. */
export interface SandboxHistoryOptions {
  /** Total number of commits to add (trunk + release lines). */
  commits: number;
  /** Total number of version tags, spread over the release lines (each line gets at least its `.0`). */
  tags: number;
  /** Number of release lines (`release/v1.0`, `release/v1.1`, …). */
  releaseLines: number;
  /** Seed of the generator: the same options give the same commits, dates and SHAs. */
  seed?: number;
  /** Share of the commits that land on the trunk (default 0.5). */
  trunkShare?: number;
  /** Share of the tags that are annotated (default 0.5; the rest are lightweight). */
  annotatedShare?: number;
  /** Tag prefix (default `v`). */
  tagPrefix?: string;
  /** Release branch name for a line (default `release/v<major>.<minor>`). */
  branchName?: (major: number, minor: number) => string;
  /** Minor versions per major (default 10: lines 1.0 … 1.9, 2.0 …). */
  minorsPerMajor?: number;
  /** Fetch the result into the working clone and check out the trunk (default true). */
  updateClone?: boolean;
}

/** A release line made by {@link GitSandbox.generateHistory}. */
export interface SandboxReleaseLine {
  major: number;
  minor: number;
  branch: string;
  /** Tags of the line, oldest first. */
  tags: string[];
}

/** What {@link GitSandbox.generateHistory} built. */
export interface SandboxHistory {
  commits: number;
  tags: string[];
  lines: SandboxReleaseLine[];
  /** Wall time of the import, in milliseconds. */
  durationMs: number;
}

/** A temporary directory with a bare `origin` and a working clone of it. */
export interface GitSandbox {
  /** The sandbox directory (removed by {@link GitSandbox.cleanup}). */
  readonly root: string;
  /** Path of the bare origin repository. */
  readonly origin: string;
  /** `file://` URL of the origin (what shallow clones need). */
  readonly originUrl: string;
  /** Path of the working clone (identity configured there only). */
  readonly work: string;
  /** The default branch name. */
  readonly defaultBranch: string;
  /**
   * Runs git with an argument array in `cwd` (default: the working clone) and returns stdout
   * without its trailing newline. Throws with git's stderr when it exits non-zero.
   */
  git(args: readonly string[], cwd?: string, input?: string): Promise<string>;
  /** Writes files (null deletes one), commits them and returns the new commit's SHA. */
  commit(files: Record<string, string | null>, message: string, options?: SandboxCommitOptions): Promise<string>;
  /** Creates a branch from `from` (default HEAD) in the working clone, without checking it out. */
  createBranch(name: string, from?: string): Promise<void>;
  /** Checks out a branch (or any commit-ish) in the working clone. */
  checkout(ref: string): Promise<void>;
  /** Creates a tag in the working clone and returns the SHA of the commit it names. */
  tag(name: string, options?: SandboxTagOptions): Promise<string>;
  /** Pushes refspecs to origin; with none, pushes every branch and tag. */
  push(...refspecs: string[]): Promise<void>;
  /** Full SHA of a commit-ish (in the working clone unless `cwd` is given). */
  revParse(ref: string, cwd?: string): Promise<string>;
  /** Clones the origin into a new directory of the sandbox and returns its path. */
  clone(options?: SandboxCloneOptions): Promise<string>;
  /** Adds a large, deterministic history to origin with `git fast-import` (seconds for 20,000 commits). */
  generateHistory(options: SandboxHistoryOptions): Promise<SandboxHistory>;
  /** An independent copy of this sandbox (see {@link copyGitSandbox}). */
  copy(): Promise<GitSandbox>;
  /** Removes the sandbox directory. */
  cleanup(): Promise<void>;
}

/** Environment for every git process: no system or global config, no prompts, stable messages. */
export function sandboxGitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // A GIT_DIR or GIT_INDEX_FILE inherited from a hook would redirect every command.
    if (!key.startsWith('GIT_')) env[key] = value;
  }
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    ...extra,
  };
}

/** Runs git and resolves with stdout, or rejects with an error carrying stderr. */
export function runSandboxGit(
  args: readonly string[],
  cwd: string,
  options: { input?: string | Buffer; env?: Record<string, string> } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...args],
      { cwd, env: sandboxGitEnv(options.env), maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim() || error.message;
          reject(new Error(`git ${args.join(' ')} failed in ${cwd}: ${detail}`));
          return;
        }
        resolve(stdout.replace(/\n$/, ''));
      },
    );
    child.stdin?.on('error', () => undefined);
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

function sandboxRoot(parentDir: string | undefined): string {
  // realpath: macOS and some CI images put the temp dir behind a symlink, and git reports real paths.
  return realpathSync(mkdtempSync(join(parentDir ?? tmpdir(), 'hotfix-sandbox-')));
}

/** Creates a git sandbox: a temp dir with a bare `origin` and a working clone with a local identity. */
export async function createGitSandbox(options: GitSandboxOptions = {}): Promise<GitSandbox> {
  const defaultBranch = options.defaultBranch ?? 'main';
  const root = sandboxRoot(options.parentDir);
  const origin = join(root, 'origin.git');
  const work = join(root, 'work');
  await runSandboxGit(['init', '--quiet', '--bare', `--initial-branch=${defaultBranch}`, origin], root);
  // One clone sets up the identity (in this clone's config only) and the default branch.
  await runSandboxGit(
    [
      '-c',
      `init.defaultBranch=${defaultBranch}`,
      'clone',
      '--quiet',
      '--config',
      `user.name=${SANDBOX_IDENTITY.name}`,
      '--config',
      `user.email=${SANDBOX_IDENTITY.email}`,
      '--config',
      'commit.gpgsign=false',
      '--config',
      'tag.gpgsign=false',
      pathToFileURL(origin).href,
      work,
    ],
    root,
  );
  const sandbox = bindSandbox(root, defaultBranch);
  if (options.initialCommit ?? true) {
    await sandbox.commit({ 'README.md': '# sandbox\n' }, 'Initial commit', {
      date: '2024-01-01T00:00:00Z',
      push: true,
    });
  }
  return sandbox;
}

/**
 * Copies a sandbox (origin, working clone, everything in it) into a new temp dir and points the
 * copy's working clone at the copy's origin. Building a fixture once and copying it per test is
 * much faster than replaying its commits; clones made with `clone()` keep their old remote.
 */
export async function copyGitSandbox(source: GitSandbox, options: { parentDir?: string } = {}): Promise<GitSandbox> {
  const root = sandboxRoot(options.parentDir);
  await cp(source.root, root, { recursive: true, verbatimSymlinks: true });
  const copy = bindSandbox(root, source.defaultBranch);
  await copy.git(['remote', 'set-url', 'origin', copy.originUrl]);
  return copy;
}

/** The sandbox API over an existing sandbox directory. */
function bindSandbox(root: string, defaultBranch: string): GitSandbox {
  const origin = join(root, 'origin.git');
  const work = join(root, 'work');
  const originUrl = pathToFileURL(origin).href;
  let clones = 0;

  const git = (args: readonly string[], cwd: string = work, input?: string) => runSandboxGit(args, cwd, { input });

  const branchExists = async (name: string) => {
    try {
      await git(['rev-parse', '--verify', '--quiet', `refs/heads/${name}`]);
      return true;
    } catch {
      return false;
    }
  };

  const currentBranch = () => git(['symbolic-ref', '--quiet', '--short', 'HEAD']);

  const sandbox: GitSandbox = {
    root,
    origin,
    originUrl,
    work,
    defaultBranch,
    git,

    async commit(files, message, commitOptions = {}) {
      if (commitOptions.branch !== undefined) {
        const exists = await branchExists(commitOptions.branch);
        const current = await currentBranch().catch(() => '');
        if (current !== commitOptions.branch) {
          await git(
            exists
              ? ['checkout', '--quiet', commitOptions.branch]
              : [
                  'checkout',
                  '--quiet',
                  '-b',
                  commitOptions.branch,
                  ...(commitOptions.from ? [commitOptions.from] : []),
                ],
          );
        }
      }
      for (const [path, content] of Object.entries(files)) {
        const file = join(work, path);
        if (content === null) {
          await unlink(file).catch(() => undefined);
        } else {
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, content);
        }
      }
      await git(['add', '--all', '--', ...Object.keys(files)]);
      const date = commitOptions.date === undefined ? undefined : new Date(commitOptions.date).toISOString();
      const env = date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : undefined;
      await runSandboxGit(['commit', '--quiet', '--allow-empty', '--no-verify', '-m', message], work, { env });
      const sha = await git(['rev-parse', 'HEAD']);
      if (commitOptions.push) {
        const branch = await currentBranch();
        await git(['push', '--quiet', 'origin', `refs/heads/${branch}:refs/heads/${branch}`]);
      }
      return sha;
    },

    async createBranch(name, from = 'HEAD') {
      await git(['branch', '--quiet', name, from]);
    },

    async checkout(ref) {
      await git(['checkout', '--quiet', ref]);
    },

    async tag(name, tagOptions = {}) {
      const annotated = tagOptions.annotated ?? tagOptions.message !== undefined;
      const target = tagOptions.ref ?? 'HEAD';
      if (annotated) {
        await git(['tag', '--annotate', '--message', tagOptions.message ?? `Release ${name}`, name, target]);
      } else {
        await git(['tag', name, target]);
      }
      if (tagOptions.push) await git(['push', '--quiet', 'origin', `refs/tags/${name}:refs/tags/${name}`]);
      return git(['rev-parse', `refs/tags/${name}^{commit}`]);
    },

    async push(...refspecs) {
      const specs = refspecs.length > 0 ? refspecs : ['refs/heads/*:refs/heads/*', 'refs/tags/*:refs/tags/*'];
      await git(['push', '--quiet', 'origin', ...specs]);
    },

    revParse(ref, cwd = work) {
      return git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd);
    },

    async clone(cloneOptions = {}) {
      let path = join(root, cloneOptions.name ?? `clone-${clones + 1}`);
      while (cloneOptions.name === undefined && existsSync(path)) {
        clones += 1;
        path = join(root, `clone-${clones + 1}`);
      }
      clones += 1;
      const args = ['clone', '--quiet'];
      if (cloneOptions.bare) args.push('--bare');
      if (cloneOptions.depth !== undefined) args.push('--depth', String(cloneOptions.depth));
      if (cloneOptions.branch !== undefined) args.push('--branch', cloneOptions.branch);
      if (cloneOptions.singleBranch) args.push('--single-branch');
      if (cloneOptions.noTags) args.push('--no-tags');
      // A plain path makes git hard-link objects and ignore --depth; the URL forces the real protocol.
      args.push(originUrl, path);
      await git(args, root);
      if (cloneOptions.identity) {
        await git(['config', 'user.name', SANDBOX_IDENTITY.name], path);
        await git(['config', 'user.email', SANDBOX_IDENTITY.email], path);
      }
      return path;
    },

    async generateHistory(historyOptions) {
      const started = Date.now();
      let trunkTip: string | undefined;
      try {
        trunkTip = await git(['rev-parse', '--verify', '--quiet', `refs/heads/${defaultBranch}`], origin);
      } catch {
        trunkTip = undefined;
      }
      const plan = planHistory(historyOptions, defaultBranch, trunkTip);
      await fastImport(origin, plan.stream, plan.lines.length);
      if (historyOptions.updateClone ?? true) {
        await git([
          'fetch',
          '--quiet',
          '--force',
          'origin',
          '+refs/heads/*:refs/remotes/origin/*',
          '+refs/tags/*:refs/tags/*',
        ]);
        await git(['checkout', '--quiet', '-B', defaultBranch, `refs/remotes/origin/${defaultBranch}`]);
      }
      return { commits: plan.commits, tags: plan.tags, lines: plan.lines, durationMs: Date.now() - started };
    },

    copy() {
      return copyGitSandbox(sandbox);
    },

    async cleanup() {
      await rm(root, { recursive: true, force: true });
    },
  };

  return sandbox;
}

/** Streams a fast-import script into a repository. */
function fastImport(gitDir: string, stream: string, branches: number): Promise<void> {
  return new Promise((resolve, reject) => {
    // Every release line stays active (the default of 5 makes fast-import reload trees constantly),
    // and glibc keeps its heap instead of trimming it after each commit: together 2-3x faster.
    const args = ['fast-import', '--quiet', '--done', `--active-branches=${branches + 8}`];
    const child = spawn('git', args, {
      cwd: gitDir,
      env: sandboxGitEnv({ MALLOC_TOP_PAD_: String(256 * 1024 * 1024), MALLOC_TRIM_THRESHOLD_: String(1024 ** 3) }),
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`git fast-import failed (exit ${code}): ${stderr.trim()}`));
    });
    child.stdin.end(stream);
  });
}

interface HistoryPlan {
  stream: string;
  commits: number;
  tags: string[];
  lines: SandboxReleaseLine[];
}

/**
 * Lays out trunk and release-line commits (interleaved in time, as a real project would have them)
 * and writes them as one fast-import stream. Each release line branches off the trunk at evenly
 * spaced points; its `.0` tag sits on the branch point and its patch tags on its own commits.
 */
function planHistory(options: SandboxHistoryOptions, trunk: string, trunkTip: string | undefined): HistoryPlan {
  const lineCount = Math.max(0, Math.floor(options.releaseLines));
  const total = Math.max(0, Math.floor(options.commits));
  const tagTotal = Math.max(lineCount, Math.floor(options.tags));
  const random = seededPrng(options.seed ?? 1);
  const prefix = options.tagPrefix ?? 'v';
  const minorsPerMajor = options.minorsPerMajor ?? 10;
  const branchName = options.branchName ?? ((major: number, minor: number) => `release/v${major}.${minor}`);
  const annotatedShare = options.annotatedShare ?? 0.5;

  const tagsPerLine = Array.from(
    { length: lineCount },
    (_, i) => Math.floor(tagTotal / Math.max(1, lineCount)) + (i < tagTotal % Math.max(1, lineCount) ? 1 : 0),
  );
  const patchTags = tagsPerLine.reduce((sum, n) => sum + n - 1, 0);
  const lineShare = 1 - (options.trunkShare ?? 0.5);
  const lineCommitTotal = Math.min(total, Math.max(patchTags, Math.round(total * lineShare)));
  const trunkCommits = Math.max(lineCount, total - lineCommitTotal);
  const lineCommits = Array.from({ length: lineCount }, (_, i) => {
    const base = Math.floor(lineCommitTotal / Math.max(1, lineCount));
    return Math.max(tagsPerLine[i]! - 1, base + (i < lineCommitTotal % Math.max(1, lineCount) ? 1 : 0));
  });
  // Trunk commit index after which line i branches off.
  const branchPoints = Array.from({ length: lineCount }, (_, i) =>
    Math.floor(((i + 1) * trunkCommits) / (lineCount + 1)),
  );

  const lines: SandboxReleaseLine[] = Array.from({ length: lineCount }, (_, i) => {
    const major = 1 + Math.floor(i / minorsPerMajor);
    const minor = i % minorsPerMajor;
    return { major, minor, branch: branchName(major, minor), tags: [] };
  });

  const out: string[] = [];
  const allTags: string[] = [];
  let mark = 0;
  let clock = Date.UTC(2020, 0, 1) / 1000;
  const lastMark = new Map<string, number>();
  const emitted = new Map<string, number>();

  const emitCommit = (branch: string, from: string | undefined, subject: string) => {
    mark += 1;
    clock += 60 + Math.floor(random() * 600);
    const file = `src/module-${mark % 97}.txt`;
    const content = `${subject}\nchange ${mark} ${Math.floor(random() * 1e9)}\n`;
    const message = `${subject}\n`;
    out.push(
      `commit refs/heads/${branch}`,
      `mark :${mark}`,
      `author Sandbox Developer <developer@sandbox.test> ${clock} +0000`,
      `committer Sandbox Developer <developer@sandbox.test> ${clock} +0000`,
      `data ${Buffer.byteLength(message)}`,
      message,
    );
    if (from !== undefined) out.push(`from ${from}`);
    out.push(`M 100644 inline ${file}`, `data ${Buffer.byteLength(content)}`, content);
    lastMark.set(branch, mark);
    return mark;
  };

  const emitTag = (name: string, targetMark: number) => {
    allTags.push(name);
    if (random() < annotatedShare) {
      const message = `Release ${name}\n`;
      out.push(
        `tag ${name}`,
        `from :${targetMark}`,
        `tagger Release Bot <release@sandbox.test> ${clock} +0000`,
        `data ${Buffer.byteLength(message)}`,
        message,
      );
    } else {
      out.push(`reset refs/tags/${name}`, `from :${targetMark}`, '');
    }
  };

  let trunkDone = 0;
  let nextLine = 0;
  const open: number[] = [];
  let remaining = trunkCommits + lineCommits.reduce((a, b) => a + b, 0);
  while (remaining > 0) {
    const lineLeft = open.filter((i) => (emitted.get(lines[i]!.branch) ?? 0) < lineCommits[i]!);
    const trunkLeft = trunkCommits - trunkDone;
    // Drawing in proportion to what is left spreads both kinds of commits evenly over time.
    const onTrunk = trunkLeft > 0 && (lineLeft.length === 0 || random() * remaining < trunkLeft);
    if (onTrunk) {
      const from = trunkDone === 0 ? trunkTip : undefined;
      const m = emitCommit(trunk, from, `feat: trunk change ${trunkDone + 1}`);
      trunkDone += 1;
      while (nextLine < lineCount && branchPoints[nextLine]! <= trunkDone) {
        const line = lines[nextLine]!;
        out.push(`reset refs/heads/${line.branch}`, `from :${m}`, '');
        lastMark.set(line.branch, m);
        const tag = `${prefix}${line.major}.${line.minor}.0`;
        line.tags.push(tag);
        emitTag(tag, m);
        open.push(nextLine);
        nextLine += 1;
      }
    } else {
      const index = lineLeft[Math.floor(random() * lineLeft.length)]!;
      const line = lines[index]!;
      const done = (emitted.get(line.branch) ?? 0) + 1;
      emitted.set(line.branch, done);
      const m = emitCommit(line.branch, `:${lastMark.get(line.branch)!}`, `fix: ${line.branch} change ${done}`);
      // Patch tags sit on evenly spaced commits of the line, the last one on its tip.
      const patches = tagsPerLine[index]! - 1;
      const total = lineCommits[index]!;
      const tagged = line.tags.length - 1;
      if (tagged < patches && done >= Math.ceil(((tagged + 1) * total) / patches)) {
        const tag = `${prefix}${line.major}.${line.minor}.${tagged + 1}`;
        line.tags.push(tag);
        emitTag(tag, m);
      }
    }
    remaining -= 1;
  }
  out.push('done', '');
  return { stream: out.join('\n'), commits: mark, tags: allTags, lines };
}
