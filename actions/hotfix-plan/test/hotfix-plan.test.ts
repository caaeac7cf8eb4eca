import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isValidRefName } from '@hotfix-actions/core';
import {
  assertNoViolations,
  createGitSandbox,
  runBundle,
  startGitHubStandIn,
  type BundleRun,
  type GitHubStandIn,
  type GitSandbox,
} from '@hotfix-actions/testkit';

// Runner-contract tests: the committed bundle dist/hotfix-plan/index.js, run as the runner runs it, against
// the GitHub API stand-in whose git data is a real bare repository built here. The action only reads, so
// each repository is built once per describe block and every test gets a fresh stand-in.

const OWNER = 'acme';
const REPO = 'shop';

let api: GitHubStandIn;

async function withStandIn(sandbox: () => GitSandbox): Promise<void> {
  api = await startGitHubStandIn({ owner: OWNER, repo: REPO, gitDir: sandbox().origin });
}

afterEach(async () => {
  if (api === undefined) return;
  assertNoViolations(api);
  await api.close();
});

function plan(
  inputs: Record<string, string>,
  options: { event?: object; eventName?: string } = {},
): Promise<BundleRun> {
  return runBundle({
    bundle: 'hotfix-plan',
    inputs,
    env: api.env(),
    ref: 'refs/heads/main',
    ...(options.event === undefined ? {} : { event: options.event }),
    ...(options.eventName === undefined ? {} : { eventName: options.eventName }),
  });
}

function explain(run: BundleRun): string {
  return `exit ${run.exitCode}\n${JSON.stringify(run.annotations, null, 2)}\n${run.stdout.slice(-2000)}\n${run.stderr}`;
}

function operations(): string[] {
  return api.requests.map((request) => request.operationId ?? `${request.method} ${request.path}`);
}

/**
 * main: feature work after v1.3.0 (unreleased). release/v1.2 (tag v1.2.0) and release/v1.3 (tag v1.3.0).
 * Two hotfix branches for pull requests: a good one from release/v1.3 and a bad one from main.
 */
async function unreleasedRepo(): Promise<GitSandbox> {
  const sandbox = await createGitSandbox();
  await sandbox.commit({ 'src/app.js': 'checkout\n' }, 'feat: checkout', { branch: 'main' });
  await sandbox.createBranch('release/v1.2');
  await sandbox.tag('v1.2.0', { ref: 'release/v1.2', message: 'Release v1.2.0' });
  await sandbox.commit({ 'src/app.js': 'checkout\nsearch\n' }, 'feat: search', { branch: 'main' });
  await sandbox.createBranch('release/v1.3');
  await sandbox.tag('v1.3.0', { ref: 'main' });
  await sandbox.commit({ 'src/pay.js': 'new payment page\n' }, 'feat: new payment page', { branch: 'main' });
  // Branches are made first: a new branch starts where it is created, not at the current HEAD.
  await sandbox.createBranch('hotfix/bd-a1b2-fix-login', 'release/v1.3');
  await sandbox.createBranch('hotfix/bd-c3d4-fixes', 'main');
  await sandbox.commit(
    { 'src/login.js': 'fixed\n', 'test/login.test.js': 'regression\n' },
    'hotfix(bd-a1b2): fix login for SSO users\n\nResolves bd-a1b2',
    { branch: 'hotfix/bd-a1b2-fix-login' },
  );
  await sandbox.commit({ 'src/login.js': 'patched\n' }, 'fix login (bd-c3d4)', { branch: 'hotfix/bd-c3d4-fixes' });
  await sandbox.commit({ 'src/cart.js': 'patched\n' }, 'fix cart bd-e5f6', { branch: 'hotfix/bd-c3d4-fixes' });
  await sandbox.checkout('main');
  await sandbox.push();
  return sandbox;
}

/**
 * main after the latest release tag v1.2.2 has only what Q2 ignores: a back-merge through backmerge/bd-a1b2
 * (two merge commits), a version commit, a `cherry-pick -x` of a release commit, a squashed back-merge, and a
 * merge of release/v1.2 bringing a fix not tagged yet.
 */
