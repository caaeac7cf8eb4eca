// The cherry-pick strategy: from the checkout in GITHUB_WORKSPACE (shallow is fine), fetch only the
// commits to pick (with their parents) and each target's history since the fix was written; skip
// commits the target has already (as an ancestor, by the `cherry picked from` trailer, or by patch-id,
// which recognises a cherry-pick made by hand), pick the rest with -x on a branch in a separate
// worktree, push the branch (never forced) and open the pull request.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import * as core from '@actions/core';
import {
  ConfigurationError,
  createGitClient,
  errorMessage,
  isGitError,
  runCommand,
  type GitClient,
} from '@hotfix-actions/core';
import { addLabels, findOpenPull, updatePullBody, type PullInfo } from './github-ops.js';
import { cherryPickConflictCommands, pullBody, type TargetResult } from './plan.js';
import { existingPullResult, openBackmergePull, type BackmergeContext } from './pulls.js';

/** A commit to forward-port. */
export interface PickCommit {
  sha: string;
  subject: string;
  /** Stable patch id of its change (undefined for an empty change). */
  patchId: string | undefined;
  /** Paths it changes. */
  paths: string[];
  authorDate: string;
  committerDate: string;
}

/** The cherry-pick strategy's state across targets. */
export interface CherryPickRun {
  /** The checkout, with credentials for the remote when it needs them. */
  git: GitClient;
  env: Record<string, string>;
  shallow: boolean;
  commits: PickCommit[];
  /** Start of the window of target history searched for earlier picks (ISO 8601). */
  since: string;
  tempDir: string;
  hotfixDate: string | undefined;
  worktrees: number;
}

const DAY_MS = 86_400_000;

/**
 * Credentials for an https remote when the checkout has none (actions/checkout with
 * `persist-credentials: false`): passed through the environment, never written to a config file.
 */
