import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import fc from 'fast-check';
import {
  HOTFIX_PR_TEMPLATE_PATH,
  checkHotfixPrBody,
  hotfixBranchName,
  hotfixPrTemplate,
  isValidRefName,
} from '@hotfix-actions/core';
import {
  createFakeBd,
  createGitSandbox,
  runSandboxGit,
  sandboxGitEnv,
  type FakeBd,
  type GitSandbox,
} from '@hotfix-actions/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/index.js';
import { hotfixWorktreePath } from '../cli/start.js';

// `hotfix start`, `hotfix finish` and `hotfix init` on real repositories: a bare origin and a clone,
// the commands run as the user runs them (node bin/hotfix.mjs, as a child process, without any
// global git configuration), the results read back with git.

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'hotfix.mjs');

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function hotfix(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: sandboxGitEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', fail);
    child.on('close', (code) => done({ code, out, err }));
  });
}

async function inProcess(...argv: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (text) => (out += text), err: (text) => (err += text) });
  return { code, out, err };
}

const git = (cwd: string, ...args: string[]) => runSandboxGit(args, cwd);

function issue(id: string, title: string, status = 'open'): string {
  return JSON.stringify({
    id,
    title,
    status,
    priority: 1,
    issue_type: 'bug',
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
  });
}

const ISSUES = [
  issue('bd-a1b2', 'Login fails after the session expires'),
  issue('bd-c3d4', 'Cache serves stale prices'),
  issue('bd-e5f6', 'Old outage', 'closed'),
].join('\n');

function statusIn(file: string, id: string): string | undefined {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { id: string; status?: string };
    if (record.id === id) return record.status ?? 'open';
  }
  return undefined;
}

let scratch: string;
const sandboxes: GitSandbox[] = [];
const fakes: FakeBd[] = [];

beforeAll(() => {
  scratch = realpathSync(mkdtempSync(join(tmpdir(), 'hotfix-start-test-')));
});

