// `hotfix finish`: the end of the local half of a hotfix (hotfix-workflow 6.7, 6.11; hotfix-rules
// II.A, II.C, VII). Inside the worktree: the branch is checked with the same policy functions
// hotfix-plan applies to the pull request, pushed (never forced), and the pull request to open is
// printed with its body pre-filled from the hotfix template. Once merged, `--cleanup` removes the
// worktree and the local branch.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  DEFAULT_HOTFIX_BRANCH_PREFIX,
  DEFAULT_RELEASE_BRANCH_PATTERN,
  DEFAULT_TEST_FILE_PATTERNS,
  HOTFIX_APPROACHES,
  HOTFIX_PR_SECTIONS,
  HOTFIX_APPROACH_TITLES,
  checkHotfixPrBody,
  checkHotfixTests,
  checkHotfixTicket,
  extractTicketIds,
  formatVersionTag,
  highestVersionOfLine,
  hotfixFileMatcher,
  hotfixPrTemplate,
  isValidRefName,
  nextVersion,
  parseBeadsConfig,
  parseReleaseLine,
  ticketIdFromBranch,
  type HotfixApproach,
  type HotfixChangedFile,
  type HotfixPolicyFinding,
  type TicketIdOptions,
} from '@hotfix-actions/core';
import { localBranches } from './plan.js';
import {
  listWorktrees,
  mustGit,
  openRepository,
  readHotfixRecord,
  runGit,
  shellQuote,
  ticketIdOptionsFor,
  type CommandOutput,
  type HotfixBranchRecord,
  type WorktreeEntry,
} from './start.js';
import { CommandFailure, optionText, parseCommandLine, UsageError } from './usage.js';

/** `hotfix finish --help`. */
export const FINISH_HELP = `Finishes a hotfix made with \`hotfix start\`: checks the branch against the hotfix policy, pushes
it and prints the pull request to open; after the merge, removes the worktree and the branch.

Usage: hotfix finish [options]                    inside the hotfix worktree
       hotfix finish --cleanup [branch|worktree]  after the merge, inside the worktree or the repository

  The policy, with the checks hotfix-plan runs on the pull request:
    one ticket     exactly one ticket across the branch name and the commits (VII.4, VII.6)
    tests changed  the diff against the base adds or changes a test file (II.A.2, VII.2)
    commits        every commit message names the ticket (VII.6)
  The pull request body follows the hotfix template (\`hotfix init\` writes it), filled in with what is
  known: the ticket, the commits' "Root cause:", "Fix:" and "Regression test:" lines, the changed
  tests, the version the hotfix should get and how to roll it back.

Options:
  --no-push                 check and print the pull request, without pushing
  --push                    push the branch: git push -u <remote> HEAD, never forced (the default)
  --base <branch>           the branch the hotfix merges into (default: the one hotfix start chose)
  --remote <name>           the remote (default: the one hotfix start used, else origin)
  --cleanup                 once the pull request is merged: remove the worktree and the local branch
                            (nothing is checked or pushed)
  --force                   with --cleanup: remove them although the merge cannot be seen (a squash
                            merge) or the worktree has uncommitted changes, which are lost
  -C, --dir <path>          the worktree or repository (default: the current directory)
  -h, --help                this help

Exit status: 0 when the branch passes and is pushed (or is cleaned up), 1 for a policy miss or when it
cannot be done (nothing is pushed or removed then), 2 for a bad command line.
`;

/** What `hotfix finish` was asked. */
export interface FinishCommandOptions {
  dir: string;
  push: boolean;
  base?: string;
  remote?: string;
  cleanup: boolean;
  force: boolean;
  /** With cleanup: the branch or worktree to remove. */
  target?: string;
}