async function credentialEnv(git: GitClient, token: string): Promise<Record<string, string>> {
  const url = (await git.raw(['remote', 'get-url', 'origin'], { okExitCodes: [0, 2, 128] })).stdout.trim();
  if (!/^https?:\/\//i.test(url)) return {};
  const configured = await git.raw(['config', '--get-regexp', '^http\\..*\\.extraheader$'], { okExitCodes: [0, 1] });
  if (configured.stdout.trim() !== '') return {};
  const origin = new URL(url);
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  core.setSecret(basic);
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${origin.protocol}//${origin.host}/.extraheader`,
    GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}`,
  };
}

async function describeCommits(git: GitClient, shas: readonly string[]): Promise<(PickCommit & { parents: number })[]> {
  const { stdout } = await git.raw([
    'show',
    '-s',
    '--no-walk=unsorted',
    '--format=%H%x1f%P%x1f%aI%x1f%cI%x1f%s%x1e',
    '--end-of-options',
    ...shas,
  ]);
  const commits = [];
  for (const record of stdout.split('\x1e')) {
    const [sha = '', parents = '', authorDate = '', committerDate = '', subject = ''] = record.trim().split('\x1f');
    if (!sha) continue;
    const count = parents.split(' ').filter(Boolean).length;
    const paths =
      count > 1
        ? []
        : (await git.raw(['diff-tree', '--no-commit-id', '--name-only', '-r', '-z', '--root', sha])).stdout
            .split('\0')
            .filter(Boolean);
    commits.push({
      sha,
      subject,
      patchId: count > 1 ? undefined : await git.patchId(sha),
      paths,
      authorDate,
      committerDate,
      parents: count,
    });
  }
  return commits;
}

/** Opens the checkout and fetches the commits to pick (each with its parent, so it can be applied). */
export async function prepareCherryPick(ctx: BackmergeContext, shas: readonly string[]): Promise<CherryPickRun> {
  const cwd = process.env.GITHUB_WORKSPACE || process.cwd();
  const inside = await runCommand('git', ['rev-parse', '--is-inside-work-tree'], { cwd });
  if (inside.exitCode !== 0 || inside.stdout.trim() !== 'true') {
    throw new ConfigurationError(
      'Input "strategy" is cherry-pick, which works from a checkout of the repository in GITHUB_WORKSPACE, but ' +
        'there is none: add actions/checkout (fetch-depth 1 is enough) before this step, or use strategy merge.',
      'strategy',
    );
  }
  const plain = createGitClient({ cwd });
  const env = await credentialEnv(plain, ctx.inputs.token);
  const git = createGitClient({ cwd, env });
  const shallow = await git.isShallow();
  try {
    await git.fetch({ refspecs: [...shas], ...(shallow ? { depth: 2 } : {}) });
  } catch (error) {
    if (!isGitError(error)) throw error;
    throw new ConfigurationError(
      `Input "commits": the remote has no commit among ${shas.join(', ')} (${error.stderr.split('\n')[0]}). ` +
        'Give full SHAs of pushed commits, or leave it empty to take the commits of the merged pull request.',
      'commits',
    );
  }
  const described = await describeCommits(git, shas);
  const merges = described.filter((commit) => commit.parents > 1);
  if (merges.length > 0) {
    core.notice(
      `Not cherry-picking merge commit(s) ${merges.map((c) => c.sha.slice(0, 7)).join(', ')}: ` +
        'their changes arrive with the other commits.',
    );
  }
  const commits = described.filter((commit) => commit.parents <= 1).map(({ parents: _parents, ...commit }) => commit);
  if (commits.length === 0) {
    throw new ConfigurationError(
      'Input "commits" leaves nothing to cherry-pick: every commit is a merge. List the commits of the fix.',
      'commits',
    );
  }
  const earliest = Math.min(...commits.map((commit) => Date.parse(commit.authorDate)));
  const runnerTemp = process.env.RUNNER_TEMP;
  const tempDir = await mkdtemp(join(runnerTemp && isAbsolute(runnerTemp) ? runnerTemp : cwd, 'backmerge-'));
  return {
    git,
    env,
    shallow,
    commits,
    // A cherry-pick, by hand or not, is committed after the original was written: history older
    // than that (with a day for clock skew) cannot hold one.
    since: new Date((Number.isFinite(earliest) ? earliest : Date.now()) - DAY_MS).toISOString(),
    tempDir,
    hotfixDate: commits.at(-1)?.committerDate,
    worktrees: 0,
  };
}

/** Removes the worktrees' directory. */
export async function finishCherryPick(run: CherryPickRun): Promise<void> {
  await run.git.raw(['worktree', 'prune'], { okExitCodes: [0, 1, 128] });
  await rm(run.tempDir, { recursive: true, force: true });
}

/** Fetches branches with the history that may hold earlier picks (all of it in a full clone). */
async function fetchWindow(run: CherryPickRun, refspecs: string[]): Promise<void> {
  if (!run.shallow) {
    await run.git.fetch({ refspecs });
    return;
  }
  const args = ['fetch', '--no-tags', `--shallow-since=${run.since}`, '--', 'origin', ...refspecs];
  const result = await run.git.raw(args, { okExitCodes: [0, 128] });
  // No commit of the branch is that recent: its tip alone is all there is to search.
  if (result.exitCode !== 0) await run.git.fetch({ refspecs, depth: 1 });
}

async function shallowBoundaries(git: GitClient): Promise<string[]> {
  const path = (await git.raw(['rev-parse', '--git-path', 'shallow'])).stdout.trim();
  const text = await readFile(isAbsolute(path) ? path : join(git.cwd, path), 'utf8').catch(() => '');
  return text.split('\n').filter((line) => /^[0-9a-f]{40,64}$/.test(line));
}

/**
 * The commits (of those to pick) that `tip` already has, looking only at history not reachable
 * from `exclude`: as ancestors, by the `-x` trailer, or by patch-id (same change, other commit).
 */
async function alreadyIn(run: CherryPickRun, tip: string, exclude: string | undefined): Promise<Set<string>> {
  const { git, commits } = run;
  const found = new Set<string>();
  if (exclude === undefined) {
    for (const commit of commits) if (await git.isAncestor(commit.sha, tip)) found.add(commit.sha);
  }
  const bounds = [...(await shallowBoundaries(git)), ...(exclude ? [exclude] : [])].map((sha) => `^${sha}`);
  const log = await git.raw(['log', '--format=%H%x1f%B%x1e', '--end-of-options', tip, ...bounds]);
  for (const commit of commits) {
    if (log.stdout.includes(`cherry picked from commit ${commit.sha}`)) found.add(commit.sha);
  }
  const wanted = commits.filter((commit) => !found.has(commit.sha) && commit.patchId !== undefined);
  const paths = [...new Set(wanted.flatMap((commit) => commit.paths))];
  if (wanted.length === 0 || paths.length === 0) return found;
  // Only commits touching the same files can carry the same patch: diff just those.
  const candidates = (
    await git.raw(['log', '--no-merges', '--format=%H', '--end-of-options', tip, ...bounds, '--', ...paths])
  ).stdout
    .split('\n')
    .filter(Boolean);
  if (candidates.length === 0) return found;
  const diffs = await git.raw([
    'log',
    '-p',
    '--no-walk=unsorted',
    '--no-color',
    '--no-ext-diff',
    '--format=commit %H',
    '--end-of-options',
    ...candidates,
  ]);
  const ids = await git.raw(['patch-id', '--stable'], { input: diffs.stdout });
  const present = new Set(ids.stdout.split('\n').map((line) => line.split(' ')[0]));
  for (const commit of wanted) if (present.has(commit.patchId)) found.add(commit.sha);
  return found;
}

function pickBody(
  ctx: BackmergeContext,
  run: CherryPickRun,
  target: string,
  branch: string,
  conflict?: { files: string[]; remaining: string[] },
): string {
  return pullBody({
    strategy: 'cherry-pick',
    source: ctx.source,
    target,
    branch,
    sha: run.commits.at(-1)!.sha,
    ticket: ctx.ticket,
    commits: run.commits.map((commit) => ({ sha: commit.sha, subject: commit.subject })),
    ...(conflict
      ? {
          conflict: {
            files: conflict.files,
            filesExact: true,
            commands: cherryPickConflictCommands(branch, conflict.remaining, conflict.files),
          },
        }
      : {}),
  });
}

type BuildOutcome =
  | { kind: 'clean'; worktree: GitClient; dir: string }
  | { kind: 'conflict'; worktree: GitClient; dir: string; files: string[]; remaining: string[] };

/** Picks `missing` onto `start` in a worktree of its own, so the checkout itself is never touched. */
async function build(run: CherryPickRun, start: string, missing: readonly PickCommit[]): Promise<BuildOutcome> {
  run.worktrees += 1;
  const dir = join(run.tempDir, `worktree-${run.worktrees}`);
  await run.git.raw(['worktree', 'add', '--detach', '--force', dir, start]);
  const worktree = createGitClient({ cwd: dir, env: run.env });
  for (const commit of missing) {
    const outcome = await worktree.cherryPick(commit.sha);
    if (outcome.status === 'conflict') {
      // Nothing is pushed on a conflict, so the person picks every missing commit, in order.
      return { kind: 'conflict', worktree, dir, files: outcome.files, remaining: missing.map((c) => c.sha) };
    }
    // 'empty': the target has the change already, in another shape; nothing to add.
  }
  return { kind: 'clean', worktree, dir };
}

async function removeWorktree(run: CherryPickRun, dir: string): Promise<void> {
  await run.git.raw(['worktree', 'remove', '--force', dir], { okExitCodes: [0, 128] });
}

async function pushBranch(worktree: GitClient, branch: string): Promise<void> {
  const pushed = await worktree.push({ refspecs: [`HEAD:refs/heads/${branch}`] });
  if (!pushed.ok) {
    throw new Error(`Pushing ${branch} was rejected (${pushed.message}): another job changed it; re-run the job.`);
  }
}

/** Forward-ports the commits to one target with the cherry-pick strategy. */
export async function backmergeByCherryPick(
  ctx: BackmergeContext,
  run: CherryPickRun,
  target: string,
  branch: string,
): Promise<TargetResult> {
  const { api, inputs } = ctx;
  const branchExists = ctx.branches.has(branch);
  const targetRef = `refs/remotes/origin/${target}`;
  const branchRef = `refs/remotes/origin/${branch}`;
  await fetchWindow(run, [
    `+refs/heads/${target}:${targetRef}`,
    ...(branchExists ? [`+refs/heads/${branch}:${branchRef}`] : []),
  ]);
  const inTarget = await alreadyIn(run, targetRef, undefined);
  const notInTarget = run.commits.filter((commit) => !inTarget.has(commit.sha));
  if (notInTarget.length === 0) {
    core.info(`${target} has every commit already (as ancestors, -x trailers or equal patches): nothing to do.`);
    return { target, status: 'up-to-date' };
  }
  const onBranch = branchExists ? await alreadyIn(run, branchRef, targetRef) : new Set<string>();
  const missing = notInTarget.filter((commit) => !onBranch.has(commit.sha));
  core.info(
    `${target} lacks ${notInTarget.length} of ${run.commits.length} commit(s)` +
      (branchExists ? `; ${branch} has ${notInTarget.length - missing.length} of them.` : '.'),
  );
  const pull = branchExists ? await findOpenPull(api, branch, target) : undefined;

  if (missing.length === 0) {
    if (pull) return existingPullResult(ctx, target, branch, pull, false);
    if (inputs.dryRun) return { target, status: 'created', branch };
    return openBackmergePull(ctx, target, branch, pickBody(ctx, run, target, branch), false);
  }

  const start = branchExists ? branchRef : targetRef;
  const outcome = await build(run, start, missing);
  try {
    if (outcome.kind === 'conflict') {
      return await conflictResult(ctx, run, target, branch, pull, outcome, branchExists);
    }
    if (inputs.dryRun) {
      const status = pull ? 'exists' : inputs.directPush && !branchExists ? 'pushed' : 'created';
      return { target, status, branch, ...(pull ? { pullNumber: pull.number, pullUrl: pull.url } : {}) };
    }
    if (inputs.directPush && !branchExists) {
      const pushed = await pushDirect(outcome.worktree, target);
      if (pushed) return { target, status: 'pushed', at: new Date().toISOString() };
    }
    await pushBranch(outcome.worktree, branch);
    if (pull) {
      const body = pickBody(ctx, run, target, branch);
      if (body !== pull.body) await updatePullBody(api, pull.number, body);
      core.info(`Added ${missing.length} commit(s) to ${branch}; pull request #${pull.number} reused.`);
      return { ...existingPullResult(ctx, target, branch, pull, false), at: new Date().toISOString() };
    }
    return await openBackmergePull(ctx, target, branch, pickBody(ctx, run, target, branch), false);
  } finally {
    await removeWorktree(run, outcome.dir);
  }
}

