import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createGitClient,
  DEFAULT_GIT_IDENTITY,
  isConfigurationError,
  isGitError,
  parseLsRemote,
  parsePushPorcelain,
  type GitClient,
  type GitError,
  type GitIdentity,
} from '../src/index.js';

// Every repository lives in a fresh temp dir, with an empty HOME and no system config: nothing of the
// machine's git setup (identity, default branch, hooks) can leak into what is tested.
let root: string;
let env: Record<string, string>;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hotfix-git-'));
  const home = join(root, 'home');
  mkdirSync(home);
  env = { HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: '1' };
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function client(dir: string, identity?: GitIdentity): GitClient {
  return createGitClient({ cwd: join(root, dir), env, ...(identity ? { identity } : {}) });
}

function write(dir: string, file: string, content: string): void {
  writeFileSync(join(root, dir, file), content);
}

async function commitFile(git: GitClient, file: string, content: string, message: string): Promise<string> {
  writeFileSync(join(git.cwd, file), content);
  await git.add([file]);
  return git.commit(message);
}

/** A bare `remote.git` with `main` (two commits) and a clone of it in `dir`. */
async function origin(dir = 'a'): Promise<{ git: GitClient; remote: string; first: string; second: string }> {
  const top = client('.');
  const remote = join(root, 'remote.git');
  await top.raw(['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  await top.raw(['clone', '--quiet', remote, dir]);
  const git = client(dir);
  await git.switchBranch('main', { create: true });
  const first = await commitFile(git, 'app.txt', 'one\ntwo\nthree\n', 'first');
  const second = await commitFile(git, 'notes.txt', 'notes\n', 'second');
  await git.push({ refspecs: ['main:refs/heads/main'] });
  return { git, remote, first, second };
}

async function remoteRefs(git: GitClient): Promise<Record<string, string>> {
  const refs = await git.lsRemote({ scope: 'all' });
  return Object.fromEntries(refs.map((ref) => [ref.name, ref.sha]));
}

describe('identity on a bare runner', () => {
  it('commits with no user.name/user.email configured anywhere, as github-actions[bot]', async () => {
    const { git, first } = await origin();
    expect(await git.getConfig('user.email')).toBeUndefined();
    const [commit] = await git.listCommits({ maxCount: 1 });
    expect(commit).toMatchObject({ authorName: DEFAULT_GIT_IDENTITY.name, authorEmail: DEFAULT_GIT_IDENTITY.email });
    const committer = await git.raw(['log', '-1', '--format=%cn <%ce>', first]);
    expect(committer.stdout.trim()).toBe('github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>');
  });

  it('uses a given identity for commits and annotated tags', async () => {
    await origin();
    const git = client('a', { name: 'Release Bot', email: 'release@example.com' });
    await commitFile(git, 'x.txt', 'x\n', 'x');
    await git.tag('v9.9.9', { message: 'Release 9.9.9' });
    const log = await git.raw(['log', '-1', '--format=%an <%ae>|%cn <%ce>']);
    expect(log.stdout.trim()).toBe('Release Bot <release@example.com>|Release Bot <release@example.com>');
    const tagger = await git.raw(['for-each-ref', '--format=%(taggername) %(taggeremail)', 'refs/tags/v9.9.9']);
    expect(tagger.stdout.trim()).toBe('Release Bot <release@example.com>');
  });
});

describe('lsRemote', () => {
  it('lists heads and tags, peeling annotated tags', async () => {
    const { git, first, second } = await origin();
    await git.tag('v1.0.0', { target: first });
    await git.tag('v1.1.0', { message: 'Release 1.1.0\n\n# not a comment: kept' });
    await git.push({ refspecs: ['refs/tags/v1.0.0:refs/tags/v1.0.0', 'refs/tags/v1.1.0:refs/tags/v1.1.0'] });

    const refs = await git.lsRemote();
    const annotated = await git.revParse('v1.1.0');
    expect(refs).toEqual([
      { name: 'refs/heads/main', sha: second },
      { name: 'refs/tags/v1.0.0', sha: first },
      { name: 'refs/tags/v1.1.0', sha: annotated, peeledSha: second },
    ]);
    expect(annotated).not.toBe(second);
    expect((await git.lsRemote({ scope: 'heads' })).map((ref) => ref.name)).toEqual(['refs/heads/main']);
    expect((await git.lsRemote({ scope: 'tags', patterns: ['v1.1.*'] })).map((ref) => ref.name)).toEqual([
      'refs/tags/v1.1.0',
    ]);
    const message = await git.raw(['tag', '-l', '--format=%(contents)', 'v1.1.0']);
    expect(message.stdout).toContain('# not a comment: kept');
  });

  it('parses ls-remote output, ignoring anything that is not a ref line', () => {
    const sha = (c: string) => c.repeat(40);
    const text = [
      `${sha('a')}\tHEAD`,
      `${sha('b')}\trefs/tags/v2.0.0`,
      `${sha('c')}\trefs/tags/v2.0.0^{}`,
      `${sha('d')}\trefs/heads/release/v2.0`,
      'warning: redirecting to https://example.com/',
      '',
    ].join('\n');
    expect(parseLsRemote(text)).toEqual([
      { name: 'HEAD', sha: sha('a') },
      { name: 'refs/tags/v2.0.0', sha: sha('b'), peeledSha: sha('c') },
      { name: 'refs/heads/release/v2.0', sha: sha('d') },
    ]);
  });
});

describe('fetch', () => {
  it('works in a shallow clone: depth, deepen, a single tag without the others', async () => {
    const { git, remote, first, second } = await origin();
    await git.tag('v1.0.0', { target: first });
    await git.tag('v1.0.1');
    await git.push({ refspecs: ['refs/tags/v1.0.0:refs/tags/v1.0.0', 'refs/tags/v1.0.1:refs/tags/v1.0.1'] });

    await client('.').raw(['clone', '--quiet', '--depth=1', '--no-tags', `file://${remote}`, 'shallow']);
    const shallow = client('shallow');
    expect(await shallow.isShallow()).toBe(true);
    expect((await shallow.listCommits()).map((c) => c.sha)).toEqual([second]);

    await shallow.fetch({ refspecs: ['refs/tags/v1.0.0:refs/tags/v1.0.0'], depth: 1 });
    expect(await shallow.revParse('v1.0.0')).toBe(first);
    const tags = await shallow.raw(['tag', '--list']);
    expect(tags.stdout.trim()).toBe('v1.0.0');

    await shallow.fetch({ deepen: 5 });
    expect((await shallow.listCommits()).map((c) => c.sha)).toEqual([second, first]);

    await shallow.fetch({ tags: true, filter: 'blob:none' });
    expect(await shallow.revParse('v1.0.1')).toBe(second);
  });

  it('refuses an unknown filter', async () => {
    await expect(client('.').fetch({ filter: 'sparse:oid=x' })).rejects.toThrow(/Unsupported fetch filter/);
  });
});

describe('push', () => {
  it('reports a rejection because the remote moved (fetch first) without throwing', async () => {
    const { git } = await origin();
    await client('.').raw(['clone', '--quiet', join(root, 'remote.git'), 'b']);
    const other = client('b');
    await commitFile(other, 'b.txt', 'b\n', 'from b');
    expect(await other.push({ refspecs: ['HEAD:refs/heads/main'] })).toMatchObject({ ok: true });

    await commitFile(git, 'a.txt', 'a\n', 'from a');
    const result = await git.push({ refspecs: ['HEAD:refs/heads/main'] });
    expect(result).toEqual({
      ok: false,
      rejection: 'fetch-first',
      message: 'refs/heads/main was rejected (fetch first)',
      refs: [{ source: 'HEAD', destination: 'refs/heads/main', status: 'rejected', reason: 'fetch first' }],
    });

    await git.fetch({ refspecs: ['+refs/heads/main:refs/remotes/origin/main'] });
    const again = await git.push({ refspecs: ['HEAD:refs/heads/main'] });
    expect(again).toMatchObject({ ok: false, rejection: 'non-fast-forward' });
  });

  it('an atomic push of two refs with one rejected updates nothing', async () => {
    const { git, first } = await origin();
    await git.tag('v1.0.0', { target: first });
    await git.push({ refspecs: ['refs/tags/v1.0.0:refs/tags/v1.0.0'] });
    const before = await remoteRefs(git);

    // Locally v1.0.0 now means another commit: the remote must refuse it, and so the branch too.
    const next = await commitFile(git, 'c.txt', 'c\n', 'third');
    await git.tag('v1.0.0', { target: next, force: true });
    const result = await git.push({
      refspecs: ['HEAD:refs/heads/main', 'refs/tags/v1.0.0:refs/tags/v1.0.0'],
      atomic: true,
    });
    expect(result).toMatchObject({ ok: false, rejection: 'already-exists' });
    expect(result.refs).toEqual([
      { source: 'HEAD', destination: 'refs/heads/main', status: 'rejected', reason: 'atomic push failed' },
      { source: 'refs/tags/v1.0.0', destination: 'refs/tags/v1.0.0', status: 'rejected', reason: 'already exists' },
    ]);
    expect(await remoteRefs(git)).toEqual(before);

    // The same push without --atomic moves the branch: that is what atomic prevents.
    const partial = await git.push({ refspecs: ['HEAD:refs/heads/main', 'refs/tags/v1.0.0:refs/tags/v1.0.0'] });
    expect(partial.ok).toBe(false);
    expect((await remoteRefs(git))['refs/heads/main']).toBe(next);
  });

  it('never forces unless asked', async () => {
    const { git, first } = await origin();
    await expect(git.push({ refspecs: ['+HEAD:refs/heads/main'] })).rejects.toThrow(/needs force: true/);
    await git.detach(first);
    await commitFile(git, 'd.txt', 'd\n', 'diverged');
    expect(await git.push({ refspecs: ['HEAD:refs/heads/main'] })).toMatchObject({ rejection: 'non-fast-forward' });
    const forced = await git.push({ refspecs: ['+HEAD:refs/heads/main'], force: true });
    expect(forced).toMatchObject({ ok: true, refs: [{ status: 'forced' }] });
  });

  it('throws a GitError for failures that are not rejections, with credentials redacted', async () => {
    const { git } = await origin();
    const failure = await git
      .push({ remote: 'https://x-access-token:ghs_secret@127.0.0.1:9/o/r.git', refspecs: ['HEAD:refs/heads/main'] })
      .catch((error: unknown) => error);
    expect(isGitError(failure)).toBe(true);
    const error = failure as GitError;
    expect(error.exitCode).toBe(128);
    expect(error.command).toContain('git push --porcelain -- https://***@127.0.0.1:9/o/r.git HEAD:refs/heads/main');
    expect(error.stderr).toMatch(/unable to access|Failed to connect|Could not connect/i);
    expect(`${error.message} ${error.stderr} ${error.args.join(' ')}`).not.toContain('ghs_secret');
  });

  it('parses porcelain lines of every kind', () => {
    const text = [
      'To /tmp/remote.git',
      '*\trefs/tags/v1:refs/tags/v1\t[new tag]',
      ' \tHEAD:refs/heads/main\tabc..def',
      '+\tHEAD:refs/heads/x\tabc...def (forced update)',
      '-\t:refs/heads/gone\t[deleted]',
      '=\trefs/heads/y:refs/heads/y\t[up to date]',
      '!\trefs/heads/z:refs/heads/z\t[remote rejected] (protected branch hook declined)',
      'Done',
    ].join('\n');
    expect(parsePushPorcelain(text).map((ref) => [ref.status, ref.destination, ref.reason])).toEqual([
      ['new', 'refs/tags/v1', undefined],
      ['fast-forward', 'refs/heads/main', undefined],
      ['forced', 'refs/heads/x', 'forced update'],
      ['deleted', 'refs/heads/gone', undefined],
      ['up-to-date', 'refs/heads/y', undefined],
      ['rejected', 'refs/heads/z', 'protected branch hook declined'],
    ]);
  });
});

describe('history queries', () => {
  it('revParse, isAncestor, mergeBase and listCommits', async () => {
    const { git, first, second } = await origin();
    expect(await git.revParse('HEAD~1')).toBe(first);
    expect(await git.revParse('main^{commit}')).toBe(second);
    await expect(git.revParse('no-such-branch')).rejects.toSatisfy(isGitError);
    expect(await git.isAncestor(first, second)).toBe(true);
    expect(await git.isAncestor(second, first)).toBe(false);
    expect(await git.mergeBase('main', first)).toBe(first);

    await git.raw(['switch', '--quiet', '--orphan', 'unrelated']);
    await commitFile(git, 'u.txt', 'u\n', 'unrelated root');
    expect(await git.mergeBase('unrelated', 'main')).toBeUndefined();

    const commits = await git.listCommits({ from: first, to: 'main' });
    expect(commits).toEqual([
      expect.objectContaining({ sha: second, parents: [first], subject: 'second', message: 'second' }),
    ]);
    expect((await git.listCommits({ to: 'main', paths: ['app.txt'] })).map((c) => c.sha)).toEqual([first]);
    expect(commits[0]?.authorDate).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('keeps a multi-line message, leading "#" and "-" included', async () => {
    const { git } = await origin();
    const message = '-leading dash\n\n# heading kept\nResolves bd-a1b2';
    await commitFile(git, 'm.txt', 'm\n', message);
    expect((await git.listCommits({ maxCount: 1 }))[0]).toMatchObject({ subject: '-leading dash', message });
  });
});

describe('cherryPick and revert', () => {
  it('cherry-picks with -x', async () => {
    const { git, first } = await origin();
    await git.switchBranch('hotfix/bd-a1b2-fix', { create: true, startPoint: first });
    const fix = await commitFile(git, 'fix.txt', 'fix\n', 'hotfix(bd-a1b2): fix login');
    await git.switchBranch('main');
    const result = await git.cherryPick(fix);
    expect(result.status).toBe('applied');
    const [picked] = await git.listCommits({ maxCount: 1 });
    expect(picked?.message).toBe(`hotfix(bd-a1b2): fix login\n\n(cherry picked from commit ${fix})`);
    expect(result).toEqual({ status: 'applied', sha: picked?.sha });
  });

  it('reports conflicting files and leaves the tree as it was', async () => {
    const { git, first } = await origin();
    await git.switchBranch('release/v1.2', { create: true, startPoint: first });
    const fix = await commitFile(git, 'app.txt', 'one\nTWO (release)\nthree\n', 'fix on release');
    await git.switchBranch('main');
    const head = await commitFile(git, 'app.txt', 'one\n2 (main)\nthree\n', 'change on main');

    expect(await git.cherryPick(fix)).toEqual({ status: 'conflict', files: ['app.txt'] });
    expect(await git.revParse('HEAD')).toBe(head);
    expect(await git.hasChanges()).toBe(false);

    expect(await git.cherryPick(fix, { abortOnConflict: false })).toEqual({ status: 'conflict', files: ['app.txt'] });
    expect(readFileSync(join(git.cwd, 'app.txt'), 'utf8')).toContain('<<<<<<<');
    await git.raw(['cherry-pick', '--abort']);
  });

  it('reports a change that is already there as empty', async () => {
    const { git, first } = await origin();
    await git.switchBranch('side', { create: true, startPoint: first });
    const same = await commitFile(git, 'notes.txt', 'notes\n', 'same change as main');
    await git.switchBranch('main');
    expect(await git.cherryPick(same)).toEqual({ status: 'empty' });
    expect(await git.hasChanges()).toBe(false);
  });

  it('reverts a merge commit with mainline 1', async () => {
    const { git } = await origin();
    await git.switchBranch('feature', { create: true });
    await commitFile(git, 'feature.txt', 'feature\n', 'feature');
    await git.switchBranch('main');
    await git.raw(['merge', '--no-ff', '--no-edit', 'feature']);
    const merge = await git.revParse('HEAD');
    expect(existsSync(join(git.cwd, 'feature.txt'))).toBe(true);

    await expect(git.revert(merge)).rejects.toSatisfy(isGitError);
    const result = await git.revert(merge, { mainline: 1 });
    expect(result.status).toBe('applied');
    expect(existsSync(join(git.cwd, 'feature.txt'))).toBe(false);
    expect((await git.listCommits({ maxCount: 1 }))[0]?.message).toMatch(/^Revert "Merge branch 'feature'"/);
  });
});

describe('mergeTree', () => {
  it('tells a clean merge from a conflicted one without touching the working tree', async () => {
    const { git, first } = await origin();
    await git.switchBranch('release/v1.2', { create: true, startPoint: first });
    await commitFile(git, 'app.txt', 'one\nTWO\nthree\n', 'release change');
    await git.switchBranch('clean', { create: true, startPoint: 'main' });
    await commitFile(git, 'other.txt', 'other\n', 'unrelated change');
    await git.switchBranch('main');
    await commitFile(git, 'app.txt', 'one\n2\nthree\n', 'main change');

    const clean = await git.mergeTree('clean', 'release/v1.2');
    expect(clean).toMatchObject({ clean: true, conflicts: [] });
    expect(clean.tree).toMatch(/^[0-9a-f]{40}$/);

    const conflicted = await git.mergeTree('main', 'release/v1.2');
    expect(conflicted).toMatchObject({ clean: false, conflicts: ['app.txt'] });
    expect(await git.hasChanges()).toBe(false);
  });
});

describe('patchId', () => {
  it('is equal for a hand-made cherry-pick and differs for another change', async () => {
    const { git, first } = await origin();
    const fix = await commitFile(git, 'app.txt', 'one\ntwo fixed\nthree\n', 'fix');
    await git.switchBranch('release/v1.2', { create: true, startPoint: first });
    write('a', 'unrelated.txt', 'x\n');
    await git.add(['unrelated.txt']);
    await git.commit('something else first');
    // The same change typed again by hand: another parent, message, author and time.
    const byHand = await commitFile(
      client('a', { name: 'Someone', email: 's@example.com' }),
      'app.txt',
      'one\ntwo fixed\nthree\n',
      'port the fix',
    );
    const other = await commitFile(git, 'app.txt', 'one\ntwo fixed again\nthree\n', 'another fix');

    const id = await git.patchId(fix);
    expect(id).toMatch(/^[0-9a-f]{40}$/);
    expect(await git.patchId(byHand)).toBe(id);
    expect(await git.patchId(other)).not.toBe(id);

    const ids = await git.patchIds(first, 'release/v1.2');
    expect(ids.size).toBe(3);
    expect(ids.get(byHand)).toBe(id);

    const empty = await git.commit('nothing', { allowEmpty: true });
    expect(await git.patchId(empty)).toBeUndefined();
  });
});

describe('working tree helpers', () => {
  it('switches, detaches, reports the branch, changes and config', async () => {
    const { git, first } = await origin();
    expect(await git.currentBranch()).toBe('main');
    await git.detach(first);
    expect(await git.currentBranch()).toBeUndefined();
    await git.switchBranch('backmerge/bd-a1b2', { create: true });
    expect(await git.currentBranch()).toBe('backmerge/bd-a1b2');
    await git.switchBranch('backmerge/bd-a1b2', { reset: true, startPoint: 'main' });
    expect(await git.revParse('HEAD')).toBe(await git.revParse('main'));

    expect(await git.hasChanges()).toBe(false);
    write('a', 'new.txt', 'new\n');
    expect(await git.hasChanges()).toBe(true);
    await git.add(['new.txt']);
    await git.commit('add new');
    expect(await git.hasChanges()).toBe(false);

    await git.setConfig('hotfix.value', '-looks like an option');
    expect(await git.getConfig('hotfix.value')).toBe('-looks like an option');
    expect(await git.getConfig('hotfix.missing')).toBeUndefined();
    await expect(git.setConfig('--global', 'x')).rejects.toSatisfy(isConfigurationError);
  });
});

describe('hostile names are refused before git runs', () => {
  // The client's directory does not exist: had git been started, the error would say so instead.
  const git = createGitClient({ cwd: join(tmpdir(), 'hotfix-git-does-not-exist'), env: {} });
  const hostile = [
    'release/v1.2;touch pwned',
    '$(touch pwned)',
    '`id`',
    '--upload-pack=touch pwned',
    '-f',
    'a..b',
    'with space',
    'line\nbreak',
    'refs/heads/x.lock',
    '',
  ];

  it.each(hostile)('%j', async (name) => {
    const calls: [string, () => Promise<unknown>][] = [
      ['tag', () => git.tag(name)],
      ['tag target', () => git.tag('v1', { target: name })],
      // An empty source is a deletion (":refs/heads/x"), a valid refspec.
      ['push', () => git.push({ refspecs: [name === '' ? ':' : `${name}:refs/heads/main`] })],
      ['push destination', () => git.push({ refspecs: [`HEAD:${name}`] })],
      ['fetch', () => git.fetch({ refspecs: [name] })],
      ['switchBranch', () => git.switchBranch(name, { create: true })],
      ['detach', () => git.detach(name)],
      ['revParse', () => git.revParse(name)],
      ['isAncestor', () => git.isAncestor(name, 'HEAD')],
      ['mergeBase', () => git.mergeBase('HEAD', name)],
      ['cherryPick', () => git.cherryPick(name)],
      ['revert', () => git.revert(name)],
      ['mergeTree', () => git.mergeTree('HEAD', name)],
      ['patchId', () => git.patchId(name)],
      ['patchIds', () => git.patchIds(name, 'HEAD')],
      ['listCommits', () => git.listCommits({ from: name })],
    ];
    for (const [what, call] of calls) {
      const failure = await call().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isConfigurationError(failure), `${what} of ${JSON.stringify(name)}: ${String(failure)}`).toBe(true);
      expect(String(failure)).toMatch(/^ConfigurationError: Refusing to run git: the .* is not valid: /);
    }
  });
});
