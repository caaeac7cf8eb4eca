// The JSONL backend: edit `.beads/issues.jsonl` directly, commit, push without force, and when the
// push is rejected because someone else pushed first, start again from their version and re-apply
// the same (idempotent) operations. The work happens in a private worktree on the target branch's
// tip, so neither the user's HEAD nor their uncommitted changes can end up in the tracker commit.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConfigurationError,
  applyBeadsEdits,
  beadsWriteFileAtomic,
  createGitClient,
  isGitError,
  readBeadsJsonl,
  type BeadsJsonlDocument,
  type GitClient,
} from '@hotfix-actions/core';
import type { JsonlPlan } from './plan.js';
import type { BeadsRepository } from './repository.js';

/** Options of {@link syncJsonl}. */
export interface JsonlSyncOptions {
  repo: BeadsRepository;
  /** The branch the commit is pushed to (unused when `push` is false). */
  branch: string | undefined;
  push: boolean;
  dryRun: boolean;
  /** Attempts before giving up when other pushes keep winning. */
  maxAttempts: number;
  /** Plans the edits on one version of the file (called again after a rejected push). */
  plan: (doc: BeadsJsonlDocument) => JsonlPlan;
  commitMessage: (plan: JsonlPlan) => string;
  /** Where the private worktree is made (`RUNNER_TEMP`). */
  tempRoot: string;
  /** Progress lines for the log. */
  log: (message: string) => void;
  /** Milliseconds to wait before attempt `n` (default: a jittered, growing pause). */
  backoff?: (attempt: number) => number;
}

/** What {@link syncJsonl} did. */
export interface JsonlSyncResult {
  plan: JsonlPlan;
  /** The file changed (or would have, in a dry run). */
  changed: boolean;
  /** The commit pushed. */
  commit?: string;
  attempts: number;
  /** The branch did not exist on the remote and was created from the checkout's HEAD. */
  createdBranch: boolean;
  /** The checkout was moved to the pushed commit (the target was its own branch). */
  checkoutUpdated: boolean;
  /** The file in the checkout was edited in place (push: false). */
  editedInPlace: boolean;
}

// Hooks of the repository (husky, lint-staged, bd's own) are for people's commits of code, not for
// a data commit made in a throwaway worktree. Local transports drop GIT_CONFIG_* before starting
// receive-pack, so a remote's server-side hooks still run.
const NO_CLIENT_HOOKS = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'core.hooksPath', GIT_CONFIG_VALUE_0: '/dev/null' };

function defaultBackoff(attempt: number): number {
  return Math.round((attempt - 1) * (100 + Math.random() * 200));
}

