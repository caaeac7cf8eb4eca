// The few REST calls the demo makes itself, where a real pipeline's own steps would: opening and
// merging the hotfix pull request, and recording deployments. They go to the GitHub API stand-in,
// which checks each one against GitHub's REST description like any action's request.
import type { GitHubStandIn } from '@hotfix-actions/testkit';

/** A deployment state GitHub accepts in a status. */
export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive' | 'queued' | 'pending';

/** The REST calls of the demo, bound to one stand-in. */
export interface DemoGitHub {
  /** Opens a pull request and returns its number. */
  openPull(head: string, base: string, title: string, body: string): Promise<number>;
  /** Merges a pull request with a merge commit and returns the merge commit's SHA. */
  mergePull(number: number, title: string): Promise<string>;
  /** Creates a deployment of `ref` (a tag) to `environment` and returns its id. */
  createDeployment(
    ref: string,
    environment: string,
    description: string,
    payload: Record<string, unknown>,
  ): Promise<number>;
  /** Adds a status to a deployment. */
  setDeploymentState(id: number, state: DeploymentState, description: string, environmentUrl?: string): Promise<void>;
}

/** Binds the demo's REST calls to a running stand-in. */
export function demoGitHub(api: GitHubStandIn): DemoGitHub {
  const call = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${api.url}/repos/${api.owner}/${api.repo}${path}`, {
      method,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: 'token demo-token-not-a-credential',
        'content-type': 'application/json',
        'x-github-api-version': '2022-11-28',
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 400)}`);
    return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  };
  return {
    async openPull(head, base, title, body) {
      const pull = await call('POST', '/pulls', { head, base, title, body });
      return pull.number as number;
    },
    async mergePull(number, title) {
      const merged = await call('PUT', `/pulls/${number}/merge`, { merge_method: 'merge', commit_title: title });
      return merged.sha as string;
    },
    async createDeployment(ref, environment, description, payload) {
      const deployment = await call('POST', '/deployments', {
        ref,
        task: 'deploy',
        environment,
        description,
        payload,
        auto_merge: false,
        required_contexts: [],
        production_environment: environment === 'production',
        transient_environment: false,
      });
      return deployment.id as number;
    },
    async setDeploymentState(id, state, description, environmentUrl) {
      await call('POST', `/deployments/${id}/statuses`, {
        state,
        description,
        ...(environmentUrl !== undefined ? { environment_url: environmentUrl } : {}),
      });
    },
  };
}
