import { afterEach, describe, expect, it } from 'vitest';
import { createGitSandbox, type GitSandbox, SANDBOX_IDENTITY } from '../src/sandbox.js';

const sandboxes: GitSandbox[] = [];

async function sandbox(): Promise<GitSandbox> {
  const created = await createGitSandbox();
  sandboxes.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((one) => one.cleanup()));
});

describe('createGitSandbox', () => {
  it('makes a bare origin and a working clone whose identity is local to that clone', async () => {
    const sb = await sandbox();
    expect(await sb.git(['rev-parse', '--is-bare-repository'], sb.origin)).toBe('true');
    expect(await sb.git(['config', '--local', 'user.email'])).toBe(SANDBOX_IDENTITY.email);
    // The initial commit is on origin's default branch.
    const remote = await sb.git(['ls-remote', sb.originUrl, 'refs/heads/main'], sb.root);
    expect(remote).toContain(await sb.revParse('main'));
    // A fresh clone has no identity: like a runner without git config.
    const clone = await sb.clone();
    await expect(sb.git(['config', 'user.email'], clone)).rejects.toThrow(/config user.email failed/);
  });

  it('commits files on branches, deletes files, and pushes', async () => {
    const sb = await sandbox();
    const first = await sb.commit({ 'src/app.ts': 'export {};\n', 'notes.txt': 'x\n' }, 'feat: app', {
      branch: 'release/v1.2',
      push: true,
    });
    const second = await sb.commit({ 'notes.txt': null }, 'chore: drop notes', { branch: 'release/v1.2' });
    expect(await sb.git(['rev-parse', 'HEAD^'])).toBe(first);
    expect(await sb.git(['ls-tree', '--name-only', '-r', second])).toBe('README.md\nsrc/app.ts');
    // Only the first commit was pushed.
    expect(await sb.revParse('refs/heads/release/v1.2', sb.origin)).toBe(first);
    await sb.push('release/v1.2');
    expect(await sb.revParse('refs/heads/release/v1.2', sb.origin)).toBe(second);

    await sb.createBranch('hotfix/bd-a1b2-fix', 'main');
    await sb.checkout('hotfix/bd-a1b2-fix');
    expect(await sb.git(['symbolic-ref', '--short', 'HEAD'])).toBe('hotfix/bd-a1b2-fix');
  });

  it('makes annotated and lightweight tags and pushes them', async () => {
    const sb = await sandbox();
    const head = await sb.revParse('HEAD');
    expect(await sb.tag('v1.0.0', { annotated: true, message: 'Release 1.0.0' })).toBe(head);
    expect(await sb.tag('v1.0.1')).toBe(head);
    expect(await sb.git(['cat-file', '-t', 'refs/tags/v1.0.0'])).toBe('tag');
    expect(await sb.git(['cat-file', '-t', 'refs/tags/v1.0.1'])).toBe('commit');
    await sb.push();
    const remote = await sb.git(['ls-remote', '--tags', sb.originUrl], sb.root);
    // Annotated tags show their peeled commit; lightweight ones only the commit.
    expect(remote).toMatch(new RegExp(`${head}\\s+refs/tags/v1\\.0\\.0\\^\\{\\}`));
    expect(remote).toMatch(new RegExp(`${head}\\s+refs/tags/v1\\.0\\.1$`, 'm'));
    expect(remote).not.toContain('v1.0.1^{}');
  });

  it('clones shallow through a file:// URL so --depth is honoured', async () => {
    const sb = await sandbox();
    for (let i = 0; i < 5; i += 1) await sb.commit({ 'counter.txt': `${i}\n` }, `change ${i}`);
    await sb.commit({ 'release.txt': 'r\n' }, 'release work', { branch: 'release/v1.0' });
    await sb.push();
    const shallow = await sb.clone({ depth: 1, branch: 'main', singleBranch: true });
    expect(await sb.git(['rev-parse', '--is-shallow-repository'], shallow)).toBe('true');
    expect(await sb.git(['rev-list', '--count', 'HEAD'], shallow)).toBe('1');
    expect(await sb.git(['branch', '-r'], shallow)).not.toContain('release/v1.0');
    const full = await sb.clone();
    expect(await sb.git(['rev-list', '--count', 'HEAD'], full)).toBe('6');
    expect(await sb.git(['rev-list', '--count', 'origin/release/v1.0'], full)).toBe('7');
  });

  it('copies a sandbox into an independent one', async () => {
    const source = await sandbox();
    await source.commit({ 'a.txt': 'a\n' }, 'fixture', { push: true });
    const firstClone = await source.clone();
    const copy = await source.copy();
    sandboxes.push(copy);
    expect(copy.root).not.toBe(source.root);
    expect(await copy.git(['remote', 'get-url', 'origin'])).toBe(copy.originUrl);
    await copy.commit({ 'b.txt': 'b\n' }, 'only in the copy', { push: true });
    expect(await copy.revParse('refs/heads/main', copy.origin)).not.toBe(
      await source.revParse('refs/heads/main', source.origin),
    );
    expect(await source.git(['log', '--format=%s', '-1'], source.origin)).toBe('fixture');
    // New clones of the copy do not collide with the copied ones.
    const clone = await copy.clone();
    expect(clone).not.toBe(firstClone.replace(source.root, copy.root));
    expect(await copy.git(['log', '--format=%s', '-1'], clone)).toBe('only in the copy');
  });

  it('throws with git stderr when a command fails', async () => {
    const sb = await sandbox();
    await expect(sb.git(['rev-parse', '--verify', 'no-such-branch'])).rejects.toThrow(
      /fatal: Needed a single revision/,
    );
  });
});

