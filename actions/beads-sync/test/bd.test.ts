// The bd backend, through the committed bundle, with a fake bd on PATH that accepts only bd's
// documented commands and flags (the real bd cannot be installed here: its npm package downloads
// the binary from GitHub at install time).
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beadsIssueOf, createFakeBd, type FakeBd, type GitSandbox } from '@hotfix-actions/testkit';
import { explain, fixtureIssues, runSync, seededTemplate } from './support.js';

const DOLT_METADATA = JSON.stringify({ database: 'dolt', backend: 'dolt', last_bd_version: '1.0.2' });
let template: GitSandbox;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  template = await seededTemplate({ metadata: DOLT_METADATA });
});

afterAll(async () => {
  await Promise.all([template?.cleanup(), ...cleanups.map((cleanup) => cleanup())]);
});

/** Issues of the real fixture, as bd would print them. */
function fixtureRecords(ids: readonly string[]): Record<string, unknown>[] {
  return ids.map((id) => beadsIssueOf(fixtureIssues(), id)!);
}

async function setup(options: Parameters<typeof createFakeBd>[0] = {}): Promise<{ bd: FakeBd; workspace: string }> {
  const bd = await createFakeBd({ issues: fixtureRecords(['bd-1slh', 'bd-1e12', 'bd-1hc40']), ...options });
  const sandbox = await template.copy();
  cleanups.push(
    () => bd.cleanup(),
    () => sandbox.cleanup(),
  );
  return { bd, workspace: await sandbox.clone() };
}

function argvs(calls: { argv: string[] }[]): string[][] {
  return calls.map((call) => call.argv);
}

