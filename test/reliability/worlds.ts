// The repositories, stand-ins and services the campaign runs every action against. Each repository
// is built once per process (a template) and copied for every world, which is much faster than
// building it again; each world gets its own GitHub API stand-in, so its request log is its own.
import {
  createGitSandbox,
  runBundle,
  seedBeadsRepo,
  startCanaryService,
  startGitHubStandIn,
  startHttpReceiver,
  type BundleRun,
  type CanaryService,
  type GitHubStandIn,
  type GitSandbox,
  type HttpReceiver,
  type RunBundleOptions,
  type StandInPermission,
} from '@hotfix-actions/testkit';
import { OWNER, REPO, refsOf } from './support.js';

/** What a world holds: the origin, the stand-in over it, and the services an action talks to. */
export interface Stage {
  sandbox?: GitSandbox;
  api?: GitHubStandIn;
  receiver?: HttpReceiver;
  canary?: CanaryService;
  /** Where the action's API requests go instead of the stand-in (a fault proxy in front of it). */
  apiUrl?: string;
}

/** The runner environment that points a run at the stage's API (or at the proxy in front of it). */
function apiEnv(stage: Stage & { api: GitHubStandIn }): Record<string, string> {
  return { ...stage.api.env(), ...(stage.apiUrl ? { GITHUB_API_URL: stage.apiUrl } : {}) };
}

/** Everything a run could have changed, counted. */
export interface Footprint {
  /** Requests to the stand-in other than GET/HEAD. */
  apiWrites: number;
  /** Those requests by operationId. */
  writesByOperation: Map<string, number>;
  /** The origin's refs (see refsOf), '' without a repository. */
  refs: string;
  /** Webhook deliveries received. */
  deliveries: number;
  /** Requests the canary service received. */
  probes: number;
}

/** Counts what a stage has seen so far. */
export async function footprintOf(stage: Stage): Promise<Footprint> {
  const writesByOperation = new Map<string, number>();
  for (const request of stage.api?.requests ?? []) {
    if (request.method === 'GET' || request.method === 'HEAD') continue;
    const key = request.operationId ?? `${request.method} ${request.path}`;
    writesByOperation.set(key, (writesByOperation.get(key) ?? 0) + 1);
  }
  return {
    apiWrites: stage.api?.mutations() ?? 0,
    writesByOperation,
    refs: stage.sandbox ? await refsOf(stage.sandbox.origin) : '',
    deliveries: stage.receiver?.requests.length ?? 0,
    probes: stage.canary?.requestCount() ?? 0,
  };
}

/** Write requests between two footprints, by operationId. */
export function writesBetween(before: Footprint, after: Footprint): Map<string, number> {
  const delta = new Map<string, number>();
  for (const [operation, count] of after.writesByOperation) {
    const added = count - (before.writesByOperation.get(operation) ?? 0);
    if (added > 0) delta.set(operation, added);
  }
  return delta;
}

/** Stops a stage's servers and removes its repository. */
export async function closeStage(stage: Stage): Promise<void> {
  await Promise.all([stage.api?.close(), stage.receiver?.close(), stage.canary?.stop()]);
  await stage.sandbox?.cleanup();
}

const templates = new Map<string, Promise<unknown>>();

/** Builds a template once per process. */
function template<T>(key: string, build: () => Promise<T>): Promise<T> {
  let built = templates.get(key) as Promise<T> | undefined;
  if (!built) {
    built = build();
    templates.set(key, built);
  }
  return built;
}

/** Removes every template repository (call once, after the campaign). */
export async function cleanupTemplates(): Promise<void> {
  const all = await Promise.allSettled([...templates.values()]);
  templates.clear();
  await Promise.all(
    all.map((result) => {
      if (result.status !== 'fulfilled') return undefined;
      const value = result.value as { sandbox?: GitSandbox };
      return value.sandbox?.cleanup();
    }),
  );
}