/** Parses `hotfix finish`'s options; `undefined` when help was asked for. */
export function parseFinishArgs(argv: readonly string[]): FinishCommandOptions | undefined {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      dir: { type: 'string', short: 'C' },
      push: { type: 'boolean' },
      'no-push': { type: 'boolean' },
      base: { type: 'string' },
      remote: { type: 'string' },
      cleanup: { type: 'boolean' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    'finish',
    1,
  );
  if (values.help) return undefined;
  const cleanup = values.cleanup === true;
  if (values.push === true && values['no-push'] === true) {
    throw new UsageError('Give --push or --no-push, not both.', 'finish');
  }
  if (values.force === true && !cleanup) {
    throw new UsageError('--force goes with --cleanup only: finish never force-pushes.', 'finish');
  }
  if (positionals.length > 0 && !cleanup) {
    throw new UsageError(
      `Unexpected argument "${positionals[0]}": a branch or worktree is named only with --cleanup.`,
      'finish',
    );
  }
  const text = (name: string): string | undefined => optionText(values, name);
  const base = text('base');
  if (base !== undefined && (!isValidRefName(base) || base.startsWith('-'))) {
    throw new UsageError(`--base takes a branch name; ${JSON.stringify(base)} is not a valid one.`, 'finish');
  }
  const remote = text('remote');
  if (remote !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(remote)) {
    throw new UsageError(
      `--remote takes the name of a git remote such as origin; got ${JSON.stringify(remote)}.`,
      'finish',
    );
  }
  return {
    dir: resolve(text('dir') ?? '.'),
    push: values['no-push'] !== true,
    ...(base !== undefined ? { base } : {}),
    ...(remote !== undefined ? { remote } : {}),
    cleanup,
    force: values.force === true,
    ...(positionals[0] !== undefined ? { target: positionals[0] } : {}),
  };
}

/** Runs `hotfix finish`; returns the exit code. */
export async function finishHotfix(options: FinishCommandOptions, io: CommandOutput): Promise<number> {
  return options.cleanup ? cleanupHotfix(options, io) : finishBranch(options, io);
}

// ---------------------------------------------------------------------------------------------
// Base and remote

async function requireRemote(dir: string, remote: string): Promise<void> {
  if (!(await runGit(dir, ['remote', 'get-url', '--', remote])).ok) {
    throw new CommandFailure(`There is no remote "${remote}" here: name the remote of the hotfix with --remote.`);
  }
}

function isReleaseBranch(name: string, pattern: string): boolean {
  try {
    return parseReleaseLine(name, pattern) !== undefined;
  } catch {
    // A recorded pattern that no longer parses matches nothing.
    return false;
  }
}

/**
 * The base of a branch that `hotfix start` did not record: the trunk or release branch it has the
 * fewest commits on top of.
 */
async function guessBase(dir: string, remote: string, tip: string, record: HotfixBranchRecord): Promise<string> {
  const trunk = record.trunk ?? 'main';
  const pattern = record.releaseBranchPattern ?? DEFAULT_RELEASE_BRANCH_PATTERN;
  const { names, refOf } = await localBranches(dir, remote);
  let best: { name: string; count: number } | undefined;
  for (const name of names) {
    if (name !== trunk && !isReleaseBranch(name, pattern)) continue;
    const counted = await runGit(dir, ['rev-list', '--count', `${refOf.get(name)!}..${tip}`]);
    const count = Number(counted.out.trim());
    if (counted.ok && (best === undefined || count < best.count)) best = { name, count };
  }
  if (best === undefined) {
    throw new CommandFailure(
      `Cannot tell which branch this hotfix merges into (hotfix start did not record it, and there is no ${trunk} ` +
        'nor release branch): name it with --base.',
    );
  }
  return best.name;
}

async function fetchBase(dir: string, remote: string, base: string): Promise<GitOutcome> {
  const fetched = await runGit(dir, [
    'fetch',
    '--quiet',
    '--no-tags',
    '--',
    remote,
    `+refs/heads/${base}:refs/remotes/${remote}/${base}`,
  ]);
  return fetched.ok ? { ok: true } : { ok: false, message: fetched.err };
}

type GitOutcome = { ok: true } | { ok: false; message: string };

// ---------------------------------------------------------------------------------------------
// The branch: policy, push, pull request

/** A commit of the hotfix branch. */
interface BranchCommit {
  sha: string;
  message: string;
}

/** A policy finding of `hotfix finish`: the pull request's, and that every commit names the ticket. */
type FinishFinding = Omit<HotfixPolicyFinding, 'rule'> & { rule: HotfixPolicyFinding['rule'] | 'commit-ticket' };

function subjectOf(message: string): string {
  return message.split('\n')[0] ?? '';
}

