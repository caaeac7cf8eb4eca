import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSandboxGit, type GitHubStandIn, type GitSandbox } from '@hotfix-actions/testkit';
import { cascadeRepo, isAncestor, results, runBackmerge, startWorld, stopWorld, type World } from './fixtures.js';

// Runner-contract tests of the cherry-pick strategy: the bundle works from a shallow checkout in
// GITHUB_WORKSPACE (as actions/checkout leaves it) and fetches only what it needs.

let world: World;
let sandbox: GitSandbox;
let api: GitHubStandIn;

beforeEach(async () => {
  world = await startWorld();
  ({ sandbox, api } = world);
});

afterEach(() => stopWorld(world));

/** A `fetch-depth: 1` checkout of release/v1.2, on a runner without git identity. */
function shallowCheckout(): Promise<string> {
  return sandbox.clone({ depth: 1, branch: 'release/v1.2' });
}

async function message(branch: string): Promise<string> {
  return sandbox.git(['log', '-1', '--format=%B', `refs/heads/${branch}`], sandbox.origin);
}

async function call(method: string, path: string, body?: object): Promise<Record<string, unknown>> {
  const response = await fetch(`${api.url}/repos/acme/shop${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  expect(response.ok, `${method} ${path} → ${response.status}`).toBe(true);
  return (await response.json()) as Record<string, unknown>;
}

describe('backmerge-pr, cherry-pick strategy', () => {
  it('forward-ports from a shallow checkout with -x, oldest line first, without touching the checkout', async () => {
    const hotfix = await cascadeRepo(sandbox);
    const workspace = await shallowCheckout();
    const run = await runBackmerge(
      world,
      { strategy: 'cherry-pick', commits: hotfix, labels: 'backmerge' },
      {
        sha: hotfix,
        workspace,
      },
    );
    expect(run.stderr).toBe('');
    expect(run.exitCode, run.stdout).toBe(0);
    expect(results(run).map((r) => [r.target, r.status, r.branch])).toEqual([
      ['release/v1.3', 'created', 'backmerge/bd-a1b2-to-release-v1.3'],
      ['main', 'created', 'backmerge/bd-a1b2-to-main'],
    ]);
    for (const target of ['release/v1.3', 'main']) {
      const branch = `backmerge/bd-a1b2-to-${target.replace('/', '-')}`;
      expect(await message(branch)).toContain(`(cherry picked from commit ${hotfix})`);
      // One commit on the target's tip: only the fix, nothing else of release/v1.2.
      const parent = await sandbox.git(['rev-parse', `refs/heads/${branch}~1`], sandbox.origin);
      expect(parent).toBe(await sandbox.git(['rev-parse', `refs/heads/${target}`], sandbox.origin));
      expect(await isAncestor(sandbox, hotfix, branch)).toBe(false);
    }
    const [v13] = api.state.pulls;
    expect(v13!.body).toContain('strategy=cherry-pick');
    expect(v13!.body).toContain(`- ${hotfix.slice(0, 7)} hotfix(bd-a1b2): fix login`);
    expect(v13!.labels).toEqual(['backmerge']);
    // The checkout is as it was: same commit, clean, still shallow, no worktree left behind.
    expect(await sandbox.git(['rev-parse', 'HEAD'], workspace)).toBe(hotfix);
    expect(await sandbox.git(['status', '--porcelain'], workspace)).toBe('');
    expect(await sandbox.git(['rev-parse', '--is-shallow-repository'], workspace)).toBe('true');
    expect((await sandbox.git(['worktree', 'list'], workspace)).split('\n')).toHaveLength(1);
    // The API is needed for the branch listing and the pull requests only.
    expect(api.requests.map((request) => request.operationId)).toEqual([
      'git/list-matching-refs',
      'pulls/create',
      'issues/add-labels',
      'pulls/create',
      'issues/add-labels',
    ]);
  });

  it('recognises a cherry-pick made by hand (same patch, other message) as up-to-date', async () => {
    const hotfix = await cascadeRepo(sandbox);
    await sandbox.checkout('main');
    await sandbox.git(['cherry-pick', '--no-commit', hotfix]);
    await sandbox.git(['commit', '-q', '-m', 'Port the login fix by hand']);
    await sandbox.commit({ 'later.txt': 'later\n' }, 'feat: later work on main', { push: true });
    const run = await runBackmerge(
      world,
      { strategy: 'cherry-pick', commits: hotfix },
      {
        sha: hotfix,
        workspace: await shallowCheckout(),
      },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(results(run).map((r) => [r.target, r.status])).toEqual([
      ['release/v1.3', 'created'],
      ['main', 'up-to-date'],
    ]);
    expect(api.state.pulls.map((pull) => pull.base)).toEqual(['release/v1.3']);
  });

  it('a conflict gets a draft with the conflicting files and working commands; a second run changes nothing', async () => {
    const hotfix = await cascadeRepo(sandbox, { conflictOn: 'release/v1.3' });
    const workspace = await shallowCheckout();
    const inputs = { strategy: 'cherry-pick', commits: hotfix };
    const run = await runBackmerge(world, inputs, { sha: hotfix, workspace });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(results(run).map((r) => [r.target, r.status])).toEqual([
      ['release/v1.3', 'conflict'],
      ['main', 'created'],
    ]);
    expect(results(run)[0]!.files).toEqual(['login.txt']);
    const [draft] = api.state.pulls;
    expect(draft).toMatchObject({ base: 'release/v1.3', draft: true, labels: ['backmerge-conflict'] });
    expect(draft!.body).toContain('Conflicting files:\n- `login.txt`');
    expect(draft!.body).toContain(`git cherry-pick -x ${hotfix}`);
    expect(await message(draft!.head)).toContain('needs conflict resolution');
    expect(run.annotations.some((a) => a.level === 'warning' && a.title === 'Back-merge conflict: release/v1.3')).toBe(
      true,
    );

    // A person follows the commands in a clone of their own.
    const clone = await sandbox.clone({ identity: true });
    const commands = draft!.body!.split('```sh\n')[1]!.split('\n```')[0]!.split('\n');
    for (const line of commands) {
      if (line.startsWith('#')) {
        await sandbox.git(['checkout', '--theirs', '--', 'login.txt'], clone);
        continue;
      }
      // GIT_EDITOR: `cherry-pick --continue` asks for the message in an editor, as it would a person.
      await runSandboxGit(line.split(' ').slice(1), clone, { env: { GIT_EDITOR: 'true' } }).catch((error: unknown) => {
        if (!line.startsWith('git cherry-pick -x')) throw error;
      });
    }
    expect(await message(draft!.head)).toContain(`(cherry picked from commit ${hotfix})`);

    // Re-running now: the branch has the fix (by its -x trailer), the pull requests exist: no change.
    const before = api.mutations();
    const again = await runBackmerge(world, inputs, { sha: hotfix, workspace: await shallowCheckout() });
    expect(again.exitCode, again.stdout).toBe(0);
    expect(results(again).map((r) => [r.target, r.status])).toEqual([
      ['release/v1.3', 'conflict'], // still labelled: a person removes the label after review
      ['main', 'exists'],
    ]);
    expect(api.mutations()).toBe(before);
  });

  it('takes the commits of the merged hotfix pull request that triggered the run', async () => {
    await cascadeRepo(sandbox);
    const base = await sandbox.revParse('release/v1.2');
    const first = await sandbox.commit({ 'session.txt': 'timeout=30\n' }, 'fix: session timeout', {
      branch: 'hotfix/bd-e5f6-session',
      from: base,
    });
    const second = await sandbox.commit({ 'session.txt': 'timeout=30\nrenew=true\n' }, 'test: session renewal', {
      push: true,
    });
    const pull = await call('POST', '/pulls', {
      title: 'Fix the session timeout',
      head: 'hotfix/bd-e5f6-session',
      base: 'release/v1.2',
      body: 'Resolves bd-e5f6',
    });
    const merged = await call('PUT', `/pulls/${String(pull.number)}/merge`, { merge_method: 'merge' });
    api.clearRequests();
    const event = {
      action: 'closed',
      number: pull.number,
      pull_request: {
        number: pull.number,
        merged: true,
        merge_commit_sha: merged.sha,
        title: 'Fix the session timeout',
        body: 'Resolves bd-e5f6',
        head: { ref: 'hotfix/bd-e5f6-session' },
        base: { ref: 'release/v1.2' },
      },
    };
    const run = await runBackmerge(
      world,
      { strategy: 'cherry-pick', targets: 'main' },
      {
        sha: String(merged.sha),
        ref: `refs/pull/${String(pull.number)}/merge`,
        event,
        eventName: 'pull_request',
        env: { GITHUB_BASE_REF: 'release/v1.2', GITHUB_HEAD_REF: 'hotfix/bd-e5f6-session' },
        workspace: await sandbox.clone({ depth: 1, branch: 'release/v1.2' }),
      },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(results(run)).toEqual([
      expect.objectContaining({ target: 'main', status: 'created', branch: 'backmerge/bd-e5f6-to-main' }),
    ]);
    const log = await sandbox.git(
      ['log', '--format=%s%n%b', 'refs/heads/main..refs/heads/backmerge/bd-e5f6-to-main'],
      sandbox.origin,
    );
    expect(log).toContain(`(cherry picked from commit ${first})`);
    expect(log).toContain(`(cherry picked from commit ${second})`);
    expect(api.count({ operationId: 'pulls/list-commits' })).toBe(1);
  });

  it('direct-push pushes clean cherry-picks to the target', async () => {
    const hotfix = await cascadeRepo(sandbox);
    const run = await runBackmerge(
      world,
      { strategy: 'cherry-pick', commits: hotfix, 'direct-push': 'true' },
      {
        sha: hotfix,
        workspace: await shallowCheckout(),
      },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(results(run).map((r) => [r.target, r.status])).toEqual([
      ['release/v1.3', 'pushed'],
      ['main', 'pushed'],
    ]);
    expect(await message('main')).toContain(`(cherry picked from commit ${hotfix})`);
    expect(api.state.pulls).toHaveLength(0);
    expect(Number(run.outputs['lag-seconds'])).toBeGreaterThanOrEqual(0);
  });
});
