// Shared set-up of the beads-sync runner-contract tests: a bare origin seeded once with the real
// Beads fixture, copied per test, and the committed bundle run against a clone of it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  beadsLineDiff,
  createGitSandbox,
  gitShowBytes,
  readBeadsFixture,
  runBundle,
  seedBeadsRepo,
  type BeadsLineDiff,
  type BundleRun,
  type GitSandbox,
  type RunBundleOptions,
  type SeedBeadsOptions,
} from '@hotfix-actions/testkit';

export const TRACKER = '.beads/issues.jsonl';
const BUNDLE = fileURLToPath(new URL('../../../dist/beads-sync/index.js', import.meta.url));

/** Fails with the command to run when the bundle has not been built. */
export function requireBundle(): void {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run bundle -- beads-sync\` first.`);
}

/** The fixture's bytes (throws a clear message when the fixture is missing). */
export function fixtureIssues(): Buffer {
  return readBeadsFixture().issues;
}

/** A sandbox whose origin's main carries the fixture; seed once, copy per test. */
export async function seededTemplate(options: SeedBeadsOptions = {}): Promise<GitSandbox> {
  requireBundle();
  const sandbox = await createGitSandbox();
  await seedBeadsRepo(sandbox, options);
  return sandbox;
}

/** Options of {@link runSync}. */
export interface SyncRun extends Omit<RunBundleOptions, 'bundle' | 'workspace'> {
  workspace: string;
}

/** Runs the committed bundle as the runner would, in `workspace`. */
export function runSync(options: SyncRun): Promise<BundleRun> {
  return runBundle({ bundle: 'beads-sync', ...options });
}

/** The tracker file on a branch of the origin. */
export function remoteTracker(sandbox: GitSandbox, branch: string): Promise<Buffer> {
  return gitShowBytes(sandbox.origin, `refs/heads/${branch}`, TRACKER);
}

/** The commits on a branch of the origin (0 when the branch does not exist). */
export async function commitCount(sandbox: GitSandbox, branch: string): Promise<number> {
  try {
    return Number(await sandbox.git(['rev-list', '--count', `refs/heads/${branch}`], sandbox.origin));
  } catch {
    return 0;
  }
}

/** The SHA a branch of the origin points at, or undefined. */
export async function remoteHead(sandbox: GitSandbox, branch: string): Promise<string | undefined> {
  try {
    return await sandbox.git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], sandbox.origin);
  } catch {
    return undefined;
  }
}

/** Asserts nothing of a diff here; returns it with the one changed line's parsed records for convenience. */
export function oneLineChange(
  before: Buffer,
  after: Buffer,
): {
  diff: BeadsLineDiff;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
} {
  const diff = beadsLineDiff(before, after);
  const change = diff.changed[0];
  return {
    diff,
    before: change ? (JSON.parse(change.before) as Record<string, unknown>) : {},
    after: change ? (JSON.parse(change.after) as Record<string, unknown>) : {},
  };
}

/** A one-line summary of a failed run, for assertion messages. */
export function explain(run: BundleRun): string {
  return `exit ${run.exitCode}\n--- annotations\n${JSON.stringify(run.annotations, null, 2)}\n--- stdout\n${run.stdout.slice(-3000)}\n--- stderr\n${run.stderr.slice(-2000)}`;
}

/** The event payload of a branch being created. */
export function createEvent(branch: string): object {
  return { ref: branch, ref_type: 'branch', master_branch: 'main', repository: { default_branch: 'main' } };
}

/** The event payload of a pull request being closed (merged or not). */
export function pullRequestClosedEvent(options: {
  head: string;
  title: string;
  body?: string;
  merged?: boolean;
}): object {
  return {
    action: 'closed',
    number: 12,
    pull_request: {
      number: 12,
      merged: options.merged ?? true,
      title: options.title,
      body: options.body ?? null,
      head: { ref: options.head },
      base: { ref: 'main' },
    },
    repository: { default_branch: 'main' },
  };
}

/** The event payload of a deployment status. */
export function deploymentStatusEvent(options: { environment: string; state?: string; ref?: string }): object {
  return {
    deployment_status: { state: options.state ?? 'success', environment: options.environment },
    deployment: { ref: options.ref ?? 'v2.1.4', environment: options.environment, description: null, payload: {} },
    repository: { default_branch: 'main' },
  };
}
