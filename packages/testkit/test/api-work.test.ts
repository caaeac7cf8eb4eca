import { getOctokit } from '@actions/github';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertNoViolations, type GitHubStandIn, startGitHubStandIn } from '../src/api/index.js';
import { createGitSandbox, type GitSandbox } from '../src/sandbox.js';

const R = { owner: 'acme', repo: 'shop' } as const;

let sb: GitSandbox;
let api: GitHubStandIn;
let octokit: ReturnType<typeof getOctokit>;

let template: GitSandbox;

// The fixture is built once; every test works on its own copy of it.
beforeAll(async () => {
  template = await createGitSandbox();
  await template.commit({ 'app.txt': 'base\n', 'config.txt': 'a\n' }, 'feat: base', { push: true });
  await template.tag('v1.2.0', { push: true });
  await template.commit({ 'fix.txt': 'fix\n' }, 'fix(bd-a1b2): login', { branch: 'hotfix/bd-a1b2-login', push: true });
  await template.checkout('main');
  await template.commit({ 'config.txt': 'release\n' }, 'fix: release config', { branch: 'release/v1.2', push: true });
  await template.checkout('main');
  await template.commit({ 'config.txt': 'trunk\n' }, 'feat: trunk config', { push: true });
});

afterAll(async () => {
  await template.cleanup();
});

beforeEach(async () => {
  sb = await template.copy();
  api = await startGitHubStandIn({
    ...R,
    gitDir: sb.origin,
    users: { alice: { permission: 'admin', email: 'alice@example.com' }, bob: { permission: 'write' } },
    permissions: { carol: 'read', dave: 'none' },
    teams: { releasers: { alice: 'maintainer', bob: 'member' } },
  });
  octokit = getOctokit('test-token', { baseUrl: api.url });
});

afterEach(async () => {
  try {
    assertNoViolations(api);
  } finally {
    await api.close();
    await sb.cleanup();
  }
});