/** Edits, commits and pushes the tracker file; see the module comment. */
export async function syncJsonl(options: JsonlSyncOptions): Promise<JsonlSyncResult> {
  if (!options.push) return editInPlace(options);
  const branch = options.branch;
  if (branch === undefined) throw new TypeError('syncJsonl: a branch is needed to push');
  const { repo, log } = options;
  const git = repo.git;
  const tracking = `refs/remotes/${repo.remote}/${branch}`;
  const shallow = await git.isShallow();
  const scratch = await mkdtemp(join(options.tempRoot, 'beads-sync-'));
  const dir = join(scratch, 'worktree');
  const worktree = createGitClient({ cwd: dir, env: NO_CLIENT_HOOKS });
  let added = false;
  let createdBranch = false;

  // Attempt 1 trusts the remote-tracking ref the checkout already has (no fetch); a stale one only
  // costs a rejected push. Later attempts always ask the remote.
  async function base(attempt: number): Promise<string> {
    if (attempt === 1) {
      const local = await git.raw(['rev-parse', '--verify', '-q', `${tracking}^{commit}`], { okExitCodes: [0, 1] });
      if (local.exitCode === 0) return local.stdout.trim();
    }
    const heads = await git.lsRemote({ remote: repo.remote, scope: 'heads', patterns: [`refs/heads/${branch}`] });
    if (!heads.some((ref) => ref.name === `refs/heads/${branch}`)) {
      createdBranch = true;
      log(`Branch ${branch} does not exist on ${repo.remote}: it will be created from the checked-out commit.`);
      return git.revParse('HEAD');
    }
    createdBranch = false;
    await git.fetch({
      remote: repo.remote,
      refspecs: [`+refs/heads/${branch}:${tracking}`],
      ...(shallow ? { depth: 1 } : {}),
    });
    return git.revParse(`${tracking}^{commit}`);
  }

  try {
    for (let attempt = 1; ; attempt++) {
      const sha = await base(attempt);
      if (!added) {
        await git.raw(['worktree', 'add', '--quiet', '--detach', '--no-checkout', dir, sha]);
        added = true;
      }
      await worktree.raw(['reset', '--quiet', sha, '--']);
      const present = await worktree.raw(['cat-file', '-e', `${sha}:${repo.relPath}`], { okExitCodes: [0, 1, 128] });
      if (present.exitCode !== 0) {
        throw new ConfigurationError(
          `${repo.relPath} does not exist on branch ${branch} (commit ${sha.slice(0, 12)}): there is no tracker to update there.`,
          'path',
        );
      }
      await worktree.raw(['checkout', '--quiet', sha, '--', repo.relPath]);
      const file = join(dir, repo.relPath);
      const doc = await readBeadsJsonl(file, { name: repo.relPath });
      const plan = options.plan(doc);
      const edited = applyBeadsEdits(doc, plan.edits);
      const result = { plan, attempts: attempt, createdBranch, checkoutUpdated: false, editedInPlace: false };
      if (!edited.changed) return { ...result, changed: false, createdBranch: false };
      if (options.dryRun) return { ...result, changed: true };

      await beadsWriteFileAtomic(file, edited.chunks);
      await worktree.add([repo.relPath]);
      const commit = await worktree.commit(options.commitMessage(plan));
      const pushed = await pushOnce(worktree, repo.remote, branch);
      if (pushed.ok) {
        log(`Pushed ${commit.slice(0, 12)} to ${branch}${attempt > 1 ? ` (attempt ${attempt})` : ''}.`);
        const checkoutUpdated = await followInCheckout(repo, branch, commit, log);
        return { ...result, changed: true, commit, checkoutUpdated };
      }
      if (attempt >= options.maxAttempts) {
        throw new Error(
          `Gave up after ${attempt} attempts: every push to ${branch} was overtaken by another one (${pushed.message}). ` +
            'Raise max-attempts if many jobs write the tracker at once.',
        );
      }
      log(`The push to ${branch} was rejected (${pushed.rejection}): re-applying on the remote's version.`);
      const pause = (options.backoff ?? defaultBackoff)(attempt + 1);
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  } catch (error) {
    if (isGitError(error) && /\bpush\b/.test(error.command)) throw explainRefusedPush(error.message, branch);
    throw error;
  } finally {
    if (added) await git.raw(['worktree', 'remove', '--force', dir], { okExitCodes: [0, 128] }).catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
    if (added) await git.raw(['worktree', 'prune'], { okExitCodes: [0, 128] }).catch(() => undefined);
  }
}

type PushOutcome = { ok: true } | { ok: false; rejection: string; message: string };

// A rejection because the remote moved (including two pushes racing inside the server, core's
// 'lost-race') is returned; anything else (a protected branch, auth) throws.
async function pushOnce(worktree: GitClient, remote: string, branch: string): Promise<PushOutcome> {
  const pushed = await worktree.push({ remote, refspecs: [`HEAD:refs/heads/${branch}`] });
  return pushed.ok ? { ok: true } : { ok: false, rejection: pushed.rejection, message: pushed.message };
}

function explainRefusedPush(message: string, branch: string): Error {
  const protectedBranch = /protected|declined|hook|GH006|GH013/i.test(message);
  return new Error(
    protectedBranch
      ? `The remote refused the push to ${branch}: ${message}. If ${branch} is protected, set sync-branch ` +
          '(or sync.branch in .beads/config.yaml) to a branch the workflow may push to, or use push: false and ' +
          'open a pull request with the edited file.'
      : `The push to ${branch} failed: ${message}`,
  );
}

/**
 * When the target is the checked-out branch, moves the checkout to the pushed commit so later steps
 * see the tracker as it now is. `reset --keep` refuses rather than overwrite local changes.
 */
async function followInCheckout(
  repo: BeadsRepository,
  branch: string,
  commit: string,
  log: (message: string) => void,
): Promise<boolean> {
  if (repo.currentBranch !== branch) return false;
  const git: GitClient = repo.git;
  try {
    const status = await git.raw(['status', '--porcelain', '--', repo.relPath]);
    if (status.stdout.trim() !== '' || !(await git.isAncestor('HEAD', commit))) return false;
    await git.raw(['reset', '--quiet', '--keep', commit]);
    return true;
  } catch (error) {
    log(`The checkout stays at its commit (${(error as Error).message}).`);
    return false;
  }
}

async function editInPlace(options: JsonlSyncOptions): Promise<JsonlSyncResult> {
  const { repo } = options;
  let doc: BeadsJsonlDocument;
  try {
    doc = await readBeadsJsonl(repo.absPath, { name: repo.relPath });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new ConfigurationError(`${repo.relPath} does not exist in the checkout.`, 'path');
  }
  const plan = options.plan(doc);
  const edited = applyBeadsEdits(doc, plan.edits);
  if (edited.changed && !options.dryRun) await beadsWriteFileAtomic(repo.absPath, edited.chunks);
  return {
    plan,
    changed: edited.changed,
    attempts: 1,
    createdBranch: false,
    checkoutUpdated: false,
    editedInPlace: edited.changed && !options.dryRun,
  };
}
