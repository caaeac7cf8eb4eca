import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createGitHubClient,
  isAlreadyExists,
  isConfigurationError,
  isHttpStatus,
  repoFromEnv,
  RETRY_BASE_ENV,
  type GitHubClientLog,
} from '../src/index.js';

interface Recorded {
  method: string;
  url: string;
  authorization: string | undefined;
  at: number;
}

type Reply = (res: ServerResponse, req: IncomingMessage) => void;

/** A loopback server that answers the n-th request with the n-th reply (the last one repeats). */
async function serve(...replies: Reply[]) {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      at: Date.now(),
    });
    const reply = replies[Math.min(requests.length, replies.length) - 1];
    req.resume();
    req.on('end', () => reply?.(res, req));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return { url: `http://127.0.0.1:${port}`, requests };
}

const servers: ReturnType<typeof createServer>[] = [];
// What @actions/core prints (::add-mask::, ::warning::) is kept here instead of cluttering the test log.
let printed: string[] = [];
beforeEach(() => {
  printed = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
});
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return (res) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };
}

const repo = json(200, { id: 1, full_name: 'octo/hello', default_branch: 'main' });
const token = 'ghs_0123456789abcdefSECRETtoken';

function recordingLog(): GitHubClientLog & { warnings: string[]; debugs: string[] } {
  const warnings: string[] = [];
  const debugs: string[] = [];
  return { warnings, debugs, warning: (m) => warnings.push(m), debug: (m) => debugs.push(m) };
}

describe('createGitHubClient', () => {
  it('sends the token and reaches the given base URL', async () => {
    const server = await serve(repo);
    const github = await createGitHubClient({ token, baseUrl: server.url, log: recordingLog() });
    const { data } = await github.rest.repos.get({ owner: 'octo', repo: 'hello' });
    expect(data.full_name).toBe('octo/hello');
    expect(server.requests).toEqual([expect.objectContaining({ method: 'GET', url: '/repos/octo/hello' })]);
    expect(server.requests[0]?.authorization).toBe(`token ${token}`);
  });

  it('honours a GHES base URL from GITHUB_API_URL, path prefix included', async () => {
    const server = await serve(repo);
    vi.stubEnv('GITHUB_API_URL', `${server.url}/api/v3/`);
    const github = await createGitHubClient({ token, log: recordingLog() });
    await github.rest.repos.get({ owner: 'octo', repo: 'hello' });
    expect(server.requests.map((r) => r.url)).toEqual(['/api/v3/repos/octo/hello']);
  });

  it('retries a 502 and succeeds', async () => {
    const server = await serve(json(502, { message: 'Bad Gateway' }), repo);
    const github = await createGitHubClient({ token, baseUrl: server.url, retryBaseMs: 5, log: recordingLog() });
    const { data } = await github.rest.repos.get({ owner: 'octo', repo: 'hello' });
    expect(data.default_branch).toBe('main');
    expect(server.requests).toHaveLength(2);
  });

  it('retries a reset connection (a network error) and succeeds', async () => {
    const server = await serve((res) => res.socket?.destroy(), repo);
    const github = await createGitHubClient({ token, baseUrl: server.url, retryBaseMs: 5, log: recordingLog() });
    await expect(github.rest.repos.get({ owner: 'octo', repo: 'hello' })).resolves.toMatchObject({ status: 200 });
    expect(server.requests).toHaveLength(2);
  });

  it('gives up on a persistent 500 after `retries` retries', async () => {
    const server = await serve(json(500, { message: 'Server Error' }));
    const github = await createGitHubClient({
      token,
      baseUrl: server.url,
      retries: 2,
      retryBaseMs: 1,
      log: recordingLog(),
    });
    const failure = await github.rest.repos.get({ owner: 'octo', repo: 'hello' }).catch((error: unknown) => error);
    expect(isHttpStatus(failure, 500)).toBe(true);
    expect(server.requests).toHaveLength(3);
  });

  it('takes the retry time unit from HOTFIX_ACTIONS_RETRY_BASE_MS', async () => {
    vi.stubEnv(RETRY_BASE_ENV, '1');
    const server = await serve(json(503, { message: 'Unavailable' }), json(503, { message: 'Unavailable' }), repo);
    const github = await createGitHubClient({ token, baseUrl: server.url, log: recordingLog() });
    const started = Date.now();
    await github.rest.repos.get({ owner: 'octo', repo: 'hello' });
    // The default unit (1 s) would wait 1 s + 4 s here.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.requests).toHaveLength(3);
  });

  it('waits out a 429 for as long as retry-after says, then succeeds', async () => {
    const server = await serve(json(429, { message: 'Too many requests' }, { 'retry-after': '1' }), repo);
    const log = recordingLog();
    const github = await createGitHubClient({ token, baseUrl: server.url, log });
    const { data } = await github.rest.repos.get({ owner: 'octo', repo: 'hello' });
    expect(data.full_name).toBe('octo/hello');
    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(log.warnings).toEqual([expect.stringMatching(/rate limit.*retrying after 1 s \(retry 1 of 3\)/)]);
  });

  it('retries a 403 secondary rate limit, scaling retry-after by the time unit', async () => {
    const limited = json(
      403,
      { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
      { 'retry-after': '3' },
    );
    const server = await serve(limited, limited, repo);
    const log = recordingLog();
    const github = await createGitHubClient({ token, baseUrl: server.url, retryBaseMs: 40, log });
    await github.rest.repos.get({ owner: 'octo', repo: 'hello' });
    expect(server.requests).toHaveLength(3);
    const [first, second] = server.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(110);
    expect(log.warnings).toHaveLength(2);
    expect(log.warnings[0]).toBe(
      'GitHub secondary rate limit hit by GET /repos/{owner}/{repo}; retrying after 3 s (retry 1 of 3).',
    );
  });

  it('stops retrying a rate limit after `retries` attempts', async () => {
    const server = await serve(json(429, { message: 'secondary rate limit' }, { 'retry-after': '1' }));
    const log = recordingLog();
    const github = await createGitHubClient({ token, baseUrl: server.url, retries: 1, retryBaseMs: 1, log });
    const failure = await github.rest.repos.get({ owner: 'octo', repo: 'hello' }).catch((error: unknown) => error);
    expect(isHttpStatus(failure, 429)).toBe(true);
    expect(server.requests).toHaveLength(2);
    expect(log.warnings.at(-1)).toMatch(/giving up after 1 retries/);
  });

  it('waits for a primary rate limit to reset, but not for an hour', async () => {
    const exhausted = (resetInSeconds: number): Reply =>
      json(
        403,
        { message: 'API rate limit exceeded for installation ID 1.' },
        {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + resetInSeconds),
        },
      );
    const soon = await serve(exhausted(0), repo);
    const github = await createGitHubClient({ token, baseUrl: soon.url, retryBaseMs: 5, log: recordingLog() });
    await expect(github.rest.repos.get({ owner: 'octo', repo: 'hello' })).resolves.toMatchObject({ status: 200 });
    expect(soon.requests).toHaveLength(2);

    const later = await serve(exhausted(3600), repo);
    const log = recordingLog();
    const patient = await createGitHubClient({ token, baseUrl: later.url, retryBaseMs: 5, log });
    const failure = await patient.rest.repos.get({ owner: 'octo', repo: 'hello' }).catch((error: unknown) => error);
    expect(isHttpStatus(failure, 403)).toBe(true);
    expect(later.requests).toHaveLength(1);
    expect(log.warnings).toEqual([
      expect.stringMatching(/^GitHub rate limit hit .*giving up: GitHub asks to wait 36\d\d s/),
    ]);
  });

  it('fails a 404 at once with a clear error', async () => {
    const server = await serve(json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }));
    const github = await createGitHubClient({ token, baseUrl: server.url, retryBaseMs: 1, log: recordingLog() });
    const failure = await github.rest.repos.get({ owner: 'octo', repo: 'missing' }).catch((error: unknown) => error);
    expect(server.requests).toHaveLength(1);
    expect(isHttpStatus(failure, 404)).toBe(true);
    expect(String((failure as Error).message)).toMatch(/^Not Found/);
  });

  it('masks the token and never prints it anywhere else', async () => {
    const server = await serve(
      json(403, { message: 'You have exceeded a secondary rate limit' }, { 'retry-after': '1' }),
      json(401, { message: 'Bad credentials' }),
    );
    // The default log writes through @actions/core, so every warning lands on stdout too.
    const github = await createGitHubClient({ token: `  ${token}\n`, baseUrl: server.url, retryBaseMs: 1 });
    const failure = await github.rest.repos.get({ owner: 'octo', repo: 'hello' }).catch((error: unknown) => error);
    const output = printed.join('');
    expect(output).toContain(`::add-mask::${token}\n`);
    expect(output).toMatch(/::warning::.*secondary rate limit/);
    expect(output.replace(`::add-mask::${token}`, '')).not.toContain(token);
    expect(JSON.stringify(failure)).not.toContain(token);
    expect(String(failure)).not.toContain(token);
  });

  it('refuses an empty token with a ConfigurationError naming the input', async () => {
    let failure: unknown;
    try {
      await createGitHubClient({ token: ' ' });
    } catch (error) {
      failure = error;
    }
    expect(isConfigurationError(failure)).toBe(true);
    expect((failure as { input?: string }).input).toBe('token');
  });
});

