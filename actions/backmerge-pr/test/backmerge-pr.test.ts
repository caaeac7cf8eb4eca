import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GitHubStandIn, GitSandbox } from '@hotfix-actions/testkit';
import {
  cascadeRepo as makeCascade,
  isAncestor as originHas,
  pushEvent,
  results,
  runBackmerge,
  startWorld,
  stopWorld,
  type RunOptions,
  type World,
} from './fixtures.js';

// Runner-contract tests of the merge strategy: the committed bundle dist/backmerge-pr/index.js, run
// as the runner runs it, against the GitHub API stand-in whose git data is the sandbox's bare origin
// (real merges, real mergeability, every request checked against GitHub's description).

let world: World;
let sandbox: GitSandbox;
let api: GitHubStandIn;

beforeEach(async () => {
  world = await startWorld();
  ({ sandbox, api } = world);
});

afterEach(() => stopWorld(world));

async function cascadeRepo(options: { conflictOn?: string } = {}): Promise<{ hotfix: string }> {
  return { hotfix: await makeCascade(sandbox, options) };
}

function backmerge(inputs: Record<string, string>, options: RunOptions) {
  return runBackmerge(world, inputs, options);
}

function isAncestor(ancestor: string, branch: string): Promise<boolean> {
  return originHas(sandbox, ancestor, branch);
}

function openPulls() {
  return api.state.pulls.filter((pull) => pull.state === 'open');
}