async function cleanRepo(): Promise<GitSandbox> {
  const sandbox = await createGitSandbox();
  await sandbox.commit({ 'src/app.js': 'checkout\n' }, 'feat: checkout', { branch: 'main' });
  await sandbox.createBranch('release/v1.2');
  await sandbox.tag('v1.2.0', { ref: 'release/v1.2', message: 'Release v1.2.0' });
  await sandbox.commit({ 'src/login.js': 'fixed\n' }, 'hotfix(bd-a1b2): fix login\n\nResolves bd-a1b2', {
    branch: 'release/v1.2',
  });
  await sandbox.tag('v1.2.1', { ref: 'release/v1.2', message: 'Release v1.2.1' });
  await sandbox.git(['checkout', '--quiet', '-b', 'backmerge/bd-a1b2', 'main']);
  await sandbox.git([
    'merge',
    '--quiet',
    '--no-ff',
    '-m',
    "Merge branch 'release/v1.2' into backmerge/bd-a1b2",
    'release/v1.2',
  ]);
  await sandbox.checkout('main');
  await sandbox.git([
    'merge',
    '--quiet',
    '--no-ff',
    '-m',
    `Merge pull request #12 from ${OWNER}/backmerge/bd-a1b2`,
    'backmerge/bd-a1b2',
  ]);
  await sandbox.commit({ 'package.json': '{ "version": "1.2.1" }\n' }, 'chore(release): 1.2.1', { branch: 'main' });
  const cart = await sandbox.commit({ 'src/cart.js': 'fixed\n' }, 'hotfix(bd-c3d4): fix cart\n\nResolves bd-c3d4', {
    branch: 'release/v1.2',
  });
  await sandbox.tag('v1.2.2', { ref: 'release/v1.2' });
  await sandbox.checkout('main');
  await sandbox.git(['cherry-pick', '-x', cart]);
  await sandbox.commit({ 'src/session.js': 'fixed\n' }, 'chore(hotfix): back-merge bd-e5f6 (#14)', { branch: 'main' });
  // A fix merged into the release line, not tagged yet, and already merged back: what it brings is not a feature.
  await sandbox.commit({ 'src/totals.js': 'fixed\n' }, 'hotfix(bd-9z8y): fix totals', { branch: 'release/v1.2' });
  await sandbox.checkout('main');
  await sandbox.git(['merge', '--quiet', '--no-ff', '-m', "Merge branch 'release/v1.2'", 'release/v1.2']);
  await sandbox.push();
  return sandbox;
}