describe('pull requests', () => {
  it('computes mergeable with real git and refuses a duplicate head→base', async () => {
    const clean = await octokit.rest.pulls.create({
      ...R,
      head: 'hotfix/bd-a1b2-login',
      base: 'main',
      title: 'Fix login',
    });
    expect(clean.status).toBe(201);
    expect(clean.data).toMatchObject({
      number: 1,
      state: 'open',
      mergeable: true,
      mergeable_state: 'clean',
      commits: 1,
    });
    expect(clean.data.head.sha).toBe(await sb.revParse('hotfix/bd-a1b2-login'));

    const conflicting = await octokit.rest.pulls.create({
      ...R,
      head: 'release/v1.2',
      base: 'main',
      title: 'Back-merge',
      draft: true,
    });
    const { data: fetched } = await octokit.rest.pulls.get({ ...R, pull_number: conflicting.data.number });
    expect(fetched).toMatchObject({ mergeable: false, mergeable_state: 'dirty', draft: true, changed_files: 1 });

    const duplicate = await octokit.rest.pulls
      .create({ ...R, head: 'acme:hotfix/bd-a1b2-login', base: 'main', title: 'Again' })
      .catch((e: unknown) => e);
    expect(duplicate).toMatchObject({
      status: 422,
      response: {
        data: {
          message: 'Validation Failed',
          errors: [{ message: 'A pull request already exists for acme:hotfix/bd-a1b2-login.' }],
        },
      },
    });
    await expect(
      octokit.rest.pulls.create({ ...R, head: 'v1.2.0', base: 'main', title: 'Not a branch' }),
    ).rejects.toMatchObject({ status: 422 });
    expect(api.state.pulls.map((pull) => pull.head)).toEqual(['hotfix/bd-a1b2-login', 'release/v1.2']);
  });

  it('follows the head branch while open, filters lists like GitHub, and merges for real', async () => {
    const { data: pull } = await octokit.rest.pulls.create({
      ...R,
      head: 'hotfix/bd-a1b2-login',
      base: 'main',
      title: 'Fix',
    });
    await sb.commit({ 'fix.txt': 'fix 2\n' }, 'fix: second', { branch: 'hotfix/bd-a1b2-login', push: true });
    const { data: commits } = await octokit.rest.pulls.listCommits({ ...R, pull_number: pull.number });
    expect(commits.map((commit) => commit.commit.message)).toEqual(['fix(bd-a1b2): login', 'fix: second']);

    // `head` filters only in its owner:branch form; a bare branch name is ignored, as on GitHub.
    await octokit.rest.pulls.create({ ...R, head: 'release/v1.2', base: 'main', title: 'Back-merge' });
    const byOwner = await octokit.rest.pulls.list({ ...R, head: 'acme:hotfix/bd-a1b2-login' });
    expect(byOwner.data.map((one) => one.number)).toEqual([pull.number]);
    const bare = await octokit.rest.pulls.list({ ...R, head: 'hotfix/bd-a1b2-login' });
    expect(bare.data).toHaveLength(2);
    expect((await octokit.rest.pulls.list({ ...R, base: 'main', state: 'closed' })).data).toHaveLength(0);

    const head = await sb.revParse('hotfix/bd-a1b2-login');
    await expect(
      octokit.rest.pulls.merge({ ...R, pull_number: pull.number, sha: 'f'.repeat(40) }),
    ).rejects.toMatchObject({
      status: 409,
    });
    const merged = await octokit.rest.pulls.merge({ ...R, pull_number: pull.number, sha: head });
    expect(merged.data.merged).toBe(true);
    const trunk = await sb.revParse('refs/heads/main', sb.origin);
    expect(trunk).toBe(merged.data.sha);
    expect(await sb.git(['log', '-1', '--format=%s', trunk], sb.origin)).toBe(
      `Merge pull request #${pull.number} from acme/hotfix/bd-a1b2-login`,
    );
    const { data: after } = await octokit.rest.pulls.get({ ...R, pull_number: pull.number });
    expect(after).toMatchObject({ state: 'closed', merged: true, merge_commit_sha: trunk });

    const { data: associated } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      ...R,
      commit_sha: head,
    });
    expect(associated.map((one) => one.number)).toEqual([pull.number]);
    await expect(octokit.rest.pulls.merge({ ...R, pull_number: pull.number })).rejects.toMatchObject({ status: 405 });
  });

  it('counts a pull request as merged once its base contains the head by another way', async () => {
    const { data: pull } = await octokit.rest.pulls.create({
      ...R,
      head: 'hotfix/bd-a1b2-login',
      base: 'main',
      title: 'Fix',
    });
    const head = await sb.revParse('hotfix/bd-a1b2-login');
    await octokit.rest.repos.merge({ ...R, base: 'main', head: 'hotfix/bd-a1b2-login' });
    expect((await octokit.rest.pulls.list(R)).data).toHaveLength(0);
    const { data } = await octokit.rest.pulls.get({ ...R, pull_number: pull.number });
    expect(data).toMatchObject({ state: 'closed', merged: true, merge_commit_sha: head });
  });

  it('can answer mergeable: null first, as GitHub does while it computes', async () => {
    const slow = await startGitHubStandIn({ ...R, gitDir: sb.origin, mergeableUnknownReads: 1 });
    try {
      const client = getOctokit('t', { baseUrl: slow.url });
      const created = await client.rest.pulls.create({
        ...R,
        head: 'hotfix/bd-a1b2-login',
        base: 'main',
        title: 'Fix',
      });
      expect(created.data).toMatchObject({ mergeable: null, mergeable_state: 'unknown' });
      const { data } = await client.rest.pulls.get({ ...R, pull_number: created.data.number });
      expect(data).toMatchObject({ mergeable: true, mergeable_state: 'clean' });
      assertNoViolations(slow);
    } finally {
      await slow.close();
    }
  });

  it('requests reviewers among collaborators and teams only', async () => {
    const { data: pull } = await octokit.rest.pulls.create({
      ...R,
      head: 'hotfix/bd-a1b2-login',
      base: 'main',
      title: 'Fix',
    });
    const requested = await octokit.rest.pulls.requestReviewers({
      ...R,
      pull_number: pull.number,
      reviewers: ['alice'],
      team_reviewers: ['releasers'],
    });
    expect(requested.data.requested_reviewers?.map((user) => user.login)).toEqual(['alice']);
    const { data: listed } = await octokit.rest.pulls.listRequestedReviewers({ ...R, pull_number: pull.number });
    expect(listed.teams.map((team) => team.slug)).toEqual(['releasers']);
    for (const reviewers of [['mallory'], ['dave']]) {
      await expect(
        octokit.rest.pulls.requestReviewers({ ...R, pull_number: pull.number, reviewers }),
      ).rejects.toMatchObject({ status: 422 });
    }
    await octokit.rest.pulls.update({ ...R, pull_number: pull.number, state: 'closed' });
    expect(api.state.pull(pull.number)).toMatchObject({
      state: 'closed',
      merged: false,
      requestedReviewers: ['alice'],
    });
  });
});

