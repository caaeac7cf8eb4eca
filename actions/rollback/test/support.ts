// Shared set-up of the rollback tests: a repository with release tags, the GitHub API stand-in
// serving it, a deployment history seeded through the API, and the bundle's two phases.
import {
  createGitSandbox,
  runBundle,
  startGitHubStandIn,
  type BundleRun,
  type GitHubStandIn,
  type GitSandbox,
} from '@hotfix-actions/testkit';

export const OWNER = 'acme';
export const REPO = 'shop';

/** A sandbox with tags v1.3.0, v1.4.0, v1.5.0 and v1.5.1 on main, each with its own app.txt. */
export async function taggedRepo(): Promise<{ sandbox: GitSandbox; shas: Record<string, string> }> {
  const sandbox = await createGitSandbox();
  const shas: Record<string, string> = {};
  for (const version of ['1.3.0', '1.4.0', '1.5.0', '1.5.1']) {
    shas[`v${version}`] = await sandbox.commit({ 'app.txt': `${version}\n` }, `release ${version}`);
    await sandbox.tag(`v${version}`, { message: `Release v${version}` });
  }
  await sandbox.push();
  return { sandbox, shas };
}

/** Starts the stand-in on the sandbox's origin. */
export function standIn(sandbox: GitSandbox): Promise<GitHubStandIn> {
  return startGitHubStandIn({ owner: OWNER, repo: REPO, gitDir: sandbox.origin });
}

async function call(api: GitHubStandIn, method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${api.url}/repos/${OWNER}/${REPO}${path}`, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/vnd.github+json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Options of {@link seedDeployment}. */
export interface SeedDeploymentOptions {
  environment?: string;
  task?: string;
  payload?: Record<string, unknown>;
}

/**
 * Creates a deployment of `ref` through the API, as a deploy job of the user's would, with these
 * statuses in order (e.g. `['in_progress', 'success']`). Returns its id.
 */
export async function seedDeployment(
  api: GitHubStandIn,
  ref: string,
  states: string[],
  options: SeedDeploymentOptions = {},
): Promise<number> {
  const deployment = await call(api, 'POST', '/deployments', {
    ref,
    environment: options.environment ?? 'production',
    task: options.task ?? 'deploy',
    auto_merge: false,
    required_contexts: [],
    ...(options.payload ? { payload: options.payload } : {}),
  });
  const id = deployment.id as number;
  for (const state of states) await call(api, 'POST', `/deployments/${id}/statuses`, { state });
  return id;
}

/** The states of a deployment, oldest first, from the stand-in's records. */
export function statesOf(api: GitHubStandIn, id: number): string[] {
  return api.state.deployments.find((one) => one.id === id)?.statuses.map((status) => status.state) ?? [];
}

/** Options of the phase runners. */
export interface PhaseOptions {
  workspace?: string;
  ref?: string;
  env?: Record<string, string>;
}

/** Runs the plan phase of the bundle as the composite's plan step does. */
export function runPlan(
  api: GitHubStandIn,
  inputs: Record<string, string>,
  options: PhaseOptions = {},
): Promise<BundleRun> {
  return runBundle({
    bundle: 'rollback',
    inputs: { 'deploy-command': './deploy.sh', ...inputs },
    repository: `${OWNER}/${REPO}`,
    ...(options.workspace ? { workspace: options.workspace } : {}),
    ...(options.ref ? { ref: options.ref } : {}),
    env: { ...api.env(), ROLLBACK_PHASE: 'plan', ...options.env },
  });
}

/** Runs the finish phase after a plan, with the deploy (and health) step outcomes the composite would pass. */
export function runFinish(
  api: GitHubStandIn,
  plan: BundleRun,
  outcomes: { deploy?: string; health?: string; ticket?: string } = {},
  inputs: Record<string, string> = {},
): Promise<BundleRun> {
  return runBundle({
    bundle: 'rollback',
    inputs,
    repository: `${OWNER}/${REPO}`,
    env: {
      ...api.env(),
      ROLLBACK_PHASE: 'finish',
      ROLLBACK_PLAN: plan.outputs.plan ?? '',
      ROLLBACK_DEPLOY_OUTCOME: outcomes.deploy ?? (plan.outputs.action === 'deploy' ? 'success' : ''),
      ROLLBACK_HEALTH_OUTCOME: outcomes.health ?? '',
      ROLLBACK_REGRESSION_TICKET: outcomes.ticket ?? '',
    },
  });
}