async function branchCommits(dir: string, range: string): Promise<BranchCommit[]> {
  // NUL between fields, a record separator between commits: messages may hold anything but these.
  const log = await mustGit(dir, ['log', '--no-merges', '--format=%H%x00%B%x1e', range], 'Listing the commits');
  return log
    .split('\x1e')
    .map((entry) => entry.replace(/^\n/, ''))
    .filter((entry) => entry.trim() !== '')
    .map((entry) => {
      const [sha = '', message = ''] = entry.split('\x00');
      return { sha, message: message.trimEnd() };
    });
}

const FILE_STATUS: Readonly<Record<string, string>> = {
  A: 'added',
  M: 'modified',
  T: 'modified',
  D: 'removed',
  R: 'renamed',
  C: 'copied',
};

async function changedFiles(dir: string, range: string): Promise<HotfixChangedFile[]> {
  const diff = await mustGit(dir, ['diff', '--name-status', '-z', '-M', range], 'Listing the changed files');
  const fields = diff.split('\0');
  const files: HotfixChangedFile[] = [];
  for (let i = 0; i < fields.length;) {
    const status = fields[i++] ?? '';
    if (status === '') break;
    const code = status[0]!;
    // Renames and copies list the old path, then the new one.
    if (code === 'R' || code === 'C') i++;
    const filename = fields[i++];
    if (filename !== undefined) files.push({ filename, status: FILE_STATUS[code] ?? 'modified' });
  }
  return files;
}

function commitTicketFindings(
  commits: readonly BranchCommit[],
  ticket: string | undefined,
  tickets: TicketIdOptions,
): FinishFinding[] {
  if (ticket === undefined) return [];
  const silent = commits.filter((commit) => !extractTicketIds(commit.message, tickets).includes(ticket));
  if (silent.length === 0) return [];
  const shown = silent
    .slice(0, 5)
    .map((commit) => `${commit.sha.slice(0, 7)} "${subjectOf(commit.message).slice(0, 60)}"`)
    .join(', ');
  const more = silent.length > 5 ? ` and ${silent.length - 5} more` : '';
  return [
    {
      rule: 'commit-ticket',
      reference: 'VII.6',
      title: 'Hotfix policy: commits without the ticket',
      message:
        `${silent.length === 1 ? 'A commit does' : `${silent.length} commits do`} not name ${ticket}: ${shown}${more}. ` +
        `Reword ${silent.length === 1 ? 'it' : 'them'} (git rebase -i, "reword") to end with "Resolves ${ticket}", ` +
        'as the hotfix commit format does: a change without its ticket loses traceability (VII.6).',
    },
  ];
}

/** The "Label: text" lines of the commit format (6.4) in the commits, placeholders left out. */
function commitNotes(commits: readonly BranchCommit[], label: string): string[] {
  const pattern = new RegExp(`^\\s*${label}\\s*:\\s*(.+?)\\s*$`, 'i');
  const found: string[] = [];
  for (const commit of commits) {
    for (const line of commit.message.split('\n')) {
      const text = pattern.exec(line)?.[1];
      if (text !== undefined && !/^<[^>]*>$/.test(text) && !found.includes(text)) found.push(text);
    }
  }
  return found;
}

interface VersionHint {
  next: string;
  suffix: string;
  previous?: string;
  releaseBranch: string;
}

async function versionHint(dir: string, base: string, record: HotfixBranchRecord): Promise<VersionHint | undefined> {
  const pattern = record.releaseBranchPattern ?? DEFAULT_RELEASE_BRANCH_PATTERN;
  const prefix = record.tagPrefix ?? 'v';
  try {
    const releaseBranch = [base, ...(record.targets ?? [])].find((branch) => parseReleaseLine(branch, pattern));
    if (releaseBranch === undefined) return undefined;
    const line = parseReleaseLine(releaseBranch, pattern)!;
    const tags = (await runGit(dir, ['for-each-ref', '--format=%(refname:short)', 'refs/tags'])).out.split('\n');
    const previous = highestVersionOfLine(tags.filter(Boolean), line, prefix);
    return {
      next: formatVersionTag(nextVersion(previous?.version, line, 'patch'), prefix),
      suffix: formatVersionTag(nextVersion(previous?.version, line, 'hotfix-suffix'), prefix),
      ...(previous !== undefined ? { previous: previous.tag } : {}),
      releaseBranch,
    };
  } catch {
    // A pattern or a tag history the hint cannot read: the section is left for the author.
    return undefined;
  }
}

function bullets(items: readonly string[]): string {
  return items.map((item) => `- ${item}`).join('\n');
}

