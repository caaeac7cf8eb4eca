import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assertNoViolations,
  createGitSandbox,
  runBundle,
  startGitHubStandIn,
  type GitHubStandIn,
  type GitSandbox,
} from '@hotfix-actions/testkit';

// Runner-contract tests: the committed bundle dist/version-bump/index.js, run as the runner runs it,
// against real git remotes and the GitHub API stand-in (whose git data is the sandbox's bare origin).

let sandbox: GitSandbox;
let api: GitHubStandIn;

beforeEach(async () => {
  sandbox = await createGitSandbox();
  api = await startGitHubStandIn({ owner: 'acme', repo: 'shop', gitDir: sandbox.origin });
});

afterEach(async () => {
  assertNoViolations(api);
  await api.close();
  await sandbox.cleanup();
});

/** main with v1.2.3 released from release/v1.2 and v1.3.0 released from main: the peers' bug setup. */
async function peersBugRepo(): Promise<{ hotfix: string }> {
  await sandbox.commit({ 'app.txt': 'v1.2.0\n' }, 'feat: 1.2 work');
  await sandbox.createBranch('release/v1.2');
  await sandbox.commit({ 'app.txt': 'v1.2.3\n' }, 'fix: 1.2.3', { branch: 'release/v1.2' });
  await sandbox.tag('v1.2.3', { ref: 'release/v1.2', message: 'Release v1.2.3' });
  await sandbox.commit({ 'app.txt': 'v1.3.0\n' }, 'feat: 1.3', { branch: 'main' });
  await sandbox.tag('v1.3.0', { ref: 'main' });
  const hotfix = await sandbox.commit({ 'fix.txt': 'fixed\n' }, 'hotfix(bd-a1b2): fix login\n\nResolves bd-a1b2', {
    branch: 'release/v1.2',
  });
  await sandbox.push();
  return { hotfix };
}

function bump(
  inputs: Record<string, string>,
  extra: { sha: string; ref?: string; workspace?: string; env?: Record<string, string> },
) {
  return runBundle({
    bundle: 'version-bump',
    inputs,
    sha: extra.sha,
    ref: `refs/heads/${extra.ref ?? 'release/v1.2'}`,
    ...(extra.workspace ? { workspace: extra.workspace } : {}),
    env: { ...api.env(), ...extra.env },
    eventName: 'push',
  });
}

async function remoteTag(name: string): Promise<string | undefined> {
  const out = await sandbox.git(['ls-remote', '--tags', 'origin', `refs/tags/${name}`, `refs/tags/${name}^{}`]);
  const lines = out.split('\n').filter(Boolean);
  const peeled = lines.find((line) => line.endsWith('^{}')) ?? lines[0];
  return peeled?.split('\t')[0];
}