/** Pushes the picks straight to the target; false (with a warning) when the remote refuses. */
async function pushDirect(worktree: GitClient, target: string): Promise<boolean> {
  try {
    const pushed = await worktree.push({ refspecs: [`HEAD:refs/heads/${target}`] });
    if (pushed.ok) {
      core.info(`Pushed the cherry-picks to ${target} directly.`);
      return true;
    }
    core.warning(`${target} moved while the commits were picked (${pushed.message}); opening a pull request.`, {
      title: `Direct push to ${target}`,
    });
  } catch (error) {
    if (!isGitError(error)) throw error;
    core.warning(`Pushing to ${target} was refused (${errorMessage(error)}); opening a pull request.`, {
      title: `Direct push to ${target}`,
    });
  }
  return false;
}

/**
 * A conflict: a new branch gets one empty commit that says what to do (a pull request needs at least
 * one commit) and a draft pull request with the commands; an existing branch is left as it is.
 */
async function conflictResult(
  ctx: BackmergeContext,
  run: CherryPickRun,
  target: string,
  branch: string,
  pull: PullInfo | undefined,
  outcome: Extract<BuildOutcome, { kind: 'conflict' }>,
  branchExists: boolean,
): Promise<TargetResult> {
  const { api, inputs } = ctx;
  const conflict = { files: outcome.files, remaining: outcome.remaining };
  core.info(`Cherry-picking onto ${target} conflicts in ${outcome.files.join(', ')}.`);
  const body = pickBody(ctx, run, target, branch, conflict);
  if (inputs.dryRun) {
    return {
      target,
      status: 'conflict',
      branch,
      files: outcome.files,
      ...(pull ? { pullNumber: pull.number, pullUrl: pull.url } : {}),
    };
  }
  if (pull) {
    if (body !== pull.body) await updatePullBody(api, pull.number, body);
    if (!pull.labels.some((label) => label.toLowerCase() === inputs.conflictLabel.toLowerCase())) {
      await addLabels(api, pull.number, [inputs.conflictLabel]);
    }
    return { ...existingPullResult(ctx, target, branch, pull, true), files: outcome.files };
  }
  if (!branchExists) {
    // Back to the target's tip (dropping clean picks made before the conflict): the person picks them all.
    await outcome.worktree.raw(['reset', '--hard', '-q', `refs/remotes/origin/${target}`]);
    await outcome.worktree.commit(
      `Forward-port ${ctx.ticket ?? ctx.source} to ${target}: needs conflict resolution\n\n` +
        `Cherry-pick with -x: ${outcome.remaining.join(' ')}\nConflicts in: ${outcome.files.join(', ')}\n`,
      { allowEmpty: true },
    );
    await pushBranch(outcome.worktree, branch);
  }
  const result = await openBackmergePull(ctx, target, branch, body, true);
  return { ...result, files: outcome.files };
}