describe('generateHistory', () => {
  it('builds 20,000 commits and 2,000 tags over 40 release lines in seconds', async () => {
    const sb = await sandbox();
    const history = await sb.generateHistory({
      commits: 20_000,
      tags: 2_000,
      releaseLines: 40,
      seed: 42,
      updateClone: false,
    });
    console.log(
      `generateHistory: ${history.commits} commits, ${history.tags.length} tags, ${history.lines.length} lines in ${history.durationMs} ms`,
    );
    expect(history.commits).toBe(20_000);
    expect(history.tags).toHaveLength(2_000);
    expect(history.lines).toHaveLength(40);
    expect(history.lines[0]).toMatchObject({ major: 1, minor: 0, branch: 'release/v1.0' });
    expect(history.lines[39]).toMatchObject({ major: 4, minor: 9, branch: 'release/v4.9' });
    expect(history.lines.every((line) => line.tags.length === 50)).toBe(true);

    // +1: the sandbox's initial commit, which the generated trunk continues.
    expect(await sb.git(['rev-list', '--count', '--all'], sb.origin)).toBe('20001');
    const tagTypes = (await sb.git(['for-each-ref', '--format=%(objecttype)', 'refs/tags'], sb.origin)).split('\n');
    expect(tagTypes).toHaveLength(2_000);
    expect(tagTypes.filter((type) => type === 'tag').length).toBeGreaterThan(800);
    expect(tagTypes.filter((type) => type === 'commit').length).toBeGreaterThan(800);

    // Every tag of a line is on that line; the .0 tag is its branch point on the trunk.
    const line = history.lines[7]!;
    const last = line.tags[line.tags.length - 1]!;
    expect(await sb.revParse(`refs/tags/${last}`, sb.origin)).toBe(
      await sb.revParse(`refs/heads/${line.branch}`, sb.origin),
    );
    const branchPoint = await sb.revParse(`refs/tags/${line.tags[0]}`, sb.origin);
    await sb.git(['merge-base', '--is-ancestor', branchPoint, 'refs/heads/main'], sb.origin);
    await sb.git(['merge-base', '--is-ancestor', `refs/tags/${line.tags[10]}`, `refs/heads/${line.branch}`], sb.origin);

    // A depth-1 clone of the big repository stays small.
    const shallow = await sb.clone({ depth: 1, branch: line.branch, noTags: true });
    expect(await sb.git(['rev-list', '--count', 'HEAD'], shallow)).toBe('1');
  });

  it('is deterministic for a seed and updates the working clone', async () => {
    const options = { commits: 300, tags: 30, releaseLines: 3, seed: 9 };
    const a = await sandbox();
    const b = await sandbox();
    const first = await a.generateHistory(options);
    await b.generateHistory(options);
    expect(first.tags).toHaveLength(30);
    for (const ref of ['refs/heads/main', 'refs/heads/release/v1.2', 'refs/tags/v1.1.5']) {
      expect(await a.revParse(ref, a.origin)).toBe(await b.revParse(ref, b.origin));
    }
    const other = await sandbox();
    await other.generateHistory({ ...options, seed: 10 });
    expect(await other.revParse('refs/heads/main', other.origin)).not.toBe(
      await a.revParse('refs/heads/main', a.origin),
    );
    // The working clone now has the trunk checked out and every tag.
    expect(await a.revParse('HEAD')).toBe(await a.revParse('refs/heads/main', a.origin));
    expect(await a.git(['tag', '--list', 'v1.2.*'])).toContain('v1.2.9');
  });
});

describe('commit on a new branch', () => {
  it('starts the branch at `from`, not at the current HEAD', async () => {
    const sandbox = await createGitSandbox();
    try {
      const base = await sandbox.revParse('HEAD');
      const first = await sandbox.commit({ 'a.txt': '1\n' }, 'one', { branch: 'topic/a', from: base });
      const second = await sandbox.commit({ 'b.txt': '2\n' }, 'two', { branch: 'topic/b', from: base });
      expect(await sandbox.git(['rev-parse', `${first}^`])).toBe(base);
      expect(await sandbox.git(['rev-parse', `${second}^`])).toBe(base);
    } finally {
      await sandbox.cleanup();
    }
  });
});
