// Creating follow-up tickets on the real tracker: a post-incident review discovered from the hotfix
// ticket and a regression blocked by the original, each one new line in bd's encoding and place.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beadsIssueOf, beadsLineDiff, type GitSandbox } from '@hotfix-actions/testkit';
import { commitCount, explain, fixtureIssues, remoteHead, remoteTracker, runSync, seededTemplate } from './support.js';

let sandbox: GitSandbox;

beforeAll(async () => {
  sandbox = await seededTemplate();
});

afterAll(async () => {
  await sandbox?.cleanup();
});

function ids(bytes: Buffer): string[] {
  return bytes
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { id: string }).id);
}

describe('beads-sync create', () => {
  it('creates a post-incident review and a regression ticket with their dependencies, idempotently', async () => {
    const workspace = await sandbox.clone();
    const review = await runSync({
      workspace,
      actor: 'release-bot',
      inputs: {
        transition: 'create',
        title: 'Post-incident review for bd-1e12',
        description: 'Timeline, root cause and follow-ups.\nOwner: <on-call> & "release" team',
        type: 'task',
        priority: 'P1',
        labels: 'postmortem',
        'depends-on': 'discovered-from:bd-1e12',
        'external-ref': 'gh-123',
      },
    });
    expect(review.exitCode, explain(review)).toBe(0);
    const reviewId = review.outputs.created!;
    // bd's hash ids: 2,536 issues with prefix bd → 5 base-36 characters.
    expect(reviewId).toMatch(/^bd-[0-9a-z]{5}$/);
    expect(review.outputs.changed).toBe('true');
    const afterReview = await remoteTracker(sandbox, 'beads-sync');
    const diff = beadsLineDiff(fixtureIssues(), afterReview);
    expect(diff.changed).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.identical).toBe(2536);
    expect(diff.inserted.map((line) => line.id)).toEqual([reviewId]);
    // Inserted where bd would put it: the file stays sorted by id.
    const order = ids(afterReview);
    expect(order).toEqual([...order].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    const line = diff.inserted[0]!.text;
    // Go's encoding: < > & escaped, raw UTF-8 otherwise, fields in bd's order.
    expect(line).toContain(
      '"description":"Timeline, root cause and follow-ups.\\nOwner: \\u003con-call\\u003e \\u0026 \\"release\\" team"',
    );
    expect(Object.keys(JSON.parse(line))).toEqual([
      'id',
      'title',
      'description',
      'status',
      'priority',
      'issue_type',
      'created_at',
      'created_by',
      'updated_at',
      'external_ref',
      'labels',
      'dependencies',
    ]);
    expect(JSON.parse(line)).toMatchObject({
      title: 'Post-incident review for bd-1e12',
      status: 'open',
      priority: 1,
      issue_type: 'task',
      created_by: 'release-bot',
      external_ref: 'gh-123',
      labels: ['postmortem'],
      dependencies: [
        { issue_id: reviewId, depends_on_id: 'bd-1e12', type: 'discovered-from', created_by: 'release-bot' },
      ],
    });
    expect(JSON.parse(review.outputs.tickets!)).toEqual([
      { id: reviewId, title: 'Post-incident review for bd-1e12', before: null, after: 'open', changed: true },
    ]);

    const regression = await runSync({
      workspace,
      inputs: {
        transition: 'create',
        title: 'P0: Hotfix regression - login loop after bd-1e12',
        type: 'bug',
        priority: '0',
        labels: 'emergency,regression',
        'depends-on': 'blocks:bd-1e12',
      },
    });
    expect(regression.exitCode, explain(regression)).toBe(0);
    const regressionId = regression.outputs.created!;
    const afterRegression = await remoteTracker(sandbox, 'beads-sync');
    const second = beadsLineDiff(afterReview, afterRegression);
    expect(second.inserted.map((l) => l.id)).toEqual([regressionId]);
    expect(second.identical).toBe(2537);
    expect(beadsIssueOf(afterRegression, regressionId)).toMatchObject({
      issue_type: 'bug',
      priority: 0,
      labels: ['emergency', 'regression'],
      dependencies: [{ issue_id: regressionId, depends_on_id: 'bd-1e12', type: 'blocks' }],
    });

    // A re-run (the workflow re-run button) finds the review it made and creates nothing.
    const head = await remoteHead(sandbox, 'beads-sync');
    const commits = await commitCount(sandbox, 'beads-sync');
    const again = await runSync({
      workspace,
      inputs: {
        transition: 'create',
        title: 'Post-incident review for bd-1e12',
        type: 'task',
        priority: '1',
        labels: 'postmortem',
        'depends-on': 'discovered-from:bd-1e12',
        'external-ref': 'gh-123',
      },
    });
    expect(again.exitCode, explain(again)).toBe(0);
    expect(again.outputs.created).toBe(reviewId);
    expect(again.outputs.changed).toBe('false');
    expect(again.outputs.commit).toBe('');
    expect(await remoteHead(sandbox, 'beads-sync')).toBe(head);
    expect(await commitCount(sandbox, 'beads-sync')).toBe(commits);
  });

  it('refuses a dependency on a ticket the tracker does not have, changing nothing', async () => {
    const workspace = await sandbox.clone();
    const head = await remoteHead(sandbox, 'beads-sync');
    const run = await runSync({
      workspace,
      inputs: { transition: 'create', title: 'Follow-up', 'depends-on': 'discovered-from:bd-zzzzz' },
    });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.outputs.changed).toBe('false');
    expect(run.outputs.created).toBe('');
    expect(run.annotations.find((a) => a.level === 'warning')?.message).toContain('bd-zzzzz');
    expect(await remoteHead(sandbox, 'beads-sync')).toBe(head);
  });

  it('refuses a type the tracker does not configure as a configuration error', async () => {
    const workspace = await sandbox.clone();
    const run = await runSync({ workspace, inputs: { transition: 'create', title: 'Follow-up', type: 'incident' } });
    expect(run.exitCode).toBe(1);
    expect(run.annotations).toEqual([
      expect.objectContaining({ level: 'error', title: 'Configuration error for input "type"' }),
    ]);
    expect(run.annotations[0]!.message).toContain('types.custom');
  });
});
