import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { sandboxGitEnv } from '../sandbox.js';

/** A git person line: who and when. */
export interface GitPerson {
  name: string;
  email: string;
  /** ISO 8601 in UTC, GitHub style (`2024-01-01T00:00:00Z`). */
  date: string;
}

/** What a commit object holds. */
export interface CommitData {
  sha: string;
  tree: string;
  parents: string[];
  author: GitPerson;
  committer: GitPerson;
  message: string;
}

/** What an annotated tag object holds. */
export interface TagData {
  sha: string;
  object: string;
  type: string;
  tag: string;
  tagger: GitPerson;
  message: string;
}

/** A ref and the object it names. */
export interface RefData {
  ref: string;
  sha: string;
  type: string;
  /** The commit an annotated tag finally points at (equals `sha` for refs to commits). */
  commit: string;
}

/** A changed file between two trees. */
export interface FileChange {
  filename: string;
  previousFilename?: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed';
  sha: string | null;
  additions: number;
  deletions: number;
}

/** The outcome of a three-way merge computed without a worktree. */
export type MergeOutcome = { clean: true; tree: string } | { clean: false; conflicts: string[] };

const ZERO = '0000000000000000000000000000000000000000';

/** Closes a child's stdin after writing `input`; a command that exits without reading it is not an error. */
function endInput(stdin: Writable | null, input: string | Buffer | undefined): void {
  if (!stdin) return;
  stdin.on('error', () => undefined);
  if (input === undefined || input.length === 0) stdin.end();
  else stdin.end(input);
}