afterAll(async () => {
  for (const sandbox of sandboxes) await sandbox.cleanup();
  for (const fake of fakes) await fake.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * release/v1.2 tagged v1.2.0 and v1.2.1 (its fix back-merged into main, with a version commit), a small
 * Beads tracker on both; with `unreleased`, main then gets feature commits no release has.
 */
async function releaseRepo(unreleased: number, options: { beads?: string | null } = {}): Promise<GitSandbox> {
  const sandbox = await createGitSandbox();
  sandboxes.push(sandbox);
  const beads = options.beads === undefined ? `${ISSUES}\n` : options.beads;
  await sandbox.commit(
    { 'src/app.txt': 'app\n', ...(beads === null ? {} : { '.beads/issues.jsonl': beads }) },
    'feat: the app',
    { date: '2024-02-01T00:00:00Z' },
  );
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

/** Every ref, worktree and file name of a sandbox, and the clone's status and config: what a dry run must not change. */
async function snapshot(sandbox: GitSandbox): Promise<string> {
  return [
    await git(sandbox.work, 'for-each-ref', '--format=%(refname) %(objectname)'),
    await git(sandbox.origin, 'for-each-ref', '--format=%(refname) %(objectname)'),
    await git(sandbox.work, 'worktree', 'list', '--porcelain'),
    await git(sandbox.work, 'status', '--porcelain', '--untracked-files=all'),
    await git(sandbox.work, 'config', '--local', '--list'),
    readdirSync(sandbox.root).sort().join(','),
  ].join('\n---\n');
}

describe('hotfix start', () => {
  it('release-first: branches off origin/release/v1.2 in a worktree beside the repository, ticket in progress there', async () => {
    const repo = await releaseRepo(2);
    const mainHead = await repo.revParse('HEAD');
    const run = await hotfix(repo.work, [
      'start',
      '--ticket',
      'bd-a1b2',
      '--description',
      'fix login',
      '--severity',
      'P1',
    ]);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const worktree = join(repo.root, 'work_hotfix_bd-a1b2-fix-login');
    expect(run.out).toMatch(/^Release-first hotfix \(IV-B\)/);
    expect(run.out).toContain('main has 2 unreleased commits since v1.2.1');
    expect(run.out).toContain(`worktree:       ${worktree}`);
    expect(run.out).toContain(`cd ${worktree}`);
    expect(run.out).toContain('fix(hotfix): fix login');
    expect(run.out).toContain('Root cause: <what caused the bug>');
    expect(run.out).toContain('Resolves bd-a1b2');
    expect(run.out).toContain('hotfix finish');

    expect(await git(worktree, 'symbolic-ref', '--short', 'HEAD')).toBe('hotfix/bd-a1b2-fix-login');
    expect(await git(worktree, 'rev-parse', 'HEAD~1')).toBe(await repo.revParse('origin/release/v1.2'));
    expect(await git(worktree, 'log', '-1', '--format=%s')).toBe('chore(beads): bd-a1b2 in_progress');
    expect(await git(worktree, 'diff', '--name-only', 'HEAD~1', 'HEAD')).toBe('.beads/issues.jsonl');
    expect(await git(worktree, 'diff', '--numstat', 'HEAD~1', 'HEAD')).toBe('1\t1\t.beads/issues.jsonl');
    expect(statusIn(join(worktree, '.beads', 'issues.jsonl'), 'bd-a1b2')).toBe('in_progress');
    // No upstream yet: `hotfix finish` pushes the branch under its own name.
    await expect(git(worktree, 'rev-parse', '--abbrev-ref', '@{upstream}')).rejects.toThrow();
    // The checkout the engineer was in is untouched.
    expect(await repo.revParse('HEAD')).toBe(mainHead);
    expect(statusIn(join(repo.work, '.beads', 'issues.jsonl'), 'bd-a1b2')).toBe('open');
    expect(await git(repo.work, 'status', '--porcelain')).toBe('');
  });

  it('trunk-first: a clean trunk that cannot wait branches off origin/main', async () => {
    const repo = await releaseRepo(0);
    const run = await hotfix(repo.work, [
      'start',
      '--ticket',
      'bd-c3d4',
      '--description',
      'fix stale cache',
      '--can-wait',
      'false',
      '--severity',
      'P1',
    ]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^Trunk-first hotfix \(IV-C\)/);
    expect(run.out).toContain('base branch:    main (origin/main at');
    expect(run.out).toContain('then to:        release/v1.2');
    const worktree = join(repo.root, 'work_hotfix_bd-c3d4-fix-stale-cache');
    expect(await git(worktree, 'symbolic-ref', '--short', 'HEAD')).toBe('hotfix/bd-c3d4-fix-stale-cache');
    expect(await git(worktree, 'rev-parse', 'HEAD~1')).toBe(await repo.revParse('origin/main'));
    expect(await git(worktree, 'log', '-1', '--format=%s')).toBe('chore(beads): bd-c3d4 in_progress');
    expect(statusIn(join(worktree, '.beads', 'issues.jsonl'), 'bd-c3d4')).toBe('in_progress');
  });

  it('a ticket filed on trunk after the release branch was cut is brought into the release-first worktree', async () => {
    const repo = await releaseRepo(1);
    await repo.commit(
      { '.beads/issues.jsonl': `${ISSUES}\n${issue('bd-g7h8', 'Checkout total is wrong')}\n` },
      'chore(beads): file bd-g7h8',
      { push: true },
    );
    const run = await hotfix(repo.work, ['start', '--ticket', 'bd-g7h8', '--description', 'fix total']);
    expect(run.code).toBe(0);
    expect(run.out).toContain('copied from the trunk');
    const worktree = join(repo.root, 'work_hotfix_bd-g7h8-fix-total');
    expect(await git(worktree, 'rev-parse', 'HEAD~1')).toBe(await repo.revParse('origin/release/v1.2'));
    expect(statusIn(join(worktree, '.beads', 'issues.jsonl'), 'bd-g7h8')).toBe('in_progress');
    expect(statusIn(join(worktree, '.beads', 'issues.jsonl'), 'bd-a1b2')).toBe('open');
  });

  it('hostile descriptions give valid branch names and worktrees beside the repository, and run nothing', async () => {
    const repo = await releaseRepo(0, { beads: null });
    const descriptions = [
      '../../etc',
      '$(touch pwned)',
      '; rm -rf ~ && touch pwned',
      '修复登录 ünïcödé 🔥',
      'word '.repeat(60),
    ];
    for (const [index, description] of descriptions.entries()) {
      const ticket = `bd-h00${index}`;
      const run = await hotfix(repo.work, [
        'start',
        '--ticket',
        ticket,
        '--description',
        description,
        '--can-wait',
        'no',
      ]);
      expect(run.err).toBe('');
      expect(run.code).toBe(0);
      const branch = /hotfix branch: +(\S+)/.exec(run.out)?.[1] ?? '';
      const worktree = /worktree: +(.+)/.exec(run.out)?.[1] ?? '';
      expect(isValidRefName(branch)).toBe(true);
      expect(branch.startsWith(`hotfix/${ticket}`)).toBe(true);
      expect(branch.length).toBeLessThanOrEqual(64);
      await expect(git(repo.work, 'check-ref-format', '--branch', branch)).resolves.toBe(branch);
      expect(dirname(worktree)).toBe(repo.root);
      expect(basename(worktree).startsWith(`work_hotfix_${ticket}`)).toBe(true);
      expect(await git(worktree, 'symbolic-ref', '--short', 'HEAD')).toBe(branch);
      // No tracker in this repository: the ticket is left to the team's tracker.
      expect(run.out).toContain('left as it is: no .beads/issues.jsonl on main');
    }
    expect(readdirSync(repo.root).sort()).toEqual([
      'origin.git',
      'work',
      ...descriptions.map((_, index) => expect.stringMatching(new RegExp(`^work_hotfix_bd-h00${index}`))),
    ]);
    expect(existsSync(join(repo.work, 'pwned'))).toBe(false);
    expect(existsSync(join(repo.root, 'pwned'))).toBe(false);
  });

  it('--dry-run prints the plan and the command, and changes nothing', async () => {
    const repo = await releaseRepo(2);
    const before = await snapshot(repo);
    const run = await hotfix(repo.work, ['start', '--ticket', 'bd-a1b2', '--description', 'fix login', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.out).toContain('base branch:    release/v1.2');
    expect(run.out).toContain('ticket:         bd-a1b2 open → in_progress in .beads/issues.jsonl');
    expect(run.out).toContain('Dry run: nothing was changed');
    expect(run.out).toContain(
      `git worktree add --no-track -b hotfix/bd-a1b2-fix-login ${join(repo.root, 'work_hotfix_bd-a1b2-fix-login')} origin/release/v1.2`,
    );
    expect(await snapshot(repo)).toBe(before);
  });

  it('says when it is not a hotfix (a clean trunk and it can wait), and does nothing', async () => {
    const repo = await releaseRepo(0);
    const before = await snapshot(repo);
    const run = await hotfix(repo.work, ['start', '--ticket', 'bd-a1b2', '--can-wait']);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^Regular issue/);
    expect(run.out).toContain('Not a hotfix: fix bd-a1b2 on main for the next release');
    expect(await snapshot(repo)).toBe(before);
  });

  it('refuses an existing path or branch, before changing anything', async () => {
    const repo = await releaseRepo(0);
    const taken = join(repo.root, 'work_hotfix_bd-a1b2-fix-login');
    mkdirSync(taken);
    const before = await snapshot(repo);
    const pathTaken = await hotfix(repo.work, [
      'start',
      '--ticket',
      'bd-a1b2',
      '--description',
      'fix login',
      '--severity',
      'P1',
    ]);
    expect(pathTaken.code).toBe(1);
    expect(pathTaken.err).toContain(`${taken} exists already`);
    expect(await snapshot(repo)).toBe(before);
    rmSync(taken, { recursive: true });

    await repo.createBranch('hotfix/bd-a1b2-fix-login');
    const branchTaken = await hotfix(repo.work, [
      'start',
      '--ticket',
      'bd-a1b2',
      '--description',
      'fix login',
      '--severity',
      'P1',
    ]);
    expect(branchTaken.code).toBe(1);
    expect(branchTaken.err).toContain('Branch hotfix/bd-a1b2-fix-login exists already');
    expect(existsSync(taken)).toBe(false);
  });

  it('refuses a Dolt-backed tracker without bd, and moves the ticket with bd when it is there', async () => {
    const repo = await releaseRepo(0);
    await repo.commit({ '.beads/metadata.json': '{"backend":"dolt","dolt_mode":"embedded"}\n' }, 'chore: bd 1.x', {
      push: true,
    });
    const withoutBd = (process.env.PATH ?? '')
      .split(delimiter)
      .filter((dir) => dir !== '' && !existsSync(join(dir, 'bd')))
      .join(delimiter);
    const before = await snapshot(repo);
    const refused = await hotfix(repo.work, ['start', '--ticket', 'bd-a1b2', '--severity', 'P1'], { PATH: withoutBd });
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('The Beads data is held in a Dolt database');
    expect(refused.err).toContain('Install bd');
    expect(refused.err).toContain('--no-beads');
    expect(await snapshot(repo)).toBe(before);

    const bd = await createFakeBd({
      issues: [{ id: 'bd-a1b2', title: 'Login fails', status: 'open', priority: 1, issue_type: 'bug' }],
    });
    fakes.push(bd);
    const started = await hotfix(repo.work, ['start', '--ticket', 'bd-a1b2', '--severity', 'P1'], {
      PATH: bd.pathEnv(withoutBd),
    });
    expect(started.code).toBe(0);
    expect(started.out).toContain('bd-a1b2 open → in_progress (bd update');
    expect((await bd.issues())['bd-a1b2']?.status).toBe('in_progress');
    const calls = (await bd.calls()).map((call) => call.argv.join(' '));
    expect(calls).toEqual(['show bd-a1b2 --json', 'update bd-a1b2 --status=in_progress --json']);
    // The JSONL is only an export here: it is not edited.
    const worktree = join(repo.root, 'work_hotfix_bd-a1b2');
    expect(await git(worktree, 'log', '-1', '--format=%s')).not.toMatch(/^chore\(beads\)/);
    expect(await git(worktree, 'status', '--porcelain')).toBe('');
  });

  it.each([
    [['start'], 'Name the ticket of the hotfix with --ticket'],
    [['start', '--ticket', '../x'], '--ticket takes a ticket id such as bd-a1b2'],
    [['start', '--ticket', 'bd-a1b2', '--production-down', 'maybe'], '--production-down takes yes or no'],
    [['start', '--ticket', 'bd-a1b2', '--trunk', 'a..b'], '--trunk takes a branch name'],
    [['finish', '--force'], '--force goes with --cleanup only'],
    [['finish', 'somewhere'], 'a branch or worktree is named only with --cleanup'],
    [['finish', '--push', '--no-push'], 'Give --push or --no-push, not both.'],
    [['init', 'a', 'b'], 'Unexpected argument "b"'],
  ])('%j is a usage error (exit 2) that says what to do', async (argv, message) => {
    const { code, err } = await inProcess(...argv);
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(err).toContain(`hotfix ${argv[0]} --help`);
  });

  it.each(['start', 'finish', 'init'])('hotfix %s --help explains the command and exits 0', async (command) => {
    const { code, out } = await inProcess(command, '--help');
    expect(code).toBe(0);
    expect(out).toContain(`Usage: hotfix ${command}`);
    expect(out).toContain('Options:');
    expect(out).toContain('Exit status');
    expect((await inProcess('--help')).out).toMatch(new RegExp(`^  ${command} `, 'm'));
  });
});

describe('hotfix start: names', () => {
  it('any description gives a valid branch and a worktree path inside the parent directory', () => {
    const top = join(scratch, 'repo');
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), (words, binary) => {
        for (const description of [words, binary, `../${words}/../..`]) {
          const branch = hotfixBranchName('bd-a1b2', description);
          expect(isValidRefName(branch)).toBe(true);
          const path = hotfixWorktreePath(top, branch);
          expect(dirname(path)).toBe(scratch);
          expect(basename(path)).toMatch(/^repo_hotfix_bd-a1b2[A-Za-z0-9._-]*$/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('hotfix finish', () => {
  let repo: GitSandbox;
  let good: string;
  let bad: string;

  beforeAll(async () => {
    repo = await releaseRepo(2);
    good = join(repo.root, 'work_hotfix_bd-a1b2-fix-login');
    bad = join(repo.root, 'work_hotfix_bd-c3d4-fix-cache');
    for (const [ticket, description] of [
      ['bd-a1b2', 'fix login'],
      ['bd-c3d4', 'fix cache'],
    ]) {
      const run = await hotfix(repo.work, [
        'start',
        '--ticket',
        ticket!,
        '--description',
        description!,
        '--severity',
        'P1',
      ]);
      expect(run.code).toBe(0);
    }
  });

  async function commitIn(worktree: string, files: Record<string, string>, message: string): Promise<void> {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(worktree, path)), { recursive: true });
      writeFileSync(join(worktree, path), text);
    }
    await git(worktree, 'add', '--all');
    await git(worktree, 'commit', '--quiet', '-m', message);
  }

  it('reports a branch without tests and a commit without the ticket, and pushes nothing', async () => {
    await commitIn(bad, { 'src/cache.txt': 'fresh\n' }, 'fix(hotfix): fix cache');
    const run = await hotfix(bad, ['finish']);
    expect(run.code).toBe(1);
    expect(run.out).toContain('✓ one ticket: bd-c3d4');
    expect(run.out).toContain('✗ [II.A.2] Hotfix policy: no test changed');
    expect(run.out).toContain('Changed: .beads/issues.jsonl, src/cache.txt.');
    expect(run.out).toContain('✗ [VII.6] Hotfix policy: commits without the ticket');
    expect(run.out).toMatch(/A commit does not name bd-c3d4: [0-9a-f]{7} "fix\(hotfix\): fix cache"/);
    expect(run.out).toContain('Nothing was pushed');
    expect(await git(repo.origin, 'for-each-ref', 'refs/heads/hotfix')).toBe('');
  });

  it('reports a branch about two tickets', async () => {
    await commitIn(bad, { 'test/cache.test.ts': 'test\n' }, 'fix(bd-zz99): also the price feed\n\nResolves bd-c3d4');
    const run = await hotfix(bad, ['finish']);
    expect(run.code).toBe(1);
    expect(run.out).toContain('✓ tests changed: test/cache.test.ts');
    expect(run.out).toContain('✗ [VII.4] Hotfix policy: one ticket per hotfix');
    expect(run.out).toContain('about 2 tickets (bd-c3d4, bd-zz99)');
    expect(await git(repo.origin, 'for-each-ref', 'refs/heads/hotfix')).toBe('');
  });

  it('passes a good branch, pushes it, and prints the pull request with the template filled in', async () => {
    await commitIn(
      good,
      { 'src/login.txt': 'session kept\n', 'test/login.test.ts': 'regression\n' },
      [
        'fix(hotfix): fix login',
        '',
        'Sessions ended an hour early for every user.',
        '',
        'Root cause: the session cookie used the server time zone',
        'Fix: compute the expiry in UTC',
        'Impact: every user logging in after 23:00',
        'Regression test: test/login.test.ts',
        '',
        'Resolves bd-a1b2',
      ].join('\n'),
    );
    const run = await hotfix(good, ['finish']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('✓ one ticket: bd-a1b2');
    expect(run.out).toContain('✓ tests changed: test/login.test.ts');
    expect(run.out).toContain('✓ every commit names bd-a1b2');
    expect(run.out).toContain('✓ pushed to origin/hotfix/bd-a1b2-fix-login');
    expect(await git(repo.origin, 'rev-parse', 'refs/heads/hotfix/bd-a1b2-fix-login')).toBe(
      await git(good, 'rev-parse', 'HEAD'),
    );
    expect(await git(good, 'rev-parse', '--abbrev-ref', '@{upstream}')).toBe('origin/hotfix/bd-a1b2-fix-login');

    const command = /gh pr create .*/.exec(run.out)?.[0] ?? '';
    expect(command).toMatch(
      /^gh pr create --base release\/v1\.2 --head hotfix\/bd-a1b2-fix-login --title 'hotfix\(bd-a1b2\): fix login' --body-file \S+HOTFIX_PR_BODY\.md$/,
    );
    const body = readFileSync(command.split('--body-file ')[1]!, 'utf8');
    expect(run.out).toContain(body.trimEnd());
    const headings = [...body.matchAll(/^## (.+)$/gm)].map((match) => match[1]);
    expect(headings).toEqual([
      'Summary',
      'Root cause',
      'Fix description',
      'Testing notes',
      'Quality gates',
      'Hotfix version',
      'Rollback procedure',
      'Merge instructions',
    ]);
    expect(body).toContain('Resolves bd-a1b2.');
    expect(body).toContain('the session cookie used the server time zone');
    expect(body).toContain('compute the expiry in UTC');
    expect(body).toContain('`test/login.test.ts`');
    expect(body).toContain('Recommended: v1.2.2, the next patch of release/v1.2 after v1.2.1');
    expect(body).toContain('Redeploy v1.2.1, the release before this hotfix');
    expect(body).toContain('Bring the fix to main');
    expect(body).not.toContain('chore(beads)');
    // Everything the policy check of the pull request requires is filled in from the commit.
    expect(checkHotfixPrBody(body)).toEqual([]);
  });

  it('on the main checkout, says it is not a hotfix branch', async () => {
    const run = await hotfix(repo.work, ['finish']);
    expect(run.code).toBe(1);
    expect(run.err).toContain('main is not a hotfix branch: run hotfix finish inside the worktree');
    expect(run.err).toContain(good);
  });

  it('--cleanup refuses before the merge, then removes the worktree and the branch after it', async () => {
    const early = await hotfix(good, ['finish', '--cleanup']);
    expect(early.code).toBe(1);
    expect(early.err).toContain('hotfix/bd-a1b2-fix-login is not merged into origin/release/v1.2: nothing was removed');
    expect(existsSync(good)).toBe(true);

    // The pull request merges on the remote.
    const reviewer = await repo.clone({ identity: true, name: 'reviewer' });
    await git(reviewer, 'checkout', '--quiet', 'release/v1.2');
    await git(
      reviewer,
      'merge',
      '--quiet',
      '--no-ff',
      '-m',
      'Merge pull request #7',
      'origin/hotfix/bd-a1b2-fix-login',
    );
    await git(reviewer, 'push', '--quiet', 'origin', 'release/v1.2');

    const run = await hotfix(good, ['finish', '--cleanup']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('hotfix/bd-a1b2-fix-login is merged into origin/release/v1.2.');
    expect(run.out).toContain(`Removed the worktree ${good}.`);
    expect(run.out).toContain('Deleted the branch hotfix/bd-a1b2-fix-login');
    expect(run.out).toContain(`cd ${repo.work}`);
    expect(existsSync(good)).toBe(false);
    expect(await git(repo.work, 'branch', '--list', 'hotfix/bd-a1b2-fix-login')).toBe('');
    expect(await git(repo.work, 'worktree', 'list', '--porcelain')).not.toContain('bd-a1b2');
    await expect(git(repo.work, 'config', '--get', 'branch.hotfix/bd-a1b2-fix-login.hotfix-base')).rejects.toThrow();
  });

  it('--cleanup from the main repository names the worktree, and --force removes an unmerged one', async () => {
    const refused = await hotfix(repo.work, ['finish', '--cleanup']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('hotfix/bd-c3d4-fix-cache is not merged into origin/release/v1.2');
    const run = await hotfix(repo.work, ['finish', '--cleanup', 'hotfix/bd-c3d4-fix-cache', '--force']);
    expect(run.code).toBe(0);
    expect(run.out).toContain('removing it anyway (--force)');
    expect(existsSync(bad)).toBe(false);
    expect(await git(repo.work, 'branch', '--list', 'hotfix/*')).toBe('');
    expect((await git(repo.work, 'worktree', 'list', '--porcelain')).match(/^worktree /gm)).toHaveLength(1);
    const none = await hotfix(repo.work, ['finish', '--cleanup']);
    expect(none.code).toBe(1);
    expect(none.err).toContain('There is no hotfix worktree');
  });
});

describe('outside a git repository', () => {
  it.each([['start', '--ticket', 'bd-a1b2'], ['finish'], ['finish', '--cleanup'], ['init']])(
    'hotfix %s refuses and says where to run it (exit 1)',
    async (...argv) => {
      const dir = join(scratch, 'not-a-repo');
      mkdirSync(dir, { recursive: true });
      const run = await hotfix(dir, argv, { GIT_CEILING_DIRECTORIES: scratch });
      expect(run.code).toBe(1);
      expect(run.err).toContain(`${dir} is not inside a git repository`);
      expect(run.err).toContain(`run hotfix ${argv[0]} in your repository's checkout`);
      expect(readdirSync(dir)).toEqual([]);
    },
  );
});

describe('hotfix init', () => {
  it('writes the template at the top of the repository, and refuses to overwrite a changed one without --force', async () => {
    const repo = await releaseRepo(0, { beads: null });
    const sub = join(repo.work, 'src');
    const file = join(repo.work, ...HOTFIX_PR_TEMPLATE_PATH.split('/'));
    const written = await hotfix(sub, ['init']);
    expect(written.code).toBe(0);
    expect(written.out).toContain(`Wrote ${HOTFIX_PR_TEMPLATE_PATH} in ${repo.work}.`);
    expect(readFileSync(file, 'utf8')).toBe(hotfixPrTemplate());

    writeFileSync(file, '## Summary\n\nour own\n');
    const refused = await hotfix(repo.work, ['init']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('exists already and differs from the hotfix template: nothing was written');
    expect(refused.err).toContain('--force');
    expect(readFileSync(file, 'utf8')).toBe('## Summary\n\nour own\n');

    const forced = await inProcess('init', repo.work, '--force');
    expect(forced.code).toBe(0);
    expect(forced.out).toContain(`Replaced ${HOTFIX_PR_TEMPLATE_PATH}`);
    expect(readFileSync(file, 'utf8')).toBe(hotfixPrTemplate());
    expect((await inProcess('init', repo.work)).out).toContain('is up to date');
  });
});