describe('hotfix-plan: trunk with unreleased features', () => {
  let sandbox: GitSandbox;
  beforeAll(async () => {
    sandbox = await unreleasedRepo();
  });
  afterAll(() => sandbox.cleanup());
  beforeEach(() => withStandIn(() => sandbox));

  it('Q1 no, Q2 computed yes → release-first from the newest release branch, forward-port to main', async () => {
    const run = await plan({ ticket: 'bd-a1b2', description: 'Fix login for SSO users', severity: 'P1' });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.outputs).toMatchObject({
      approach: 'release-first',
      'base-branch': 'release/v1.3',
      'hotfix-branch': 'hotfix/bd-a1b2-fix-login-for-sso-users',
      'release-branch': 'release/v1.3',
      'latest-release-tag': 'v1.3.0',
      'trunk-has-unreleased': 'true',
      severity: 'P1',
      findings: '',
    });
    expect(JSON.parse(run.outputs.targets!)).toEqual(['main']);
    expect(run.outputs.reason).toMatch(
      /^Release-first hotfix: production is not down \(severity P1\) and trunk contains unreleased features \(main has 1 unreleased commit since v1\.3\.0, first [0-9a-f]{7} "feat: new payment page"\)/,
    );
    expect(JSON.parse(run.outputs.path!).map((step: { answer: string }) => step.answer)).toEqual(['no', 'yes']);
    const checklist = JSON.parse(run.outputs.checklist!) as { id: string; text: string }[];
    expect(checklist.map((item) => item.text)).toContain('Fix forward-ported to trunk (or documented why not)');
    expect(checklist.map((item) => item.id)).not.toContain('post-incident-review');
    // The summary: the tree with the path highlighted, the plan, the checklist.
    expect(run.summary).toContain('```mermaid\nflowchart TD');
    expect(run.summary).toContain('class start,q1,q2 taken');
    expect(run.summary).toContain('class releasefirst chosen');
    expect(run.summary).toContain('- [ ] Fix is deployed to production');
    expect(run.summary).toContain('Branch from release/v1.3 as hotfix/bd-a1b2-fix-login-for-sso-users');
    expect(api.mutations()).toBe(0);
  });

  it('an older affected line forward-ports to the newer line, then main', async () => {
    const run = await plan({ 'release-branch': 'release/v1.2', 'can-wait': 'false' });
    expect(run.outputs).toMatchObject({ approach: 'release-first', 'base-branch': 'release/v1.2' });
    expect(JSON.parse(run.outputs.targets!)).toEqual(['release/v1.3', 'main']);
    expect(run.outputs['hotfix-branch']).toBe('');
  });

  it('Q1 yes (production-down) → emergency without computing Q2, post-incident review on the checklist', async () => {
    const run = await plan({ 'production-down': 'true', ticket: 'bd-a1b2', description: 'restore login' });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.outputs).toMatchObject({
      approach: 'emergency',
      'base-branch': 'release/v1.3',
      'hotfix-branch': 'hotfix/bd-a1b2-restore-login',
      'trunk-has-unreleased': '',
      'latest-release-tag': '',
      reason: 'Emergency hotfix: production is down or degraded (production-down is true).',
    });
    expect(JSON.parse(run.outputs.targets!)).toEqual(['main']);
    expect(JSON.parse(run.outputs.checklist!).map((item: { id: string }) => item.id)).toContain('post-incident-review');
    expect(operations()).toEqual(['repos/list-branches']);
    expect(run.summary).toContain('class emergency chosen');
    expect(run.summary).toContain('Deploy (use break-glass if needed)');
  });

  it('severity P0 → emergency', async () => {
    const run = await plan({ severity: 'p0' });
    expect(run.outputs).toMatchObject({ approach: 'emergency', severity: 'P0' });
    expect(run.outputs.reason).toBe('Emergency hotfix: production is down or degraded (severity P0).');
  });

  it('an `emergency` label on the triggering issue → emergency; ticket and branch words from its title', async () => {
    const event = {
      action: 'labeled',
      issue: {
        number: 7,
        title: 'bd-a1b2: Login fails for SSO users',
        labels: [{ name: 'bug' }, { name: 'emergency' }],
      },
      repository: { full_name: `${OWNER}/${REPO}`, default_branch: 'main' },
    };
    const run = await plan({}, { event, eventName: 'issues' });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.outputs).toMatchObject({
      approach: 'emergency',
      severity: 'P0',
      'hotfix-branch': 'hotfix/bd-a1b2-login-fails-for-sso-users',
      reason: 'Emergency hotfix: production is down or degraded (severity P0 from label "emergency").',
    });
  });

  it('sanitises a hostile description into a valid branch name', async () => {
    const run = await plan({ ticket: 'bd-a1b2', description: 'Fix: login ../ $(rm -rf ~) ~^:?*[ @{-1} .lock' });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.outputs['hotfix-branch']).toBe('hotfix/bd-a1b2-fix-login-rm-rf-1-lock');
    expect(isValidRefName(run.outputs['hotfix-branch']!)).toBe(true);
  });

  it('an API failure while comparing makes Q2 uncertain → release-first, with a warning', async () => {
    api.faults.inject({
      match: { operationId: 'repos/compare-commits-with-basehead' },
      kind: 'status',
      status: 500,
      times: Infinity,
    });
    const run = await plan({ 'can-wait': 'false' });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.outputs).toMatchObject({ approach: 'release-first', 'trunk-has-unreleased': 'unknown' });
    expect(run.outputs.reason).toContain('it is uncertain whether trunk contains unreleased features');
    const warnings = run.annotations.filter((annotation) => annotation.level === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.title).toBe('Could not compare trunk with the latest release');
    expect(warnings[0]!.message).toMatch(/answered 500/);
  });
});

