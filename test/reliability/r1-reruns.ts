// R1: every action run twice on the same state. The second run is what "Re-run jobs" does after a
// job that succeeded (or whose success was not seen): it must find the work done and change nothing.
//
// "Same state" per action:
// - version-bump, backmerge-pr, rollback, beads-sync: the repository and the API as the first run
//   left them, and a fresh checkout of the same commit, as a re-run job gets.
// - hotfix-plan, canary-gate: read-only; the re-run must also reach the same decision.
// - break-glass: every attempt is audited by design (the audit trail is the point of the action), so
//   each run writes exactly one audit record to each audit target; anything beyond that counts as extra.
// - notify: a notification is an event, not a state: a re-run reports again (one delivery per channel
//   per run, by design, as with any notifier); anything beyond that counts as extra.
import type { BundleRun } from '@hotfix-actions/testkit';
import {
  AUDIT_OPERATIONS,
  PLAN_OUTPUTS,
  auditComments,
  auditLines,
  backmergeProblem,
  backmergeWorld,
  beadsWorld,
  breakGlassWorld,
  canaryWorld,
  closeStage,
  footprintOf,
  notifyWorld,
  originTagCommit,
  planWorld,
  quickGate,
  rollbackProblem,
  rollbackWorld,
  versionWorld,
  writesBetween,
  type Footprint,
  type Stage,
} from './worlds.js';
import { changedRefs, explain } from './support.js';

/** What a re-run changed beyond what the action's design expects of a second run. */
export interface RerunResult {
  action: string;
  /** Write requests to the API beyond the expected ones. */
  extraWrites: number;
  /** Refs of the origin created, moved or deleted beyond the expected ones. */
  extraPushes: number;
  /** Writes the design expects of every run (break-glass audit records, notify deliveries). */
  expectedWrites: number;
  /** Wrong answers: a first run that did not do its work, a re-run that did not see it done. */
  problems: string[];
  /** What the second run reported, in a few words. */
  secondOutcome: string;
}

interface Scenario {
  action: string;
  stage: Stage;
  first(): Promise<BundleRun | BundleRun[]>;
  second(): Promise<BundleRun | BundleRun[]>;
  /** Problems with the first run's result; the state after it. */
  checkFirst(runs: BundleRun[]): Promise<string[]>;
  /** Problems with the re-run's answer. */
  checkSecond(runs: BundleRun[], first: BundleRun[]): Promise<string[]>;
  /** Writes (by operationId) and refs a second run is expected to make: the rest is extra. */
  expected?: { operations?: ReadonlySet<string>; writesPerRun?: number; refs?: ReadonlySet<string> };
  /** Deliveries a second run is expected to make (notify). */
  expectedDeliveries?: number;
  outcome(runs: BundleRun[]): string;
}

const list = (runs: BundleRun | BundleRun[]) => (Array.isArray(runs) ? runs : [runs]);

function exitProblems(runs: BundleRun[], label: string): string[] {
  return runs.filter((run) => run.exitCode !== 0).map((run) => `${label}: ${explain(run)}`);
}

async function versionBumpScenario(): Promise<Scenario> {
  const world = await versionWorld();
  const inputs = { 'create-release': 'true' };
  return {
    action: 'version-bump',
    stage: world,
    first: () => world.run(inputs),
    second: () => world.run(inputs),
    async checkFirst([run]) {
      const problems = exitProblems([run!], 'first run');
      if (run!.outputs.tag !== 'v1.2.4') problems.push(`first run tagged ${run!.outputs.tag}, expected v1.2.4`);
      if ((await originTagCommit(world.sandbox, 'v1.2.4')) !== world.hotfix)
        problems.push('v1.2.4 is not on the hotfix');
      if (world.api.state.releases.length !== 1) problems.push(`${world.api.state.releases.length} releases`);
      return problems;
    },
    async checkSecond([run]) {
      const problems = exitProblems([run!], 're-run');
      if (run!.outputs.outcome !== 'exists' || run!.outputs.tag !== 'v1.2.4') {
        problems.push(`re-run answered ${run!.outputs.outcome} ${run!.outputs.tag}, expected exists v1.2.4`);
      }
      if (world.api.state.releases.length !== 1)
        problems.push(`${world.api.state.releases.length} releases after re-run`);
      return problems;
    },
    outcome: ([run]) => `${run!.outputs.outcome} ${run!.outputs.tag}`,
  };
}

