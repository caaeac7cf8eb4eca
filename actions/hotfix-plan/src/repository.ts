// What the plan reads from GitHub: branches, the latest release tag and trunk's commits since it, and
// a pull request's facts for the policy check. Read-only: the action never writes to the repository.
import * as core from '@actions/core';
import {
  assessTrunkUnreleased,
  classifyTrunkCommits,
  cherryPickSources,
  createApiTagStore,
  describeFailure,
  highestVersion,
  isHttpStatus,
  type GitHubClient,
  type HotfixPullRequestFacts,
  type TrunkAssessment,
  type TrunkCommit,
} from '@hotfix-actions/core';

/** The repository the action works on. */
export interface Repository {
  github: GitHubClient;
  owner: string;
  repo: string;
}

/** Every branch name of the repository (all pages). */
export async function listBranchNames({ github, owner, repo }: Repository): Promise<string[]> {
  const branches = await github.paginate(github.rest.repos.listBranches, { owner, repo, per_page: 100 });
  return branches.map((branch) => branch.name);
}

/** Q2 as computed from the repository, with the tag compared against. */
export interface TrunkReading extends TrunkAssessment {
  /** The latest release tag, when there is one. */
  tag?: string;
  /** Set when the comparison could not be made (an API failure), for a warning. */
  failure?: string;
}

const PER_PAGE = 100;
// Ten pages of the compare API: enough for any trunk that is honestly "released"; beyond that the
// answer is yes (an unreleased commit was seen) or unknown, and both mean release-first.
const MAX_PAGES = 10;
// Checking a cherry-pick's source costs one request per release branch: a bounded number of each.
const MAX_CHERRY_PICKS = 10;
const MAX_RELEASE_BRANCHES = 5;

/**
 * Compares trunk with the latest release tag (the highest `prefix` version) and answers Q2: trunk commits the
 * tag lacks, less back-merges, forward-port cherry-picks of release commits and version commits. No tag, or a
 * failing API, is `unknown` — the seed's "if uncertain, use release-first".
 */
export async function readTrunk(
  repository: Repository,
  options: { trunk: string; tagPrefix: string; releaseBranches: readonly string[] },
): Promise<TrunkReading> {
  const { trunk, tagPrefix } = options;
  try {
    const tags = await createApiTagStore(repository).listTags(tagPrefix);
    const latest = highestVersion(
      tags.map((tag) => tag.name),
      tagPrefix,
    );
    if (latest === undefined) {
      return {
        trunkHasUnreleased: 'unknown',
        evidence: `no release tag starting with "${tagPrefix}" exists to compare ${trunk} with`,
        unreleased: [],
        ignored: [],
      };
    }
    core.info(`Latest release tag: ${latest.tag}.`);
    const { commits, total } = await commitsSince(repository, latest.tag, trunk);
    core.info(`${trunk} has ${total} commit(s) that ${latest.tag} does not contain; ${commits.length} read.`);
    const released = await releasedCherryPickSources(repository, commits, options.releaseBranches);
    const classified = classifyTrunkCommits(commits, { releasedCommits: released });
    for (const entry of classified) core.debug(`${entry.commit.sha.slice(0, 7)} ${entry.kind}: ${entry.why}`);
    return {
      ...assessTrunkUnreleased(classified, { trunk, tag: latest.tag, complete: commits.length >= total, total }),
      tag: latest.tag,
    };
  } catch (error) {
    const failure = describeFailure(error).message;
    return {
      trunkHasUnreleased: 'unknown',
      evidence: `comparing ${trunk} with the latest release tag failed`,
      unreleased: [],
      ignored: [],
      failure,
    };
  }
}

async function commitsSince(
  { github, owner, repo }: Repository,
  tag: string,
  trunk: string,
): Promise<{ commits: TrunkCommit[]; total: number }> {
  const commits: TrunkCommit[] = [];
  let total = 0;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await github.rest.repos.compareCommitsWithBasehead({
      owner,
      repo,
      basehead: `${tag}...${trunk}`,
      per_page: PER_PAGE,
      page,
    });
    total = data.ahead_by;
    for (const commit of data.commits) {
      commits.push({
        sha: commit.sha,
        message: commit.commit.message,
        parents: commit.parents.map((parent) => parent.sha),
      });
    }
    if (commits.length >= total || data.commits.length < PER_PAGE) break;
  }
  return { commits, total };
}

/**
 * The sources of trunk's cherry-picks that a release branch contains (newest branches first). Sources beyond
 * the bound are trusted, as `git cherry-pick -x` onto trunk is how the seed forward-ports.
 */
async function releasedCherryPickSources(
  { github, owner, repo }: Repository,
  commits: readonly TrunkCommit[],
  releaseBranches: readonly string[],
): Promise<Set<string>> {
  const sources = [...new Set(commits.flatMap((commit) => cherryPickSources(commit.message)))];
  const released = new Set(sources.slice(MAX_CHERRY_PICKS));
  const branches = [...releaseBranches].reverse().slice(0, MAX_RELEASE_BRANCHES);
  for (const source of sources.slice(0, MAX_CHERRY_PICKS)) {
    for (const branch of branches) {
      try {
        const { data } = await github.rest.repos.compareCommitsWithBasehead({
          owner,
          repo,
          basehead: `${source}...${branch}`,
          per_page: 1,
        });
        // The branch is ahead of (or at) the source: the source is part of that release line.
        if (data.status === 'ahead' || data.status === 'identical') {
          released.add(source);
          break;
        }
      } catch (error) {
        // A source GitHub does not know (rewritten history, another fork) is simply not released.
        if (!isHttpStatus(error, 404)) throw error;
        break;
      }
    }
  }
  return released;
}

/** A pull request's facts for the policy, with its labels and link. */
export interface PullRequestReading extends HotfixPullRequestFacts {
  number: number;
  url: string;
  labels: string[];
}

/** The compare API lists at most this many files; a longer diff is cut. */
const MAX_COMPARE_FILES = 300;

/** Reads a pull request: title, body, branches, labels, commits (all pages) and changed files. */
export async function readPullRequest(
  { github, owner, repo }: Repository,
  number: number,
): Promise<PullRequestReading> {
  const { data: pull } = await github.rest.pulls.get({ owner, repo, pull_number: number });
  const commits = await github.paginate(github.rest.pulls.listCommits, {
    owner,
    repo,
    pull_number: number,
    per_page: 100,
  });
  // The files of the pull request's diff: what the base lacks of the head, from their merge base.
  const { data: diff } = await github.rest.repos.compareCommitsWithBasehead({
    owner,
    repo,
    basehead: `${pull.base.sha}...${pull.head.sha}`,
    per_page: 1,
  });
  const files = (diff.files ?? []).map((file) => ({ filename: file.filename, status: file.status }));
  return {
    number,
    url: pull.html_url,
    title: pull.title,
    body: pull.body ?? '',
    headRef: pull.head.ref,
    baseRef: pull.base.ref,
    labels: pull.labels.map((label) => label.name ?? '').filter((name) => name !== ''),
    commits: commits.map((commit) => ({ message: commit.commit.message })),
    files,
    filesComplete: files.length < MAX_COMPARE_FILES,
  };
}
