import {
  ConfigurationError,
  bumpVersion,
  createGitTagStore,
  formatReleaseLine,
  formatVersionTag,
  highestVersionOfLine,
  lineTagPrefix,
  nextVersion,
  type GitClient,
  type ReleaseLine,
  type VersionTag,
} from '@hotfix-actions/core';
import type { SemVer } from 'semver';

/** What {@link revertAndTag} is asked to do. */
export interface RevertRequest {
  git: GitClient;
  /** The branch that carries the bad change (a release branch, or main in the seed's scenario 2). */
  branch: string;
  /** The commit to revert; default: the commit of `failing`. */
  commit: string | undefined;
  /** The failing version's tag (v1.5.1). */
  failing: VersionTag;
  /** The line the new patch tag belongs to. */
  line: ReleaseLine;
  prefix: string;
  dryRun: boolean;
  /** Pushes to try when the branch moves under us. */
  maxAttempts?: number;
}

/** What {@link revertAndTag} did. */
export interface RevertResult {
  branch: string;
  /** The commit that was reverted. */
  commit: string;
  /** The revert commit on the branch; undefined in a dry run that would create it. */
  sha: string | undefined;
  /** True when this run made the revert commit (false: an earlier run did). */
  created: boolean;
  /** The tag of the revert (the next patch of the line), made or found. */
  tag: string;
  version: SemVer;
  /** `created` the tag, found it (`exists`, a re-run), or would create it (`dry-run`). */
  outcome: 'created' | 'exists' | 'dry-run';
}

const REMOTE = 'origin';

/**
 * Scenario 2 of the seed: reverts the failing change on `branch` (a merge with `-m 1`, keeping the
 * branch's own history), pushes it and tags the next patch of the line through version-bump's logic.
 * Idempotent: a revert of the same commit already on the branch is reused, and a revert that is
 * already tagged gives that tag.
 */
export async function revertAndTag(request: RevertRequest): Promise<RevertResult> {
  const { git, branch, failing, dryRun } = request;
  const inside = await git.raw(['rev-parse', '--is-inside-work-tree'], { okExitCodes: [0, 128] });
  if (inside.exitCode !== 0 || inside.stdout.trim() !== 'true') {
    throw new ConfigurationError(
      `Input "mode" is revert, but the workspace ${git.cwd} is not a git checkout: add actions/checkout ` +
        '(with fetch-depth: 0 and the default persist-credentials) before this step.',
      'mode',
    );
  }
  const remoteBranch = `refs/remotes/${REMOTE}/${branch}`;
  const fetchBranch = async () => {
    await git.fetch({
      remote: REMOTE,
      refspecs: [`+refs/heads/${branch}:${remoteBranch}`, `+refs/tags/${failing.tag}:refs/tags/${failing.tag}`],
      ...((await git.isShallow()) ? { unshallow: true } : {}),
    });
  };
  try {
    await fetchBranch();
  } catch (error) {
    throw new ConfigurationError(
      `Could not fetch branch "${branch}" and tag ${failing.tag} from ${REMOTE}: ${(error as Error).message.trim()} ` +
        'Check input "branch" (the branch that carries the failing change).',
      'branch',
    );
  }

  const commit = request.commit ?? (await git.revParse(`refs/tags/${failing.tag}^{commit}`));
  const known = await git.raw(['cat-file', '-e', `${commit}^{commit}`], { okExitCodes: [0, 1, 128] });
  if (known.exitCode !== 0 || !(await git.isAncestor(commit, remoteBranch))) {
    throw new ConfigurationError(
      `Input "branch" is ${branch}, but the commit to revert (${commit}, ${request.commit ? 'input "revert-commit"' : failing.tag}) ` +
        'is not on it: set "branch" to the branch that carries the failing change.',
      'branch',
    );
  }

  let sha = await findRevert(git, commit, remoteBranch);
  let created = false;
  if (sha === undefined && !dryRun) {
    sha = await revertAndPush(request, commit, remoteBranch, fetchBranch);
    created = true;
  }

  const store = createGitTagStore(git, REMOTE);
  if (sha === undefined) {
    // A dry run before any revert exists: the next number of the line is all there is to say (the
    // branch tip may itself carry the failing tag, so bumpVersion would answer "exists").
    const names = (await store.listTags(lineTagPrefix(request.prefix, request.line))).map((tag) => tag.name);
    const previous = highestVersionOfLine(names, request.line, request.prefix);
    const version = nextVersion(previous?.version, request.line, 'patch');
    return {
      branch,
      commit,
      sha,
      created,
      tag: formatVersionTag(version, request.prefix),
      version,
      outcome: 'dry-run',
    };
  }
  const bump = await bumpVersion({
    store,
    sha,
    line: request.line,
    scheme: 'patch',
    prefix: request.prefix,
    dryRun,
    message: (version) =>
      [
        `${request.prefix}${version.version} (revert of ${failing.tag}, line ${formatReleaseLine(request.line)})`,
        '',
        `Version: ${version.version}`,
        `Reverts: ${commit}`,
        `Rollback-of: ${failing.tag}`,
        '',
      ].join('\n'),
  });
  return { branch, commit, sha, created, tag: bump.tag, version: bump.version, outcome: bump.outcome };
}