async function versionBumpGitScenario(): Promise<Scenario> {
  const world = await versionWorld();
  const inputs = { method: 'git', token: '' };
  // A re-run job gets a fresh fetch-depth 1 checkout of the same commit.
  const fresh = () => world.sandbox.clone({ depth: 1, branch: 'release/v1.2', noTags: true });
  return {
    action: 'version-bump (method git)',
    stage: world,
    first: async () => world.run(inputs, { workspace: await fresh() }),
    second: async () => world.run(inputs, { workspace: await fresh() }),
    async checkFirst([run]) {
      const problems = exitProblems([run!], 'first run');
      if ((await originTagCommit(world.sandbox, 'v1.2.4')) !== world.hotfix)
        problems.push('v1.2.4 is not on the hotfix');
      return problems;
    },
    async checkSecond([run]) {
      const problems = exitProblems([run!], 're-run');
      if (run!.outputs.outcome !== 'exists') problems.push(`re-run answered ${run!.outputs.outcome}, expected exists`);
      return problems;
    },
    outcome: ([run]) => `${run!.outputs.outcome} ${run!.outputs.tag}`,
  };
}

async function backmergeScenario(strategy: 'merge' | 'cherry-pick'): Promise<Scenario> {
  const world = await backmergeWorld();
  const inputs = {
    labels: 'backmerge, hotfix',
    reviewers: 'alice',
    ...(strategy === 'cherry-pick' ? { strategy, commits: world.hotfix } : {}),
  };
  return {
    action: strategy === 'merge' ? 'backmerge-pr' : 'backmerge-pr (cherry-pick)',
    stage: world,
    first: () => world.run(inputs),
    second: () => world.run(inputs),
    async checkFirst([run]) {
      const problems = exitProblems([run!], 'first run');
      const wrong = await backmergeProblem(world, strategy);
      if (wrong) problems.push(`after the first run: ${wrong}`);
      return problems;
    },
    async checkSecond([run]) {
      const problems = exitProblems([run!], 're-run');
      if (run!.outputs.created !== '0') problems.push(`re-run created ${run!.outputs.created} pull requests`);
      const wrong = await backmergeProblem(world, strategy);
      if (wrong) problems.push(`after the re-run: ${wrong}`);
      return problems;
    },
    outcome: ([run]) => {
      const results = JSON.parse(run!.outputs.results ?? '[]') as { status: string }[];
      return results.map((result) => result.status).join(', ');
    },
  };
}

async function rollbackScenario(): Promise<Scenario> {
  const world = await rollbackWorld();
  const both = async () => {
    const plan = await world.plan({});
    const finish = await world.finish(plan);
    return [plan, finish];
  };
  return {
    action: 'rollback (plan + finish)',
    stage: world,
    first: both,
    second: both,
    async checkFirst(runs) {
      const problems = exitProblems(runs, 'first run');
      const wrong = rollbackProblem(world, 'success');
      if (wrong) problems.push(`after the first run: ${wrong}`);
      return problems;
    },
    async checkSecond([plan, finish]) {
      const problems = exitProblems([plan!, finish!], 're-run');
      if (plan!.outputs.action !== 'already-there') problems.push(`re-run planned ${plan!.outputs.action}`);
      if (finish!.outputs.outcome !== 'already-there') problems.push(`re-run finished ${finish!.outputs.outcome}`);
      const wrong = rollbackProblem(world, 'success');
      if (wrong) problems.push(`after the re-run: ${wrong}`);
      return problems;
    },
    outcome: ([, finish]) => finish!.outputs.outcome ?? '',
  };
}

