import { ConfigurationError, isHttpStatus, type GitHubClient } from '@hotfix-actions/core';
import type { RollbackDeploymentRecord } from '@hotfix-actions/core';

/** The repository every request is about. */
export interface RepoRef {
  github: GitHubClient;
  owner: string;
  repo: string;
}

/** How far back the history is read: 3 pages of 100 deployments, newest first. */
export const HISTORY_PAGES = 3;

interface DeploymentData {
  id: number;
  ref: string;
  sha: string;
  task: string;
  created_at: string;
  environment: string;
  payload: unknown;
}

function record(data: DeploymentData): RollbackDeploymentRecord & { environment: string } {
  return {
    id: data.id,
    ref: data.ref,
    sha: data.sha,
    task: data.task,
    createdAt: data.created_at,
    payload: data.payload,
    environment: data.environment,
  };
}

/** The environment's deployments, newest first, at most {@link HISTORY_PAGES} pages; `truncated` when there are more. */
export async function listEnvironmentDeployments(
  { github, owner, repo }: RepoRef,
  environment: string,
): Promise<{ deployments: RollbackDeploymentRecord[]; truncated: boolean }> {
  const deployments: RollbackDeploymentRecord[] = [];
  for (let page = 1; page <= HISTORY_PAGES; page++) {
    const { data } = await github.rest.repos.listDeployments({ owner, repo, environment, per_page: 100, page });
    deployments.push(...data.map((one) => record(one as DeploymentData)));
    if (data.length < 100) return { deployments: deployments.sort((a, b) => b.id - a.id), truncated: false };
  }
  return { deployments: deployments.sort((a, b) => b.id - a.id), truncated: true };
}

/** One deployment by id (the `from-deployment` input), checked to belong to `environment`. */
export async function getDeploymentRecord(
  { github, owner, repo }: RepoRef,
  id: number,
  environment: string,
): Promise<RollbackDeploymentRecord> {
  let data: DeploymentData;
  try {
    data = (await github.rest.repos.getDeployment({ owner, repo, deployment_id: id })).data as DeploymentData;
  } catch (error) {
    if (!isHttpStatus(error, 404)) throw error;
    throw new ConfigurationError(
      `Input "from-deployment" is ${id}, but ${owner}/${repo} has no deployment with that id.`,
      'from-deployment',
    );
  }
  if (data.environment !== environment) {
    throw new ConfigurationError(
      `Input "from-deployment" is deployment ${id} of environment "${data.environment}", not of "${environment}": ` +
        'set input "environment" to match.',
      'from-deployment',
    );
  }
  return record(data);
}

/** The states of a deployment's statuses, newest first (the newest 100 are plenty to judge it). */
export async function readDeploymentStates({ github, owner, repo }: RepoRef, id: number): Promise<string[]> {
  const { data } = await github.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: id, per_page: 100 });
  // GitHub lists statuses newest first; sort anyway, ids grow with time.
  return [...data].sort((a, b) => b.id - a.id).map((status) => status.state);
}

/** The commit a tag points at (annotated tags peeled), or undefined when the tag does not exist. */
export async function resolveTagCommit({ github, owner, repo }: RepoRef, tag: string): Promise<string | undefined> {
  let object: { sha: string; type: string };
  try {
    object = (await github.rest.git.getRef({ owner, repo, ref: `tags/${tag}` })).data.object;
  } catch (error) {
    if (isHttpStatus(error, 404)) return undefined;
    throw error;
  }
  // A tag may point at another tag: follow the chain, bounded.
  for (let depth = 0; object.type === 'tag' && depth < 10; depth++) {
    object = (await github.rest.git.getTag({ owner, repo, tag_sha: object.sha })).data.object;
  }
  return object.type === 'commit' ? object.sha : undefined;
}

/** Names of the tags starting with `prefix` (every page). */
export async function listTagNames({ github, owner, repo }: RepoRef, prefix: string): Promise<string[]> {
  const refs = await github.paginate(github.rest.git.listMatchingRefs, { owner, repo, ref: `tags/${prefix}` });
  return refs.map((ref) => ref.ref.replace(/^refs\/tags\//, ''));
}