/** The pull request's title and body, filled in from what the branch and its record say. */
function pullRequestText(facts: {
  branch: string;
  base: string;
  ticket: string | undefined;
  record: HotfixBranchRecord;
  commits: readonly BranchCommit[];
  tests: readonly string[];
  version: VersionHint | undefined;
}): { title: string; body: string } {
  const { base, ticket, record, commits, version } = facts;
  const own = commits.filter((commit) => !/^chore\(beads\):/.test(subjectOf(commit.message)));
  const firstSubject = own.at(-1) === undefined ? undefined : subjectOf(own.at(-1)!.message);
  const description =
    record.description ??
    firstSubject?.replace(/^[a-z]+(?:\([^)]*\))?!?:\s*/i, '') ??
    facts.branch.slice(DEFAULT_HOTFIX_BRANCH_PREFIX.length).replace(/-/g, ' ');
  const title = `${ticket === undefined ? 'hotfix' : `hotfix(${ticket})`}: ${description}`.slice(0, 120);

  const approach = (HOTFIX_APPROACHES as readonly string[]).includes(record.approach ?? '')
    ? HOTFIX_APPROACH_TITLES[record.approach as HotfixApproach]
    : undefined;
  const targets = record.targets ?? [];
  const summary = [
    ticket === undefined ? '' : `Resolves ${ticket}.`,
    description,
    bullets(commitNotes(commits, 'Impact').map((impact) => `Impact: ${impact}`)),
    approach === undefined
      ? ''
      : `${approach}: merged into ${base} first${targets.length > 0 ? `, then brought to ${targets.join(', ')}` : ''}.`,
  ];
  const fix = [
    commitNotes(commits, 'Fix').join('\n'),
    own.length === 0
      ? ''
      : `Commits:\n${bullets(own.map((commit) => `${commit.sha.slice(0, 7)} ${subjectOf(commit.message)}`))}`,
  ];
  const testing = [
    bullets(commitNotes(commits, 'Regression test').map((test) => `Regression test: ${test}`)),
    facts.tests.length === 0 ? '' : `Tests added or changed:\n${bullets(facts.tests.map((file) => `\`${file}\``))}`,
  ];
  const rollback =
    `Redeploy ${version?.previous === undefined ? 'the previous release' : `${version.previous}, the release before this hotfix`} ` +
    `(the rollback action redeploys the last version verified good), then revert the merge commit on ${base} ` +
    '(git revert -m 1 <merge commit>).';
  const merge = [
    '1. Review the fix and its regression test.',
    `2. Merge into ${base}.`,
    `3. Tag ${version?.next ?? 'the hotfix version'} on the merge commit (version-bump does it in the pipeline).`,
    targets.length > 0
      ? `4. Bring the fix to ${targets.join(', ')} (backmerge-pr opens the pull requests)${ticket === undefined ? '' : `, then close ${ticket}`}.`
      : `4. Close ${ticket ?? 'the ticket'}.`,
  ];
  const paragraphs = (parts: readonly string[]) => parts.filter((part) => part.trim() !== '').join('\n\n');
  const content: Record<string, string> = {
    summary: paragraphs(summary),
    'root-cause': commitNotes(commits, 'Root cause').join('\n'),
    fix: paragraphs(fix),
    testing: paragraphs(testing),
    rollback,
    'merge-instructions': merge.join('\n'),
  };
  if (version !== undefined) {
    content['hotfix-version'] =
      `Recommended: ${version.next}, the next patch of ${version.releaseBranch}` +
      `${version.previous === undefined ? '' : ` after ${version.previous}`} (${version.suffix} under the ` +
      'hotfix-suffix scheme); version-bump sets the real one when the fix merges.';
  }
  return { title, body: hotfixPrTemplate({ content }) };
}

async function finishBranch(options: FinishCommandOptions, io: CommandOutput): Promise<number> {
  const repo = await openRepository(options.dir, 'finish');
  const branch = (await runGit(repo.top, ['symbolic-ref', '--quiet', '--short', 'HEAD'])).out.trim();
  if (branch === '') {
    throw new CommandFailure(
      `HEAD is detached in ${repo.top}: hotfix finish works on the hotfix branch. Switch to it (git switch <branch>) first.`,
    );
  }
  const record = await readHotfixRecord(repo.top, branch);
  if (record.base === undefined && options.base === undefined && !branch.startsWith(DEFAULT_HOTFIX_BRANCH_PREFIX)) {
    const hotfixes = (await listWorktrees(repo.top)).filter((entry) =>
      entry.branch?.startsWith(DEFAULT_HOTFIX_BRANCH_PREFIX),
    );
    throw new CommandFailure(
      `${branch} is not a hotfix branch: run hotfix finish inside the worktree hotfix start made` +
        `${hotfixes.length > 0 ? ` (${hotfixes.map((entry) => entry.path).join(', ')})` : ''}, or name the base with --base.`,
    );
  }
  const remote = options.remote ?? record.remote ?? 'origin';
  await requireRemote(repo.top, remote);
  const base = options.base ?? record.base ?? (await guessBase(repo.top, remote, 'HEAD', record));
  const fetched = await fetchBase(repo.top, remote, base);
  if (!fetched.ok) {
    throw new CommandFailure(
      `Fetching ${base} from ${remote} failed: ${fetched.message}. The branch is checked against the current ${base}: ` +
        `check the connection${options.base === undefined ? ', or name the base with --base' : ''}.`,
    );
  }
  const baseRef = `refs/remotes/${remote}/${base}`;
  const dirty = await mustGit(repo.top, ['status', '--porcelain', '--untracked-files=no'], 'Reading the status');
  if (dirty.trim() !== '') {
    throw new CommandFailure(
      `${repo.top} has uncommitted changes: commit them in the hotfix format (or stash them), then run hotfix ` +
        'finish again. Only commits are checked and pushed.',
    );
  }
  const commits = await branchCommits(repo.top, `${baseRef}..HEAD`);
  if (commits.length === 0) {
    throw new CommandFailure(
      `${branch} has no commits on top of ${remote}/${base}: nothing to finish yet. Commit the fix first.`,
    );
  }
  const files = await changedFiles(repo.top, `${baseRef}...HEAD`);

  const configText = await readFile(join(repo.top, '.beads', 'config.yaml'), 'utf8').catch(() => undefined);
  let issuePrefix: string | undefined;
  try {
    issuePrefix = configText === undefined ? undefined : (await parseBeadsConfig(configText)).issuePrefix;
  } catch {
    issuePrefix = undefined;
  }
  const guessOptions = ticketIdOptionsFor(undefined, [issuePrefix]);
  const ticket = record.ticket ?? ticketIdFromBranch(branch, guessOptions);
  const tickets = ticketIdOptionsFor(ticket, [issuePrefix]);
  const isTest = hotfixFileMatcher(DEFAULT_TEST_FILE_PATTERNS);
  const testFiles = files.filter((file) => file.status !== 'removed' && isTest(file.filename));

  const findings: FinishFinding[] = [
    ...checkHotfixTicket({ title: '', body: '', headRef: branch, commits }, tickets),
    ...checkHotfixTests(files),
    ...commitTicketFindings(commits, ticket, tickets),
  ];
  const missed = new Set(findings.map((finding) => finding.rule));
  const lines = [
    `Hotfix policy on ${branch}: ${commits.length} commit${commits.length === 1 ? '' : 's'} on top of ${remote}/${base}, ` +
      `${files.length} file${files.length === 1 ? '' : 's'} changed.`,
  ];
  if (!missed.has('one-ticket')) lines.push(`  ✓ one ticket: ${ticket ?? '(none)'}`);
  if (!missed.has('tests-changed'))
    lines.push(`  ✓ tests changed: ${testFiles.map((file) => file.filename).join(', ')}`);
  if (!missed.has('commit-ticket') && ticket !== undefined) lines.push(`  ✓ every commit names ${ticket}`);
  for (const finding of findings) {
    lines.push(`  ✗ [${finding.reference}] ${finding.title}`, `      ${finding.message}`);
  }
  if (findings.length > 0) {
    lines.push(
      '',
      'Nothing was pushed: fix the branch and run hotfix finish again (the policy check of the pull request ' +
        'reports the same).',
    );
    io.out(`${lines.join('\n')}\n`);
    return 1;
  }

  if (options.push) {
    const pushed = await runGit(repo.top, ['push', '--quiet', '-u', '--', remote, 'HEAD']);
    if (!pushed.ok) {
      const moved = /\[rejected\]|non-fast-forward|fetch first|stale info/i.test(pushed.err);
      io.out(`${lines.join('\n')}\n`);
      throw new CommandFailure(
        moved
          ? `The push was rejected: ${remote}/${branch} has commits this branch lacks. Bring them in ` +
              `(git pull --rebase ${remote} ${branch}) and run hotfix finish again; it never force-pushes.`
          : `Pushing ${branch} to ${remote} failed: ${pushed.err}`,
      );
    }
    lines.push(`  ✓ pushed to ${remote}/${branch}`);
  }

  const version = await versionHint(repo.top, base, record);
  const { title, body } = pullRequestText({
    branch,
    base,
    ticket,
    record,
    commits,
    tests: testFiles.map((file) => file.filename),
    version,
  });
  const gitDir = (await mustGit(repo.top, ['rev-parse', '--absolute-git-dir'], 'Finding the git directory')).trim();
  const bodyFile = join(gitDir, 'HOTFIX_PR_BODY.md');
  await writeFile(bodyFile, body);
  const command = [
    'gh pr create',
    `--base ${shellQuote(base)}`,
    `--head ${shellQuote(branch)}`,
    `--title ${shellQuote(title)}`,
    `--body-file ${shellQuote(bodyFile)}`,
  ].join(' ');
  const unwritten = checkHotfixPrBody(body).map(
    (finding) => `"${HOTFIX_PR_SECTIONS.find((section) => section.id === finding.section)?.title ?? finding.section}"`,
  );
  lines.push(
    '',
    options.push
      ? 'Open the pull request:'
      : `Not pushed (--no-push). Push it (git push -u ${remote} HEAD), then open the pull request:`,
    '',
    `  ${command}`,
    '',
    `Its body (${bodyFile}):`,
    '',
    body.trimEnd(),
    '',
  );
  if (unwritten.length > 0) {
    lines.push(
      `Write ${unwritten.join(', ')} in the body before opening it: the policy check of the pull request requires ` +
        `${unwritten.length === 1 ? 'that section' : 'those sections'} (II.C).`,
    );
  }
  lines.push(
    `After the merge: hotfix finish --cleanup (here, or in ${repo.main}) removes the worktree and the branch.`,
    '',
  );
  io.out(lines.join('\n'));
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Cleanup

async function cleanupTarget(
  options: FinishCommandOptions,
  repo: { top: string; main: string },
  worktrees: readonly WorktreeEntry[],
): Promise<{ branch: string; path?: string }> {
  const pick = (entry: WorktreeEntry): { branch: string; path: string } => {
    if (entry.path === repo.main) {
      throw new CommandFailure(
        `${entry.path} is the repository's main working tree: --cleanup removes hotfix worktrees only.`,
      );
    }
    if (entry.branch === undefined) {
      throw new CommandFailure(
        `The worktree ${entry.path} has no branch checked out (a detached HEAD): remove it with git worktree remove.`,
      );
    }
    return { branch: entry.branch, path: entry.path };
  };
  if (options.target !== undefined) {
    const name = options.target.replace(/^refs\/heads\//, '');
    const path = resolve(options.dir, options.target);
    const entry = worktrees.find((candidate) => candidate.path === path || candidate.branch === name);
    if (entry !== undefined) return pick(entry);
    if (
      isValidRefName(name) &&
      (await runGit(repo.main, ['rev-parse', '--verify', '--quiet', `refs/heads/${name}`])).ok
    ) {
      return { branch: name };
    }
    throw new UsageError(
      `${options.target} is neither a worktree nor a branch of this repository (worktrees: ${
        worktrees
          .slice(1)
          .map((candidate) => candidate.branch ?? candidate.path)
          .join(', ') || 'none besides the main one'
      }).`,
      'finish',
    );
  }
  if (repo.top !== repo.main) {
    const entry = worktrees.find((candidate) => candidate.path === repo.top);
    if (entry !== undefined) return pick(entry);
  }
  const hotfixes: WorktreeEntry[] = [];
  for (const entry of worktrees.slice(1)) {
    if (entry.branch === undefined) continue;
    if (
      entry.branch.startsWith(DEFAULT_HOTFIX_BRANCH_PREFIX) ||
      (await readHotfixRecord(repo.main, entry.branch)).base
    ) {
      hotfixes.push(entry);
    }
  }
  if (hotfixes.length === 0) {
    throw new CommandFailure(
      `There is no hotfix worktree in ${repo.main}: nothing to clean up (git worktree list shows them).`,
    );
  }
  if (hotfixes.length > 1) {
    throw new UsageError(
      `There are ${hotfixes.length} hotfix worktrees: name the one to remove, e.g. hotfix finish --cleanup ` +
        `${hotfixes[0]!.branch!} (${hotfixes.map((entry) => entry.branch!).join(', ')}).`,
      'finish',
    );
  }
  return pick(hotfixes[0]!);
}