async function beadsScenario(transition: 'start' | 'create'): Promise<Scenario> {
  const world = await beadsWorld();
  const inputs: Record<string, string> =
    transition === 'start'
      ? { transition: 'start', ticket: 'bd-1slh' }
      : { transition: 'create', title: 'Hotfix regression: login fails for SSO users', type: 'bug', priority: '0' };
  const job = async () => world.run(await world.sandbox.clone(), inputs);
  return {
    action: transition === 'start' ? 'beads-sync' : 'beads-sync (create)',
    stage: world,
    first: job,
    second: job,
    async checkFirst([run]) {
      const problems = exitProblems([run!], 'first run');
      if (run!.outputs.changed !== 'true') problems.push(`first run changed=${run!.outputs.changed}`);
      return problems;
    },
    async checkSecond([run], [first]) {
      const problems = exitProblems([run!], 're-run');
      if (run!.outputs.changed !== 'false') problems.push(`re-run changed=${run!.outputs.changed}`);
      if (transition === 'create' && run!.outputs.created !== first!.outputs.created) {
        problems.push(`re-run reported ${run!.outputs.created}, the first run created ${first!.outputs.created}`);
      }
      return problems;
    },
    outcome: ([run]) => `changed=${run!.outputs.changed}`,
  };
}

async function planScenario(): Promise<Scenario> {
  const world = await planWorld();
  const inputs = { ticket: 'bd-a1b2', description: 'Fix login', severity: 'P1' };
  return {
    action: 'hotfix-plan',
    stage: world,
    first: () => world.run(inputs),
    second: () => world.run(inputs),
    checkFirst: async ([run]) => exitProblems([run!], 'first run'),
    async checkSecond([run], [first]) {
      const problems = exitProblems([run!], 're-run');
      for (const name of PLAN_OUTPUTS) {
        if (run!.outputs[name] !== first!.outputs[name]) {
          problems.push(`re-run's ${name} is ${run!.outputs[name]}, the first run's ${first!.outputs[name]}`);
        }
      }
      return problems;
    },
    outcome: ([run]) => `${run!.outputs.approach} from ${run!.outputs['base-branch']}`,
  };
}

async function breakGlassScenario(): Promise<Scenario> {
  const world = await breakGlassWorld();
  const inputs = {
    'incident-id': 'INC-1234',
    reason: 'Checkout down',
    'allowed-actors': 'alice',
    'audit-issue': '1',
    'audit-branch': 'audit',
  };
  const approved = (run: BundleRun) => (run.outputs.approved === 'true' ? [] : [`approved=${run.outputs.approved}`]);
  return {
    action: 'break-glass',
    stage: world,
    first: () => world.run(inputs),
    second: () => world.run(inputs),
    checkFirst: async ([run]) => [...exitProblems([run!], 'first run'), ...approved(run!)],
    async checkSecond([run]) {
      const problems = [...exitProblems([run!], 're-run'), ...approved(run!)];
      // One record per attempt, in each target: two attempts, two records.
      if (auditComments(world.api).length !== 2) problems.push(`${auditComments(world.api).length} audit comments`);
      const lines = await auditLines(world.sandbox);
      if (lines.length !== 2) problems.push(`${lines.length} audit lines`);
      return problems;
    },
    // The comment and the line on the audit branch (through the contents API, which moves the branch).
    expected: { operations: AUDIT_OPERATIONS, writesPerRun: 2, refs: new Set(['refs/heads/audit']) },
    outcome: ([run]) => `approved=${run!.outputs.approved}, audited again`,
  };
}