describe('issues, labels and comments', () => {
  it('creates issues with labels (made on the fly), comments, and lists them', async () => {
    const { data: issue } = await octokit.rest.issues.create({
      ...R,
      title: 'Hotfix regression',
      body: 'P0',
      labels: ['regression', { name: 'P0' }],
      assignees: ['alice'],
    });
    expect(issue.labels.map((label) => (typeof label === 'string' ? label : label.name))).toEqual(['regression', 'P0']);
    const { data: labels } = await octokit.rest.issues.addLabels({
      ...R,
      issue_number: issue.number,
      labels: ['deployed', 'p0'],
    });
    expect(labels.map((label) => label.name)).toEqual(['regression', 'P0', 'deployed']);
    await octokit.rest.issues.removeLabel({ ...R, issue_number: issue.number, name: 'regression' });
    await expect(
      octokit.rest.issues.removeLabel({ ...R, issue_number: issue.number, name: 'regression' }),
    ).rejects.toMatchObject({
      status: 404,
    });

    for (let i = 1; i <= 3; i += 1)
      await octokit.rest.issues.createComment({ ...R, issue_number: issue.number, body: `audit ${i}` });
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      ...R,
      issue_number: issue.number,
      per_page: 2,
    });
    expect(comments.map((comment) => comment.body)).toEqual(['audit 1', 'audit 2', 'audit 3']);
    const edited = await octokit.rest.issues.updateComment({
      ...R,
      comment_id: comments[0]!.id,
      body: 'audit 1 (edited)',
    });
    expect(edited.data.body).toBe('audit 1 (edited)');

    await octokit.rest.pulls.create({ ...R, head: 'hotfix/bd-a1b2-login', base: 'main', title: 'Fix' });
    const { data: listed } = await octokit.rest.issues.listForRepo({ ...R, labels: 'deployed' });
    expect(listed.map((one) => one.number)).toEqual([issue.number]);
    const { data: everything } = await octokit.rest.issues.listForRepo(R);
    expect(everything.map((one) => Boolean(one.pull_request))).toEqual([true, false]);

    const closed = await octokit.rest.issues.update({
      ...R,
      issue_number: issue.number,
      state: 'closed',
      state_reason: 'completed',
    });
    expect(closed.data).toMatchObject({ state: 'closed', state_reason: 'completed', comments: 3 });
    expect(api.state.issues[0]).toMatchObject({ title: 'Hotfix regression', labels: ['P0', 'deployed'] });
  });

  it('gets and creates labels, 422 for an existing one', async () => {
    await expect(octokit.rest.issues.getLabel({ ...R, name: 'backmerge-conflict' })).rejects.toMatchObject({
      status: 404,
    });
    const created = await octokit.rest.issues.createLabel({ ...R, name: 'backmerge-conflict', color: 'D93F0B' });
    expect(created.data).toMatchObject({ name: 'backmerge-conflict', color: 'd93f0b' });
    const again = await octokit.rest.issues.createLabel({ ...R, name: 'Backmerge-Conflict' }).catch((e: unknown) => e);
    expect(again).toMatchObject({ status: 422, response: { data: { errors: [{ code: 'already_exists' }] } } });
    expect((await octokit.rest.issues.getLabel({ ...R, name: 'backmerge-conflict' })).data.id).toBe(created.data.id);
  });
});

