import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient } from '@hotfix-actions/core';
import { enableAutoMerge } from '../src/github-ops.js';

// Auto-merge exists only in GitHub's GraphQL API, which the REST stand-in does not serve: this checks
// the request the action sends, and that a refusal is a warning rather than a failure.

interface Seen {
  path: string;
  authorization: string | undefined;
  body: { query: string; variables: Record<string, unknown> };
}

let server: Server;
let seen: Seen[];
let answer: object;

beforeEach(async () => {
  seen = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({
        path: req.url ?? '',
        authorization: req.headers.authorization,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Seen['body'],
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function client() {
  const { port } = server.address() as AddressInfo;
  return createGitHubClient({
    token: 'ghs_autoMergeTestToken',
    baseUrl: `http://127.0.0.1:${port}`,
    retries: 0,
    retryBaseMs: 10,
  });
}

describe('auto-merge', () => {
  it('sends enablePullRequestAutoMerge with a merge commit for the pull request node', async () => {
    answer = {
      data: { enablePullRequestAutoMerge: { pullRequest: { number: 7, autoMergeRequest: { enabledAt: 'x' } } } },
    };
    expect(await enableAutoMerge(await client(), { number: 7, nodeId: 'PR_kwDOAbc123' })).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.path).toBe('/graphql');
    expect(seen[0]!.authorization).toBe('token ghs_autoMergeTestToken');
    expect(seen[0]!.body.query).toMatch(
      /enablePullRequestAutoMerge\(input: \{ pullRequestId: \$pullRequestId, mergeMethod: MERGE \}\)/,
    );
    expect(seen[0]!.body.variables).toEqual({ pullRequestId: 'PR_kwDOAbc123' });
  });

  it('a repository without auto-merge is a warning, not a failure', async () => {
    answer = {
      data: null,
      errors: [{ type: 'UNPROCESSABLE', message: 'Auto merge is not allowed for this repository' }],
    };
    expect(await enableAutoMerge(await client(), { number: 7, nodeId: 'PR_kwDOAbc123' })).toBe(false);
  });
});