/** Sends one request to a stand-in as a person or another job would, failing loudly. */
export async function callApi(api: GitHubStandIn, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${api.url}/repos/${OWNER}/${REPO}${path}`, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/vnd.github+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

async function standIn(sandbox: GitSandbox, permissions?: Record<string, StandInPermission>): Promise<GitHubStandIn> {
  return startGitHubStandIn({
    owner: OWNER,
    repo: REPO,
    gitDir: sandbox.origin,
    ...(permissions ? { permissions } : {}),
    ...(permissions ? { teams: { 'release-leads': { dave: 'member' } } } : {}),
  });
}

/** True when `ancestor` is in the history of `ref` on the origin. */
export async function originContains(sandbox: GitSandbox, ancestor: string, ref: string): Promise<boolean> {
  try {
    await sandbox.git(['merge-base', '--is-ancestor', ancestor, ref], sandbox.origin);
    return true;
  } catch {
    return false;
  }
}

/** The commit a tag of the origin points at (peeled), or undefined. */
export async function originTagCommit(sandbox: GitSandbox, tag: string): Promise<string | undefined> {
  try {
    return await sandbox.git(['rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`], sandbox.origin);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------
// version-bump: release/v1.2 (v1.2.3) next to main (v1.3.0), and a hotfix merged into release/v1.2.

/** The hotfix commit's message (names a Beads ticket). */
export const HOTFIX_MESSAGE = 'hotfix(bd-a1b2): fix login\n\nResolves bd-a1b2';

interface VersionTemplate {
  sandbox: GitSandbox;
  hotfix: string;
}

function versionTemplate(): Promise<VersionTemplate> {
  return template('version-bump', async () => {
    const sandbox = await createGitSandbox();
    await sandbox.commit({ 'app.txt': 'v1.2.0\n' }, 'feat: 1.2 work');
    await sandbox.createBranch('release/v1.2');
    await sandbox.commit({ 'app.txt': 'v1.2.3\n' }, 'fix: 1.2.3', { branch: 'release/v1.2' });
    await sandbox.tag('v1.2.3', { ref: 'release/v1.2', message: 'Release v1.2.3' });
    await sandbox.commit({ 'app.txt': 'v1.3.0\n' }, 'feat: 1.3', { branch: 'main' });
    await sandbox.tag('v1.3.0', { ref: 'main' });
    const hotfix = await sandbox.commit({ 'fix.txt': 'fixed\n' }, HOTFIX_MESSAGE, { branch: 'release/v1.2' });
    await sandbox.push();
    return { sandbox, hotfix };
  });
}

/** A version-bump world: the repository, its stand-in, and a fetch-depth 1 checkout for method git. */
export interface VersionWorld extends Stage {
  sandbox: GitSandbox;
  api: GitHubStandIn;
  hotfix: string;
  workspace: string;
  run(inputs: Record<string, string>, options?: { sha?: string; workspace?: string }): Promise<BundleRun>;
}

export async function versionWorld(): Promise<VersionWorld> {
  const base = await versionTemplate();
  const sandbox = await base.sandbox.copy();
  const api = await standIn(sandbox);
  const workspace = await sandbox.clone({ depth: 1, branch: 'release/v1.2', noTags: true });
  const world: VersionWorld = {
    sandbox,
    api,
    hotfix: base.hotfix,
    workspace,
    run: (inputs, options = {}) =>
      runBundle({
        bundle: 'version-bump',
        inputs,
        sha: options.sha ?? base.hotfix,
        ref: 'refs/heads/release/v1.2',
        workspace: options.workspace ?? workspace,
        eventName: 'push',
        env: apiEnv(world),
      }),
  };
  return world;
}

// ---------------------------------------------------------------------------------------------------
// backmerge-pr: release/v1.1, v1.2, v1.3 cut from main, and a hotfix on release/v1.2.

/** The targets a hotfix on release/v1.2 is forward-ported to, in order. */
export const BACKMERGE_TARGETS = ['release/v1.3', 'main'] as const;

function cascadeTemplate(): Promise<VersionTemplate> {
  return template('backmerge-pr', async () => {
    const sandbox = await createGitSandbox();
    await sandbox.commit({ 'app.txt': 'version=1.1\n', 'login.txt': 'login=old\n' }, 'feat: 1.1');
    await sandbox.createBranch('release/v1.1');
    await sandbox.commit({ 'app.txt': 'version=1.2\n' }, 'feat: 1.2');
    await sandbox.createBranch('release/v1.2');
    await sandbox.commit({ 'app.txt': 'version=1.3\n' }, 'feat: 1.3');
    await sandbox.createBranch('release/v1.3');
    await sandbox.commit({ 'trunk.txt': 'next\n' }, 'feat: trunk work');
    const hotfix = await sandbox.commit({ 'login.txt': 'login=fixed\n' }, HOTFIX_MESSAGE, { branch: 'release/v1.2' });
    await sandbox.push();
    return { sandbox, hotfix };
  });
}