describe('releases', () => {
  it('creates the tag at target_commitish only when it does not exist, and honours make_latest', async () => {
    const release = await sb.revParse('release/v1.2');
    const { data: first } = await octokit.rest.repos.createRelease({
      ...R,
      tag_name: 'v1.3.0',
      target_commitish: 'main',
    });
    expect(await sb.revParse('refs/tags/v1.3.0', sb.origin)).toBe(await sb.revParse('main'));
    expect((await octokit.rest.repos.getLatestRelease(R)).data.id).toBe(first.id);

    // An old line's release: tag made on the release branch, and not marked Latest.
    const { data: old } = await octokit.rest.repos.createRelease({
      ...R,
      tag_name: 'v1.2.1',
      target_commitish: release,
      make_latest: 'false',
    });
    expect(await sb.revParse('refs/tags/v1.2.1', sb.origin)).toBe(release);
    expect(api.state.latestReleaseId).toBe(first.id);

    // target_commitish is ignored when the tag exists.
    await octokit.rest.repos.createRelease({
      ...R,
      tag_name: 'v1.2.0',
      target_commitish: 'main',
      make_latest: 'legacy',
    });
    expect(await sb.revParse('refs/tags/v1.2.0', sb.origin)).not.toBe(await sb.revParse('main'));
    expect(api.state.latestReleaseId).toBe(first.id);

    const duplicate = await octokit.rest.repos.createRelease({ ...R, tag_name: 'v1.2.1' }).catch((e: unknown) => e);
    expect(duplicate).toMatchObject({
      status: 422,
      response: { data: { errors: [{ code: 'already_exists', field: 'tag_name' }] } },
    });
    expect((await octokit.rest.repos.getReleaseByTag({ ...R, tag: 'v1.2.1' })).data.id).toBe(old.id);
    const { data: all } = await octokit.rest.repos.listReleases(R);
    expect(all.map((one) => one.tag_name)).toEqual(['v1.2.0', 'v1.2.1', 'v1.3.0']);

    const updated = await octokit.rest.repos.updateRelease({
      ...R,
      release_id: old.id,
      body: 'notes',
      make_latest: 'false',
    });
    expect(updated.data.body).toBe('notes');
    expect(api.state.latestReleaseId).toBe(first.id);
    await octokit.rest.repos.updateRelease({ ...R, release_id: old.id, make_latest: 'true' });
    expect((await octokit.rest.repos.getLatestRelease(R)).data.tag_name).toBe('v1.2.1');
  });

  it('keeps drafts untagged until published', async () => {
    const { data: draft } = await octokit.rest.repos.createRelease({ ...R, tag_name: 'v2.0.0', draft: true });
    await expect(sb.revParse('refs/tags/v2.0.0', sb.origin)).rejects.toThrow();
    await expect(octokit.rest.repos.getReleaseByTag({ ...R, tag: 'v2.0.0' })).rejects.toMatchObject({ status: 404 });
    await octokit.rest.repos.updateRelease({ ...R, release_id: draft.id, draft: false });
    expect(await sb.revParse('refs/tags/v2.0.0', sb.origin)).toBe(await sb.revParse('main'));
    expect((await octokit.rest.repos.getRelease({ ...R, release_id: draft.id })).data.draft).toBe(false);
  });
});

