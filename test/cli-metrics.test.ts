import {
  assertNoViolations,
  createGitSandbox,
  startGitHubStandIn,
  type GitHubStandIn,
  type GitSandbox,
} from '@hotfix-actions/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/index.js';

// `hotfix metrics` against the GitHub API stand-in: a repository seeded through the API with five
// hotfixes, their back-merges, tags and production deployments, every timestamp set by the stand-in's
// clock, so each figure of the report is known in advance.
//
// The week of Monday 2024-03-04 (times UTC):
//   #1 hotfix bd-e5f, merged 2024-02-10: before the window (--since 2024-03-01), left out.
//   #2 hotfix bd-a1b (Beads P0, opened Mon 09:00): PR Mon 09:30, merged 10:00, v1.2.1 deployed at
//      11:30 → 2h 30m from the ticket: over the P0 target. Back-merge #3 (backmerge-pr marker) merged
//      Tue 09:00 → 23 h = 0.96 business days. Reworked: #6 fixes a regression of bd-a1b.
//   #4 hotfix bd-b2c (label P1, no test): PR Thu 14:00, merged Fri 16:00, v1.2.2 deployed Fri 18:00 →
//      28 h: over the P1 target. Back-merge #5 conflicted (label), merged Tue 10:00 → Fri 8 h + Mon 24 h
//      + Tue 10 h = 1.75 business days (the weekend does not count). Rolled back on Saturday: reworked.
//   #6 hotfix bd-c3d (Beads P0, regression of bd-a1b, opened Mon 11th 08:50): PR 09:00, merged 09:40,
//      v1.2.3 deployed 10:30 → 1h 40m. Back-merge #7 still open at the report's time (Wed 13th 12:00):
//      2.10 business days and running.
//   #8 trunk-first hotfix bd-d4e into main: no forward-port, not deployed (25 h so far, no severity).
//   #9 a feature: not a hotfix.

const OWNER = 'acme';
const REPO = 'shop';
const TOKEN_ENV = 'HOTFIX_METRICS_TEST_TOKEN';
const AS_OF = '2024-03-13T12:00:00Z';

let sandbox: GitSandbox;
let api: GitHubStandIn;
let clock = new Date('2024-02-01T00:00:00Z');

