import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertNoViolations, type GitHubStandIn, startGitHubStandIn } from '../src/api/index.js';
import { createGitSandbox, type GitSandbox } from '../src/sandbox.js';

const R = { owner: 'acme', repo: 'shop' } as const;

let sb: GitSandbox;
let api: GitHubStandIn;
const extra: GitHubStandIn[] = [];

let template: GitSandbox;

// The fixture is built once; every test works on its own copy of it.
beforeAll(async () => {
  template = await createGitSandbox();
  await template.tag('v1.2.0', { push: true });
});

afterAll(async () => {
  await template.cleanup();
});

beforeEach(async () => {
  sb = await template.copy();
  api = await startGitHubStandIn({ ...R, gitDir: sb.origin });
});

afterEach(async () => {
  try {
    assertNoViolations(api);
  } finally {
    await Promise.all([api, ...extra.splice(0)].map((one) => one.close()));
    await sb.cleanup();
  }
});

function get(path: string): Promise<Response> {
  return fetch(`${api.url}/repos/acme/shop${path}`);
}

describe('faults seen by a plain fetch client', () => {
  it('answers 500/502/503 the given number of times, then normally', async () => {
    const fault = api.faults.inject({ match: { method: 'GET', path: '/tags' }, kind: 'status', status: 502, times: 2 });
    expect((await get('/tags')).status).toBe(502);
    expect((await get('/branches')).status).toBe(200);
    expect((await get('/tags')).status).toBe(502);
    expect((await get('/tags')).status).toBe(200);
    expect(fault.hits).toBe(2);
    expect(api.requests.map((request) => [request.status, request.fault ?? null])).toEqual([
      [502, 'status'],
      [200, null],
      [502, 'status'],
      [200, null],
    ]);
    api.faults.inject({ match: { operationId: 'repos/get' }, kind: 'status' });
    expect((await get('')).status).toBe(500);
    api.faults.inject({ match: { path: /\/git\/ref\// }, kind: 'status', status: 503 });
    expect((await get('/git/ref/tags/v1.2.0')).status).toBe(503);
  });

  it('answers 429 with retry-after and an empty primary budget', async () => {
    api.faults.inject({ kind: 'rate-limit', retryAfter: 0 });
    const response = await get('/tags');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('0');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(((await response.json()) as { message: string }).message).toMatch(/rate limit exceeded/);
  });

  it('answers 403 with retry-after and the secondary-rate-limit message', async () => {
    api.faults.inject({ match: { method: 'POST' }, kind: 'secondary-rate-limit', retryAfter: 1 });
    const response = await fetch(`${api.url}/repos/acme/shop/labels`, {
      method: 'POST',
      body: JSON.stringify({ name: 'x' }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(((await response.json()) as { message: string }).message).toMatch(/secondary rate limit/);
    expect(api.state.labels).toHaveLength(0);
  });

  it('resets the connection', async () => {
    api.faults.inject({ kind: 'reset' });
    await expect(get('/tags')).rejects.toThrow(/fetch failed/);
    expect(api.requests[0]).toMatchObject({ status: 0, fault: 'reset' });
    expect((await get('/tags')).status).toBe(200);
  });

  it('adds latency, then answers normally', async () => {
    api.faults.inject({ kind: 'latency', ms: 150 });
    const started = Date.now();
    const response = await get('/tags');
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('faults a seeded random share of requests, the same way for the same seed', async () => {
    const second = await startGitHubStandIn({ ...R, gitDir: sb.origin });
    extra.push(second);
    const faulted = async (standIn: GitHubStandIn) => {
      standIn.faults.random({ rate: 0.3, seed: 7, kinds: ['status', 'rate-limit'] });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i += 1) statuses.push((await fetch(`${standIn.url}/repos/acme/shop/tags`)).status);
      return statuses;
    };
    const a = await faulted(api);
    const b = await faulted(second);
    expect(a).toEqual(b);
    const failures = a.filter((status) => status !== 200);
    expect(failures.length).toBeGreaterThan(4);
    expect(failures.length).toBeLessThan(24);
    expect(new Set(failures)).toEqual(new Set([500, 429]));
    api.faults.clear();
    expect((await get('/tags')).status).toBe(200);
  });
});

describe('racing writer', () => {
  it('creates the same tag just before the request’s own write', async () => {
    const main = await sb.revParse('main');
    const rival = await sb.commit({ 'rival.txt': 'r\n' }, 'rival', { push: true });
    const race = api.faults.beforeWrite('POST', '/git/refs', async (write) => {
      expect(write.body).toMatchObject({ ref: 'refs/tags/v1.2.1' });
      await write.git(['update-ref', 'refs/tags/v1.2.1', rival]);
    });
    const octokit = getOctokit('t', { baseUrl: api.url });
    // The tag did not exist when read ...
    await expect(octokit.rest.git.getRef({ ...R, ref: 'tags/v1.2.1' })).rejects.toMatchObject({ status: 404 });
    // ... and exists by the time of the write: the other job won.
    const lost = await octokit.rest.git
      .createRef({ ...R, ref: 'refs/tags/v1.2.1', sha: main })
      .catch((e: unknown) => e);
    expect(lost).toMatchObject({ status: 422, response: { data: { message: 'Reference already exists' } } });
    expect(race.hits).toBe(1);
    expect(await sb.git(['ls-remote', sb.originUrl, 'refs/tags/v1.2.1'], sb.root)).toBe(`${rival}\trefs/tags/v1.2.1`);
    // The hook ran once: the retry with the next number goes through.
    expect((await octokit.rest.git.createRef({ ...R, ref: 'refs/tags/v1.2.2', sha: main })).status).toBe(201);
  });

  it('may call the stand-in over HTTP from the hook', async () => {
    const main = await sb.revParse('main');
    const octokit = getOctokit('t', { baseUrl: api.url });
    api.faults.beforeWrite('POST', /\/pulls$/, async () => {
      await octokit.rest.git.createRef({ ...R, ref: 'refs/heads/raced', sha: main });
    });
    await sb.commit({ 'x.txt': 'x\n' }, 'topic', { branch: 'topic', push: true });
    await octokit.rest.pulls.create({ ...R, head: 'topic', base: 'main', title: 'Topic' });
    expect(await sb.revParse('refs/heads/raced', sb.origin)).toBe(main);
    expect(api.mutations()).toBe(2);
    expect(api.count({ operationId: 'git/create-ref' })).toBe(1);
  });
});

describe('a real octokit client with the retry and throttling plugins', () => {
  function client() {
    return getOctokit(
      't',
      {
        baseUrl: api.url,
        retry: { retryAfterBaseValue: 10 },
        throttle: {
          onRateLimit: () => true,
          onSecondaryRateLimit: () => true,
        },
      },
      retry,
      throttling,
    );
  }

  it('retries a 502 and a connection reset, then succeeds', async () => {
    api.faults.inject({ match: { operationId: 'repos/list-tags' }, kind: 'status', status: 502 });
    api.faults.inject({ match: { operationId: 'repos/list-tags' }, kind: 'reset' });
    const { data } = await client().rest.repos.listTags(R);
    expect(data.map((tag) => tag.name)).toEqual(['v1.2.0']);
    expect(api.requests.map((request) => request.status)).toEqual([502, 0, 200]);
  });

  it('waits out a secondary rate limit, then succeeds', async () => {
    api.faults.inject({ match: { operationId: 'issues/create-label' }, kind: 'secondary-rate-limit', retryAfter: 1 });
    const started = Date.now();
    const { data } = await client().rest.issues.createLabel({ ...R, name: 'hotfix' });
    expect(data.name).toBe('hotfix');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(api.count({ operationId: 'issues/create-label' })).toBe(2);
  });

  it('fails clearly, without retrying, on a 422', async () => {
    const main = await sb.revParse('main');
    // Retry only: the throttling plugin spaces writes a second apart, which this test does not need.
    const octokit = getOctokit('t', { baseUrl: api.url, retry: { retryAfterBaseValue: 10 } }, retry);
    await octokit.rest.git.createRef({ ...R, ref: 'refs/tags/v1.2.1', sha: main });
    const error = await octokit.rest.git
      .createRef({ ...R, ref: 'refs/tags/v1.2.1', sha: main })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 422, message: expect.stringContaining('Reference already exists') });
    expect(api.count({ method: 'POST', path: '/git/refs' })).toBe(2);
    expect(api.mutations()).toBe(2);
  });
});
