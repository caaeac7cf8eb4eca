// Several writers and a protected main: pushes without force, healed by re-applying on the
// remote's version, never losing anyone's change.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beadsIssueOf, beadsLineDiff, protectBranches, type GitSandbox } from '@hotfix-actions/testkit';
import {
  TRACKER,
  commitCount,
  explain,
  fixtureIssues,
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

async function copy(): Promise<GitSandbox> {
  const sandbox = await template.copy();
  sandboxes.push(sandbox);
  return sandbox;
}

/** Rewrites one issue's line in the sandbox's own clone and pushes it, as another person would. */
async function pushOtherChange(sandbox: GitSandbox, branch: string, id: string, title: string): Promise<void> {
  await sandbox.git(['fetch', '--quiet', 'origin']);
  await sandbox.git(['checkout', '--quiet', '-B', branch, `origin/${branch}`]);
  const file = join(sandbox.work, TRACKER);
  const text = await readFile(file, 'utf8');
  const next = text.replace(new RegExp(`^(\\{"id":"${id}","title":)"[^"]*"`, 'm'), `$1${JSON.stringify(title)}`);
  expect(next).not.toBe(text);
  await sandbox.commit({ [TRACKER]: next }, `Retitle ${id}`);
  await sandbox.git(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
}

describe('beads-sync with other writers', () => {
  it('two runs at once on two clones both land, nothing lost', async () => {
    const sandbox = await copy();
    const [a, b] = await Promise.all([sandbox.clone(), sandbox.clone()]);
    const [first, second] = await Promise.all([
      runSync({ workspace: a, inputs: { transition: 'start', ticket: 'bd-1slh' } }),
      runSync({ workspace: b, inputs: { transition: 'close', ticket: 'bd-1e12', reason: 'Done elsewhere' } }),
    ]);
    expect(first.exitCode, explain(first)).toBe(0);
    expect(second.exitCode, explain(second)).toBe(0);
    expect([first.outputs.changed, second.outputs.changed]).toEqual(['true', 'true']);
    const final = await remoteTracker(sandbox, 'beads-sync');
    const diff = beadsLineDiff(fixtureIssues(), final);
    expect(diff.changed.map((c) => c.id).sort()).toEqual(['bd-1e12', 'bd-1slh']);
    expect(diff.identical).toBe(2534);
    expect(beadsIssueOf(final, 'bd-1slh')?.status).toBe('in_progress');
    expect(beadsIssueOf(final, 'bd-1e12')).toMatchObject({ status: 'closed', close_reason: 'Done elsewhere' });
    expect(await commitCount(sandbox, 'beads-sync')).toBe((await commitCount(sandbox, 'main')) + 2);
  });

  it('three writers on the same branch, one ticket each, all land', async () => {
    const sandbox = await copy();
    const tickets = ['bd-0vu3q', 'bd-1hc40', 'bd-1slh'];
    const workspaces = await Promise.all(tickets.map(() => sandbox.clone()));
    const runs = await Promise.all(
      tickets.map((ticket, i) =>
        runSync({
          workspace: workspaces[i]!,
          inputs: { transition: 'start', ticket, 'sync-branch': 'main', 'max-attempts': '10' },
        }),
      ),
    );
    for (const run of runs) expect(run.exitCode, explain(run)).toBe(0);
    const final = await remoteTracker(sandbox, 'main');
    const diff = beadsLineDiff(fixtureIssues(), final);
    expect(diff.changed.map((c) => c.id).sort()).toEqual(tickets);
    expect(diff.identical).toBe(2536 - tickets.length);
    for (const ticket of tickets) expect(beadsIssueOf(final, ticket)?.status).toBe('in_progress');
  });

  it('a push rejected because someone pushed first is healed by fetching and re-applying', async () => {
    const sandbox = await copy();
    const workspace = await sandbox.clone();
    // Between the checkout and the action's push, someone else changes another ticket on main.
    await pushOtherChange(sandbox, 'main', 'bd-1hc40', 'Blocking issue (renamed elsewhere)');
    const theirs = await remoteHead(sandbox, 'main');

    const run = await runSync({ workspace, inputs: { transition: 'start', ticket: 'bd-1slh', 'sync-branch': 'main' } });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.stdout).toContain('The push to main was rejected (fetch-first): re-applying');
    expect(run.summary).toContain('attempts: 2');
    const final = await remoteTracker(sandbox, 'main');
    const diff = beadsLineDiff(fixtureIssues(), final);
    expect(diff.changed.map((c) => c.id).sort()).toEqual(['bd-1hc40', 'bd-1slh']);
    expect(beadsIssueOf(final, 'bd-1hc40')?.title).toBe('Blocking issue (renamed elsewhere)');
    // One commit on top of theirs, never a force push.
    expect(await sandbox.git(['rev-parse', `${run.outputs.commit}^`], sandbox.origin)).toBe(theirs);
    // The target was the checked-out branch: the checkout follows the pushed commit.
    expect(await sandbox.git(['rev-parse', 'HEAD'], workspace)).toBe(run.outputs.commit);
    expect((await readFile(join(workspace, TRACKER))).equals(final)).toBe(true);
  });

  it('gives up after max-attempts and warns without failing the release', async () => {
    const sandbox = await copy();
    const workspace = await sandbox.clone();
    await pushOtherChange(sandbox, 'main', 'bd-1hc40', 'Moved on');
    const run = await runSync({
      workspace,
      inputs: { transition: 'start', ticket: 'bd-1slh', 'sync-branch': 'main', 'max-attempts': '1' },
    });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.outputs.changed).toBe('false');
    const warning = run.annotations.find((a) => a.level === 'warning');
    expect(warning?.message).toContain('Gave up after 1 attempts');
    expect(beadsIssueOf(await remoteTracker(sandbox, 'main'), 'bd-1slh')?.status).toBe('open');
  });

  it('pushes to the sync branch when main is protected, creating it from the checkout', async () => {
    const sandbox = await copy();
    await protectBranches(sandbox.origin, ['main']);
    const mainHead = await remoteHead(sandbox, 'main');
    const workspace = await sandbox.clone();

    const viaSync = await runSync({ workspace, inputs: { transition: 'start', ticket: 'bd-1slh' } });
    expect(viaSync.exitCode, explain(viaSync)).toBe(0);
    expect(await remoteHead(sandbox, 'main')).toBe(mainHead);
    expect(await sandbox.git(['rev-parse', `${viaSync.outputs.commit}^`], sandbox.origin)).toBe(mainHead);
    expect(viaSync.summary).toContain('created branch beads-sync from the checked-out commit');

    // Straight to the protected branch: refused by the remote, reported, never forced.
    const direct = await runSync({
      workspace,
      inputs: { transition: 'start', ticket: 'bd-1e12', 'sync-branch': 'main' },
    });
    expect(direct.exitCode, explain(direct)).toBe(0);
    expect(direct.outputs.changed).toBe('false');
    expect(direct.outputs.commit).toBe('');
    const warning = direct.annotations.find((a) => a.level === 'warning');
    expect(warning?.title).toBe('beads-sync: tracker not updated');
    expect(warning?.message).toContain('GH006: Protected branch update failed');
    expect(warning?.message).toContain('set sync-branch');
    expect(await remoteHead(sandbox, 'main')).toBe(mainHead);

    const strict = await runSync({
      workspace,
      inputs: { transition: 'start', ticket: 'bd-1e12', 'sync-branch': 'main', 'fail-on-error': 'true' },
    });
    expect(strict.exitCode).toBe(1);
    expect(strict.annotations.filter((a) => a.level === 'error')).toHaveLength(1);
    expect(await remoteHead(sandbox, 'main')).toBe(mainHead);
  });
});