/** The push of the hotfix, as GitHub describes it to the workflow. */
function pushEvent(branch: string, sha: string): object {
  return {
    ref: `refs/heads/${branch}`,
    after: sha,
    head_commit: { id: sha, message: HOTFIX_MESSAGE },
    commits: [{ id: sha, message: HOTFIX_MESSAGE }],
    repository: { full_name: `${OWNER}/${REPO}`, name: REPO, owner: { login: OWNER }, default_branch: 'main' },
  };
}

/** A backmerge-pr world: the cascade repository, its stand-in with labels, and a full checkout. */
export interface BackmergeWorld extends Stage {
  sandbox: GitSandbox;
  api: GitHubStandIn;
  hotfix: string;
  workspace: string;
  run(inputs: Record<string, string>): Promise<BundleRun>;
}

export async function backmergeWorld(): Promise<BackmergeWorld> {
  const base = await cascadeTemplate();
  const sandbox = await base.sandbox.copy();
  const api = await standIn(sandbox, { alice: 'write', bob: 'write' });
  // Labels with descriptions: labels GitHub makes on the fly have none, which GitHub's own
  // description of pulls/list does not allow.
  for (const name of ['backmerge', 'hotfix', 'backmerge-conflict']) {
    await callApi(api, 'POST', '/labels', { name, color: 'fbca04', description: `${name} pull requests` });
  }
  api.clearRequests();
  const workspace = await sandbox.clone({ branch: 'release/v1.2', identity: true });
  const world: BackmergeWorld = {
    sandbox,
    api,
    hotfix: base.hotfix,
    workspace,
    run: (inputs) =>
      runBundle({
        bundle: 'backmerge-pr',
        inputs,
        sha: base.hotfix,
        ref: 'refs/heads/release/v1.2',
        workspace,
        event: pushEvent('release/v1.2', base.hotfix),
        eventName: 'push',
        env: apiEnv(world),
      }),
  };
  return world;
}

/**
 * What is wrong with the back-merges of a world, or undefined when each target has exactly one open
 * pull request from its back-merge branch, and that branch holds the hotfix.
 */
export async function backmergeProblem(
  world: BackmergeWorld,
  strategy: 'merge' | 'cherry-pick' = 'merge',
): Promise<string | undefined> {
  for (const target of BACKMERGE_TARGETS) {
    const pulls = world.api.state.pulls.filter((pull) => pull.base === target);
    if (pulls.length !== 1) return `${pulls.length} pull requests into ${target}, expected 1`;
    const [pull] = pulls;
    if (pull!.state !== 'open') return `the pull request into ${target} is ${pull!.state}`;
    const holds =
      strategy === 'merge'
        ? await originContains(world.sandbox, world.hotfix, `refs/heads/${pull!.head}`)
        : await holdsCherryPick(world, `refs/heads/${pull!.head}`);
    if (!holds) return `${pull!.head} does not hold the hotfix`;
  }
  return undefined;
}

/** True when `ref` holds a `cherry-pick -x` of the hotfix. */
async function holdsCherryPick(world: BackmergeWorld, ref: string): Promise<boolean> {
  const found = await world.sandbox
    .git(
      ['log', '--format=%H', '--fixed-strings', `--grep=cherry picked from commit ${world.hotfix}`, ref],
      world.sandbox.origin,
    )
    .catch(() => '');
  return found !== '';
}

// ---------------------------------------------------------------------------------------------------
// rollback: v1.3.0, v1.4.0, v1.5.0 and v1.5.1 on main; production ran v1.3.0, v1.4.0 and v1.5.1.

interface RollbackTemplate {
  sandbox: GitSandbox;
  shas: Record<string, string>;
}