async function isMerged(dir: string, tip: string, baseRef: string): Promise<boolean> {
  if ((await runGit(dir, ['merge-base', '--is-ancestor', tip, baseRef])).ok) return true;
  // A rebase merge rewrites the commits: `git cherry` marks those whose change is on the base with "-".
  const cherry = await runGit(dir, ['cherry', baseRef, tip]);
  const marks = cherry.out.split('\n').filter(Boolean);
  return cherry.ok && marks.length > 0 && marks.every((line) => line.startsWith('-'));
}

async function cleanupHotfix(options: FinishCommandOptions, io: CommandOutput): Promise<number> {
  const repo = await openRepository(options.dir, 'finish');
  const worktrees = await listWorktrees(repo.top);
  const target = await cleanupTarget(options, repo, worktrees);
  const { branch } = target;
  const record = await readHotfixRecord(repo.main, branch);
  const remote = options.remote ?? record.remote ?? 'origin';
  await requireRemote(repo.main, remote);
  const tip = (
    await mustGit(repo.main, ['rev-parse', '--verify', `refs/heads/${branch}^{commit}`], `Reading ${branch}`)
  ).trim();
  const base = options.base ?? record.base ?? (await guessBase(repo.main, remote, tip, record));
  const baseRef = `refs/remotes/${remote}/${base}`;
  const lines: string[] = [];
  const fetched = await fetchBase(repo.main, remote, base);
  if (!fetched.ok && !options.force) {
    throw new CommandFailure(
      `Fetching ${base} from ${remote} failed (${fetched.message}), so whether ${branch} is merged cannot be seen: ` +
        'nothing was removed. Check the connection, or pass --force once you know the pull request is merged.',
    );
  }
  const merged = fetched.ok && (await isMerged(repo.main, tip, baseRef));
  if (merged) {
    lines.push(`${branch} is merged into ${remote}/${base}.`);
  } else if (!options.force) {
    throw new CommandFailure(
      `${branch} is not merged into ${remote}/${base}: nothing was removed. Merge its pull request first, then run ` +
        'hotfix finish --cleanup again. (A squash merge cannot be recognised from the commits: once you have ' +
        'checked that the pull request is merged, pass --force.)',
    );
  } else {
    lines.push(`${branch} is not seen merged into ${remote}/${base}; removing it anyway (--force).`);
  }

  if (target.path !== undefined) {
    if (existsSync(target.path)) {
      const removed = await runGit(repo.main, [
        'worktree',
        'remove',
        ...(options.force ? ['--force'] : []),
        target.path,
      ]);
      if (!removed.ok) {
        throw new CommandFailure(
          `Removing the worktree ${target.path} failed: ${removed.err}. ` +
            (/modified or untracked|locked/.test(removed.err)
              ? 'Commit, move or delete those files (or pass --force to lose them), then run this again.'
              : 'Remove it with git worktree remove, then run this again.'),
        );
      }
    } else {
      // Deleted by hand: only git's record of it is left.
      await mustGit(repo.main, ['worktree', 'prune'], 'Pruning the worktree record');
    }
    lines.push(`Removed the worktree ${target.path}.`);
  }
  await mustGit(repo.main, ['branch', '-D', '--', branch], `Deleting the branch ${branch}`);
  lines.push(`Deleted the branch ${branch} (was ${tip.slice(0, 12)}).`);
  const onRemote = await runGit(repo.main, ['ls-remote', '--heads', '--', remote, `refs/heads/${branch}`]);
  if (onRemote.ok && onRemote.out.trim() !== '') {
    lines.push(
      `${remote} still has ${branch}; delete it there once it is not needed: git push ${remote} --delete ${branch}`,
    );
  }
  if (target.path !== undefined && repo.top === target.path)
    lines.push(`You are in the removed worktree: cd ${shellQuote(repo.main)}`);
  io.out(`${lines.join('\n')}\n`);
  return 0;
}
