import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoSummary } from '../demo/run.js';

// `npm run demo` in CI mode, once, as a user runs it (a child process through scripts/demo.mjs): its
// machine-readable summary must show both hotfixes as the seed process says — the decisions on the
// timeline, the tags, the pull requests, the tickets, the deployments and the notifications.

const root = resolve(import.meta.dirname, '..');
let scratch: string;
let summary: DemoSummary;
let exitCode: number | null;
let output = '';

beforeAll(async () => {
  scratch = realpathSync(mkdtempSync(join(tmpdir(), 'hotfix-demo-test-')));
  const child = spawn(
    process.execPath,
    [
      'scripts/demo.mjs',
      '--fast',
      '--seed',
      '1',
      '--json',
      join(scratch, 'summary.json'),
      '--report',
      join(scratch, 'report.html'),
      '--no-color',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  exitCode = await new Promise<number | null>((done) => child.on('close', done));
  summary = JSON.parse(readFileSync(join(scratch, 'summary.json'), 'utf8')) as DemoSummary;
}, 180_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function decision(scenario: string, stage: string): string | undefined {
  return summary.timeline.find((entry) => entry.scenario === scenario && entry.stage === stage)?.decision;
}

describe('npm run demo -- --fast --seed 1', () => {
  it('exits 0 with every check met, and prints the timeline and the report path', () => {
    expect(exitCode, output).toBe(0);
    expect(summary.ok).toBe(true);
    expect(summary.error).toBeUndefined();
    expect(summary.checks.filter((check) => !check.ok)).toEqual([]);
    expect(summary.checks.length).toBeGreaterThanOrEqual(15);
    expect(output).toMatch(/^ +\d+\.\d s +6 canary +canary-gate +promote +0\/\d+ errors/m);
    expect(output).toMatch(/^ +\d+\.\d s +6 canary +canary-gate +abort +\d+\/\d+ errors/m);
    expect(output).toContain('Both hotfixes ended as expected');
    expect(output).toContain(`Report: ${join(scratch, 'report.html')}`);
  });

  it('runs fast mode on HTTP checks well within its budget and leaves no sandbox behind', () => {
    expect(summary.fast).toBe(true);
    expect(summary.metrics).toContain('HTTP checks');
    expect(summary.durationMs).toBeLessThan(90_000);
    expect(summary.sandbox).toBeNull();
  });

  it('hotfix A: release-first, ticket started and closed, v1.2.4 through staging, canary and production, back-merged', () => {
    expect(decision('A', 'triage')).toBe('release-first');
    const stagesA = summary.timeline.filter((entry) => entry.scenario === 'A').map((entry) => entry.stage);
    expect(stagesA).toEqual([
      'triage',
      'branch',
      'ticket',
      'notify',
      '1 tests',
      'PR → release',
      '2 version bump',
      '3 build',
      '4 staging deploy',
      '5 staging health',
      'notify',
      '6 canary',
      'promote',
      '7 production health',
      'ticket',
      '9 back-merge',
      'notify',
    ]);
    const ticketDecisions = summary.timeline
      .filter((e) => e.scenario === 'A' && e.stage === 'ticket')
      .map((e) => e.decision);
    expect(ticketDecisions).toEqual(['in_progress', 'closed']);
    expect(decision('A', '1 tests')).toBe('passed');
    expect(decision('A', '2 version bump')).toBe('v1.2.4');
    expect(decision('A', '5 staging health')).toBe('healthy');
    expect(decision('A', '6 canary')).toBe('promote');
    expect(decision('A', '7 production health')).toBe('healthy');
    expect(decision('A', '9 back-merge')).toMatch(/^PR #\d+$/);
  });

  it('hotfix B: v1.2.5 aborted at the canary and rolled back to v1.2.4, the team told', () => {
    expect(decision('B', '2 version bump')).toBe('v1.2.5');
    expect(decision('B', '6 canary')).toBe('abort');
    expect(decision('B', '8 rollback')).toBe('rolled-back');
    const stagesB = summary.timeline.filter((entry) => entry.scenario === 'B').map((entry) => entry.stage);
    expect(stagesB).not.toContain('7 production health');
    expect(stagesB).not.toContain('9 back-merge');
    expect(stagesB.slice(-3)).toEqual(['8 rollback', 'review', 'notify']);
    expect(summary.timeline.filter((e) => e.step === 'notify').map((e) => e.decision)).toEqual([
      'hotfix-start',
      'pre-deploy',
      'post-deploy',
      'hotfix-start',
      'rollback',
    ]);
  });

  it('tags v1.2.4 and v1.2.5 on release/v1.2, after v1.2.0…v1.2.3', () => {
    const state = summary.state!;
    expect(state.tags.map((tag) => tag.name)).toEqual(['v1.2.0', 'v1.2.1', 'v1.2.2', 'v1.2.3', 'v1.2.4', 'v1.2.5']);
    expect(state.tags.every((tag) => tag.onReleaseBranch)).toBe(true);
    expect(state.releases.sort()).toEqual(['v1.2.4', 'v1.2.5']);
  });

  it('merged both hotfix pull requests into the release branch and opened the back-merge to main', () => {
    const { pulls } = summary.state!;
    expect(pulls.filter((p) => p.base === 'release/v1.2').map((p) => [p.head, p.merged])).toEqual([
      ['hotfix/bd-7k2m-cart-quantity', true],
      ['hotfix/bd-q4x9-discount-retry', true],
    ]);
    const backmerge = pulls.filter((p) => p.base === 'main');
    expect(backmerge).toHaveLength(1);
    expect(backmerge[0]).toMatchObject({ head: 'backmerge/bd-7k2m-to-main', state: 'open', merged: false });
    expect(backmerge[0]!.labels).toEqual(expect.arrayContaining(['hotfix', 'backmerge']));
  });

  it('leaves the tickets as the process says: A closed with the version, B in progress, a P0 regression blocked by B', () => {
    const { tickets } = summary.state!;
    const ticket = (id: string) => tickets.find((t) => t.id === id)!;
    expect(ticket('bd-7k2m')).toMatchObject({ status: 'closed' });
    expect(ticket('bd-7k2m').closeReason).toContain('v1.2.4');
    expect(ticket('bd-q4x9').status).toBe('in_progress');
    // Untouched tickets stay as they were.
    expect(ticket('bd-3pk').status).toBe('in_progress');
    expect(ticket('bd-1f8').status).toBe('closed');
    const created = tickets.filter((t) => !['bd-1f8', 'bd-3pk', 'bd-7k2m', 'bd-c9w', 'bd-q4x9'].includes(t.id));
    expect(created).toHaveLength(2);
    const regression = created.find((t) => t.priority === 0)!;
    expect(regression).toMatchObject({ status: 'open', issueType: 'bug' });
    expect(regression.labels).toEqual(expect.arrayContaining(['emergency', 'regression']));
    expect(regression.dependencies).toEqual([{ dependsOn: 'bd-q4x9', type: 'blocks' }]);
    expect(regression.title).toContain('v1.2.5');
    // A P0 gets its post-incident review, discovered from it.
    const review = created.find((t) => t !== regression)!;
    expect(review).toMatchObject({ status: 'open', priority: 1, issueType: 'task', labels: ['postmortem'] });
    expect(review.title).toBe(`Post-incident review for ${regression.id}`);
    expect(review.dependencies).toEqual([{ dependsOn: regression.id, type: 'discovered-from' }]);
  });

  it('records every deployment: v1.2.4 good, v1.2.5 failed, the rollback to v1.2.4 good and pointing at v1.2.5', () => {
    const production = summary.state!.deployments.filter((d) => d.environment === 'production');
    const last = (states: string[]) => states.filter((s) => s !== 'inactive').at(-1);
    expect(production.map((d) => [d.ref, d.task, last(d.states)])).toEqual([
      ['v1.2.3', 'deploy', 'success'],
      ['v1.2.4', 'deploy', 'success'],
      ['v1.2.5', 'deploy', 'failure'],
      ['v1.2.4', 'rollback', 'success'],
    ]);
    const failed = production.find((d) => d.ref === 'v1.2.5')!;
    expect(production.at(-1)!.rollbackOf).toBe(failed.id);
    const staging = summary.state!.deployments.filter((d) => d.environment === 'staging');
    expect(staging.map((d) => [d.ref, last(d.states)])).toEqual([
      ['v1.2.3', 'success'],
      ['v1.2.4', 'success'],
      ['v1.2.5', 'success'],
    ]);
    expect(summary.state!.running).toEqual({ staging: 'v1.2.5', canary: null, production: 'v1.2.4' });
  });

  it('sent each notification to chat, webhook and e-mail, and commented on the hotfix pull requests', () => {
    const { notifications } = summary.state!;
    const count = (channel: string) => notifications.filter((n) => n.channel === channel).length;
    expect([count('slack'), count('webhook'), count('email'), count('comment')]).toEqual([5, 5, 5, 2]);
    expect(notifications.filter((n) => n.channel === 'comment').map((n) => n.text.split(':')[0])).toEqual(['#1', '#3']);
  });

  it('wrote a self-contained HTML report with the pipeline diagrams and both canary charts', () => {
    const html = readFileSync(join(scratch, 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link |src="http/);
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html).toContain('Canary of v1.2.4 (hotfix A): promote');
    expect(html).toContain('Canary of v1.2.5 (hotfix B): abort');
    expect(html).toContain('8 rollback');
    expect(html).toContain('both hotfixes ended as expected');
    expect(existsSync(join(scratch, 'report.html'))).toBe(true);
  });

  it('ran every stage through the committed bundles, each one successfully except the aborting canary', () => {
    const failures = summary.actions.filter((action) => action.exitCode !== 0);
    expect(failures.map((action) => `${action.action} ${action.purpose}`)).toEqual(['canary-gate canary of v1.2.5']);
    expect(new Set(summary.actions.map((action) => action.action))).toEqual(
      new Set(['hotfix-plan', 'beads-sync', 'notify', 'version-bump', 'canary-gate', 'backmerge-pr', 'rollback']),
    );
  });
});