async function notifyScenario(): Promise<Scenario> {
  const world = await notifyWorld();
  const inputs = {
    event: 'post-deploy',
    status: 'success',
    ticket: 'bd-a1b2',
    version: '1.2.4',
    environment: 'production',
    'webhook-url': `${world.receiver.url}/hook`,
    'issue-number': '1',
  };
  const sent = (run: BundleRun) => (run.outputs.ok === 'true' ? [] : [`ok=${run.outputs.ok} ${run.outputs.sent}`]);
  return {
    action: 'notify',
    stage: world,
    first: () => world.run(inputs),
    second: () => world.run(inputs),
    checkFirst: async ([run]) => [...exitProblems([run!], 'first run'), ...sent(run!)],
    checkSecond: async ([run]) => [...exitProblems([run!], 're-run'), ...sent(run!)],
    expected: { operations: new Set(['issues/create-comment']), writesPerRun: 1 },
    expectedDeliveries: 1,
    outcome: () => 'notified again (by design)',
  };
}

async function canaryScenario(): Promise<Scenario> {
  const world = await canaryWorld();
  const inputs = quickGate(world.canary);
  return {
    action: 'canary-gate',
    stage: world,
    first: () => world.run(inputs),
    second: () => world.run(inputs),
    async checkFirst([run]) {
      const problems = exitProblems([run!], 'first run');
      if (run!.outputs.decision !== 'promote') problems.push(`decision ${run!.outputs.decision}`);
      return problems;
    },
    async checkSecond([run], [first]) {
      const problems = exitProblems([run!], 're-run');
      if (run!.outputs.decision !== first!.outputs.decision) problems.push(`re-run decided ${run!.outputs.decision}`);
      if (world.api.requests.length > 0) problems.push(`${world.api.requests.length} GitHub API requests`);
      return problems;
    },
    outcome: ([run]) => `${run!.outputs.decision}, 0 API requests`,
  };
}

/** Every scenario of R1, as factories (each builds its own world when called). */
export const RERUN_SCENARIOS: (() => Promise<Scenario>)[] = [
  versionBumpScenario,
  versionBumpGitScenario,
  () => backmergeScenario('merge'),
  () => backmergeScenario('cherry-pick'),
  () => beadsScenario('start'),
  () => beadsScenario('create'),
  rollbackScenario,
  planScenario,
  breakGlassScenario,
  notifyScenario,
  canaryScenario,
];

function extraOf(scenario: Scenario, before: Footprint, after: Footprint, runs: number) {
  const writes = writesBetween(before, after);
  let expectedWrites = 0;
  let extraWrites = 0;
  const budget = (scenario.expected?.writesPerRun ?? 0) * runs;
  for (const [operation, count] of writes) {
    if (scenario.expected?.operations?.has(operation)) expectedWrites += count;
    else extraWrites += count;
  }
  // Expected operations beyond the per-run budget are extra too.
  if (expectedWrites > budget) {
    extraWrites += expectedWrites - budget;
    expectedWrites = budget;
  }
  const deliveries = after.deliveries - before.deliveries;
  const expectedDeliveries = (scenario.expectedDeliveries ?? 0) * runs;
  extraWrites += Math.max(0, deliveries - expectedDeliveries);
  expectedWrites += Math.min(deliveries, expectedDeliveries);
  const refs = changedRefs(before.refs, after.refs).filter((ref) => !scenario.expected?.refs?.has(ref));
  return { extraWrites, expectedWrites, extraPushes: refs.length };
}

/** Runs one scenario: first run, checks, second run, checks, and what the second run changed. */
export async function runRerunScenario(factory: () => Promise<Scenario>): Promise<RerunResult> {
  const scenario = await factory();
  try {
    const first = list(await scenario.first());
    const problems = await scenario.checkFirst(first);
    const before = await footprintOf(scenario.stage);
    const second = list(await scenario.second());
    const after = await footprintOf(scenario.stage);
    problems.push(...(await scenario.checkSecond(second, first)));
    const extra = extraOf(scenario, before, after, 1);
    return { action: scenario.action, ...extra, problems, secondOutcome: scenario.outcome(second) };
  } finally {
    await closeStage(scenario.stage);
  }
}