describe('version-bump, method api', () => {
  it('tags the next patch of the release line, not of the repository (v1.2.4, never v1.3.1)', async () => {
    const { hotfix } = await peersBugRepo();
    const run = await bump({}, { sha: hotfix });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      version: '1.2.4',
      tag: 'v1.2.4',
      'previous-version': '1.2.3',
      'previous-tag': 'v1.2.3',
      line: '1.2',
      sha: hotfix,
      outcome: 'created',
      attempts: '1',
    });
    expect(await remoteTag('v1.2.4')).toBe(hotfix);
    expect(await remoteTag('v1.3.1')).toBeUndefined();
    // Annotated: the message names version, line, commit and ticket.
    const message = await sandbox.git(['cat-file', '-p', 'refs/tags/v1.2.4'], sandbox.origin);
    expect(message).toContain('Version: 1.2.4');
    expect(message).toContain('Line: 1.2');
    expect(message).toContain(`Commit: ${hotfix}`);
    expect(JSON.parse(run.outputs.context!)).toMatchObject({
      line: '1.2',
      version: '1.2.4',
      tag: 'v1.2.4',
      sha: hotfix,
    });
    expect(run.summary).toContain('v1.2.3 → v1.2.4');
    expect(run.summary).toMatch(/method \| api/);
    // A clean run costs at most: list the line's tags, peel the previous one, compare, tag object, ref.
    expect(api.requests.length).toBeLessThanOrEqual(5);
    expect(api.mutations()).toBe(2);
  });

  it('is idempotent: a re-run answers exists and changes nothing', async () => {
    const { hotfix } = await peersBugRepo();
    expect((await bump({}, { sha: hotfix })).outputs.outcome).toBe('created');
    const before = api.mutations();
    const again = await bump({}, { sha: hotfix });
    expect(again.exitCode).toBe(0);
    expect(again.outputs).toMatchObject({ outcome: 'exists', tag: 'v1.2.4', 'previous-tag': 'v1.2.3', attempts: '0' });
    expect(api.mutations()).toBe(before);
  });

  it('finds the previous version among all tags, past the first page (250 tags on other lines)', async () => {
    const { hotfix } = await peersBugRepo();
    const refs = Array.from({ length: 250 }, (_, i) => `create refs/tags/v9.${i}.0 ${hotfix}`).join('\n');
    await sandbox.git(['update-ref', '--stdin'], sandbox.origin, `${refs}\n`);
    // And many tags on the line itself, lightweight, on older commits.
    const base = await sandbox.revParse('release/v1.2~1');
    const lineRefs = Array.from({ length: 120 }, (_, i) => `create refs/tags/v1.2.${100 + i} ${base}`).join('\n');
    await sandbox.git(['update-ref', '--stdin'], sandbox.origin, `${lineRefs}\n`);
    const run = await bump({}, { sha: hotfix });
    expect(run.outputs).toMatchObject({ tag: 'v1.2.220', 'previous-tag': 'v1.2.219', outcome: 'created' });
  });

  it('answers exists with the newer tag when a later merge of the line was tagged first', async () => {
    const { hotfix } = await peersBugRepo();
    const later = await sandbox.commit({ 'fix2.txt': 'x\n' }, 'hotfix: second', { branch: 'release/v1.2', push: true });
    expect((await bump({}, { sha: later })).outputs.tag).toBe('v1.2.4');
    const before = api.mutations();
    const older = await bump({}, { sha: hotfix });
    expect(older.exitCode).toBe(0);
    expect(older.outputs).toMatchObject({ outcome: 'exists', tag: 'v1.2.4' });
    expect(older.annotations.some((a) => a.level === 'notice' && /already contained in v1\.2\.4/.test(a.message))).toBe(
      true,
    );
    expect(api.mutations()).toBe(before);
  });

  it('hotfix-suffix on the trunk: v1.3.0 → v1.3.0-hotfix.1 → v1.3.0-hotfix.2, with a sorting warning', async () => {
    await peersBugRepo();
    const first = await sandbox.commit({ 'a.txt': '1\n' }, 'fix: one', { branch: 'main', push: true });
    const run1 = await bump({ scheme: 'hotfix-suffix' }, { sha: first, ref: 'main' });
    expect(run1.outputs).toMatchObject({
      tag: 'v1.3.0-hotfix.1',
      'previous-tag': 'v1.3.0',
      line: '',
      outcome: 'created',
    });
    expect(run1.annotations.some((a) => a.level === 'notice' && a.message.includes('-hotfix.N'))).toBe(true);
    const second = await sandbox.commit({ 'a.txt': '2\n' }, 'fix: two', { branch: 'main', push: true });
    const run2 = await bump({ scheme: 'hotfix-suffix' }, { sha: second, ref: 'main' });
    expect(run2.outputs).toMatchObject({ tag: 'v1.3.0-hotfix.2', 'previous-tag': 'v1.3.0-hotfix.1' });
    expect(await remoteTag('v1.3.0-hotfix.2')).toBe(second);
  });

  it('starts a line without tags at X.Y.0 and says so', async () => {
    const sha = await sandbox.commit({ 'a.txt': '1\n' }, 'feat: 2.0', { branch: 'release/v2.0', push: true });
    const run = await bump({}, { sha, ref: 'release/v2.0' });
    expect(run.outputs).toMatchObject({ tag: 'v2.0.0', 'previous-tag': '', outcome: 'created' });
    expect(run.summary).toContain('starts at 2.0.0');
  });

  it('dry-run computes and creates nothing', async () => {
    const { hotfix } = await peersBugRepo();
    const run = await bump({ 'dry-run': 'true' }, { sha: hotfix });
    expect(run.outputs).toMatchObject({ outcome: 'dry-run', tag: 'v1.2.4' });
    expect(api.mutations()).toBe(0);
    expect(await remoteTag('v1.2.4')).toBeUndefined();
  });

  it('loses a race to another writer and takes the next number, without moving the winner', async () => {
    const { hotfix } = await peersBugRepo();
    const other = await sandbox.revParse('release/v1.2~1');
    api.faults.beforeWrite('POST', '/git/refs', async ({ git }) => {
      await git(['update-ref', 'refs/tags/v1.2.4', other]);
    });
    const run = await bump({}, { sha: hotfix });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ tag: 'v1.2.5', attempts: '2', 'previous-tag': 'v1.2.4' });
    expect(await remoteTag('v1.2.4')).toBe(other);
    expect(await remoteTag('v1.2.5')).toBe(hotfix);
    expect(run.summary).toContain('taken by other runs');
  });

  it('8 concurrent runs on one line give 8 distinct tags, none lost or moved', async () => {
    await peersBugRepo();
    const base = await sandbox.revParse('release/v1.2');
    const shas: string[] = [];
    for (let i = 0; i < 8; i++) {
      // Eight hotfixes merged at once: siblings on the line, none contained in another.
      shas.push(
        await sandbox.commit({ [`f${i}.txt`]: `${i}\n` }, `hotfix: ${i}`, { branch: `hotfix/h${i}`, from: base }),
      );
    }
    await sandbox.push();
    const runs = await Promise.all(shas.map((sha) => bump({}, { sha })));
    for (const run of runs) expect(run.exitCode, run.stdout).toBe(0);
    const tags = runs.map((run) => run.outputs.tag);
    expect(new Set(tags).size).toBe(8);
    expect([...tags].sort()).toEqual([
      'v1.2.10',
      'v1.2.11',
      'v1.2.4',
      'v1.2.5',
      'v1.2.6',
      'v1.2.7',
      'v1.2.8',
      'v1.2.9',
    ]);
    for (const [index, run] of runs.entries()) expect(await remoteTag(run.outputs.tag!)).toBe(shas[index]);
  });

  it('creates a release for an old line that is never marked Latest, once', async () => {
    const { hotfix } = await peersBugRepo();
    const run = await bump({ 'create-release': 'true' }, { sha: hotfix });
    expect(run.exitCode).toBe(0);
    expect(api.state.releases).toHaveLength(1);
    expect(api.state.releases[0]).toMatchObject({ tagName: 'v1.2.4', targetCommitish: hotfix });
    const create = api.requests.find((r) => r.operationId === 'repos/create-release');
    expect(create?.body).toMatchObject({ make_latest: 'false', target_commitish: hotfix });
    const before = api.mutations();
    await bump({ 'create-release': 'true' }, { sha: hotfix });
    expect(api.mutations()).toBe(before);
    expect(api.state.releases).toHaveLength(1);
  });

  it('retries a 502 and a secondary rate limit, then succeeds', async () => {
    const { hotfix } = await peersBugRepo();
    api.faults.inject({ match: { method: 'POST', path: '/git/refs' }, kind: 'status', status: 502 });
    api.faults.inject({ match: { method: 'GET' }, kind: 'secondary-rate-limit', retryAfter: 1 });
    const run = await bump({}, { sha: hotfix });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs.tag).toBe('v1.2.4');
    expect(await remoteTag('v1.2.4')).toBe(hotfix);
    expect(api.requests.filter((r) => r.fault).length).toBe(2);
  });

  it('gives up on a persistent 500 after the retries, naming the request, and creates no tag', async () => {
    const { hotfix } = await peersBugRepo();
    api.faults.inject({ match: { method: 'POST', path: '/git/tags' }, kind: 'status', status: 500, times: Infinity });
    const run = await bump({}, { sha: hotfix });
    expect(run.exitCode).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.title).toBe('GitHub API error 500');
    expect(errors[0]!.message).toMatch(/POST \/repos\/acme\/shop\/git\/tags answered 500/);
    expect(api.count({ method: 'POST', path: '/git/tags' })).toBe(4);
    expect(await remoteTag('v1.2.4')).toBeUndefined();
  });

  it('fails at once, with what to do, when the token is refused (not retryable)', async () => {
    const { hotfix } = await peersBugRepo();
    await api.close();
    api = await startGitHubStandIn({ owner: 'acme', repo: 'shop', gitDir: sandbox.origin, token: 'the-real-token' });
    const run = await bump({}, { sha: hotfix });
    expect(run.exitCode).toBe(1);
    const [error] = run.annotations.filter((a) => a.level === 'error');
    expect(error!.title).toBe('GitHub API error 401');
    expect(error!.message).toContain('check the `token` input');
    expect(api.requests).toHaveLength(1);
    expect(api.mutations()).toBe(0);
  });
});