describe('hotfix-plan: trunk with only back-merges and version commits since the release', () => {
  let sandbox: GitSandbox;
  beforeAll(async () => {
    sandbox = await cleanRepo();
  });
  afterAll(() => sandbox.cleanup());
  beforeEach(() => withStandIn(() => sandbox));

  it('Q2 computed no, Q3 cannot wait → trunk-first from main, backport to the release branch', async () => {
    const run = await plan({ 'can-wait': 'false', ticket: 'bd-f7a8', description: 'fix rounding' });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.outputs).toMatchObject({
      approach: 'trunk-first',
      'base-branch': 'main',
      'hotfix-branch': 'hotfix/bd-f7a8-fix-rounding',
      'release-branch': 'release/v1.2',
      'latest-release-tag': 'v1.2.2',
      'trunk-has-unreleased': 'false',
    });
    expect(JSON.parse(run.outputs.targets!)).toEqual(['release/v1.2']);
    expect(run.outputs.reason).toBe(
      'Trunk-first hotfix: production is not down (nothing reports an outage), trunk has no unreleased features ' +
        '(the 7 commits on main since v1.2.2 are back-merges or version commits) and the fix cannot wait for the ' +
        'next release (can-wait is false).',
    );
    const checklist = JSON.parse(run.outputs.checklist!) as { id: string }[];
    expect(checklist.map((item) => item.id)).toContain('backported');
    expect(run.summary).toContain('class trunkfirst chosen');
    expect(run.summary).toContain('Cherry-pick → release/v1.2');
    // What was ignored, and why, is in the summary.
    expect(run.summary).toContain('Merge pull request #12 from acme/backmerge/bd-a1b2 — back-merge (merge commit)');
    expect(run.summary).toContain('chore(hotfix): back-merge bd-e5f6 (#14) — squashed back-merge');
    expect(run.summary).toMatch(/hotfix\(bd-9z8y\): fix totals — brought in by back-merge [0-9a-f]{7}/);
    expect(run.summary).toContain('forward-port of');
    expect(run.summary).toContain('version commit');
  });

  it('Q3 can wait → a regular issue, no hotfix branch, no targets, no checklist', async () => {
    const run = await plan({ 'can-wait': 'true', ticket: 'bd-f7a8' });
    expect(run.outputs).toMatchObject({
      approach: 'regular-issue',
      'base-branch': 'main',
      'hotfix-branch': '',
      targets: '[]',
      checklist: '[]',
    });
    expect(run.outputs.reason).toMatch(/^Not a hotfix: .*create a regular issue\.$/);
    expect(run.summary).toContain('class regular chosen');
  });

  it('Q3 from labels: `security` cannot wait, `cosmetic` can', async () => {
    expect((await plan({ labels: 'bug, security' })).outputs.approach).toBe('trunk-first');
    expect((await plan({ labels: 'cosmetic' })).outputs.approach).toBe('regular-issue');
  });
});

describe('hotfix-plan: no release tag', () => {
  let sandbox: GitSandbox;
  beforeAll(async () => {
    sandbox = await createGitSandbox();
    await sandbox.commit({ 'src/app.js': 'x\n' }, 'feat: first', { branch: 'main' });
    await sandbox.createBranch('release/v1.0');
    await sandbox.push();
  });
  afterAll(() => sandbox.cleanup());
  beforeEach(() => withStandIn(() => sandbox));

  it('Q2 is uncertain → release-first, and the reason says why', async () => {
    const run = await plan({ 'can-wait': 'false' });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.outputs).toMatchObject({
      approach: 'release-first',
      'base-branch': 'release/v1.0',
      'trunk-has-unreleased': 'unknown',
      'latest-release-tag': '',
    });
    expect(run.outputs.reason).toContain('no release tag starting with "v" exists to compare main with');
    expect(run.outputs.reason).toContain('the safer approach');
  });
});