function rollbackTemplate(): Promise<RollbackTemplate> {
  return template('rollback', async () => {
    const sandbox = await createGitSandbox();
    const shas: Record<string, string> = {};
    for (const version of ['1.3.0', '1.4.0', '1.5.0', '1.5.1']) {
      shas[`v${version}`] = await sandbox.commit({ 'app.txt': `${version}\n` }, `release ${version}`);
      await sandbox.tag(`v${version}`, { message: `Release v${version}` });
    }
    await sandbox.push();
    return { sandbox, shas };
  });
}

/** Creates a deployment with these statuses through the API, as the user's deploy job would. */
export async function seedDeployment(api: GitHubStandIn, ref: string, states: string[]): Promise<number> {
  const deployment = (await callApi(api, 'POST', '/deployments', {
    ref,
    environment: 'production',
    task: 'deploy',
    auto_merge: false,
    required_contexts: [],
  })) as { id: number };
  for (const state of states) await callApi(api, 'POST', `/deployments/${deployment.id}/statuses`, { state });
  return deployment.id;
}

/** A rollback world: production runs a broken v1.5.1; v1.4.0 was the last version verified good. */
export interface RollbackWorld extends Stage {
  sandbox: GitSandbox;
  api: GitHubStandIn;
  shas: Record<string, string>;
  /** The failing deployment (v1.5.1). */
  failing: number;
  /** The plan phase, as the composite's plan step runs it. */
  plan(inputs: Record<string, string>): Promise<BundleRun>;
  /** The finish phase after `plan`, the deploy step having ended with `deploy` (default: success when it ran). */
  finish(plan: BundleRun, deploy?: string): Promise<BundleRun>;
}

export async function rollbackWorld(): Promise<RollbackWorld> {
  const base = await rollbackTemplate();
  const sandbox = await base.sandbox.copy();
  const api = await standIn(sandbox);
  await seedDeployment(api, 'v1.3.0', ['success']);
  await seedDeployment(api, 'v1.4.0', ['success']);
  const failing = await seedDeployment(api, 'v1.5.1', ['success']);
  api.clearRequests();
  const common = { bundle: 'rollback', repository: `${OWNER}/${REPO}` } satisfies Partial<RunBundleOptions>;
  const world: RollbackWorld = {
    sandbox,
    api,
    shas: base.shas,
    failing,
    plan: (inputs) =>
      runBundle({
        ...common,
        inputs: { 'deploy-command': './deploy.sh', ...inputs },
        env: { ...apiEnv(world), ROLLBACK_PHASE: 'plan' },
      }),
    finish: (plan, deploy) =>
      runBundle({
        ...common,
        inputs: {},
        env: {
          ...apiEnv(world),
          ROLLBACK_PHASE: 'finish',
          ROLLBACK_PLAN: plan.outputs.plan ?? '',
          ROLLBACK_DEPLOY_OUTCOME: deploy ?? (plan.outputs.action === 'deploy' ? 'success' : ''),
          ROLLBACK_HEALTH_OUTCOME: '',
          ROLLBACK_REGRESSION_TICKET: '',
        },
      }),
  };
  return world;
}

/** The deployments this action made (task `rollback`). */
export function rollbackDeployments(api: GitHubStandIn) {
  return api.state.deployments.filter((deployment) => deployment.task === 'rollback');
}

/**
 * What is wrong with a world after a rollback to v1.4.0, or undefined when the newest rollback
 * deployment is v1.4.0 at its commit with `expected` as its last status, no other rollback reached
 * that status, and no rollback deployment was left without any status (a create retried after its
 * answer was lost leaves one behind).
 */
