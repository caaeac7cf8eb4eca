// The GitHub requests of the action, each one call (or one paginated list), with GitHub's answers
// turned into plain data. Counting requests matters: a clean merge-strategy target costs four.
import * as core from '@actions/core';
import { errorMessage, isHttpStatus, type GitHubClient } from '@hotfix-actions/core';
import { parseMarker, type BackmergeMarker } from './plan.js';

/** The repository the action works on, with its client. */
export interface RepoApi {
  github: GitHubClient;
  owner: string;
  repo: string;
}

/** A back-merge pull request as the action needs it. */
export interface PullInfo {
  number: number;
  url: string;
  nodeId: string;
  draft: boolean;
  labels: string[];
  createdAt: string;
  body: string;
  marker: BackmergeMarker | undefined;
}

/** What compare says about a target and the source. */
export interface Comparison {
  /** Source commits the target lacks (0: the target already has the fix). */
  aheadBy: number;
  /** Target commits the source lacks (0: the target can fast-forward to the source). */
  behindBy: number;
  /** Files the source changed since the merge base (up to GitHub's 300). */
  files: string[];
  /** The commits listed (up to 250, oldest first), with committer dates. */
  commits: { sha: string; date: string | undefined }[];
  /** The tree of the base's head commit. */
  baseTree: string;
}

/** The outcome of `POST merges`. */
export type MergeOutcome =
  | { kind: 'merged'; sha: string; tree: string }
  | { kind: 'up-to-date' }
  | { kind: 'conflict' }
  | { kind: 'refused'; message: string };

/** Every branch of the repository with its head commit: one request (git/matching-refs is not paged). */
export async function listBranches(api: RepoApi): Promise<Map<string, string>> {
  const { data } = await api.github.rest.git.listMatchingRefs({ owner: api.owner, repo: api.repo, ref: 'heads/' });
  const branches = new Map<string, string>();
  for (const ref of data) {
    if (ref.ref.startsWith('refs/heads/')) branches.set(ref.ref.slice('refs/heads/'.length), ref.object.sha);
  }
  return branches;
}

/** Compares `base...head` (three dots: from their merge base). */
export async function compareRefs(api: RepoApi, base: string, head: string): Promise<Comparison> {
  const { data } = await api.github.rest.repos.compareCommitsWithBasehead({
    owner: api.owner,
    repo: api.repo,
    basehead: `${base}...${head}`,
  });
  return {
    aheadBy: data.ahead_by,
    behindBy: data.behind_by,
    files: (data.files ?? []).map((file) => file.filename),
    commits: data.commits.map((commit) => ({
      sha: commit.sha,
      date: commit.commit.committer?.date ?? commit.commit.author?.date ?? undefined,
    })),
    baseTree: data.base_commit.commit.tree.sha,
  };
}

/** The committer date of a commit (one request). */
export async function commitDate(api: RepoApi, sha: string): Promise<string | undefined> {
  const { data } = await api.github.rest.git.getCommit({ owner: api.owner, repo: api.repo, commit_sha: sha });
  return data.committer.date;
}

/** Creates a branch at `sha` (GitHub's atomic ref creation). */
export async function createBranch(api: RepoApi, branch: string, sha: string): Promise<void> {
  await api.github.rest.git.createRef({ owner: api.owner, repo: api.repo, ref: `refs/heads/${branch}`, sha });
}

/** Deletes a branch (one the action created and found it did not need). */
export async function deleteBranch(api: RepoApi, branch: string): Promise<void> {
  await api.github.rest.git.deleteRef({ owner: api.owner, repo: api.repo, ref: `heads/${branch}` });
}

/**
 * Merges `head` (a branch or SHA) into branch `base` on GitHub's side, with a real merge commit. The
 * client retries server errors (a retried merge is safe: a second one answers "nothing to merge") and
 * never a 409.
 */
export async function mergeOnGitHub(api: RepoApi, base: string, head: string, message: string): Promise<MergeOutcome> {
  try {
    const response = await api.github.rest.repos.merge({
      owner: api.owner,
      repo: api.repo,
      base,
      head,
      commit_message: message,
    });
    // Octokit's types know only 201; GitHub answers 204 when the base has the head already.
    if ((response.status as number) === 204) return { kind: 'up-to-date' };
    return { kind: 'merged', sha: response.data.sha, tree: response.data.commit.tree.sha };
  } catch (error) {
    // 409 is both "Merge conflict" and a protected base; only the first is a conflict.
    if (isHttpStatus(error, 409) && /merge conflict/i.test(errorMessage(error))) return { kind: 'conflict' };
    if (isHttpStatus(error, 409) || isHttpStatus(error, 403) || isHttpStatus(error, 422)) {
      return { kind: 'refused', message: errorMessage(error) };
    }
    throw error;
  }
}

