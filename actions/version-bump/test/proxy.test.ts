import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assertNoViolations,
  createGitSandbox,
  runBundle,
  startForwardProxy,
  startGitHubStandIn,
  type ForwardProxy,
  type GitHubStandIn,
  type GitSandbox,
} from '@hotfix-actions/testkit';

// Self-hosted runners behind a corporate proxy: the committed bundle must send its API calls through
// HTTP(S)_PROXY (loading undici's ProxyAgent only then), honour NO_PROXY, and never proxy loopback.
// The API host name used here does not resolve on this machine: only the proxy knows where it is, so
// a tag that gets created proves the traffic went through the proxy.

let sandbox: GitSandbox;
let api: GitHubStandIn;
let proxy: ForwardProxy;
let sha: string;
let proxiedApiUrl: string;

beforeEach(async () => {
  sandbox = await createGitSandbox();
  api = await startGitHubStandIn({ owner: 'acme', repo: 'shop', gitDir: sandbox.origin });
  const port = new URL(api.url).port;
  proxy = await startForwardProxy({ 'api.github.test': '127.0.0.1' });
  await sandbox.commit({ 'app.txt': 'v1.2.0\n' }, 'feat: 1.2');
  await sandbox.createBranch('release/v1.2');
  await sandbox.tag('v1.2.0', { ref: 'release/v1.2' });
  sha = await sandbox.commit({ 'fix.txt': 'fixed\n' }, 'fix: login', { branch: 'release/v1.2' });
  await sandbox.push();
  proxiedApiUrl = `http://api.github.test:${port}`;
});

afterEach(async () => {
  assertNoViolations(api);
  await Promise.all([api.close(), proxy.close()]);
  await sandbox.cleanup();
});

function bump(env: Record<string, string | undefined>) {
  return runBundle({
    bundle: 'version-bump',
    inputs: {},
    sha,
    ref: 'refs/heads/release/v1.2',
    eventName: 'push',
    env: { ...api.env(), HOTFIX_ACTIONS_RETRY_BASE_MS: '5', ...env },
  });
}

describe('version-bump behind a proxy', () => {
  it('sends every API call through HTTP_PROXY and tags v1.2.1', async () => {
    const run = await bump({ GITHUB_API_URL: proxiedApiUrl, HTTP_PROXY: proxy.url });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ tag: 'v1.2.1', outcome: 'created' });
    const port = new URL(proxiedApiUrl).port;
    expect(proxy.targets.length).toBeGreaterThan(0);
    expect(new Set(proxy.targets)).toEqual(new Set([`api.github.test:${port}`]));
    expect(api.requests.length).toBeGreaterThanOrEqual(proxy.targets.length);
    expect(api.mutations()).toBe(2); // the tag object and its ref, as without a proxy
  });

  it('reads the lower-case http_proxy too', async () => {
    const run = await bump({ GITHUB_API_URL: proxiedApiUrl, http_proxy: proxy.url });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.tag).toBe('v1.2.1');
    expect(proxy.targets.length).toBeGreaterThan(0);
  });

  it('never proxies loopback: the stand-in on 127.0.0.1 is reached directly', async () => {
    const run = await bump({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.tag).toBe('v1.2.1');
    expect(proxy.targets).toEqual([]);
  });

  it('honours NO_PROXY: a bypassed host that only the proxy can reach fails clearly, and nothing is tagged', async () => {
    const run = await bump({ GITHUB_API_URL: proxiedApiUrl, HTTP_PROXY: proxy.url, NO_PROXY: '.github.test' });
    expect(run.exitCode).toBe(1);
    expect(proxy.targets).toEqual([]);
    expect(run.annotations.filter((a) => a.level === 'error')).toHaveLength(1);
    expect(run.annotations[0]?.message).toMatch(/api\.github\.test|fetch failed|ENOTFOUND|EAI_AGAIN/);
    expect(await sandbox.git(['ls-remote', '--tags', 'origin', 'refs/tags/v1.2.1'])).toBe('');
  });
});
