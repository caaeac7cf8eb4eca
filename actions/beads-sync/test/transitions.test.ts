// Runner-contract tests of the committed bundle on the real Beads data (2,536 issues): each
// transition rewrites exactly one line, every other line stays byte-identical to the fixture, and
// the push lands on the sync branch of a real bare origin.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beadsIssueOf, beadsLineDiff, type GitSandbox } from '@hotfix-actions/testkit';
import {
  TRACKER,
  commitCount,
  createEvent,
  deploymentStatusEvent,
  explain,
  fixtureIssues,
  oneLineChange,
  pullRequestClosedEvent,
  remoteHead,
  remoteTracker,
  runSync,
  seededTemplate,
} from './support.js';

let template: GitSandbox;
const sandboxes: GitSandbox[] = [];

beforeAll(async () => {
  template = await seededTemplate();
});

afterAll(async () => {
  await Promise.all([template, ...sandboxes].map((sandbox) => sandbox?.cleanup()));
});

async function fresh(): Promise<{ sandbox: GitSandbox; workspace: string }> {
  const sandbox = await template.copy();
  sandboxes.push(sandbox);
  return { sandbox, workspace: await sandbox.clone() };
}

describe('beads-sync transitions on the real tracker', () => {
  it('moves a ticket start → merged → close, one line per step, pushed to the sync branch', async () => {
    const { sandbox, workspace } = await fresh();
    const fixture = fixtureIssues();
    const mainBefore = await remoteHead(sandbox, 'main');

    const start = await runSync({ workspace, inputs: { transition: 'start', ticket: 'bd-1slh' } });
    expect(start.exitCode, explain(start)).toBe(0);
    expect(start.outputs.changed).toBe('true');
    expect(start.outputs.backend).toBe('jsonl');
    expect(start.outputs.transition).toBe('start');
    // config.yaml of the fixture sets sync-branch: beads-sync; main is left alone.
    expect(start.outputs.commit).toBe(await remoteHead(sandbox, 'beads-sync'));
    expect(await remoteHead(sandbox, 'main')).toBe(mainBefore);
    const afterStart = await remoteTracker(sandbox, 'beads-sync');
    const started = oneLineChange(fixture, afterStart);
    expect(started.diff.changed.map((c) => c.id)).toEqual(['bd-1slh']);
    expect(started.diff.identical).toBe(2535);
    expect(started.diff.inserted).toEqual([]);
    expect(started.diff.removed).toEqual([]);
    expect(started.diff.orderKept && started.diff.finalNewlineKept).toBe(true);
    expect(started.after.status).toBe('in_progress');
    expect(started.after.started_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(started.after.updated_at).toBe(started.after.started_at);
    // Every field the transition does not touch keeps its bytes: the line minus status/updated_at/started_at.
    const strip = (line: string) =>
      line
        .replace(/"status":"[a-z_]+",/, '')
        .replace(/,"updated_at":"[^"]+"/, '')
        .replace(/,"started_at":"[^"]+"/, '');
    expect(strip(started.diff.changed[0]!.after)).toBe(strip(started.diff.changed[0]!.before));
    expect(JSON.parse(start.outputs.tickets!)).toEqual([
      {
        id: 'bd-1slh',
        title: 'Investigate charmbracelet-based TUI for beads',
        before: 'open',
        after: 'in_progress',
        changed: true,
      },
    ]);
    expect(start.summary).toContain(
      '| `bd-1slh` | Investigate charmbracelet-based TUI for beads | open | in_progress |',
    );
    const message = await sandbox.git(['log', '-1', '--format=%B', 'refs/heads/beads-sync'], sandbox.origin);
    expect(message).toMatch(
      /^beads: start bd-1slh\n\nbd-1slh "Investigate charmbracelet-based TUI for beads": open → in_progress/,
    );
    expect(await sandbox.git(['log', '-1', '--format=%an <%ae>', 'refs/heads/beads-sync'], sandbox.origin)).toBe(
      'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>',
    );

    const merged = await runSync({ workspace, inputs: { transition: 'merged', ticket: 'bd-1slh' } });
    expect(merged.exitCode, explain(merged)).toBe(0);
    const afterMerged = await remoteTracker(sandbox, 'beads-sync');
    const mergedStep = oneLineChange(afterStart, afterMerged);
    expect(mergedStep.diff.changed.map((c) => c.id)).toEqual(['bd-1slh']);
    expect(mergedStep.diff.identical).toBe(2535);
    // No status.custom "deployed" in this tracker: the marker is a label, never an unknown status.
    expect(mergedStep.after.status).toBe('in_progress');
    expect(mergedStep.after.labels).toEqual(['deployed']);

    const close = await runSync({
      workspace,
      inputs: { transition: 'close', ticket: 'bd-1slh', reason: 'Fixed in v2.1.4, forward-ported to main' },
    });
    expect(close.exitCode, explain(close)).toBe(0);
    const afterClose = await remoteTracker(sandbox, 'beads-sync');
    const closed = oneLineChange(afterMerged, afterClose);
    expect(closed.diff.changed.map((c) => c.id)).toEqual(['bd-1slh']);
    expect(closed.after).toMatchObject({ status: 'closed', close_reason: 'Fixed in v2.1.4, forward-ported to main' });
    expect(closed.after.closed_at).toBe(closed.after.updated_at);
    // Three steps later, still one line away from the fixture.
    const overall = beadsLineDiff(fixture, afterClose);
    expect(overall.changed.map((c) => c.id)).toEqual(['bd-1slh']);
    expect(overall.identical).toBe(2535);
    expect(await commitCount(sandbox, 'beads-sync')).toBe((await commitCount(sandbox, 'main')) + 3);
  });

  it('re-running a transition changes nothing and pushes nothing', async () => {
    const { sandbox, workspace } = await fresh();
    const first = await runSync({ workspace, inputs: { transition: 'start', ticket: 'bd-1e12' } });
    expect(first.exitCode, explain(first)).toBe(0);
    expect(first.outputs.changed).toBe('true');
    const head = await remoteHead(sandbox, 'beads-sync');
    const again = await runSync({ workspace, inputs: { transition: 'start', ticket: 'bd-1e12' } });
    expect(again.exitCode, explain(again)).toBe(0);
    expect(again.outputs.changed).toBe('false');
    expect(again.outputs.commit).toBe('');
    expect(JSON.parse(again.outputs.tickets!)).toEqual([
      expect.objectContaining({ id: 'bd-1e12', before: 'in_progress', after: 'in_progress', changed: false }),
    ]);
    expect(again.summary).toContain('already up to date');
    expect(await remoteHead(sandbox, 'beads-sync')).toBe(head);
    // A ticket is never moved backwards: start after close changes nothing either.
    await runSync({ workspace, inputs: { transition: 'close', ticket: 'bd-1e12' } });
    const closedHead = await remoteHead(sandbox, 'beads-sync');
    const backwards = await runSync({ workspace, inputs: { transition: 'start', ticket: 'bd-1e12' } });
    expect(backwards.outputs.changed).toBe('false');
    expect(await remoteHead(sandbox, 'beads-sync')).toBe(closedHead);
  });

  it('derives the transition from the event: branch created, PR merged, production deployment', async () => {
    const { sandbox, workspace } = await fresh();
    const created = await runSync({
      workspace,
      eventName: 'create',
      event: createEvent('hotfix/bd-1vc13-socket-dir'),
      ref: 'refs/heads/hotfix/bd-1vc13-socket-dir',
    });
    expect(created.exitCode, explain(created)).toBe(0);
    expect(created.outputs.transition).toBe('start');
    expect(beadsIssueOf(await remoteTracker(sandbox, 'beads-sync'), 'bd-1vc13')?.status).toBe('in_progress');

    const closedUnmerged = await runSync({
      workspace,
      eventName: 'pull_request',
      event: pullRequestClosedEvent({ head: 'hotfix/bd-1vc13-socket-dir', title: 'x', merged: false }),
    });
    expect(closedUnmerged.exitCode, explain(closedUnmerged)).toBe(0);
    expect(closedUnmerged.outputs.transition).toBe('none');
    expect(closedUnmerged.outputs.changed).toBe('false');

    const merged = await runSync({
      workspace,
      eventName: 'pull_request',
      event: pullRequestClosedEvent({
        head: 'hotfix/bd-1vc13-socket-dir',
        title: 'hotfix(bd-1vc13): remove unused socket dir helpers',
        // A mention without a closing keyword must not move bd-1slh.
        body: 'Resolves bd-1vc13. See also bd-1slh.',
      }),
    });
    expect(merged.exitCode, explain(merged)).toBe(0);
    expect(merged.outputs.transition).toBe('merged');
    expect(JSON.parse(merged.outputs.tickets!).map((t: { id: string }) => t.id)).toEqual(['bd-1vc13']);
    expect(beadsIssueOf(await remoteTracker(sandbox, 'beads-sync'), 'bd-1vc13')?.labels).toEqual(['deployed']);

    const staging = await runSync({
      workspace,
      eventName: 'deployment_status',
      event: deploymentStatusEvent({ environment: 'staging', ref: 'hotfix/bd-1vc13-socket-dir' }),
    });
    expect(staging.outputs.transition).toBe('deployed');
    expect(staging.outputs.changed).toBe('false');

    const production = await runSync({
      workspace,
      eventName: 'deployment_status',
      event: deploymentStatusEvent({ environment: 'production', ref: 'v2.1.4' }),
      inputs: { context: JSON.stringify({ version: '2.1.4', tag: 'v2.1.4', tickets: ['bd-1vc13'] }) },
    });
    expect(production.exitCode, explain(production)).toBe(0);
    expect(production.outputs.transition).toBe('close');
    const closed = beadsIssueOf(await remoteTracker(sandbox, 'beads-sync'), 'bd-1vc13');
    expect(closed).toMatchObject({ status: 'closed', close_reason: 'Fixed in v2.1.4, deployed to production' });
    const overall = beadsLineDiff(fixtureIssues(), await remoteTracker(sandbox, 'beads-sync'));
    expect(overall.changed.map((c) => c.id)).toEqual(['bd-1vc13']);
    expect(overall.identical).toBe(2535);
  });

  it('works from a shallow checkout (fetch-depth: 1) whose sync branch exists only on the remote', async () => {
    const { sandbox, workspace } = await fresh();
    const first = await runSync({ workspace, inputs: { transition: 'start', ticket: 'bd-1slh' } });
    expect(first.exitCode, explain(first)).toBe(0);
    const shallow = await sandbox.clone({ depth: 1, singleBranch: true, branch: 'main' });
    const run = await runSync({ workspace: shallow, inputs: { transition: 'start', ticket: 'bd-1e12' } });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(await sandbox.git(['rev-parse', `${run.outputs.commit}^`], sandbox.origin)).toBe(first.outputs.commit);
    const diff = beadsLineDiff(fixtureIssues(), await remoteTracker(sandbox, 'beads-sync'));
    expect(diff.changed.map((c) => c.id).sort()).toEqual(['bd-1e12', 'bd-1slh']);
    // The checkout stays shallow: the action fetched one commit, not the history.
    expect(await sandbox.git(['rev-parse', '--is-shallow-repository'], shallow)).toBe('true');
  });

  it('writes status deployed where status.custom configures it', async () => {
    const custom = await seededTemplate({ config: (text) => `${text}\nstatus:\n  custom: "deployed,review:wip"\n` });
    sandboxes.push(custom);
    const workspace = await custom.clone();
    await runSync({ workspace, inputs: { transition: 'start', ticket: 'bd-1slh' } });
    const run = await runSync({ workspace, inputs: { transition: 'merged', ticket: 'bd-1slh' } });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(JSON.parse(run.outputs.tickets!)[0]).toMatchObject({ before: 'in_progress', after: 'deployed' });
    const issue = beadsIssueOf(await remoteTracker(custom, 'beads-sync'), 'bd-1slh');
    expect(issue).toMatchObject({ status: 'deployed' });
    expect(issue?.labels).toBeUndefined();
  });

  it('with push: false edits only the checkout, and dry-run touches nothing', async () => {
    const { sandbox, workspace } = await fresh();
    const dry = await runSync({ workspace, inputs: { transition: 'start', ticket: 'bd-1hc40', 'dry-run': 'true' } });
    expect(dry.exitCode, explain(dry)).toBe(0);
    expect(dry.outputs.changed).toBe('true');
    expect(dry.outputs.commit).toBe('');
    expect(dry.summary).toContain('Beads dry run: start would change 1 ticket(s)');
    expect(await remoteHead(sandbox, 'beads-sync')).toBeUndefined();

    const local = await runSync({ workspace, inputs: { transition: 'start', ticket: 'bd-1hc40', push: 'false' } });
    expect(local.exitCode, explain(local)).toBe(0);
    expect(local.outputs.changed).toBe('true');
    expect(local.outputs.commit).toBe('');
    const edited = await readFile(join(workspace, TRACKER));
    const diff = beadsLineDiff(fixtureIssues(), edited);
    expect(diff.changed.map((c) => c.id)).toEqual(['bd-1hc40']);
    expect(diff.identical).toBe(2535);
    expect(await remoteHead(sandbox, 'beads-sync')).toBeUndefined();
    expect(await sandbox.git(['status', '--porcelain'], workspace)).toBe(` M ${TRACKER}`);
  });
});