describe('deployments and deployment statuses', () => {
  async function deploy(environment: string, extra: Record<string, unknown> = {}) {
    const { data } = await octokit.request('POST /repos/{owner}/{repo}/deployments', {
      ...R,
      ref: 'v1.2.0',
      environment,
      required_contexts: [],
      ...extra,
    });
    return data as { id: number };
  }

  async function states(id: number) {
    const { data } = await octokit.rest.repos.listDeploymentStatuses({ ...R, deployment_id: id });
    return data.map((status) => status.state);
  }

  it('auto_inactive only inactivates earlier successful non-production, non-transient deployments', async () => {
    const stagingTransient = await deploy('staging', { transient_environment: true });
    const stagingOld = await deploy('staging');
    const prodOld = await deploy('production');
    for (const id of [stagingTransient.id, stagingOld.id, prodOld.id]) {
      await octokit.rest.repos.createDeploymentStatus({ ...R, deployment_id: id, state: 'success' });
    }
    const stagingNew = await deploy('staging');
    const prodNew = await deploy('production');
    await octokit.rest.repos.createDeploymentStatus({ ...R, deployment_id: stagingNew.id, state: 'in_progress' });
    expect(await states(stagingOld.id)).toEqual(['success']);
    await octokit.rest.repos.createDeploymentStatus({ ...R, deployment_id: stagingNew.id, state: 'success' });
    await octokit.rest.repos.createDeploymentStatus({
      ...R,
      deployment_id: prodNew.id,
      state: 'success',
      log_url: 'https://ci.example/1',
    });

    expect(await states(stagingOld.id)).toEqual(['inactive', 'success']);
    expect(await states(stagingTransient.id)).toEqual(['success']);
    expect(await states(prodOld.id)).toEqual(['success']);
    expect(await states(stagingNew.id)).toEqual(['success', 'in_progress']);

    // auto_inactive: false leaves earlier ones alone.
    const stagingThird = await deploy('staging');
    await octokit.rest.repos.createDeploymentStatus({
      ...R,
      deployment_id: stagingThird.id,
      state: 'success',
      auto_inactive: false,
    });
    expect(await states(stagingNew.id)).toEqual(['success', 'in_progress']);

    const { data: production } = await octokit.rest.repos.listDeployments({ ...R, environment: 'production' });
    expect(production.map((one) => one.id)).toEqual([prodNew.id, prodOld.id]);
    expect(production[0]).toMatchObject({
      production_environment: true,
      sha: await sb.revParse('v1.2.0'),
      ref: 'v1.2.0',
    });
    const { data: one } = await octokit.rest.repos.getDeployment({ ...R, deployment_id: stagingOld.id });
    expect(one).toMatchObject({ environment: 'staging', production_environment: false, task: 'deploy' });
    expect(api.state.deployments.find((d) => d.id === prodNew.id)?.statuses[0]?.logUrl).toBe('https://ci.example/1');
  });

  it('filters by sha, ref and task, and pages newest first', async () => {
    await deploy('production', { task: 'deploy' });
    await deploy('production', { task: 'rollback', ref: 'main' });
    const { data: rollbacks } = await octokit.rest.repos.listDeployments({ ...R, task: 'rollback' });
    expect(rollbacks.map((one) => one.ref)).toEqual(['main']);
    const { data: bySha } = await octokit.rest.repos.listDeployments({ ...R, sha: await sb.revParse('v1.2.0') });
    expect(bySha).toHaveLength(1);
    const page = await octokit.rest.repos.listDeployments({ ...R, per_page: 1 });
    expect(page.data[0]!.task).toBe('rollback');
    expect(page.headers.link).toContain('rel="next"');
  });

  it('auto-merges the default branch into a branch that is behind it, unless auto_merge is false', async () => {
    const before = await sb.revParse('refs/heads/hotfix/bd-a1b2-login', sb.origin);
    const merged = await octokit.rest.repos.createDeployment({
      ...R,
      ref: 'hotfix/bd-a1b2-login',
      required_contexts: [],
    });
    expect(merged.status).toBe(202);
    expect((merged.data as { message: string }).message).toBe(
      'Auto-merged main into hotfix/bd-a1b2-login on deployment.',
    );
    const after = await sb.revParse('refs/heads/hotfix/bd-a1b2-login', sb.origin);
    expect(await sb.git(['rev-parse', `${after}^1`], sb.origin)).toBe(before);
    expect(api.state.deployments).toHaveLength(0);

    const conflict = await octokit.rest.repos
      .createDeployment({ ...R, ref: 'release/v1.2', required_contexts: [] })
      .catch((e: unknown) => e);
    expect(conflict).toMatchObject({ status: 409 });
    const plain = await octokit.rest.repos.createDeployment({
      ...R,
      ref: 'release/v1.2',
      auto_merge: false,
      required_contexts: [],
    });
    expect(plain.status).toBe(201);
  });

  it('checks commit statuses before deploying', async () => {
    const sha = await sb.revParse('v1.2.0');
    await octokit.rest.repos.createCommitStatus({ ...R, sha, state: 'failure', context: 'ci' });
    const refused = await octokit.rest.repos.createDeployment({ ...R, ref: 'v1.2.0' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 409 });
    await octokit.rest.repos.createCommitStatus({ ...R, sha, state: 'success', context: 'ci' });
    const { data: combined } = await octokit.rest.repos.getCombinedStatusForRef({ ...R, ref: 'v1.2.0' });
    expect(combined).toMatchObject({ state: 'success', total_count: 1 });
    expect((await octokit.rest.repos.createDeployment({ ...R, ref: 'v1.2.0' })).status).toBe(201);
    await expect(octokit.rest.repos.createDeployment({ ...R, ref: 'v9.9.9' })).rejects.toMatchObject({ status: 422 });
  });
});

describe('people', () => {
  it('answers collaborator permission and team membership', async () => {
    const permission = async (username: string) =>
      (await octokit.rest.repos.getCollaboratorPermissionLevel({ ...R, username })).data;
    expect(await permission('alice')).toMatchObject({
      permission: 'admin',
      role_name: 'admin',
      user: { login: 'alice' },
    });
    expect(await permission('carol')).toMatchObject({ permission: 'read' });
    expect(await permission('dave')).toMatchObject({ permission: 'none' });
    expect(await permission('github-actions[bot]')).toMatchObject({ permission: 'admin', user: { type: 'Bot' } });
    await expect(permission('mallory')).rejects.toMatchObject({ status: 404 });

    const membership = await octokit.rest.teams.getMembershipForUserInOrg({
      org: 'acme',
      team_slug: 'releasers',
      username: 'bob',
    });
    expect(membership.data).toMatchObject({ role: 'member', state: 'active' });
    await expect(
      octokit.rest.teams.getMembershipForUserInOrg({ org: 'acme', team_slug: 'releasers', username: 'carol' }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('links commit authors to known users by email', async () => {
    await sb.git(['-c', 'user.email=alice@example.com', 'commit', '--allow-empty', '-m', 'by alice']);
    await sb.push('main');
    const { data } = await octokit.rest.repos.getCommit({ ...R, ref: 'main' });
    expect(data.author?.login).toBe('alice');
    const { data: older } = await octokit.rest.repos.getCommit({ ...R, ref: 'main~1' });
    expect(older.author).toBeNull();
  });
});
