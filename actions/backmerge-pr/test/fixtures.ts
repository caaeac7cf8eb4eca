// Shared fixtures of the runner-contract tests: a sandbox repository with release lines, the GitHub
// API stand-in over its bare origin, and a runner for the committed bundle.
import { expect } from 'vitest';
import {
  assertNoViolations,
  createGitSandbox,
  runBundle,
  startGitHubStandIn,
  type BundleRun,
  type GitHubStandIn,
  type GitSandbox,
} from '@hotfix-actions/testkit';

/** A sandbox and the stand-in over its origin. */
export interface World {
  sandbox: GitSandbox;
  api: GitHubStandIn;
}

/** Starts a sandbox and the stand-in, with the repository's labels configured. */
export async function startWorld(options: { protectedBranches?: string[] } = {}): Promise<World> {
  const sandbox = await createGitSandbox();
  const api = await startGitHubStandIn({
    owner: 'acme',
    repo: 'shop',
    gitDir: sandbox.origin,
    permissions: { alice: 'write', bob: 'write' },
    ...(options.protectedBranches ? { protectedBranches: options.protectedBranches } : {}),
  });
  // Labels with descriptions: labels GitHub creates on the fly have none, which GitHub's own
  // description of pulls/list does not allow, so the stand-in would flag them.
  for (const name of ['backmerge', 'hotfix', 'backmerge-conflict']) {
    const response = await fetch(`${api.url}/repos/acme/shop/labels`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, color: 'fbca04', description: `${name} pull requests` }),
    });
    expect(response.status).toBe(201);
  }
  api.clearRequests();
  return { sandbox, api };
}

/** Checks the stand-in saw only requests GitHub accepts, then stops everything. */
export async function stopWorld(world: World): Promise<void> {
  try {
    assertNoViolations(world.api);
  } finally {
    await world.api.close();
    await world.sandbox.cleanup();
  }
}

/** The hotfix commit's message. */
export const HOTFIX_MESSAGE = 'hotfix(bd-a1b2): fix login\n\nResolves bd-a1b2';

/**
 * release/v1.1, release/v1.2 and release/v1.3 cut from main, main moved on, and a hotfix on
 * release/v1.2 (login.txt). With `conflictOn`, that branch changed login.txt on its own.
 */
export async function cascadeRepo(sandbox: GitSandbox, options: { conflictOn?: string } = {}): Promise<string> {
  await sandbox.commit({ 'app.txt': 'version=1.1\n', 'login.txt': 'login=old\n' }, 'feat: 1.1');
  await sandbox.createBranch('release/v1.1');
  await sandbox.commit({ 'app.txt': 'version=1.2\n' }, 'feat: 1.2');
  await sandbox.createBranch('release/v1.2');
  await sandbox.commit({ 'app.txt': 'version=1.3\n' }, 'feat: 1.3');
  await sandbox.createBranch('release/v1.3');
  await sandbox.commit({ 'trunk.txt': 'next\n' }, 'feat: trunk work');
  if (options.conflictOn) {
    await sandbox.commit({ 'login.txt': 'login=reworked\n' }, 'refactor: login', { branch: options.conflictOn });
  }
  const hotfix = await sandbox.commit({ 'login.txt': 'login=fixed\n' }, HOTFIX_MESSAGE, { branch: 'release/v1.2' });
  await sandbox.push();
  return hotfix;
}

/** The push of a commit, as GitHub describes it to the workflow. */
export function pushEvent(branch: string, sha: string, message = HOTFIX_MESSAGE): object {
  return {
    ref: `refs/heads/${branch}`,
    after: sha,
    head_commit: { id: sha, message },
    commits: [{ id: sha, message }],
    repository: { full_name: 'acme/shop', name: 'shop', owner: { login: 'acme' }, default_branch: 'main' },
  };
}

/** How a test runs the bundle. */
export interface RunOptions {
  sha: string;
  /** The run's branch (default release/v1.2). */
  ref?: string;
  workspace?: string;
  event?: object;
  eventName?: string;
  env?: Record<string, string>;
}

/** Runs dist/backmerge-pr/index.js as the runner would, against the stand-in. */
export function runBackmerge(world: World, inputs: Record<string, string>, options: RunOptions): Promise<BundleRun> {
  const branch = options.ref ?? 'release/v1.2';
  return runBundle({
    bundle: 'backmerge-pr',
    inputs,
    sha: options.sha,
    ref: branch.startsWith('refs/') ? branch : `refs/heads/${branch}`,
    ...(options.workspace ? { workspace: options.workspace } : {}),
    event: options.event ?? pushEvent(branch, options.sha),
    eventName: options.eventName ?? 'push',
    env: { ...world.api.env(), ...options.env },
  });
}

/** One entry of the `results` output. */
export interface ResultEntry {
  target: string;
  status: string;
  'pr-number': number | null;
  'pr-url': string | null;
  branch: string | null;
  files?: string[];
}

/** The `results` output, parsed. */
export function results(run: BundleRun): ResultEntry[] {
  return JSON.parse(run.outputs.results ?? '[]') as ResultEntry[];
}

/** True when `ancestor` is in the history of `branch` on the origin. */
export async function isAncestor(sandbox: GitSandbox, ancestor: string, branch: string): Promise<boolean> {
  try {
    await sandbox.git(['merge-base', '--is-ancestor', ancestor, `refs/heads/${branch}`], sandbox.origin);
    return true;
  } catch {
    return false;
  }
}