describe('hotfix-plan: policy mode on a pull request', () => {
  let sandbox: GitSandbox;
  beforeAll(async () => {
    sandbox = await unreleasedRepo();
  });
  afterAll(() => sandbox.cleanup());
  beforeEach(() => withStandIn(() => sandbox));

  const GOOD_BODY = [
    '## Root cause',
    'The session cookie lost its SameSite attribute in v1.3.0.',
    '',
    '## Fix',
    'Set SameSite=None again when SSO is on.',
    '',
    '## Testing notes',
    'Added test/login.test.js; ran the full suite.',
    '',
    '## Rollback procedure',
    'Revert the merge commit; nothing to migrate.',
  ].join('\n');

  async function openPull(head: string, base: string, title: string, body: string): Promise<object> {
    const response = await fetch(`${api.url}/repos/${OWNER}/${REPO}/pulls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/vnd.github+json' },
      body: JSON.stringify({ title, head, base, body }),
    });
    const pull = (await response.json()) as { number: number; head: object; base: object; title: string };
    expect(response.status).toBe(201);
    api.clearRequests();
    return {
      action: 'opened',
      number: pull.number,
      pull_request: { ...pull, labels: [] },
      repository: { full_name: `${OWNER}/${REPO}`, default_branch: 'main' },
    };
  }

  it('a good hotfix pull request passes: no annotation, findings []', async () => {
    const event = await openPull(
      'hotfix/bd-a1b2-fix-login',
      'release/v1.3',
      'hotfix(bd-a1b2): fix login for SSO users',
      GOOD_BODY,
    );
    const run = await plan({ check: 'true', enforce: 'true' }, { event, eventName: 'pull_request' });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.annotations).toEqual([]);
    expect(run.outputs.findings).toBe('[]');
    // The pull request's base is the affected release branch; the ticket comes from its branch.
    expect(run.outputs).toMatchObject({
      'release-branch': 'release/v1.3',
      'hotfix-branch': 'hotfix/bd-a1b2',
      approach: 'release-first',
    });
    expect(run.summary).toContain('Policy check of #1: passed');
    expect(operations()).toEqual(
      expect.arrayContaining(['pulls/get', 'pulls/list-commits', 'repos/compare-commits-with-basehead']),
    );
    expect(api.mutations()).toBe(0);
  });

  const BAD = {
    head: 'hotfix/bd-c3d4-fixes',
    base: 'main',
    title: 'Fix login and cart',
    body: 'Quick fix, please merge.',
  };

  it('a bad one (two tickets, no test, no sections, into trunk with unreleased work) gets one warning per miss', async () => {
    const event = await openPull(BAD.head, BAD.base, BAD.title, BAD.body);
    const run = await plan({ check: 'true' }, { event, eventName: 'pull_request' });
    expect(run.exitCode, explain(run)).toBe(0);
    const warnings = run.annotations.filter((annotation) => annotation.level === 'warning');
    expect(run.annotations).toHaveLength(warnings.length);
    expect(warnings.map((warning) => warning.title)).toEqual([
      'Hotfix policy: one ticket per hotfix',
      'Hotfix policy: no test changed',
      'Hotfix policy: no "Root cause" section',
      'Hotfix policy: no "Fix description" section',
      'Hotfix policy: no "Testing notes" section',
      'Hotfix policy: no "Rollback procedure" section',
      'Hotfix policy: hotfix targets trunk',
    ]);
    expect(warnings[0]!.message).toContain('2 tickets (bd-c3d4, bd-e5f6)');
    expect(warnings[1]!.message).toContain('Changed: src/cart.js, src/login.js');
    expect(warnings[6]!.message).toContain('Target release/v1.3 instead');
    const findings = JSON.parse(run.outputs.findings!) as { reference: string }[];
    expect(findings.map((finding) => finding.reference)).toEqual([
      'VII.4',
      'II.A.2',
      'II.C',
      'II.C',
      'II.C',
      'II.C',
      'VII.1',
    ]);
    expect(run.summary).toContain('Policy check of #1: 7 misses');
  });

  it('enforce turns each miss into an error and fails the step', async () => {
    const event = await openPull(BAD.head, BAD.base, BAD.title, BAD.body);
    const run = await plan({ check: 'true', enforce: 'true' }, { event, eventName: 'pull_request' });
    expect(run.exitCode).toBe(1);
    const errors = run.annotations.filter((annotation) => annotation.level === 'error');
    expect(errors).toHaveLength(7);
    expect(run.annotations).toHaveLength(7);
    expect(run.summary).toContain('7 misses (enforced)');
    // Outputs are still there for later steps (e.g. to comment on the pull request).
    expect(run.outputs.approach).toBe('release-first');
    expect(api.mutations()).toBe(0);
  });

  it('custom test patterns decide what counts as a test', async () => {
    const event = await openPull('hotfix/bd-a1b2-fix-login', 'release/v1.3', 'hotfix(bd-a1b2): fix login', GOOD_BODY);
    const run = await plan(
      { check: 'true', 'test-patterns': 'checks/**/*.check' },
      { event, eventName: 'pull_request' },
    );
    expect(run.annotations.map((annotation) => annotation.title)).toEqual(['Hotfix policy: no test changed']);
  });
});

describe('hotfix-plan: bad input', () => {
  let sandbox: GitSandbox;
  beforeAll(async () => {
    sandbox = await unreleasedRepo();
  });
  afterAll(() => sandbox.cleanup());
  beforeEach(() => withStandIn(() => sandbox));

  const sentinel = join(process.env.TMPDIR ?? '/tmp', `hotfix-plan-sentinel-${process.pid}`);
  const cases: [string, Record<string, string>, string][] = [
    ['no letters in the description', { description: '../../..' }, 'description'],
    ['a line break in the description', { description: 'fix\n::set-output name=approach::emergency' }, 'description'],
    ['an unknown severity', { severity: 'P9' }, 'severity'],
    ['a severity with a command', { severity: `critical; touch ${sentinel}` }, 'severity'],
    ['a bad boolean', { 'production-down': 'maybe' }, 'production-down'],
    ['a ticket with a command', { ticket: `bd-a1b2;touch ${sentinel}` }, 'ticket'],
    ['a hostile release branch', { 'release-branch': `release/v1.2;touch ${sentinel}` }, 'release-branch'],
    ['a release branch off the pattern', { 'release-branch': 'feature/x' }, 'release-branch'],
    ['command substitution as trunk', { trunk: `$(touch ${sentinel})` }, 'trunk'],
    ['a dot-dot trunk', { trunk: '../main' }, 'trunk'],
    ['a bad branch prefix', { 'branch-prefix': 'hot fix/' }, 'branch-prefix'],
    ['a bad tag prefix', { 'tag-prefix': 'v;rm' }, 'tag-prefix'],
    ['check outside a pull request', { check: 'true' }, 'check'],
  ];

  it.each(cases)('%s: one error naming the input, exit 1, no request, nothing run', async (_name, inputs, input) => {
    const run = await plan(inputs);
    expect(run.exitCode).toBe(1);
    const errors = run.annotations.filter((annotation) => annotation.level === 'error');
    expect(errors, explain(run)).toHaveLength(1);
    expect(errors[0]!.title).toBe(`Configuration error for input "${input}"`);
    expect(errors[0]!.message).toMatch(new RegExp(`^Input "${input}"`));
    expect(run.outputs).toEqual({});
    expect(api.requests).toHaveLength(0);
    expect(existsSync(sentinel)).toBe(false);
  });

  it.each([
    ['a trunk that does not exist', { trunk: 'develop' }, 'trunk'],
    ['a release branch that does not exist', { 'release-branch': 'release/v9.9' }, 'release-branch'],
  ])('%s: one error naming the input, no mutation', async (_name, inputs, input) => {
    const run = await plan(inputs);
    expect(run.exitCode).toBe(1);
    const errors = run.annotations.filter((annotation) => annotation.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.title).toBe(`Configuration error for input "${input}"`);
    expect(api.mutations()).toBe(0);
  });
});