/** The revert of `commit` already on the branch (git revert's own "This reverts commit <sha>" line), if any. */
async function findRevert(git: GitClient, commit: string, remoteBranch: string): Promise<string | undefined> {
  const { stdout } = await git.raw([
    'log',
    '--format=%H',
    '--fixed-strings',
    `--grep=This reverts commit ${commit}`,
    '--end-of-options',
    `${commit}..${remoteBranch}`,
  ]);
  return stdout.split('\n').find(Boolean);
}

async function revertAndPush(
  request: RevertRequest,
  commit: string,
  remoteBranch: string,
  fetchBranch: () => Promise<void>,
): Promise<string> {
  const { git, branch } = request;
  const dirty = await git.raw(['status', '--porcelain', '--untracked-files=no']);
  if (dirty.stdout.trim() !== '') {
    throw new ConfigurationError(
      `Input "mode" is revert, but the checkout in ${git.cwd} has uncommitted changes to tracked files: ` +
        'run this action before steps that modify the checkout.',
      'mode',
    );
  }
  const [info] = await git.listCommits({ to: commit, maxCount: 1 });
  // -m 1 keeps the first parent (the branch merged into) and undoes what the merge brought in.
  const options = (info?.parents.length ?? 0) > 1 ? { mainline: 1 } : {};
  const attempts = request.maxAttempts ?? 3;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    await git.switchBranch(branch, { reset: true, startPoint: remoteBranch });
    const result = await git.revert(commit, options);
    if (result.status === 'conflict') {
      throw new Error(
        `Reverting ${commit} on ${branch} conflicts in ${result.files.join(', ')}: later changes touch the same lines. ` +
          'Revert it by hand, tag the result, and deploy that tag with mode "redeploy" and input "to".',
      );
    }
    if (result.status === 'empty') {
      throw new Error(
        `Reverting ${commit} on ${branch} changes nothing: the branch no longer contains that change. ` +
          'Deploy the tag that already lacks it with mode "redeploy".',
      );
    }
    const pushed = await git.push({ remote: REMOTE, refspecs: [`HEAD:refs/heads/${branch}`] });
    if (pushed.ok) return result.sha;
    // Someone pushed to the branch meanwhile: start again from its new tip.
    await fetchBranch();
    const existing = await findRevert(git, commit, remoteBranch);
    if (existing !== undefined) return existing;
  }
  throw new Error(
    `Pushing the revert to ${branch} was rejected ${attempts} times because the branch kept moving: re-run the job.`,
  );
}