describe('beads-sync with bd', () => {
  it('picks bd for a Dolt-backed tracker and moves a ticket with documented commands only', async () => {
    const { bd, workspace } = await setup();
    const run = await runSync({
      workspace,
      actor: 'release-bot',
      env: { PATH: bd.pathEnv() },
      inputs: { transition: 'start', ticket: 'bd-1slh', labels: 'hotfix' },
    });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.outputs).toMatchObject({ backend: 'bd', changed: 'true', commit: '', transition: 'start' });
    const calls = await bd.calls();
    expect(calls.filter((call) => call.exitCode !== 0 || call.error)).toEqual([]);
    expect(argvs(calls)).toEqual([
      ['version'],
      ['show', 'bd-1slh', '--json'],
      ['update', 'bd-1slh', '--status=in_progress', '--add-label=hotfix', '--json'],
      ['show', 'bd-1slh', '--json'],
      ['dolt', 'push'],
    ]);
    expect(calls.every((call) => call.actor === 'release-bot')).toBe(true);
    expect((await bd.issues())['bd-1slh']).toMatchObject({ status: 'in_progress', labels: ['hotfix'] });
    expect(JSON.parse(run.outputs.tickets!)).toEqual([
      expect.objectContaining({ id: 'bd-1slh', before: 'open', after: 'in_progress', changed: true }),
    ]);

    // A re-run reads the ticket and changes nothing.
    const again = await runSync({
      workspace,
      env: { PATH: bd.pathEnv() },
      inputs: { transition: 'start', ticket: 'bd-1slh', labels: 'hotfix' },
    });
    expect(again.outputs.changed).toBe('false');
    expect(argvs(await bd.calls()).slice(5)).toEqual([['version'], ['show', 'bd-1slh', '--json']]);
  });

  it('marks deployed with a label and closes with bd close --reason', async () => {
    const { bd, workspace } = await setup();
    const env = { PATH: bd.pathEnv() };
    const merged = await runSync({ workspace, env, inputs: { transition: 'merged', ticket: 'bd-1e12' } });
    expect(merged.exitCode, explain(merged)).toBe(0);
    const close = await runSync({
      workspace,
      env,
      inputs: { transition: 'close', ticket: 'bd-1e12', reason: 'Fixed in v2.1.4, forward-ported to main' },
    });
    expect(close.exitCode, explain(close)).toBe(0);
    const mutations = argvs(await bd.calls()).filter((argv) => ['update', 'close'].includes(argv[0]!));
    expect(mutations).toEqual([
      ['update', 'bd-1e12', '--add-label=deployed', '--json'],
      ['close', 'bd-1e12', '--reason=Fixed in v2.1.4, forward-ported to main', '--json'],
    ]);
    expect((await bd.issues())['bd-1e12']).toMatchObject({
      status: 'closed',
      close_reason: 'Fixed in v2.1.4, forward-ported to main',
    });
  });

  it('creates with bd create --json and links with bd dep add, never --deps', async () => {
    const { bd, workspace } = await setup();
    const env = { PATH: bd.pathEnv() };
    const inputs = {
      transition: 'create',
      title: 'Post-incident review for bd-1e12',
      type: 'task',
      priority: '1',
      labels: 'postmortem',
      'depends-on': 'discovered-from:bd-1e12',
    };
    const run = await runSync({ workspace, env, inputs });
    expect(run.exitCode, explain(run)).toBe(0);
    const created = run.outputs.created!;
    expect(created).toMatch(/^bd-f/);
    const calls = argvs(await bd.calls());
    expect(calls).toContainEqual([
      'create',
      '--title=Post-incident review for bd-1e12',
      '--type=task',
      '--priority=1',
      '--labels=postmortem',
      '--json',
    ]);
    expect(calls).toContainEqual(['dep', 'add', created, 'bd-1e12', '--type=discovered-from', '--json']);
    expect(calls.flat().some((arg) => arg.startsWith('--deps'))).toBe(false);
    expect((await bd.issues())[created]).toMatchObject({
      dependencies: [expect.objectContaining({ depends_on_id: 'bd-1e12', type: 'discovered-from' })],
    });

    // The re-run finds it through bd list and creates nothing.
    const again = await runSync({ workspace, env, inputs });
    expect(again.outputs).toMatchObject({ created, changed: 'false' });
    expect(argvs(await bd.calls()).filter((argv) => argv[0] === 'create')).toHaveLength(1);
  });

  it('passes hostile text as data: nothing is run, the title arrives verbatim', async () => {
    const { bd, workspace } = await setup();
    const sentinel = join(tmpdir(), `beads-sync-sentinel-${process.pid}-${Date.now()}`);
    const title = `$(touch ${sentinel}) \`touch ${sentinel}\`; touch ${sentinel} | --deps=blocks:bd-1e12 "quoted" & <b>`;
    const run = await runSync({ workspace, env: { PATH: bd.pathEnv() }, inputs: { transition: 'create', title } });
    expect(run.exitCode, explain(run)).toBe(0);
    expect((await bd.issues())[run.outputs.created!]?.title).toBe(title);
    expect(existsSync(sentinel)).toBe(false);
  });

  it('warns when bd fails or is too old, and refuses backend bd without a bd on PATH', async () => {
    const failing = await setup({ fail: { 'dolt push': { exitCode: 1, stderr: 'Error: remote rejected' } } });
    const run = await runSync({
      workspace: failing.workspace,
      env: { PATH: failing.bd.pathEnv() },
      inputs: { transition: 'start', ticket: 'bd-1slh' },
    });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.annotations.find((a) => a.level === 'warning')?.message).toContain(
      'bd dolt push failed (exit 1): Error: remote rejected',
    );

    const old = await setup({ version: '0.19.4' });
    const oldRun = await runSync({
      workspace: old.workspace,
      env: { PATH: old.bd.pathEnv() },
      inputs: { transition: 'start', ticket: 'bd-1slh' },
    });
    expect(oldRun.annotations.find((a) => a.level === 'warning')?.message).toContain('bd 0.19.4 is too old');
    expect(argvs(await old.bd.calls())).toEqual([['version']]);

    const missing = await runSync({
      workspace: old.workspace,
      inputs: { transition: 'start', ticket: 'bd-1slh', backend: 'bd' },
    });
    expect(missing.annotations.find((a) => a.level === 'warning')?.message).toContain(
      'Make bd available on the runner',
    );
  });
});
