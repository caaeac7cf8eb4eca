import { readFileSync } from 'node:fs';
import { getOctokit } from '@actions/github';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertNoViolations, type GitHubStandIn, githubApiDescription, startGitHubStandIn } from '../src/api/index.js';
import { createGitSandbox, type GitSandbox } from '../src/sandbox.js';

const R = { owner: 'acme', repo: 'shop' } as const;

let sb: GitSandbox;
let api: GitHubStandIn;
let octokit: ReturnType<typeof getOctokit>;

let template: GitSandbox;

// The fixture is built once; every test works on its own copy of it.
beforeAll(async () => {
  template = await createGitSandbox();
  await template.commit({ 'app.txt': 'base\n' }, 'feat: base', { push: true });
  await template.tag('v1.2.0', { annotated: true, message: 'Release 1.2.0', push: true });
  await template.commit({ 'fix.txt': 'fix\n' }, 'fix: on release', { branch: 'release/v1.2', push: true });
  await template.checkout('main');
  await template.commit({ 'feature.txt': 'f\n' }, 'feat: on trunk', { push: true });
});

afterAll(async () => {
  await template.cleanup();
});

beforeEach(async () => {
  sb = await template.copy();
  api = await startGitHubStandIn({ ...R, gitDir: sb.origin });
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

function send(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${api.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Takes the violations a test provoked on purpose, so afterEach sees a clean slate. */
function takeViolations() {
  return api.violations.splice(0);
}

describe('validation against GitHub’s description', () => {
  it('rejects a request body that breaks the schema and names it', async () => {
    const response = await send('POST', '/repos/acme/shop/git/refs', { ref: 'refs/tags/v9', sha: 123 });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { message: string }).message).toContain('body/sha must be string (got 123)');
    expect(() => assertNoViolations(api)).toThrow(
      /\[request\] POST \/repos\/acme\/shop\/git\/refs \(git\/create-ref\): body\/sha must be string \(got 123\)/,
    );
    expect(takeViolations()).toHaveLength(1);
    // Nothing was written.
    expect(await sb.git(['tag', '--list'], sb.origin)).toBe('v1.2.0');
  });

  it('rejects a route it does not implement and names it', async () => {
    const response = await send('GET', '/repos/acme/shop/hooks');
    expect(response.status).toBe(404);
    expect(() => assertNoViolations(api)).toThrow(/\[route\] GET \/repos\/acme\/shop\/hooks: .*not an operation/);
    const [violation] = takeViolations();
    expect(violation).toMatchObject({ kind: 'route', method: 'GET', path: '/repos/acme/shop/hooks' });
  });

  it('rejects an undocumented body field, a bad query and an enum typo', async () => {
    await expect(
      octokit.request('POST /repos/{owner}/{repo}/pulls', {
        ...R,
        head: 'release/v1.2',
        base: 'main',
        title: 't',
        labels: ['x'],
      }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(octokit.request('GET /repos/{owner}/{repo}/tags', { ...R, perpage: 5 })).rejects.toMatchObject({
      status: 422,
    });
    await expect(
      octokit.request('POST /repos/{owner}/{repo}/releases', {
        ...R,
        tag_name: 'v1.2.1',
        // What an untyped caller can send: GitHub wants the string "false".
        make_latest: false as unknown as 'false',
      }),
    ).rejects.toMatchObject({ status: 422 });
    const messages = takeViolations().map((violation) => `${violation.operationId}: ${violation.message}`);
    expect(messages).toEqual([
      'pulls/create: body must not have property "labels"',
      'repos/list-tags: query must not have property "perpage"',
      expect.stringMatching(/^repos\/create-release: body\/make_latest must be string \(got false\)/),
    ]);
    expect(api.state.pulls).toHaveLength(0);
    expect(api.state.releases).toHaveLength(0);
  });

  it('rejects requests for another repository and a non-numeric path parameter', async () => {
    expect((await send('GET', '/repos/acme/other/tags')).status).toBe(404);
    expect((await send('GET', '/repos/acme/shop/pulls/abc')).status).toBe(404);
    expect(takeViolations().map((violation) => violation.kind)).toEqual(['repository', 'request']);
  });

  it('checks responses too: every implemented operation is in the checked-in subset', () => {
    const described = githubApiDescription().operationIds();
    expect([...api.operations]).toEqual(described);
    const subset = readFileSync(new URL('../openapi/github-subset.json', import.meta.url), 'utf8');
    expect(subset.length).toBeLessThan(400_000);
    expect(githubApiDescription().validateResponse('repos/get', 200, { id: 'x' }).errors[0]).toMatch(
      /response must have required property/,
    );
    expect(githubApiDescription().validateResponse('repos/list-tags', 409, {}).undocumented).toBe(true);
  });

  it('can run without validation, still refusing routes it does not implement', async () => {
    const loose = await startGitHubStandIn({ ...R, gitDir: sb.origin, validate: false });
    try {
      const tags = await fetch(`${loose.url}/repos/acme/shop/tags?per_page=1&page=1`);
      expect(tags.headers.get('link')).toBeNull();
      const labelled = await fetch(`${loose.url}/repos/acme/shop/labels`, {
        method: 'POST',
        body: JSON.stringify({ name: 'x', colour: 'ffffff' }),
      });
      expect(labelled.status).toBe(201);
      expect(loose.violations).toHaveLength(0);
      expect((await fetch(`${loose.url}/repos/acme/shop/hooks`)).status).toBe(404);
      expect(loose.violations.map((violation) => violation.kind)).toEqual(['route']);
    } finally {
      await loose.close();
    }
  });

  it('requires the token when one is configured', async () => {
    const guarded = await startGitHubStandIn({ ...R, gitDir: sb.origin, token: 'secret' });
    try {
      await expect(getOctokit('wrong', { baseUrl: guarded.url }).rest.repos.get(R)).rejects.toMatchObject({
        status: 401,
      });
      const { data } = await getOctokit('secret', { baseUrl: guarded.url }).rest.repos.get(R);
      expect(data.full_name).toBe('acme/shop');
      assertNoViolations(guarded);
    } finally {
      await guarded.close();
    }
  });
});

describe('git data from the real bare repository', () => {
  it('serves repository metadata', async () => {
    const { data } = await octokit.rest.repos.get(R);
    expect(data).toMatchObject({ full_name: 'acme/shop', default_branch: 'main', private: true });
    expect(data.owner.type).toBe('Organization');
  });

  it('round-trips refs: created through the API, seen by git ls-remote', async () => {
    const main = await sb.revParse('main');
    const created = await octokit.rest.git.createRef({ ...R, ref: 'refs/tags/v1.3.0', sha: main });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ ref: 'refs/tags/v1.3.0', object: { sha: main, type: 'commit' } });
    expect(await sb.git(['ls-remote', sb.originUrl, 'refs/tags/v1.3.0'], sb.root)).toBe(`${main}\trefs/tags/v1.3.0`);

    const { data: ref } = await octokit.rest.git.getRef({ ...R, ref: 'tags/v1.3.0' });
    expect(ref.object.sha).toBe(main);
    const { data: matching } = await octokit.rest.git.listMatchingRefs({ ...R, ref: 'tags/v1.' });
    expect(matching.map((one) => one.ref)).toEqual(['refs/tags/v1.2.0', 'refs/tags/v1.3.0']);
    await expect(octokit.rest.git.getRef({ ...R, ref: 'tags/v7' })).rejects.toMatchObject({ status: 404 });
  });

  it('answers 422 "Reference already exists" to a second create', async () => {
    const main = await sb.revParse('main');
    await octokit.rest.git.createRef({ ...R, ref: 'refs/tags/v1.2.1', sha: main });
    const error = await octokit.rest.git
      .createRef({ ...R, ref: 'refs/tags/v1.2.1', sha: main })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 422, response: { data: { message: 'Reference already exists' } } });
    await expect(octokit.rest.git.createRef({ ...R, ref: 'refs/tags/bad..name', sha: main })).rejects.toMatchObject({
      status: 422,
    });
    await expect(octokit.rest.git.createRef({ ...R, ref: 'refs/tags/v5', sha: 'f'.repeat(40) })).rejects.toMatchObject({
      status: 422,
      response: { data: { message: 'Object does not exist' } },
    });
  });

  it('lets exactly one of 8 concurrent creates of the same tag win', async () => {
    const candidates = [await sb.revParse('main'), await sb.revParse('release/v1.2')];
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        octokit.rest.git
          .createRef({ ...R, ref: 'refs/tags/v1.2.1', sha: candidates[i % 2]! })
          .then((response) => ({ status: response.status, sha: candidates[i % 2] }))
          .catch((error: { status: number }) => ({ status: error.status, sha: undefined })),
      ),
    );
    const winners = results.filter((result) => result.status === 201);
    expect(winners).toHaveLength(1);
    expect(results.filter((result) => result.status === 422)).toHaveLength(7);
    expect(await sb.revParse('refs/tags/v1.2.1', sb.origin)).toBe(winners[0]!.sha);
    expect(api.mutations()).toBe(8);
  });

  it('creates real annotated tag objects', async () => {
    const main = await sb.revParse('main');
    const { data: tag } = await octokit.rest.git.createTag({
      ...R,
      tag: 'v1.3.0',
      message: 'Release 1.3.0\n\nline 1.3',
      object: main,
      type: 'commit',
      tagger: { name: 'Release Bot', email: 'release@example.com', date: '2025-01-02T03:04:05Z' },
    });
    await octokit.rest.git.createRef({ ...R, ref: 'refs/tags/v1.3.0', sha: tag.sha });
    expect(await sb.git(['cat-file', '-t', 'refs/tags/v1.3.0'], sb.origin)).toBe('tag');
    expect(
      await sb.git(
        ['for-each-ref', '--format=%(contents:subject)|%(taggername)|%(*objectname)', 'refs/tags/v1.3.0'],
        sb.origin,
      ),
    ).toBe(`Release 1.3.0|Release Bot|${main}`);
    const { data: read } = await octokit.rest.git.getTag({ ...R, tag_sha: tag.sha });
    expect(read).toMatchObject({ tag: 'v1.3.0', object: { sha: main }, tagger: { date: '2025-01-02T03:04:05Z' } });
    const { data: ref } = await octokit.rest.git.getRef({ ...R, ref: 'tags/v1.3.0' });
    expect(ref.object).toMatchObject({ type: 'tag', sha: tag.sha });
  });

  it('updates refs with fast-forward rules and deletes them', async () => {
    const release = await sb.revParse('release/v1.2');
    const main = await sb.revParse('main');
    await octokit.rest.git.createRef({ ...R, ref: 'refs/heads/topic', sha: release });
    await expect(octokit.rest.git.updateRef({ ...R, ref: 'heads/topic', sha: main })).rejects.toMatchObject({
      status: 422,
      response: { data: { message: 'Update is not a fast forward' } },
    });
    const forced = await octokit.rest.git.updateRef({ ...R, ref: 'heads/topic', sha: main, force: true });
    expect(forced.data.object.sha).toBe(main);
    expect(await sb.revParse('refs/heads/topic', sb.origin)).toBe(main);
    expect((await octokit.rest.git.deleteRef({ ...R, ref: 'heads/topic' })).status).toBe(204);
    await expect(octokit.rest.git.deleteRef({ ...R, ref: 'heads/topic' })).rejects.toMatchObject({ status: 422 });
    await expect(octokit.rest.git.updateRef({ ...R, ref: 'refs/heads/main', sha: main })).rejects.toMatchObject({
      status: 422,
    });
  });

  it('refuses to move a protected branch through the refs API', async () => {
    const guarded = await startGitHubStandIn({ ...R, gitDir: sb.origin, protectedBranches: ['main'] });
    try {
      const client = getOctokit('t', { baseUrl: guarded.url });
      const error = await client.rest.git
        .updateRef({ ...R, ref: 'heads/main', sha: await sb.revParse('main') })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        status: 422,
        response: { data: { message: 'Protected branch update failed for refs/heads/main.' } },
      });
      const { data } = await client.rest.repos.listBranches({ ...R, protected: true });
      expect(data.map((branch) => branch.name)).toEqual(['main']);
      assertNoViolations(guarded);
    } finally {
      await guarded.close();
    }
  });

  it('serves commits: one with files, and lists with pagination', async () => {
    const main = await sb.revParse('main');
    const { data: commit } = await octokit.rest.repos.getCommit({ ...R, ref: 'main' });
    expect(commit.sha).toBe(main);
    expect(commit.files?.map((file) => [file.filename, file.status, file.additions])).toEqual([
      ['feature.txt', 'added', 1],
    ]);
    expect(commit.commit.message).toBe('feat: on trunk');
    const { data: git } = await octokit.rest.git.getCommit({ ...R, commit_sha: main });
    expect(git.parents).toHaveLength(1);
    await expect(octokit.rest.repos.getCommit({ ...R, ref: 'nope' })).rejects.toMatchObject({ status: 422 });

    const page = await octokit.rest.repos.listCommits({ ...R, per_page: 2 });
    expect(page.data.map((one) => one.commit.message)).toEqual(['feat: on trunk', 'feat: base']);
    expect(page.headers.link).toMatch(/page=2>; rel="next"/);
    const all = await octokit.paginate(octokit.rest.repos.listCommits, { ...R, sha: 'release/v1.2', per_page: 1 });
    expect(all.map((one) => one.commit.message)).toEqual(['fix: on release', 'feat: base', 'Initial commit']);
  });

  it('compares branches like GitHub: ahead, behind, diverged, identical', async () => {
    const base = await sb.revParse('v1.2.0');
    const { data: diverged } = await octokit.rest.repos.compareCommitsWithBasehead({
      ...R,
      basehead: 'main...release/v1.2',
    });
    expect(diverged).toMatchObject({ status: 'diverged', ahead_by: 1, behind_by: 1, total_commits: 1 });
    expect(diverged.merge_base_commit.sha).toBe(base);
    expect(diverged.files?.map((file) => file.filename)).toEqual(['fix.txt']);
    expect(diverged.commits.map((one) => one.commit.message)).toEqual(['fix: on release']);

    const { data: ahead } = await octokit.rest.repos.compareCommits({ ...R, base: 'v1.2.0', head: 'main' });
    expect(ahead).toMatchObject({ status: 'ahead', ahead_by: 1, behind_by: 0 });
    const { data: behind } = await octokit.rest.repos.compareCommitsWithBasehead({ ...R, basehead: 'main...v1.2.0' });
    expect(behind).toMatchObject({ status: 'behind', ahead_by: 0, behind_by: 1 });
    const { data: same } = await octokit.rest.repos.compareCommitsWithBasehead({ ...R, basehead: 'acme:main...main' });
    expect(same.status).toBe('identical');
    await expect(
      octokit.rest.repos.compareCommitsWithBasehead({ ...R, basehead: 'main...nope' }),
    ).rejects.toMatchObject({
      status: 404,
    });
  });

  it('merges with real git: 201 merged, 204 nothing to merge, 409 conflict', async () => {
    const releaseTip = await sb.revParse('release/v1.2');
    const mainTip = await sb.revParse('main');
    const merged = await octokit.rest.repos.merge({ ...R, base: 'main', head: 'release/v1.2' });
    expect(merged.status).toBe(201);
    expect(merged.data.parents.map((parent) => parent.sha)).toEqual([mainTip, releaseTip]);
    expect(merged.data.commit.message).toBe('Merge release/v1.2 into main');
    expect(await sb.revParse('refs/heads/main', sb.origin)).toBe(merged.data.sha);
    expect(await sb.git(['show', `${merged.data.sha}:fix.txt`], sb.origin)).toBe('fix');

    const again = await octokit.rest.repos.merge({ ...R, base: 'main', head: 'release/v1.2' });
    expect(again.status).toBe(204);

    await sb.commit({ 'app.txt': 'release change\n' }, 'fix: conflicting', { branch: 'release/v1.2', push: true });
    await sb.checkout('main');
    await sb.git(['pull', '--quiet', '--ff-only', 'origin', 'main']);
    await sb.commit({ 'app.txt': 'trunk change\n' }, 'feat: conflicting', { push: true });
    const trunk = await sb.revParse('refs/heads/main', sb.origin);
    const conflict = await octokit.rest.repos
      .merge({ ...R, base: 'main', head: 'release/v1.2' })
      .catch((e: unknown) => e);
    expect(conflict).toMatchObject({ status: 409, response: { data: { message: 'Merge conflict' } } });
    expect(await sb.revParse('refs/heads/main', sb.origin)).toBe(trunk);
    await expect(octokit.rest.repos.merge({ ...R, base: 'nope', head: 'main' })).rejects.toMatchObject({ status: 404 });
  });

  it('lists branches and 250 tags page by page with Link headers', async () => {
    const main = await sb.revParse('main');
    const lines = Array.from({ length: 250 }, (_, i) => `create refs/tags/v2.${Math.floor(i / 10)}.${i % 10} ${main}`);
    await sb.git(['update-ref', '--stdin'], sb.origin, `${lines.join('\n')}\n`);
    const first = await octokit.rest.repos.listTags({ ...R, per_page: 100 });
    expect(first.data).toHaveLength(100);
    expect(first.data[0]!.name).toBe('v2.24.9');
    expect(first.headers.link).toContain('page=2>; rel="next"');
    expect(first.headers.link).toContain('page=3>; rel="last"');
    const third = await octokit.rest.repos.listTags({ ...R, per_page: 100, page: 3 });
    expect(third.data).toHaveLength(51);
    expect(third.headers.link).toContain('page=2>; rel="prev"');
    const all = await octokit.paginate(octokit.rest.repos.listTags, { ...R, per_page: 100 });
    expect(all).toHaveLength(251);
    expect(new Set(all.map((tag) => tag.name)).size).toBe(251);
    // per_page above 100 is capped, as on GitHub.
    expect((await octokit.rest.repos.listTags({ ...R, per_page: 500 })).data).toHaveLength(100);

    const { data: branches } = await octokit.rest.repos.listBranches(R);
    expect(branches.map((branch) => branch.name)).toEqual(['main', 'release/v1.2']);
    const { data: branch } = await octokit.rest.repos.getBranch({ ...R, branch: 'release/v1.2' });
    expect(branch.commit.sha).toBe(await sb.revParse('release/v1.2'));
  });

  it('reads and writes files through the contents API', async () => {
    const { data: file } = await octokit.rest.repos.getContent({ ...R, path: 'app.txt' });
    expect(Buffer.from((file as { content: string }).content, 'base64').toString()).toBe('base\n');
    const put = await octokit.rest.repos.createOrUpdateFileContents({
      ...R,
      path: 'audit/break-glass.jsonl',
      message: 'audit: INC-1',
      branch: 'release/v1.2',
      content: Buffer.from('{"incident":"INC-1"}\n').toString('base64'),
    });
    expect(put.status).toBe(201);
    expect(await sb.git(['show', 'refs/heads/release/v1.2:audit/break-glass.jsonl'], sb.origin)).toBe(
      '{"incident":"INC-1"}',
    );
    // Updating needs the current blob SHA, as on GitHub.
    await expect(
      octokit.rest.repos.createOrUpdateFileContents({
        ...R,
        path: 'audit/break-glass.jsonl',
        message: 'audit: INC-2',
        branch: 'release/v1.2',
        content: Buffer.from('x\n').toString('base64'),
        sha: 'f'.repeat(40),
      }),
    ).rejects.toMatchObject({ status: 409 });
  });
});