describe('version-bump, commits and tokens that cannot work', () => {
  it('a sha the repository does not have is a configuration error naming sha, for both methods', async () => {
    await peersBugRepo();
    const missing = '0'.repeat(40);
    const viaApi = await bump({}, { sha: missing });
    const workspace = await sandbox.clone({ depth: 1, branch: 'release/v1.2', noTags: true });
    const viaGit = await bump({ method: 'git', token: '' }, { sha: missing, workspace });
    for (const run of [viaApi, viaGit]) {
      expect(run.exitCode).toBe(1);
      const errors = run.annotations.filter((a) => a.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.title).toBe('Configuration error for input "sha"');
    }
    expect(await remoteTag('v1.2.4')).toBeUndefined();
  });

  it('a token with a line break inside is refused naming token, without a request or its value', async () => {
    const { hotfix } = await peersBugRepo();
    const run = await bump({ token: 'ghs_abc\ndef' }, { sha: hotfix });
    expect(run.exitCode).toBe(1);
    expect(run.annotations.filter((a) => a.level === 'error').map((a) => a.title)).toEqual([
      'Configuration error for input "token"',
    ]);
    expect(run.stdout).not.toContain('ghs_abc');
    expect(api.requests).toHaveLength(0);
  });
});

describe('version-bump, method git', () => {
  it('tags from a fetch-depth 1 clone on a runner with no git identity, atomically, and re-runs are no-ops', async () => {
    const { hotfix } = await peersBugRepo();
    const workspace = await sandbox.clone({ depth: 1, branch: 'release/v1.2', noTags: true });
    const run = await bump({ method: 'git', token: '' }, { sha: hotfix, workspace });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ tag: 'v1.2.4', 'previous-tag': 'v1.2.3', outcome: 'created' });
    expect(await remoteTag('v1.2.4')).toBe(hotfix);
    const tagger = await sandbox.git(['cat-file', '-p', 'refs/tags/v1.2.4'], sandbox.origin);
    expect(tagger).toContain('github-actions[bot]');
    expect(tagger).toContain('Tickets: bd-a1b2');
    const again = await bump({ method: 'git', token: '' }, { sha: hotfix, workspace });
    expect(again.outputs).toMatchObject({ outcome: 'exists', tag: 'v1.2.4' });
    expect(api.requests).toHaveLength(0);
  });

  it('loses a push race and takes the next number', async () => {
    const { hotfix } = await peersBugRepo();
    const workspace = await sandbox.clone({ depth: 1, branch: 'release/v1.2', noTags: true });
    // Another run pushes v1.2.4 just after our listing: a `git` on PATH plays that run once.
    const other = await sandbox.revParse('release/v1.2~1');
    const bin = join(sandbox.root, 'bin');
    const realGit = (await import('node:child_process')).execFileSync('sh', ['-c', 'command -v git']).toString().trim();
    const { mkdirSync, writeFileSync, chmodSync } = await import('node:fs');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'git'),
      `#!/bin/sh\n"${realGit}" "$@"; status=$?\n` +
        `case "$*" in *ls-remote*) if [ ! -e "${bin}/raced" ]; then touch "${bin}/raced"; ` +
        `"${realGit}" --git-dir="${sandbox.origin}" update-ref refs/tags/v1.2.4 ${other}; fi;; esac\nexit $status\n`,
    );
    chmodSync(join(bin, 'git'), 0o755);
    const path = `${bin}:${process.env.PATH}`;
    const run = await bump({ method: 'git', token: '' }, { sha: hotfix, workspace, env: { PATH: path } });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ tag: 'v1.2.5', attempts: '2' });
    expect(await remoteTag('v1.2.4')).toBe(other);
    expect(await remoteTag('v1.2.5')).toBe(hotfix);
  });
});