describe('isAlreadyExists', () => {
  it('recognises GitHub 422 "Reference already exists", and nothing else', async () => {
    const server = await serve(
      json(422, { message: 'Reference already exists', documentation_url: 'https://docs.github.com/rest/git/refs' }),
      json(422, { message: 'Validation Failed', errors: [{ code: 'invalid' }] }),
    );
    const github = await createGitHubClient({ token, baseUrl: server.url, log: recordingLog() });
    const create = () =>
      github.rest.git
        .createRef({ owner: 'octo', repo: 'hello', ref: 'refs/tags/v1.0.0', sha: 'a'.repeat(40) })
        .catch((error: unknown) => error);
    const exists = await create();
    const invalid = await create();
    expect(server.requests).toHaveLength(2);
    expect(isAlreadyExists(exists)).toBe(true);
    expect(isAlreadyExists(invalid)).toBe(false);
    expect(isHttpStatus(invalid, 422)).toBe(true);
    expect(isAlreadyExists(new Error('Reference already exists'))).toBe(false);
    expect(isHttpStatus(undefined, 422)).toBe(false);
  });
});

describe('repoFromEnv', () => {
  it('splits GITHUB_REPOSITORY', () => {
    expect(repoFromEnv({ GITHUB_REPOSITORY: 'octo-org/hello.world_2' })).toEqual({
      owner: 'octo-org',
      repo: 'hello.world_2',
    });
  });

  it.each([undefined, '', 'octo', 'octo/', '/hello', 'a/b/c', 'octo/hel lo', 'octo/..', '-octo/x'])(
    'refuses %j with a ConfigurationError',
    (value) => {
      expect(() => repoFromEnv(value === undefined ? {} : { GITHUB_REPOSITORY: value })).toThrow(
        /GITHUB_REPOSITORY must be "owner\/repo"/,
      );
    },
  );
});