export function rollbackProblem(world: RollbackWorld, expected: string): string | undefined {
  const made = rollbackDeployments(world.api);
  const orphans = made.filter((deployment) => deployment.statuses.length === 0);
  if (orphans.length > 0) {
    return `${made.length} rollback deployments, ${orphans.length} of them without any status (ids ${orphans.map((d) => d.id).join(', ')})`;
  }
  const newest = made.at(-1);
  if (newest === undefined) return 'no rollback deployment';
  if (newest.ref !== 'v1.4.0' || newest.sha !== world.shas['v1.4.0']) {
    return `the rollback deployed ${newest.ref} (${newest.sha}), expected v1.4.0`;
  }
  const last = newest.statuses.at(-1)?.state;
  if (last !== expected) return `the rollback deployment's last status is ${last}, expected ${expected}`;
  const reached = made.filter((deployment) => deployment.statuses.at(-1)?.state === expected);
  if (reached.length !== 1) return `${reached.length} rollback deployments end ${expected}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// hotfix-plan: main has unreleased work after v1.3.0; release/v1.2 and release/v1.3 exist.

function planTemplate(): Promise<{ sandbox: GitSandbox }> {
  return template('hotfix-plan', async () => {
    const sandbox = await createGitSandbox();
    await sandbox.commit({ 'src/app.js': 'checkout\n' }, 'feat: checkout', { branch: 'main' });
    await sandbox.createBranch('release/v1.2');
    await sandbox.tag('v1.2.0', { ref: 'release/v1.2', message: 'Release v1.2.0' });
    await sandbox.commit({ 'src/app.js': 'checkout\nsearch\n' }, 'feat: search', { branch: 'main' });
    await sandbox.createBranch('release/v1.3');
    await sandbox.tag('v1.3.0', { ref: 'main' });
    await sandbox.commit({ 'src/pay.js': 'new payment page\n' }, 'feat: new payment page', { branch: 'main' });
    await sandbox.push();
    return { sandbox };
  });
}

/** A hotfix-plan world (the action only reads: a copy is still made so that nothing is shared). */
export interface PlanWorld extends Stage {
  sandbox: GitSandbox;
  api: GitHubStandIn;
  run(inputs: Record<string, string>): Promise<BundleRun>;
}

export async function planWorld(): Promise<PlanWorld> {
  const base = await planTemplate();
  const sandbox = await base.sandbox.copy();
  const api = await standIn(sandbox);
  const world: PlanWorld = {
    sandbox,
    api,
    run: (inputs) => runBundle({ bundle: 'hotfix-plan', inputs, ref: 'refs/heads/main', env: apiEnv(world) }),
  };
  return world;
}

/** The outputs of hotfix-plan that state its decision. */
export const PLAN_OUTPUTS = [
  'approach',
  'base-branch',
  'hotfix-branch',
  'targets',
  'release-branch',
  'latest-release-tag',
  'trunk-has-unreleased',
] as const;

// ---------------------------------------------------------------------------------------------------
// break-glass: one commit, an audit issue #1, and people with various roles.

function breakGlassTemplate(): Promise<{ sandbox: GitSandbox }> {
  return template('break-glass', async () => {
    const sandbox = await createGitSandbox();
    await sandbox.commit({ 'app.txt': 'v1.2.3\n' }, 'feat: app', { push: true });
    return { sandbox };
  });
}

/** A break-glass world: audit issue #1, alice admin, bob write, carol read, dave maintain (team release-leads). */
export interface BreakGlassWorld extends Stage {
  sandbox: GitSandbox;
  api: GitHubStandIn;
  sha: string;
  workspace: string;
  run(inputs: Record<string, string>, actor?: string): Promise<BundleRun>;
}

export async function breakGlassWorld(): Promise<BreakGlassWorld> {
  const base = await breakGlassTemplate();
  const sandbox = await base.sandbox.copy();
  const api = await standIn(sandbox, { alice: 'admin', bob: 'write', carol: 'read', dave: 'maintain' });
  await callApi(api, 'POST', '/issues', { title: 'Break-glass audit log' });
  api.clearRequests();
  const sha = await sandbox.revParse('main');
  const workspace = await sandbox.clone();
  const world: BreakGlassWorld = {
    sandbox,
    api,
    sha,
    workspace,
    run: (inputs, actor = 'alice') =>
      runBundle({
        bundle: 'break-glass',
        inputs,
        actor,
        sha,
        repository: `${OWNER}/${REPO}`,
        workspace,
        env: apiEnv(world),
      }),
  };
  return world;
}

/** The operations by which break-glass writes its audit record: every attempt writes one, by design. */
export const AUDIT_OPERATIONS = new Set([
  'issues/create-comment',
  'repos/create-or-update-file-contents',
  // The audit branch is created on the first record.
  'git/create-ref',
]);

/** The break-glass audit records in the comments of issue #1, oldest first. */
export function auditComments(api: GitHubStandIn): { decision: string; incident_id: string | null }[] {
  return api.state.comments
    .filter((c) => c.issueNumber === 1 && c.body.startsWith('<!-- hotfix-actions:break-glass-audit -->'))
    .map((c) => JSON.parse(/```json\n(.*)\n```/.exec(c.body)?.[1] ?? '{}') as { decision: string; incident_id: null });
}

/** The JSONL audit lines on a branch of the origin ([] when it does not exist). */
export async function auditLines(
  sandbox: GitSandbox,
  branch = 'audit',
  path = 'audit/break-glass.jsonl',
): Promise<{ decision: string; incident_id: string | null }[]> {
  let text: string;
  try {
    text = await sandbox.git(['show', `refs/heads/${branch}:${path}`], sandbox.origin);
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { decision: string; incident_id: string | null });
}

// ---------------------------------------------------------------------------------------------------
// beads-sync: the beads project's own tracker (2,536 issues) on main, sync branch beads-sync.

function beadsTemplate(): Promise<{ sandbox: GitSandbox }> {
  return template('beads-sync', async () => {
    const sandbox = await createGitSandbox();
    await seedBeadsRepo(sandbox);
    return { sandbox };
  });
}

/** A beads-sync world: a copy of the seeded repository (clone it for each job). */
export interface BeadsWorld extends Stage {
  sandbox: GitSandbox;
  run(workspace: string, inputs: Record<string, string>): Promise<BundleRun>;
}

export async function beadsWorld(): Promise<BeadsWorld> {
  const base = await beadsTemplate();
  const sandbox = await base.sandbox.copy();
  return {
    sandbox,
    run: (workspace, inputs) => runBundle({ bundle: 'beads-sync', workspace, inputs }),
  };
}

/** The tracker file. */
export const TRACKER = '.beads/issues.jsonl';

// ---------------------------------------------------------------------------------------------------
// notify: a webhook receiver and the stand-in with an issue to comment on.

/** A notify world: deliveries go to `receiver`, comments to issue #1 of the stand-in. */
export interface NotifyWorld extends Stage {
  sandbox: GitSandbox;
  api: GitHubStandIn;
  receiver: HttpReceiver;
  run(inputs: Record<string, string>): Promise<BundleRun>;
}

export async function notifyWorld(): Promise<NotifyWorld> {
  const base = await breakGlassTemplate();
  const sandbox = await base.sandbox.copy();
  const api = await standIn(sandbox);
  await callApi(api, 'POST', '/issues', { title: 'Hotfix bd-a1b2' });
  api.clearRequests();
  const receiver = await startHttpReceiver();
  const world: NotifyWorld = {
    sandbox,
    api,
    receiver,
    run: (inputs) => runBundle({ bundle: 'notify', inputs, repository: `${OWNER}/${REPO}`, env: apiEnv(world) }),
  };
  return world;
}

// ---------------------------------------------------------------------------------------------------
// canary-gate: a healthy canary service (no errors), and a stand-in that must hear nothing.

/** A canary-gate world. */
export interface CanaryWorld extends Stage {
  api: GitHubStandIn;
  canary: CanaryService;
  sandbox: GitSandbox;
  run(inputs: Record<string, string>): Promise<BundleRun>;
}

export async function canaryWorld(): Promise<CanaryWorld> {
  const base = await breakGlassTemplate();
  const sandbox = await base.sandbox.copy();
  const api = await standIn(sandbox);
  const canary = await startCanaryService({ mode: 'healthy', errorRate: 0, seed: 7 });
  const world: CanaryWorld = {
    sandbox,
    api,
    canary,
    run: (inputs) => runBundle({ bundle: 'canary-gate', inputs, env: apiEnv(world), timeoutMs: 60_000 }),
  };
  return world;
}

/** Fast inputs of a healthy canary check: a few requests, no waiting between rounds. */
export function quickGate(canary: CanaryService): Record<string, string> {
  return {
    'canary-url': canary.healthUrl,
    analysis: 'threshold',
    interval: '0s',
    'requests-per-interval': '3',
    'consecutive-successes': '2',
    duration: '20s',
    timeout: '2s',
  };
}