describe('backmerge-pr, merge strategy', () => {
  it('opens the cascade release/v1.2 → release/v1.3 → main in order, with markers and labels, in 4 requests a target', async () => {
    const { hotfix } = await cascadeRepo();
    const run = await backmerge({ labels: 'backmerge, hotfix' }, { sha: hotfix });
    expect(run.stderr).toBe('');
    expect(run.exitCode, run.stdout).toBe(0);
    expect(results(run)).toEqual([
      {
        target: 'release/v1.3',
        status: 'created',
        'pr-number': 1,
        'pr-url': 'https://github.com/acme/shop/pull/1',
        branch: 'backmerge/bd-a1b2-to-release-v1.3',
      },
      {
        target: 'main',
        status: 'created',
        'pr-number': 2,
        'pr-url': 'https://github.com/acme/shop/pull/2',
        branch: 'backmerge/bd-a1b2-to-main',
      },
    ]);
    expect(run.outputs).toMatchObject({ created: '2', conflicts: '0' });
    expect(Number(run.outputs['lag-seconds'])).toBeGreaterThanOrEqual(0);

    const [v13, main] = api.state.pulls;
    expect(v13).toMatchObject({ base: 'release/v1.3', head: 'backmerge/bd-a1b2-to-release-v1.3', draft: false });
    expect(main).toMatchObject({ base: 'main', head: 'backmerge/bd-a1b2-to-main', draft: false });
    expect(v13!.title).toBe('Back-merge release/v1.2 into release/v1.3 (bd-a1b2)');
    expect(v13!.body).toContain(
      `<!-- hotfix-actions:backmerge source=release/v1.2 target=release/v1.3 strategy=merge sha=${hotfix} -->`,
    );
    expect(main!.body).toContain('target=main strategy=merge');
    expect(v13!.labels).toEqual(['backmerge', 'hotfix']);
    expect(main!.labels).toEqual(['backmerge', 'hotfix']);
    // The older line is never a target.
    expect(api.state.pulls.some((pull) => pull.base === 'release/v1.1')).toBe(false);
    // Each branch holds the hotfix with its target merged in: the pull requests are clean.
    for (const pull of [v13!, main!]) {
      expect(await isAncestor(hotfix, pull.head)).toBe(true);
      expect(await isAncestor(`refs/heads/${pull.base}`, pull.head)).toBe(true);
    }
    // One listing of branches, then per target: compare, create ref, merge, pull request, labels.
    expect(api.count({ operationId: 'git/list-matching-refs' })).toBe(1);
    const perTarget = (api.requests.length - 1) / 2;
    expect(perTarget).toBe(5);
    expect(perTarget - 1).toBeLessThanOrEqual(4); // without labels
    expect(run.summary).toContain(
      '| 1 | `release/v1.3` | pull request opened | [#1](https://github.com/acme/shop/pull/1)',
    );
    expect(run.summary).toContain('```mermaid');
    expect(run.summary).toContain('s0 --> t1 --> t2');
  });

  it('costs 4 requests a clean target without labels, 3 when the target can fast-forward', async () => {
    const { hotfix } = await cascadeRepo();
    const run = await backmerge({}, { sha: hotfix });
    expect(run.exitCode).toBe(0);
    const perTarget = ['repos/compare-commits-with-basehead', 'git/create-ref', 'repos/merge', 'pulls/create'];
    expect(api.requests.map((request) => request.operationId)).toEqual([
      'git/list-matching-refs',
      ...perTarget,
      ...perTarget,
    ]);

    // develop has not moved since main's previous release: the pull request is a fast-forward.
    await sandbox.git(['push', 'origin', 'main:refs/heads/develop']);
    const fix = await sandbox.commit({ 'main.txt': 'fix\n' }, 'fix: on main', { branch: 'main', push: true });
    api.clearRequests();
    const ff = await backmerge({ trunk: 'develop', ticket: 'bd-c3d4' }, { sha: fix, ref: 'main' });
    expect(ff.exitCode, ff.stdout).toBe(0);
    expect(results(ff)[0]).toMatchObject({ target: 'develop', status: 'created' });
    expect(api.requests.map((request) => request.operationId)).toEqual([
      'git/list-matching-refs',
      'repos/compare-commits-with-basehead',
      'git/create-ref',
      'pulls/create',
    ]);
  });

  it('skips a target that already has the fix (up-to-date, no pull request)', async () => {
    const { hotfix } = await cascadeRepo();
    await sandbox.checkout('main');
    await sandbox.git(['merge', '--no-ff', '-X', 'ours', '-m', 'Merge release/v1.2', 'release/v1.2']);
    await sandbox.push('refs/heads/main:refs/heads/main');
    const run = await backmerge({}, { sha: hotfix });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(results(run).map((r) => [r.target, r.status])).toEqual([
      ['release/v1.3', 'created'],
      ['main', 'up-to-date'],
    ]);
    expect(results(run)[1]).toMatchObject({ 'pr-number': null, branch: null });
    expect(api.state.pulls).toHaveLength(1);
    expect(api.count({ method: 'POST', path: '/git/refs' })).toBe(1);
  });

  it('a second run changes nothing and reports exists', async () => {
    const { hotfix } = await cascadeRepo();
    const inputs = { labels: 'backmerge', reviewers: 'alice' };
    const first = await backmerge(inputs, { sha: hotfix });
    expect(first.outputs.created).toBe('2');
    expect(api.state.pulls.map((pull) => pull.requestedReviewers)).toEqual([['alice'], ['alice']]);
    const before = api.mutations();
    const again = await backmerge(inputs, { sha: hotfix });
    expect(again.exitCode, again.stdout).toBe(0);
    expect(api.mutations()).toBe(before);
    expect(results(again).map((r) => [r.target, r.status, r['pr-number']])).toEqual([
      ['release/v1.3', 'exists', 1],
      ['main', 'exists', 2],
    ]);
    expect(again.outputs).toMatchObject({ created: '0', conflicts: '0' });
    expect(api.state.pulls).toHaveLength(2);
  });

  it('a back-merge that was squash-merged counts as up-to-date: no empty pull request', async () => {
    const { hotfix } = await cascadeRepo();
    await backmerge({}, { sha: hotfix });
    // A person squash-merges the pull request into main, and GitHub deletes its branch.
    for (const [method, path, body] of [
      ['PUT', '/pulls/2/merge', { merge_method: 'squash' }],
      ['DELETE', '/git/refs/heads/backmerge/bd-a1b2-to-main', undefined],
    ] as const) {
      const response = await fetch(`${api.url}/repos/acme/shop${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      expect(response.ok).toBe(true);
    }
    const again = await backmerge({}, { sha: hotfix });
    expect(again.exitCode, again.stdout).toBe(0);
    expect(results(again).map((r) => [r.target, r.status])).toEqual([
      ['release/v1.3', 'exists'],
      ['main', 'up-to-date'],
    ]);
    expect(api.state.pulls).toHaveLength(2);
    expect(await sandbox.git(['branch', '--list', 'backmerge/*'], sandbox.origin)).not.toContain('to-main');
  });

  it('a follow-up fix on the same ticket is merged into the open pull request, never a second one', async () => {
    const { hotfix } = await cascadeRepo();
    await backmerge({}, { sha: hotfix });
    const followUp = await sandbox.commit({ 'login-test.txt': 'covered\n' }, 'test(bd-a1b2): cover the login fix', {
      branch: 'release/v1.2',
      push: true,
    });
    const again = await backmerge(
      {},
      { sha: followUp, event: pushEvent('release/v1.2', followUp, 'test(bd-a1b2): x') },
    );
    expect(again.exitCode, again.stdout).toBe(0);
    expect(results(again).map((r) => [r.target, r.status, r['pr-number']])).toEqual([
      ['release/v1.3', 'exists', 1],
      ['main', 'exists', 2],
    ]);
    expect(api.state.pulls).toHaveLength(2);
    for (const pull of api.state.pulls) {
      expect(await isAncestor(followUp, pull.head)).toBe(true);
      expect(pull.body).toContain(`sha=${followUp}`);
    }
  });

  it('a conflict gets a labelled draft with files and commands; later targets still run; the step warns', async () => {
    const { hotfix } = await cascadeRepo({ conflictOn: 'release/v1.3' });
    const run = await backmerge({}, { sha: hotfix });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(results(run).map((r) => [r.target, r.status])).toEqual([
      ['release/v1.3', 'conflict'],
      ['main', 'created'],
    ]);
    expect(results(run)[0]!.files).toEqual(['login.txt']);
    expect(run.outputs).toMatchObject({ created: '1', conflicts: '1' });
    const [conflict, main] = api.state.pulls;
    expect(conflict).toMatchObject({ base: 'release/v1.3', draft: true, labels: ['backmerge-conflict'] });
    expect(main).toMatchObject({ base: 'main', draft: false, labels: [] });
    expect(conflict!.body).toContain('- `login.txt`');
    expect(conflict!.body).toContain('git merge origin/release/v1.3');
    expect(conflict!.body).toContain('git push origin HEAD:refs/heads/backmerge/bd-a1b2-to-release-v1.3');
    const warning = run.annotations.find((a) => a.level === 'warning');
    expect(warning?.title).toBe('Back-merge conflict: release/v1.3');
    expect(warning?.message).toContain('login.txt');
    expect(run.summary).toContain('conflict: needs a person');

    // The commands in the body work: run them in a fresh clone, resolve, push; the branch then has both sides.
    const clone = await sandbox.clone({ identity: true });
    const commands = conflict!.body!.split('```sh\n')[1]!.split('\n```')[0]!.split('\n');
    for (const line of commands) {
      if (line.startsWith('#')) {
        await writeFile(join(clone, 'login.txt'), 'login=fixed-reworked\n');
        continue;
      }
      const args = line.split(' ').slice(1);
      // The merge stops on the conflict, as it would for a person.
      await sandbox.git(args, clone).catch((error: unknown) => {
        if (args[0] !== 'merge') throw error;
      });
    }
    expect(await isAncestor('refs/heads/release/v1.3', conflict!.head)).toBe(true);
    expect(await isAncestor(hotfix, conflict!.head)).toBe(true);
  });

  it('fail-on-conflict fails the step, after every target was handled', async () => {
    const { hotfix } = await cascadeRepo({ conflictOn: 'release/v1.3' });
    const run = await backmerge({ 'fail-on-conflict': 'true' }, { sha: hotfix });
    expect(run.exitCode).toBe(1);
    expect(results(run).map((r) => r.status)).toEqual(['conflict', 'created']);
    const error = run.annotations.find((a) => a.level === 'error');
    expect(error?.title).toBe('Back-merge conflicts');
    expect(api.state.pulls).toHaveLength(2);
  });

  it('direct-push merges clean targets without a pull request', async () => {
    const { hotfix } = await cascadeRepo({ conflictOn: 'release/v1.3' });
    const run = await backmerge({ 'direct-push': 'true' }, { sha: hotfix });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(results(run).map((r) => [r.target, r.status])).toEqual([
      ['release/v1.3', 'conflict'],
      ['main', 'pushed'],
    ]);
    expect(await isAncestor(hotfix, 'main')).toBe(true);
    expect(api.state.pulls.map((pull) => pull.base)).toEqual(['release/v1.3']);
    // One merge each: release/v1.3's answers the conflict at once, main's merges it.
    expect(api.count({ operationId: 'repos/merge' })).toBe(2);
  });

  it('direct-push to a protected branch falls back to a pull request, with a warning', async () => {
    await stopWorld(world);
    world = await startWorld({ protectedBranches: ['main'] });
    ({ sandbox, api } = world);
    const { hotfix } = await cascadeRepo();
    const run = await backmerge({ 'direct-push': 'true', targets: 'main' }, { sha: hotfix });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(results(run)[0]).toMatchObject({ target: 'main', status: 'created', 'pr-number': 1 });
    expect(run.annotations.find((a) => a.level === 'warning')?.title).toBe('Direct push to main');
    expect(await isAncestor(hotfix, 'main')).toBe(false);
  });

  it('fails clearly when a pull request cannot be created mid-cascade, and a re-run finishes without duplicates', async () => {
    const { hotfix } = await cascadeRepo();
    // The first pull request goes through; from then on creating one answers 500, retries included.
    api.faults.beforeWrite('POST', '/pulls', () => {
      api.faults.inject({ match: { method: 'POST', path: '/pulls' }, kind: 'status', status: 500, times: Infinity });
    });
    const failed = await backmerge({}, { sha: hotfix });
    expect(failed.exitCode).toBe(1);
    const error = failed.annotations.find((a) => a.level === 'error');
    expect(error?.title).toBe('GitHub API error 500');
    expect(error?.message).toContain('POST /repos/acme/shop/pulls answered 500');
    expect(results(failed).map((r) => [r.target, r.status])).toEqual([
      ['release/v1.3', 'created'],
      ['main', 'failed'],
    ]);
    expect(api.state.pulls).toHaveLength(1);

    api.faults.clear();
    const rerun = await backmerge({}, { sha: hotfix });
    expect(rerun.exitCode, rerun.stdout).toBe(0);
    expect(results(rerun).map((r) => [r.target, r.status])).toEqual([
      ['release/v1.3', 'exists'],
      ['main', 'created'],
    ]);
    expect(api.state.pulls.map((pull) => pull.base)).toEqual(['release/v1.3', 'main']);
    expect(openPulls()).toHaveLength(2);
    expect(await isAncestor(hotfix, 'backmerge/bd-a1b2-to-main')).toBe(true);
  });

  it('gitflow: back-merges main into develop', async () => {
    await sandbox.commit({ 'app.txt': '1\n' }, 'feat: one');
    await sandbox.createBranch('develop');
    await sandbox.commit({ 'dev.txt': 'next\n' }, 'feat: next', { branch: 'develop' });
    const hotfix = await sandbox.commit({ 'app.txt': '1 fixed\n' }, 'Merge hotfix/v1.3.0-hotfix.1', { branch: 'main' });
    await sandbox.push();
    const run = await backmerge({ trunk: 'develop', ticket: 'bd-x9y8' }, { sha: hotfix, ref: 'main' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(results(run)).toEqual([
      expect.objectContaining({ target: 'develop', status: 'created', branch: 'backmerge/bd-x9y8-to-develop' }),
    ]);
  });

  it('dry-run reports the plan and creates nothing', async () => {
    const { hotfix } = await cascadeRepo();
    const run = await backmerge({ 'dry-run': 'true' }, { sha: hotfix });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(results(run).map((r) => r.status)).toEqual(['created', 'created']);
    expect(api.mutations()).toBe(0);
    expect(run.summary).toContain('Dry run');
    expect(run.summary).toContain('would open a pull request');
  });

  it('refuses a target on an older line, naming the input, before anything is created', async () => {
    const { hotfix } = await cascadeRepo();
    const run = await backmerge({ targets: 'release/v1.1, main' }, { sha: hotfix });
    expect(run.exitCode).toBe(1);
    const error = run.annotations.find((a) => a.level === 'error');
    expect(error?.title).toBe('Configuration error for input "targets"');
    expect(error?.message).toContain('release/v1.1');
    expect(api.mutations()).toBe(0);
  });
});