describe('version-bump, bad input', () => {
  const sentinel = join(process.env.TMPDIR ?? '/tmp', `hotfix-actions-sentinel-${process.pid}`);
  const cases: [string, Record<string, string>, { ref?: string; sha?: string }, RegExp][] = [
    ['unknown scheme', { scheme: 'major' }, {}, /Input "scheme"/],
    ['unparsable line', { line: '1.2.3.4' }, {}, /Input "line"/],
    ['hostile branch', { branch: `release/v1.2;touch ${sentinel}` }, {}, /Input "branch"/],
    ['command substitution', { branch: `$(touch ${sentinel})` }, {}, /Input "branch"/],
    ['dot-dot branch', { branch: 'release/../v1.2' }, {}, /Input "branch"/],
    ['spaces', { branch: 'release/v1 2' }, {}, /Input "branch"/],
    ['missing sha', { sha: 'HEAD' }, {}, /Input "sha"/],
    ['bad pattern', { 'release-branch-pattern': 'release/v' }, {}, /Input "release-branch-pattern"/],
    ['bad method', { method: 'ssh' }, {}, /Input "method"/],
    ['bad boolean', { 'dry-run': 'maybe' }, {}, /Input "dry-run"/],
    ['bad prefix', { 'tag-prefix': 'v;rm' }, {}, /Input "tag-prefix"/],
  ];
  it.each(cases)(
    '%s: one error naming the input, exit 1, nothing created, nothing executed',
    async (_name, inputs, _x, re) => {
      const { hotfix } = await peersBugRepo();
      const run = await bump(inputs, { sha: hotfix });
      expect(run.exitCode).toBe(1);
      const errors = run.annotations.filter((a) => a.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toMatch(re);
      expect(errors[0]!.title).toMatch(/Configuration error/);
      expect(api.requests).toHaveLength(0);
      expect(existsSync(sentinel)).toBe(false);
    },
  );
});
