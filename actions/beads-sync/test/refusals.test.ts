// Where a direct edit would be lost (a Dolt-backed tracker) or the tracker is damaged, the action
// refuses clearly, changes nothing, and — unless fail-on-error — lets the release go on.
import { afterAll, describe, expect, it } from 'vitest';
import { type GitSandbox } from '@hotfix-actions/testkit';
import { commitCount, explain, fixtureIssues, remoteHead, runSync, seededTemplate } from './support.js';

const sandboxes: GitSandbox[] = [];

afterAll(async () => {
  await Promise.all(sandboxes.map((sandbox) => sandbox.cleanup()));
});

async function seeded(options: Parameters<typeof seededTemplate>[0] = {}): Promise<GitSandbox> {
  const sandbox = await seededTemplate(options);
  sandboxes.push(sandbox);
  return sandbox;
}

async function refsOf(sandbox: GitSandbox): Promise<string> {
  return sandbox.git(['for-each-ref', '--format=%(refname) %(objectname)'], sandbox.origin);
}

describe('beads-sync refusals', () => {
  it('refuses to edit the JSONL of a Dolt-backed tracker without bd (metadata.json)', async () => {
    const sandbox = await seeded({
      metadata: JSON.stringify({ database: 'dolt', backend: 'dolt', dolt_mode: 'embedded', last_bd_version: '1.0.2' }),
    });
    const workspace = await sandbox.clone();
    const refs = await refsOf(sandbox);
    const run = await runSync({ workspace, inputs: { transition: 'start', ticket: 'bd-1slh', backend: 'jsonl' } });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.outputs.changed).toBe('false');
    const warning = run.annotations.find((a) => a.level === 'warning');
    expect(warning?.message).toContain('.beads/metadata.json sets backend "dolt"');
    expect(warning?.message).toContain('an edit to it would be ignored or overwritten, so none was made');
    expect(warning?.message).toContain('Make bd available on the runner');
    expect(await refsOf(sandbox)).toBe(refs);

    const strict = await runSync({
      workspace,
      inputs: { transition: 'start', ticket: 'bd-1slh', 'fail-on-error': 'true' },
    });
    expect(strict.exitCode).toBe(1);
    expect(strict.annotations.filter((a) => a.level === 'error')).toHaveLength(1);
    expect(strict.summary).toContain('Beads: tracker not updated');
    expect(await refsOf(sandbox)).toBe(refs);
  });

  it('refuses when the remote carries a Dolt database (refs/dolt/data), and for sync.mode dolt-native', async () => {
    const sandbox = await seeded();
    await sandbox.git(['push', '--quiet', 'origin', 'HEAD:refs/dolt/data']);
    const workspace = await sandbox.clone();
    const run = await runSync({ workspace, inputs: { transition: 'start', ticket: 'bd-1slh' } });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.annotations.find((a) => a.level === 'warning')?.message).toContain('the remote has refs/dolt/data');
    expect(await commitCount(sandbox, 'beads-sync')).toBe(0);

    const native = await seeded({ config: (text) => `${text}\nsync:\n  mode: dolt-native\n` });
    const nativeRun = await runSync({
      workspace: await native.clone(),
      inputs: { transition: 'start', ticket: 'bd-1slh' },
    });
    expect(nativeRun.annotations.find((a) => a.level === 'warning')?.message).toContain('sync.mode dolt-native');
    expect(await commitCount(native, 'beads-sync')).toBe(0);
  });

  it('warns about a damaged tracker line and an unknown ticket instead of failing the release', async () => {
    const fixture = fixtureIssues().toString('utf8');
    // The ticket's own line is cut short, as a bad merge would leave it.
    const damaged = fixture.replace(/^(\{"id":"bd-1slh",.{40}).*$/m, '$1');
    const sandbox = await seeded({ issues: damaged });
    const workspace = await sandbox.clone();
    const run = await runSync({ workspace, inputs: { transition: 'start', ticket: 'bd-1slh' } });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.outputs.changed).toBe('false');
    const warning = run.annotations.find((a) => a.level === 'warning');
    expect(warning?.message).toMatch(/^Line \d+ of \.beads\/issues\.jsonl is not valid JSON/);
    expect(await remoteHead(sandbox, 'beads-sync')).toBeUndefined();

    const unknown = await runSync({ workspace, inputs: { transition: 'start', ticket: 'bd-nope1' } });
    expect(unknown.exitCode, explain(unknown)).toBe(0);
    expect(unknown.annotations.find((a) => a.level === 'warning')?.message).toContain(
      'Ticket bd-nope1 (input "ticket") is not in .beads/issues.jsonl; nothing was changed.',
    );
    const strict = await runSync({
      workspace,
      inputs: { transition: 'start', ticket: 'bd-nope1', 'fail-on-error': 'true' },
    });
    expect(strict.exitCode).toBe(1);
    expect(await remoteHead(sandbox, 'beads-sync')).toBeUndefined();
  });

  it('says so when there is no tracker, and when auto has no ticket to move', async () => {
    const sandbox = await seeded({ files: { '.beads/issues.jsonl': null }, config: 'issue-prefix: bd\n' });
    const workspace = await sandbox.clone();
    const run = await runSync({ workspace, inputs: { transition: 'start', ticket: 'bd-1slh' } });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.annotations.find((a) => a.level === 'warning')?.message).toContain('There is no .beads/issues.jsonl');

    const noTicket = await runSync({
      workspace: await (await seeded()).clone(),
      eventName: 'create',
      event: { ref: 'hotfix/login-loop', ref_type: 'branch' },
    });
    expect(noTicket.exitCode, explain(noTicket)).toBe(0);
    expect(noTicket.outputs.changed).toBe('false');
    expect(noTicket.annotations).toEqual([
      expect.objectContaining({
        level: 'notice',
        message: expect.stringContaining('No ticket id in the create event'),
      }),
    ]);
  });

  it('refuses auto on an event it cannot interpret, as a configuration error', async () => {
    const sandbox = await seeded();
    const run = await runSync({ workspace: await sandbox.clone(), eventName: 'workflow_dispatch' });
    expect(run.exitCode).toBe(1);
    expect(run.annotations).toEqual([
      expect.objectContaining({ level: 'error', title: 'Configuration error for input "transition"' }),
    ]);
  });
});