type PullData = {
  number: number;
  html_url: string;
  node_id: string;
  draft?: boolean;
  labels: { name?: string }[];
  created_at: string;
  body: string | null;
};

function pullInfo(data: PullData): PullInfo {
  return {
    number: data.number,
    url: data.html_url,
    nodeId: data.node_id,
    draft: data.draft === true,
    labels: data.labels.map((label) => label.name ?? '').filter(Boolean),
    createdAt: data.created_at,
    body: data.body ?? '',
    marker: parseMarker(data.body),
  };
}

/**
 * The open pull request from `branch` into `base`. GitHub allows one per head and base, so the lookup
 * needs no search; the body's marker confirms it is ours (a person's pull request on our branch is
 * reused all the same, as a second one could not be opened).
 */
export async function findOpenPull(api: RepoApi, branch: string, base: string): Promise<PullInfo | undefined> {
  const { data } = await api.github.rest.pulls.list({
    owner: api.owner,
    repo: api.repo,
    // A bare branch name is ignored by GitHub: `head` must be `owner:branch`.
    head: `${api.owner}:${branch}`,
    base,
    state: 'open',
    per_page: 10,
  });
  const pulls = data.map((pull) => pullInfo(pull as PullData));
  return pulls.find((pull) => pull.marker !== undefined) ?? pulls[0];
}

/** Opens a pull request. */
export async function createPull(
  api: RepoApi,
  options: { head: string; base: string; title: string; body: string; draft: boolean },
): Promise<PullInfo> {
  const { data } = await api.github.rest.pulls.create({
    owner: api.owner,
    repo: api.repo,
    head: options.head,
    base: options.base,
    title: options.title,
    body: options.body,
    draft: options.draft,
    maintainer_can_modify: true,
  });
  return pullInfo(data as PullData);
}

/** Replaces a pull request's body (after its branch changed). */
export async function updatePullBody(api: RepoApi, number: number, body: string): Promise<void> {
  await api.github.rest.pulls.update({ owner: api.owner, repo: api.repo, pull_number: number, body });
}

/** Adds labels (GitHub creates missing ones). */
export async function addLabels(api: RepoApi, number: number, labels: readonly string[]): Promise<void> {
  if (labels.length === 0) return;
  await api.github.rest.issues.addLabels({
    owner: api.owner,
    repo: api.repo,
    issue_number: number,
    labels: [...labels],
  });
}

/** Requests reviews; a refusal (not a collaborator, the author) is a warning, never a failure. */
export async function requestReviews(
  api: RepoApi,
  number: number,
  reviewers: { users: readonly string[]; teams: readonly string[] },
): Promise<void> {
  if (reviewers.users.length === 0 && reviewers.teams.length === 0) return;
  try {
    await api.github.rest.pulls.requestReviewers({
      owner: api.owner,
      repo: api.repo,
      pull_number: number,
      ...(reviewers.users.length > 0 ? { reviewers: [...reviewers.users] } : {}),
      ...(reviewers.teams.length > 0 ? { team_reviewers: [...reviewers.teams] } : {}),
    });
  } catch (error) {
    if (!isHttpStatus(error, 422)) throw error;
    core.warning(`Could not request reviews on #${number}: ${errorMessage(error)}`, { title: 'Reviewers' });
  }
}

const ENABLE_AUTO_MERGE = `mutation($pullRequestId: ID!) {
  enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: MERGE }) {
    pullRequest { number autoMergeRequest { enabledAt } }
  }
}`;

/**
 * Turns on auto-merge with a merge commit (squash or rebase would break the ancestry that marks a
 * back-merge as done). GraphQL only: REST has no such operation. A repository without auto-merge
 * allowed, or a pull request that is already mergeable, answers an error: a warning, not a failure.
 */
export async function enableAutoMerge(
  github: GitHubClient,
  pull: { number: number; nodeId: string },
): Promise<boolean> {
  try {
    await github.graphql(ENABLE_AUTO_MERGE, { pullRequestId: pull.nodeId });
    return true;
  } catch (error) {
    core.warning(`Could not enable auto-merge on #${pull.number}: ${errorMessage(error)}`, { title: 'Auto-merge' });
    return false;
  }
}