function isoFromGit(seconds: string): string {
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Parses `Name <email> 1700000000 +0000`. */
function parsePerson(line: string): GitPerson {
  const match = /^(.*) <([^>]*)> (\d+) [+-]\d{4}$/.exec(line);
  if (!match) return { name: line, email: '', date: isoFromGit('0') };
  return { name: match[1]!, email: match[2]!, date: isoFromGit(match[3]!) };
}

/** `Name <email> <unix seconds> +0000` for commit-tree, mktag and fast-import. */
export function gitPersonLine(person: { name: string; email: string; date?: string }): string {
  return `${person.name} <${person.email}> ${unixSeconds(person.date)} +0000`;
}

function unixSeconds(date: string | undefined): number {
  const parsed = date ? Date.parse(date) : Number.NaN;
  return Math.floor((Number.isNaN(parsed) ? Date.now() : parsed) / 1000);
}

/**
 * The bare repository behind the API stand-in, driven with git commands (argument arrays only).
 * Commit and tag objects never change, so they are cached by SHA.
 */
export class BareRepository {
  readonly dir: string;
  private readonly commits = new Map<string, CommitData>();

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Runs git in the repository; never throws on a non-zero exit. */
  run(
    args: readonly string[],
    options: { input?: string; env?: Record<string, string> } = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = execFile(
        'git',
        [...args],
        { cwd: this.dir, env: sandboxGitEnv(options.env), maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      endInput(child.stdin, options.input);
    });
  }

  /** Runs git and returns stdout without the trailing newline; throws with stderr on failure. */
  async out(args: readonly string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr.trim()}`);
    return result.stdout.replace(/\n$/, '');
  }

  /** The SHA of an object name (`main`, `v1.0^{commit}`, a SHA), or undefined when it does not resolve. */
  async resolve(name: string): Promise<string | undefined> {
    if (name.startsWith('-')) return undefined;
    const result = await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', name]);
    return result.code === 0 ? result.stdout.trim() : undefined;
  }

  /** The commit a branch, tag or SHA names (tags peeled), or undefined. */
  resolveCommit(name: string): Promise<string | undefined> {
    return this.resolve(`${name}^{commit}`);
  }

  /** The type of an object (`commit`, `tag`, `tree`, `blob`), or undefined when missing. */
  async objectType(sha: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{4,40}$/.test(sha)) return undefined;
    const result = await this.run(['cat-file', '-t', sha]);
    return result.code === 0 ? result.stdout.trim() : undefined;
  }

  /** Refs under a prefix of full ref names (`refs/tags/v1.` matches `refs/tags/v1.2.3`), sorted by name. */
  async listRefs(prefix = 'refs/'): Promise<RefData[]> {
    const glob = prefix.endsWith('/') ? prefix : prefix.slice(0, prefix.lastIndexOf('/') + 1) || 'refs/';
    const text = await this.out([
      'for-each-ref',
      '--format=%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)',
      glob,
    ]);
    const refs: RefData[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const [ref, sha, type, peeled, peeledType] = line.split('\0') as [string, string, string, string, string];
      if (!ref.startsWith(prefix)) continue;
      // Nested tags (a tag of a tag) peel to whatever the last one names; only commits matter here.
      const commit = type === 'commit' ? sha : peeledType === 'commit' ? peeled : peeled || sha;
      refs.push({ ref, sha, type, commit });
    }
    return refs;
  }

  /** One ref by its full name, or undefined. */
  async getRef(ref: string): Promise<RefData | undefined> {
    const refs = await this.listRefs(ref);
    return refs.find((candidate) => candidate.ref === ref);
  }

  /** Validates a full ref name with git's own rules. */
  async isValidRefName(ref: string): Promise<boolean> {
    if (ref.startsWith('-')) return false;
    return (await this.run(['check-ref-format', ref])).code === 0;
  }

  /**
   * Moves or creates a ref atomically: `expected` is the SHA it must have now, or null when it must
   * not exist yet. Returns false when the ref did not match.
   */
  async updateRef(ref: string, sha: string, expected: string | null | undefined): Promise<boolean> {
    const args = ['update-ref', '-m', 'github-stand-in', ref, sha];
    if (expected !== undefined) args.push(expected ?? ZERO);
    return (await this.run(args)).code === 0;
  }

  /** Deletes a ref; false when it did not exist. */
  async deleteRef(ref: string): Promise<boolean> {
    if (!(await this.getRef(ref))) return false;
    return (await this.run(['update-ref', '-d', ref])).code === 0;
  }

  /** Commit objects by SHA (cached). Unknown SHAs are left out. */
  async commitData(shas: readonly string[]): Promise<Map<string, CommitData>> {
    const missing = [...new Set(shas)].filter((sha) => !this.commits.has(sha));
    if (missing.length > 0) {
      const data = await this.bytes(['cat-file', '--batch'], `${missing.join('\n')}\n`);
      let offset = 0;
      while (offset < data.length) {
        const headerEnd = data.indexOf(0x0a, offset);
        if (headerEnd === -1) break;
        const [sha, type, size] = data.subarray(offset, headerEnd).toString('utf8').split(' ');
        if (type === 'missing' || size === undefined) {
          offset = headerEnd + 1;
          continue;
        }
        // Sizes are in bytes: slicing the Buffer keeps multi-byte messages aligned.
        const end = headerEnd + 1 + Number(size);
        if (type === 'commit' && sha)
          this.commits.set(sha, parseCommit(sha, data.subarray(headerEnd + 1, end).toString('utf8')));
        offset = end + 1;
      }
    }
    const result = new Map<string, CommitData>();
    for (const sha of shas) {
      const data = this.commits.get(sha);
      if (data) result.set(sha, data);
    }
    return result;
  }

  /** One commit object, or undefined. */
  async commit(sha: string): Promise<CommitData | undefined> {
    return (await this.commitData([sha])).get(sha);
  }

  /** An annotated tag object, or undefined when `sha` is not one. */
  async tag(sha: string): Promise<TagData | undefined> {
    if ((await this.objectType(sha)) !== 'tag') return undefined;
    const full = await this.out(['rev-parse', '--verify', sha]);
    const text = await this.out(['cat-file', 'tag', full]);
    const split = text.indexOf('\n\n');
    const headers = (split === -1 ? text : text.slice(0, split)).split('\n');
    const message = split === -1 ? '' : `${text.slice(split + 2)}\n`;
    const field = (name: string) => headers.find((line) => line.startsWith(`${name} `))?.slice(name.length + 1) ?? '';
    return {
      sha: full,
      object: field('object'),
      type: field('type'),
      tag: field('tag'),
      tagger: parsePerson(field('tagger')),
      message,
    };
  }

  /** Writes an annotated tag object (not a ref) and returns its SHA. */
  async createTagObject(tag: {
    object: string;
    type: string;
    tag: string;
    tagger: { name: string; email: string; date?: string };
    message: string;
  }): Promise<string> {
    const message = tag.message.endsWith('\n') ? tag.message : `${tag.message}\n`;
    const text = `object ${tag.object}\ntype ${tag.type}\ntag ${tag.tag}\ntagger ${gitPersonLine(tag.tagger)}\n\n${message}`;
    return this.out(['mktag'], { input: text });
  }

  /** Writes a commit object and returns its SHA. */
  async createCommit(commit: {
    tree: string;
    parents: string[];
    message: string;
    author: { name: string; email: string; date?: string };
    committer: { name: string; email: string; date?: string };
  }): Promise<string> {
    const args = ['commit-tree', commit.tree];
    for (const parent of commit.parents) args.push('-p', parent);
    return this.out(args, {
      input: commit.message.endsWith('\n') ? commit.message : `${commit.message}\n`,
      env: {
        GIT_AUTHOR_NAME: commit.author.name,
        GIT_AUTHOR_EMAIL: commit.author.email,
        GIT_AUTHOR_DATE: `@${unixSeconds(commit.author.date)} +0000`,
        GIT_COMMITTER_NAME: commit.committer.name,
        GIT_COMMITTER_EMAIL: commit.committer.email,
        GIT_COMMITTER_DATE: `@${unixSeconds(commit.committer.date)} +0000`,
      },
    });
  }

  /** True when `ancestor` is reachable from `descendant`. */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    return (await this.run(['merge-base', '--is-ancestor', ancestor, descendant])).code === 0;
  }

  /** The best common ancestor, or undefined for unrelated histories. */
  async mergeBase(a: string, b: string): Promise<string | undefined> {
    const result = await this.run(['merge-base', a, b]);
    return result.code === 0 ? result.stdout.trim() : undefined;
  }

  /** Commits of `git rev-list` with the given arguments. */
  async revList(args: readonly string[]): Promise<string[]> {
    const text = await this.out(['rev-list', ...args]);
    return text === '' ? [] : text.split('\n');
  }

  /** Number of commits in a range such as `a..b`. */
  async count(range: string): Promise<number> {
    return Number(await this.out(['rev-list', '--count', range]));
  }

  /** Merges two commits in memory with `git merge-tree --write-tree` (git ≥ 2.38). */
  async mergeTree(ours: string, theirs: string): Promise<MergeOutcome> {
    const result = await this.run(['merge-tree', '--write-tree', '--name-only', '--no-messages', ours, theirs]);
    const lines = result.stdout.split('\n').filter((line) => line !== '');
    if (result.code === 0) return { clean: true, tree: lines[0]! };
    if (result.code === 1) return { clean: false, conflicts: [...new Set(lines.slice(1))] };
    throw new Error(`git merge-tree failed: ${result.stderr.trim()}`);
  }

  /** Files changed from `from` to `to` (commits or trees); `from` undefined means the empty tree. */
  async diff(from: string | undefined, to: string): Promise<FileChange[]> {
    const base = from ?? (await this.out(['hash-object', '-t', 'tree', '/dev/null']));
    const raw = await this.out(['diff-tree', '-r', '-z', '-M', '--raw', '--no-commit-id', base, to]);
    const numstat = await this.out(['diff-tree', '-r', '-z', '-M', '--numstat', '--no-commit-id', base, to]);
    const counts = new Map<string, { additions: number; deletions: number }>();
    const numTokens = numstat.split('\0');
    for (let i = 0; i < numTokens.length; i += 1) {
      const token = numTokens[i]!;
      if (token === '') continue;
      const [add, del, path] = token.split('\t') as [string, string, string];
      let name = path;
      if (path === '') {
        // Renames: `add\tdel\t` then old and new names as separate tokens.
        name = numTokens[i + 2] ?? '';
        i += 2;
      }
      counts.set(name, { additions: Number(add) || 0, deletions: Number(del) || 0 });
    }
    const changes: FileChange[] = [];
    const tokens = raw.split('\0');
    for (let i = 0; i < tokens.length; i += 1) {
      const meta = tokens[i]!;
      if (!meta.startsWith(':')) continue;
      const [, , , newSha, statusField] = meta.slice(1).split(' ') as [string, string, string, string, string];
      const letter = statusField[0]!;
      let filename = tokens[i + 1] ?? '';
      let previousFilename: string | undefined;
      i += 1;
      if (letter === 'R' || letter === 'C') {
        previousFilename = filename;
        filename = tokens[i + 1] ?? '';
        i += 1;
      }
      const status =
        letter === 'A'
          ? 'added'
          : letter === 'D'
            ? 'removed'
            : letter === 'R'
              ? 'renamed'
              : letter === 'C'
                ? 'copied'
                : letter === 'M'
                  ? 'modified'
                  : 'changed';
      const count = counts.get(filename) ?? { additions: 0, deletions: 0 };
      changes.push({
        filename,
        previousFilename,
        status,
        sha: letter === 'D' ? null : newSha,
        additions: count.additions,
        deletions: count.deletions,
      });
    }
    return changes;
  }

  /** Runs git and returns raw stdout; throws on failure. */
  bytes(args: readonly string[], input?: string | Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        'git',
        [...args],
        { cwd: this.dir, env: sandboxGitEnv(), encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
        (error, stdout, stderr) =>
          error ? reject(new Error(`git ${args.join(' ')} failed: ${stderr.toString().trim()}`)) : resolve(stdout),
      );
      endInput(child.stdin, input);
    });
  }

  /** Reads a blob by `<commit>:<path>`, or undefined. */
  async blob(commit: string, path: string): Promise<{ sha: string; content: Buffer } | undefined> {
    const spec = `${commit}:${path}`;
    const sha = await this.resolve(spec);
    if (!sha || (await this.objectType(sha)) !== 'blob') return undefined;
    return { sha, content: await this.bytes(['cat-file', 'blob', sha]) };
  }

  /** Entries of a directory of a commit, or undefined when the path is not a directory. */
  async listTree(
    commit: string,
    path: string,
  ): Promise<Array<{ mode: string; type: string; sha: string; size: number; path: string }> | undefined> {
    const spec = path === '' ? `${commit}^{tree}` : `${commit}:${path}`;
    const sha = await this.resolve(spec);
    if (!sha || (await this.objectType(sha)) !== 'tree') return undefined;
    const text = await this.out(['ls-tree', '-l', '-z', sha]);
    return text
      .split('\0')
      .filter((entry) => entry !== '')
      .map((entry) => {
        const tab = entry.indexOf('\t');
        const [mode, type, objectSha, size] = entry.slice(0, tab).split(/\s+/) as [string, string, string, string];
        const name = entry.slice(tab + 1);
        return { mode, type, sha: objectSha, size: Number(size) || 0, path: path === '' ? name : `${path}/${name}` };
      });
  }

  /** A new tree: `commit`'s tree with `path` set to `content` (or removed when null). */
  async treeWithFile(commit: string | undefined, path: string, content: Buffer | null): Promise<string> {
    const scratch = mkdtempSync(join(tmpdir(), 'stand-in-index-'));
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    try {
      if (commit) await this.out(['read-tree', commit], { env });
      if (content === null) {
        await this.out(['update-index', '--force-remove', '--', path], { env });
      } else {
        const blob = await this.writeBlob(content);
        await this.out(['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], { env });
      }
      return await this.out(['write-tree'], { env });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  private async writeBlob(content: Buffer): Promise<string> {
    return (await this.bytes(['hash-object', '-w', '--stdin'], content)).toString('utf8').trim();
  }

  /** The branch HEAD names (the repository's default branch). */
  async headBranch(): Promise<string | undefined> {
    const result = await this.run(['symbolic-ref', '--quiet', '--short', 'HEAD']);
    return result.code === 0 ? result.stdout.trim() : undefined;
  }
}

function parseCommit(sha: string, body: string): CommitData {
  const split = body.indexOf('\n\n');
  const headers = (split === -1 ? body : body.slice(0, split)).split('\n');
  const message = split === -1 ? '' : body.slice(split + 2).replace(/\n+$/, '');
  const parents: string[] = [];
  let tree = '';
  let author: GitPerson = { name: '', email: '', date: isoFromGit('0') };
  let committer = author;
  for (const line of headers) {
    if (line.startsWith('tree ')) tree = line.slice(5);
    else if (line.startsWith('parent ')) parents.push(line.slice(7));
    else if (line.startsWith('author ')) author = parsePerson(line.slice(7));
    else if (line.startsWith('committer ')) committer = parsePerson(line.slice(10));
  }
  return { sha, tree, parents, author, committer, message };
}