async function call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${api.url}/repos/${OWNER}/${REPO}${path}`, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/vnd.github+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

function at(time: string): void {
  clock = new Date(time);
}

async function openPull(head: string, base: string, title: string, body: string, labels: string[] = []) {
  const pull = await call('POST', '/pulls', { head, base, title, body });
  const number = pull.number as number;
  if (labels.length > 0) await call('POST', `/issues/${number}/labels`, { labels });
  return number;
}

async function merge(number: number): Promise<string> {
  return (await call('PUT', `/pulls/${number}/merge`, { merge_method: 'merge' })).sha as string;
}

async function createRef(ref: string, sha: string): Promise<void> {
  await call('POST', '/git/refs', { ref, sha });
}

/** A deployment of `ref` with these statuses, each at its time. */
async function deploy(
  ref: string,
  createdAt: string,
  statuses: [string, string][],
  extra: Record<string, unknown> = {},
): Promise<number> {
  at(createdAt);
  const deployment = await call('POST', '/deployments', {
    ref,
    environment: 'production',
    auto_merge: false,
    required_contexts: [],
    ...extra,
  });
  for (const [state, time] of statuses) {
    at(time);
    await call('POST', `/deployments/${deployment.id as number}/statuses`, { state });
  }
  return deployment.id as number;
}

function marker(source: string, target: string, sha: string): string {
  return `<!-- hotfix-actions:backmerge source=${source} target=${target} strategy=merge sha=${sha} -->`;
}

const BEADS = [
  { id: 'bd-a1b', priority: 0, created_at: '2024-03-04T09:00:00Z', labels: ['emergency', 'production'] },
  {
    id: 'bd-c3d',
    priority: 0,
    created_at: '2024-03-11T08:50:00Z',
    labels: ['emergency', 'regression'],
    dependencies: [{ issue_id: 'bd-c3d', depends_on_id: 'bd-a1b', type: 'discovered-from' }],
  },
]
  .map((issue) => JSON.stringify({ title: `ticket ${issue.id}`, status: 'open', issue_type: 'bug', ...issue }))
  .join('\n');

beforeAll(async () => {
  process.env[TOKEN_ENV] = 'test-token';
  sandbox = await createGitSandbox();
  await sandbox.commit({ '.beads/issues.jsonl': `${BEADS}\n`, 'src/app.ts': 'app\n' }, 'chore: the app', {
    date: '2024-01-15T00:00:00Z',
  });
  await sandbox.createBranch('release/v1.2');
  await sandbox.tag('v1.2.0', { message: 'Release v1.2.0' });
  const branch = async (name: string, from: string, files: Record<string, string>, message: string) =>
    sandbox.commit(files, message, { branch: name, from, date: '2024-02-01T00:00:00Z' });
  await branch('hotfix/bd-e5f-old', 'release/v1.2', { 'src/old.ts': 'old\n', 'test/old.test.ts': 't\n' }, 'fix: old');
  await branch(
    'hotfix/bd-a1b-fix-login',
    'release/v1.2',
    { 'src/login.ts': 'login\n', 'test/login.test.ts': 't\n' },
    'fix: login',
  );
  await branch('hotfix/bd-b2c-fix-cart', 'release/v1.2', { 'src/cart.ts': 'cart\n' }, 'fix: cart');
  await branch(
    'hotfix/bd-c3d-fix-login-again',
    'release/v1.2',
    { 'src/session.ts': 'session\n', 'test/session.test.ts': 't\n' },
    'fix: session',
  );
  await branch('hotfix/bd-d4e-fix-typo', 'main', { 'src/footer.ts': 'footer\n', 'src/footer.spec.ts': 't\n' }, 'fix');
  await branch('feat/search', 'main', { 'src/search.ts': 'search\n' }, 'feat: search');
  await sandbox.push();

  api = await startGitHubStandIn({ owner: OWNER, repo: REPO, gitDir: sandbox.origin, now: () => clock });
  // Labels with descriptions: labels GitHub makes on the fly have none, which its description of
  // the pull request list does not allow.
  for (const name of ['hotfix', 'P1', 'backmerge-conflict', 'regression']) {
    await call('POST', '/labels', { name, color: 'fbca04', description: `${name} pull requests` });
  }

  at('2024-02-09T10:00:00Z');
  const old = await openPull('hotfix/bd-e5f-old', 'release/v1.2', 'fix: bd-e5f old bug', 'Resolves bd-e5f');
  at('2024-02-10T10:00:00Z');
  await merge(old);

  // #2 and its back-merge #3.
  at('2024-03-04T09:30:00Z');
  const a = await openPull(
    'hotfix/bd-a1b-fix-login',
    'release/v1.2',
    'fix(login): bd-a1b expired sessions',
    'Resolves bd-a1b',
  );
  at('2024-03-04T10:00:00Z');
  const aSha = await merge(a);
  await createRef('refs/tags/v1.2.1', aSha);
  await createRef('refs/heads/backmerge/bd-a1b-to-main', aSha);
  at('2024-03-04T10:05:00Z');
  const aBack = await openPull(
    'backmerge/bd-a1b-to-main',
    'main',
    'Back-merge release/v1.2 into main (bd-a1b)',
    `Back-merge.\n\n${marker('release/v1.2', 'main', aSha)}`,
  );
  await deploy('v1.2.1', '2024-03-04T10:30:00Z', [
    ['in_progress', '2024-03-04T10:35:00Z'],
    ['success', '2024-03-04T11:30:00Z'],
  ]);
  at('2024-03-05T09:00:00Z');
  await merge(aBack);

  // #4 and its conflicting back-merge #5; its deployment is rolled back on Saturday.
  at('2024-03-07T14:00:00Z');
  const b = await openPull(
    'hotfix/bd-b2c-fix-cart',
    'release/v1.2',
    'fix(cart): bd-b2c keep the cart',
    'Fixes bd-b2c',
    ['P1'],
  );
  at('2024-03-08T16:00:00Z');
  const bSha = await merge(b);
  await createRef('refs/tags/v1.2.2', bSha);
  await createRef('refs/heads/backmerge/bd-b2c-to-main', bSha);
  at('2024-03-08T16:10:00Z');
  const bBack = await openPull(
    'backmerge/bd-b2c-to-main',
    'main',
    'Back-merge release/v1.2 into main (bd-b2c)',
    `Back-merge.\n\n${marker('release/v1.2', 'main', bSha)}`,
    ['backmerge-conflict'],
  );
  const bDeployment = await deploy('v1.2.2', '2024-03-08T17:30:00Z', [['success', '2024-03-08T18:00:00Z']]);
  await deploy('v1.2.1', '2024-03-09T10:00:00Z', [['success', '2024-03-09T10:10:00Z']], {
    task: 'rollback',
    payload: { rollback_of: bDeployment },
  });

  // #6, a regression fix of bd-a1b, and its back-merge #7, still open.
  at('2024-03-11T09:00:00Z');
  const c = await openPull(
    'hotfix/bd-c3d-fix-login-again',
    'release/v1.2',
    'fix(login): bd-c3d sessions again',
    'Resolves bd-c3d',
    ['regression'],
  );
  at('2024-03-11T09:40:00Z');
  const cSha = await merge(c);
  await createRef('refs/tags/v1.2.3', cSha);
  await createRef('refs/heads/backmerge/bd-c3d-to-main', cSha);
  at('2024-03-11T09:45:00Z');
  await openPull(
    'backmerge/bd-c3d-to-main',
    'main',
    'Back-merge release/v1.2 into main (bd-c3d)',
    `Back-merge.\n\n${marker('release/v1.2', 'main', cSha)}`,
  );
  await deploy('v1.2.3', '2024-03-11T10:00:00Z', [['success', '2024-03-11T10:30:00Z']]);

  at('2024-03-12T10:00:00Z');
  await merge(bBack);

  // #8 trunk-first, #9 a feature.
  at('2024-03-12T11:00:00Z');
  const d = await openPull('hotfix/bd-d4e-fix-typo', 'main', 'fix: bd-d4e footer typo', 'Resolves bd-d4e');
  at('2024-03-12T12:00:00Z');
  await merge(d);
  at('2024-03-13T08:00:00Z');
  const feature = await openPull('feat/search', 'main', 'feat: search', 'A feature.');
  at('2024-03-13T09:00:00Z');
  await merge(feature);
  api.clearRequests();
});

afterAll(async () => {
  delete process.env[TOKEN_ENV];
  await api?.close();
  await sandbox?.cleanup();
});

async function metrics(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(
    ['metrics', '--repo', `${OWNER}/${REPO}`, '--api-url', api.url, '--token-env', TOKEN_ENV, ...argv],
    { out: (text) => (out += text), err: (text) => (err += text) },
  );
  return { code, out, err };
}

interface JsonRow {
  number: number;
  ticket?: string;
  severity?: string;
  version?: string;
  start: { at: string; source: string };
  timeToDeployMs: number;
  deployOngoing: boolean;
  forwardPort: { state: string; pull?: number; lagBusinessDays?: number; ongoing: boolean; dueBy?: string };
  testFiles?: number;
  rework: { reworked: boolean; reasons: string[] };
  breaches: { kind: string; ongoing: boolean }[];
}

describe('hotfix metrics', () => {
  it('computes every figure of the seeded repository (--json)', async () => {
    const { code, out, err } = await metrics('--since', '2024-03-01', '--as-of', AS_OF, '--json');
    expect(err).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(out) as {
      trunk: string;
      hotfixes: JsonRow[];
      summary: Record<string, unknown>;
      breaches: { hotfix: number; kind: string; ongoing: boolean }[];
      definitions: Record<string, string>;
    };
    expect(report.trunk).toBe('main');
    expect(report.hotfixes.map((row) => row.number)).toEqual([2, 4, 6, 8]);
    const [a, b, c, d] = report.hotfixes as [JsonRow, JsonRow, JsonRow, JsonRow];
    const hours = (row: JsonRow) => row.timeToDeployMs / 3_600_000;

    expect(a).toMatchObject({ ticket: 'bd-a1b', severity: 'P0', version: 'v1.2.1', deployOngoing: false });
    expect(a.start).toEqual({ at: '2024-03-04T09:00:00Z', source: 'bd-a1b' });
    expect(hours(a)).toBe(2.5);
    expect(a.forwardPort).toMatchObject({ state: 'merged', pull: 3, ongoing: false });
    expect(a.forwardPort.lagBusinessDays).toBeCloseTo(23 / 24, 6);
    expect(a.testFiles).toBe(1);
    expect(a.rework).toEqual({ reworked: true, reasons: ['regression fixed by #6'] });
    expect(a.breaches.map((breach) => breach.kind)).toEqual(['time-to-deploy']);

    expect(b).toMatchObject({ ticket: 'bd-b2c', severity: 'P1', version: 'v1.2.2', testFiles: 0 });
    expect(hours(b)).toBe(28);
    expect(b.forwardPort).toMatchObject({ state: 'merged', pull: 5, lagBusinessDays: 1.75 });
    expect(b.rework.reasons).toEqual([expect.stringMatching(/^rolled back by deployment \d+$/)]);
    expect(b.breaches.map((breach) => breach.kind)).toEqual(['time-to-deploy', 'forward-port-lag', 'no-tests']);

    expect(c).toMatchObject({ ticket: 'bd-c3d', severity: 'P0', version: 'v1.2.3', testFiles: 1 });
    expect(c.start.source).toBe('bd-c3d');
    expect(hours(c)).toBeCloseTo(100 / 60, 6);
    expect(c.forwardPort).toMatchObject({ state: 'open', pull: 7, ongoing: true, dueBy: '2024-03-12T09:40:00.000Z' });
    expect(c.forwardPort.lagBusinessDays).toBeCloseTo((14 + 1 / 3 + 24 + 12) / 24, 6);
    expect(c.rework.reworked).toBe(false);
    expect(c.breaches).toEqual([expect.objectContaining({ kind: 'forward-port-lag', ongoing: true })]);

    expect(d).toMatchObject({ ticket: 'bd-d4e', deployOngoing: true, testFiles: 1 });
    expect(d.severity).toBeUndefined();
    expect(d.version).toBeUndefined();
    expect(hours(d)).toBe(25);
    expect(d.forwardPort).toEqual({ state: 'not-needed', ongoing: false });
    expect(d.breaches).toEqual([]);

    expect(report.summary).toMatchObject({
      hotfixes: 4,
      notDeployed: 1,
      timeToDeploy: { count: 3, median: 2.5 * 3_600_000, max: 28 * 3_600_000 },
      forwardPortOngoing: 1,
      reworkRate: { rate: 0.5, reworked: 2, of: 4 },
      testsPerHotfix: { mean: 0.75, withTests: 3, of: 4, share: 0.75 },
      automationSuccess: { rate: 0.5, clean: 1, conflict: 1, abandoned: 0, open: 1 },
      breaches: { total: 5, timeToDeploy: 2, forwardPortLag: 2, noTests: 1 },
    });
    expect((report.summary.forwardPortLag as { median: number }).median).toBeCloseTo((23 / 24 + 1.75) / 2, 6);
    expect(Object.keys(report.definitions)).toEqual([
      'time to deploy',
      'forward-port lag',
      'rework rate',
      'tests per hotfix',
      'automation success rate',
    ]);
    // Reads only: nothing in the repository changed, and every request was one GitHub accepts.
    expect(api.mutations()).toBe(0);
    assertNoViolations(api);
  });

  it('prints a table, the aggregates, the rework and the breaches', async () => {
    const { code, out } = await metrics('--since', '2024-03-01', '--as-of', AS_OF);
    expect(code).toBe(0);
    expect(out).toContain('Hotfix metrics of acme/shop: 4 hotfixes merged 2024-03-01 00:00 UTC – 2024-03-13 12:00 UTC');
    expect(out).toMatch(/^#2 +bd-a1b +P0 +release\/v1\.2 +v1\.2\.1 +2h 30m +0\.96 bd \(#3\) +1 +yes +BREACH: deploy$/m);
    expect(out).toMatch(
      /^#4 +bd-b2c +P1 +release\/v1\.2 +v1\.2\.2 +1d 4h +1\.75 bd \(#5\) +0 +yes +BREACH: deploy, lag, tests$/m,
    );
    expect(out).toMatch(/^#6 +bd-c3d +P0 +release\/v1\.2 +v1\.2\.3 +1h 40m +2\.10 bd, #7 open +1 +no +BREACH: lag$/m);
    expect(out).toMatch(/^#8 +bd-d4e +— +main +— +1d 1h, not yet +— \(trunk-first\) +1 +no +ok$/m);
    expect(out).toMatch(/^Time to deploy +median 2h 30m, p90 1d 4h, mean 10h 43m \(3 deployed, 1 not yet\)$/m);
    expect(out).toMatch(/^Forward-port lag +median 1\.35 business days, max 1\.75 \(2 back-merged\), 1 ongoing$/m);
    expect(out).toMatch(/^Rework rate +50 % \(2 of 4 within 14 days\)$/m);
    expect(out).toMatch(/^Tests per hotfix +0\.75 test files \(3 of 4 hotfixes change a test: 75 %\)$/m);
    expect(out).toMatch(/^Automation success rate +50 % \(1 of 2 automated back-merges merged without conflict/m);
    expect(out).toContain('  #2: regression fixed by #6');
    expect(out).toContain('SLA breaches (5):');
    expect(out).toContain('#2 (P0) took 2h 30m to reach production; the P0 target is 2 h.');
    expect(out).toContain(
      '#6 has waited 2.10 business days on back-merge #7; the target is 1 business day. (still running)',
    );
  });

  it('narrows with --since, widens rework with --rework-days, and fails on breaches when asked', async () => {
    const late = await metrics('--since', '2024-03-10', '--as-of', AS_OF, '--json');
    expect((JSON.parse(late.out) as { hotfixes: JsonRow[] }).hotfixes.map((row) => row.number)).toEqual([6, 8]);
    const short = await metrics('--since', '2024-03-01', '--as-of', AS_OF, '--rework-days', '3', '--json');
    const rows = (JSON.parse(short.out) as { hotfixes: JsonRow[] }).hotfixes;
    // The regression fix came 7 days after #2: outside a 3-day window. The rollback came the next day.
    expect(rows.map((row) => row.rework.reworked)).toEqual([false, true, false, false]);
    const strict = await metrics('--since', '2024-03-01', '--as-of', AS_OF, '--fail-on-breach');
    expect(strict.code).toBe(1);
    const quiet = await metrics('--since', '2024-03-13', '--as-of', AS_OF, '--fail-on-breach');
    expect(quiet.code).toBe(0);
    expect(quiet.out).toContain('No hotfix pull request was merged in this window');
  });

  it('counts a public holiday out of the forward-port lag', async () => {
    const { out } = await metrics('--since', '2024-03-01', '--as-of', AS_OF, '--holiday', '2024-03-11', '--json');
    const b = (JSON.parse(out) as { hotfixes: JsonRow[] }).hotfixes[1]!;
    // Fri 16:00 to Tue 10:00 with Monday off: 8 h + 10 h.
    expect(b.forwardPort.lagBusinessDays).toBeCloseTo(0.75, 6);
  });

  it('explains itself and rejects bad command lines with exit 2', async () => {
    const help = await metrics('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: hotfix metrics');
    expect(help.out).toContain('forward-port lag');
    for (const [argv, message] of [
      [['--since', 'last week'], '--since must be a length of time back from now'],
      [['--as-of', '3d'], '--as-of takes a date or time'],
      [['--rework-days', 'x'], '--rework-days takes a whole number'],
      [['--utc-offset', '+25:00'], '--utc-offset must be an offset from UTC'],
      [['--holiday', '2024-02-30'], '--holiday takes dates as YYYY-MM-DD'],
      [['--repo', 'not a repo'], '--repo takes owner/name'],
      [['--since', '2024-03-20', '--as-of', '2024-03-13'], 'is after --as-of'],
    ] as const) {
      const { code, err } = await metrics(...argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(err).toContain(message);
      expect(err).toContain('hotfix metrics --help');
    }
  });

  it('says what to do without a token or with a repository the API does not know (exit 1)', async () => {
    let err = '';
    const io = { out: () => undefined, err: (text: string) => (err += text) };
    const noToken = await main(
      ['metrics', '--repo', 'acme/shop', '--api-url', api.url, '--token-env', 'HOTFIX_METRICS_UNSET_TOKEN'],
      io,
    );
    expect(noToken).toBe(1);
    expect(err).toContain('No token: HOTFIX_METRICS_UNSET_TOKEN is not set');
    const unknown = await metrics('--repo', 'acme/nothing');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('acme/nothing at');
    expect(unknown.err).toContain('was not found (404). Check --repo');
  });
});
