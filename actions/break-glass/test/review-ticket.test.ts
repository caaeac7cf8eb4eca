import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  beadsIssueOf,
  createGitSandbox,
  gitShowBytes,
  runBundle,
  seedBeadsRepo,
  type BundleRun,
  type GitSandbox,
} from '@hotfix-actions/testkit';

// The README's recipe, run for real: break-glass's outputs handed to the beads-sync bundle, which
// creates the post-incident review ticket on the real Beads tracker (the project's own fixture).

let sandbox: GitSandbox;

beforeAll(async () => {
  sandbox = await createGitSandbox();
  await seedBeadsRepo(sandbox);
});

afterAll(async () => {
  await sandbox?.cleanup();
});

function explain(run: BundleRun): string {
  return `exit ${run.exitCode}\n${run.stdout}\n${run.stderr}`;
}

describe('break-glass → beads-sync', () => {
  it('creates the post-incident review ticket, discovered from the incident ticket, from the outputs', async () => {
    const workspace = await sandbox.clone();
    const glass = await runBundle({
      bundle: 'break-glass',
      workspace,
      actor: 'alice',
      inputs: {
        'incident-id': 'INC-4711',
        ticket: 'bd-1e12',
        reason: 'Login loop for every user',
        'allowed-actors': 'alice',
        'min-permission': 'none',
        'audit-branch': 'audit',
        'audit-method': 'git',
      },
    });
    expect(glass.exitCode, explain(glass)).toBe(0);
    expect(glass.outputs).toMatchObject({
      approved: 'true',
      'review-ticket-depends-on': 'discovered-from:bd-1e12',
      'review-ticket-external-ref': 'INC-4711',
    });

    const sync = await runBundle({
      bundle: 'beads-sync',
      workspace,
      actor: 'alice',
      inputs: {
        transition: 'create',
        title: glass.outputs['review-ticket-title']!,
        description: glass.outputs['review-ticket-description']!,
        type: 'task',
        priority: '1',
        labels: 'postmortem',
        'depends-on': glass.outputs['review-ticket-depends-on']!,
        'external-ref': glass.outputs['review-ticket-external-ref']!,
      },
    });
    expect(sync.exitCode, explain(sync)).toBe(0);
    const created = sync.outputs.created!;
    expect(created).toMatch(/^bd-/);
    // The fixture's .beads/config.yaml names a sync branch: that is where the tracker commit goes.
    const tracker = await gitShowBytes(sandbox.origin, 'refs/heads/beads-sync', '.beads/issues.jsonl');
    expect(beadsIssueOf(tracker, created)).toMatchObject({
      title: 'Post-incident review: INC-4711 (break-glass by alice)',
      status: 'open',
      priority: 1,
      issue_type: 'task',
      labels: ['postmortem'],
      external_ref: 'INC-4711',
      dependencies: [expect.objectContaining({ issue_id: created, depends_on_id: 'bd-1e12', type: 'discovered-from' })],
    });
    expect(String(beadsIssueOf(tracker, created)!.description)).toContain('Reason: Login loop for every user');
  });
});
