import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cascadeRepo, runBackmerge, startWorld, stopWorld, type World } from './fixtures.js';

// Hostile and mistaken inputs through the committed bundle: each fails with one configuration error
// naming the input, before a single request (or, for a branch that does not exist, after the listing
// only): nothing is ever created.

let world: World;
let hotfix: string;

beforeAll(async () => {
  world = await startWorld();
  hotfix = await cascadeRepo(world.sandbox);
});

afterAll(() => stopWorld(world));

const CASES: [string, Record<string, string>][] = [
  ['targets', { targets: '$(touch /tmp/pwned)' }],
  ['targets', { targets: 'main\nrefs/tags/v1.2.3' }],
  ['source', { source: 'release/v1.2;rm -rf /' }],
  ['trunk', { trunk: '--upload-pack=evil' }],
  ['branch-prefix', { 'branch-prefix': '../evil/' }],
  ['strategy', { strategy: 'rebase' }],
  ['commits', { strategy: 'cherry-pick', commits: 'HEAD~1' }],
  ['labels', { labels: 'x'.repeat(51) }],
  ['reviewers', { reviewers: 'octocat;id' }],
  ['ticket', { ticket: '`id`' }],
  ['release-branch-pattern', { 'release-branch-pattern': 'release/*' }],
  ['dry-run', { 'dry-run': 'maybe' }],
];

describe('backmerge-pr refuses hostile inputs', () => {
  it.each(CASES)('%s: %j → exit 1, named, zero requests', async (input, inputs) => {
    world.api.clearRequests();
    const run = await runBackmerge(world, inputs, { sha: hotfix });
    expect(run.exitCode).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.title).toBe(`Configuration error for input "${input}"`);
    expect(world.api.requests).toHaveLength(0);
    expect(run.stdout).not.toContain('    at ');
  });

  it('an unknown target: one listing, nothing created', async () => {
    world.api.clearRequests();
    const run = await runBackmerge(world, { targets: 'release/v1.3, release/v9.9' }, { sha: hotfix });
    expect(run.exitCode).toBe(1);
    expect(run.annotations.find((a) => a.level === 'error')?.message).toContain('release/v9.9');
    expect(world.api.requests.map((request) => request.operationId)).toEqual(['git/list-matching-refs']);
  });
});
