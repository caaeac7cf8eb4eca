// R3: the API-using actions with 20 % of their requests answered by a fault (5xx, 429, secondary
// rate limit, connection reset, or a slow answer), seeded so every run can be replayed. Each run must
// either end correct (the end state is checked, not only the exit code) or fail with one clear error;
// a re-run without faults must then heal it: correct end state, nothing duplicated.
import type { BundleRun, GitHubStandIn, StandInFaultKind } from '@hotfix-actions/testkit';
import {
  PLAN_OUTPUTS,
  auditComments,
  auditLines,
  backmergeProblem,
  backmergeWorld,
  breakGlassWorld,
  closeStage,
  originTagCommit,
  planWorld,
  rollbackProblem,
  rollbackWorld,
  versionWorld,
  type Stage,
} from './worlds.js';
import { startFaultProxy, type FaultProxy } from '@hotfix-actions/testkit';
import { clearFailureProblem, explain } from './support.js';
import { seededPrng } from '@hotfix-actions/testkit';

/** The actions that talk to the GitHub API, in the order the runs are dealt out. */
export const FAULT_ACTIONS = ['version-bump', 'backmerge-pr', 'rollback', 'hotfix-plan', 'break-glass'] as const;
export type FaultAction = (typeof FAULT_ACTIONS)[number];

/** Every kind of fault the stand-in injects. */
export const FAULT_KINDS: StandInFaultKind[] = ['status', 'rate-limit', 'secondary-rate-limit', 'reset', 'latency'];

/** The share of requests faulted. */
export const FAULT_RATE = 0.2;

/**
 * How the faults are made: `random` (the stand-in faults a seeded 20 % of the requests), `lost-answer`
 * (one write is carried out but its answer never arrives, so the client retries a write that already
 * happened), `outage` (one endpoint answers 503 from some request on, outlasting every retry).
 */
export type FaultPlan = 'random' | 'lost-answer' | 'outage';

/** Writes (lost-answer) and requests (outage) a clean run of each action makes, roughly: where to aim. */
const SPAN: Record<FaultAction, { writes: number; requests: number }> = {
  'version-bump': { writes: 3, requests: 8 },
  'backmerge-pr': { writes: 8, requests: 11 },
  rollback: { writes: 3, requests: 9 },
  'hotfix-plan': { writes: 0, requests: 3 },
  'break-glass': { writes: 3, requests: 11 },
};

/** The actions a plan applies to (a read-only action has no write whose answer could be lost). */
export function actionsFor(plan: FaultPlan): readonly FaultAction[] {
  return plan === 'lost-answer' ? FAULT_ACTIONS.filter((action) => SPAN[action].writes > 0) : FAULT_ACTIONS;
}

/** How a run under faults ended, and whether the re-run healed it. */
export interface FaultOutcome {
  action: FaultAction;
  plan: FaultPlan;
  seed: number;
  /** `ok`: correct end state; `degraded`: a correct but more cautious answer, with a warning. */
  first: 'ok' | 'degraded' | 'failed-clearly' | 'failed-unclearly' | 'wrong';
  /** For runs that were not ok: whether a re-run without faults reached the correct end state. */
  healed?: boolean;
  /** Requests faulted (or answers lost) in the first run. */
  faults: number;
  /** Where the fault hit, for outages and lost answers. */
  where?: string;
  /** Requests of the first run. */
  requests: number;
  /** The error title of a failed run. */
  error?: string;
  problems: string[];
  /** Requests the stand-in found invalid (GitHub would refuse them). */
  violations: number;
}

interface Trial {
  stage: Stage & { api: GitHubStandIn };
  /** The action's run (for rollback: the plan phase). */
  run(): Promise<BundleRun>;
  /** What is wrong with the end state after a successful run, if anything. */
  check(run: BundleRun): Promise<string | undefined>;
  /** A correct answer that is more cautious than the reference, stated in a warning. */
  degraded?(run: BundleRun): boolean;
}

let planReference: Record<string, string> | undefined;

/** What hotfix-plan answers without faults (computed once). */
async function referencePlan(): Promise<Record<string, string>> {
  if (planReference) return planReference;
  const world = await planWorld();
  try {
    const run = await world.run(PLAN_INPUTS);
    if (run.exitCode !== 0) throw new Error(`hotfix-plan failed without faults:\n${explain(run)}`);
    planReference = Object.fromEntries(PLAN_OUTPUTS.map((name) => [name, run.outputs[name] ?? '']));
    return planReference;
  } finally {
    await closeStage(world);
  }
}

const PLAN_INPUTS = { ticket: 'bd-a1b2', description: 'Fix login', severity: 'P1' };

async function trialFor(action: FaultAction): Promise<Trial> {
  switch (action) {
    case 'version-bump': {
      const world = await versionWorld();
      return {
        stage: world,
        run: () => world.run({ 'create-release': 'true' }),
        async check(run) {
          if (run.outputs.tag !== 'v1.2.4') return `tagged ${run.outputs.tag}, expected v1.2.4`;
          if ((await originTagCommit(world.sandbox, 'v1.2.4')) !== world.hotfix) return 'v1.2.4 is not on the hotfix';
          const tags = (await world.sandbox.git(['tag', '--list', 'v1.2.*'], world.sandbox.origin)).split('\n');
          if (tags.length !== 2) return `tags of the line: ${tags.join(', ')} (expected v1.2.3, v1.2.4)`;
          const releases = world.api.state.releases;
          if (releases.length !== 1 || releases[0]!.tagName !== 'v1.2.4') return `${releases.length} releases`;
          return undefined;
        },
      };
    }
    case 'backmerge-pr': {
      const world = await backmergeWorld();
      return { stage: world, run: () => world.run({ labels: 'backmerge' }), check: () => backmergeProblem(world) };
    }
    case 'rollback': {
      const world = await rollbackWorld();
      return {
        stage: world,
        run: () => world.plan({}),
        async check(plan) {
          // A re-run after a rollback that went through finds it done.
          if (plan.outputs.action === 'already-there') return rollbackProblem(world, 'success');
          if (plan.outputs.action !== 'deploy') return `planned ${plan.outputs.action}, expected deploy`;
          const failing = world.api.state.deployments.find((d) => d.id === world.failing);
          if (failing?.statuses.at(-1)?.state !== 'failure') return 'the failing deployment was not marked failed';
          const planned = rollbackProblem(world, 'in_progress');
          // The composite's deploy step went well: finishing (without faults) records the success.
          const finish = await world.finish(plan);
          if (finish.exitCode !== 0) return `finish failed: ${explain(finish)}`;
          return planned ?? rollbackProblem(world, 'success');
        },
      };
    }
    case 'hotfix-plan': {
      const reference = await referencePlan();
      const world = await planWorld();
      return {
        stage: world,
        run: () => world.run(PLAN_INPUTS),
        async check(run) {
          const differs = PLAN_OUTPUTS.filter((name) => (run.outputs[name] ?? '') !== reference[name]);
          return differs.length === 0
            ? undefined
            : differs.map((name) => `${name}: ${run.outputs[name]} (expected ${reference[name]})`).join('; ');
        },
        // Q2 could not be computed: the plan takes the release-first path (safe whatever trunk holds) and says so.
        degraded: (run) =>
          run.outputs['trunk-has-unreleased'] === 'unknown' &&
          run.outputs.approach === 'release-first' &&
          run.annotations.some((a) => a.level === 'warning'),
      };
    }
    case 'break-glass': {
      const world = await breakGlassWorld();
      const inputs = {
        'incident-id': 'INC-1234',
        reason: 'Checkout down',
        'allowed-actors': 'alice',
        'audit-issue': '1',
        'audit-branch': 'audit',
      };
      return {
        stage: world,
        run: () => world.run(inputs),
        async check(run) {
          if (run.outputs.approved !== 'true') return `approved=${run.outputs.approved}`;
          const comment = auditComments(world.api).at(-1);
          if (comment?.decision !== 'allowed') return 'no allowed audit comment';
          const lines = await auditLines(world.sandbox);
          if (lines.at(-1)?.decision !== 'allowed') return 'no allowed audit line on the audit branch';
          // Every attempt writes its own record; the same record written twice is a duplicate.
          const comments = auditComments(world.api).map((record) => JSON.stringify(record));
          if (new Set(comments).size !== comments.length) return 'an audit comment was written twice';
          const written = lines.map((record) => JSON.stringify(record));
          if (new Set(written).size !== written.length) return 'an audit line was written twice';
          return undefined;
        },
      };
    }
  }
}

/** Runs `action` once under seeded faults, then (unless it was correct) once more without. */
export async function runUnderFaults(
  action: FaultAction,
  seed: number,
  plan: FaultPlan = 'random',
): Promise<FaultOutcome> {
  const trial = await trialFor(action);
  const { api } = trial.stage;
  let proxy: FaultProxy | undefined;
  try {
    const draw = seededPrng(seed);
    if (plan === 'random') {
      const statuses = [500, 502, 503, 504] as const;
      api.faults.random({
        rate: FAULT_RATE,
        seed,
        kinds: FAULT_KINDS,
        status: statuses[seed % statuses.length]!,
        retryAfter: 1,
        ms: 150,
      });
    } else {
      const span = SPAN[action];
      proxy = await startFaultProxy(
        api.url,
        plan === 'lost-answer'
          ? { kind: 'lost-answer', write: 1 + Math.floor(draw() * span.writes) }
          : { kind: 'outage', request: 1 + Math.floor(draw() * span.requests) },
      );
      trial.stage.apiUrl = proxy.url;
    }
    const first = await trial.run();
    const faults =
      plan === 'random'
        ? api.requests.filter((request) => request.fault).length
        : plan === 'lost-answer'
          ? proxy!.lost
          : proxy!.outaged;
    const requests = api.requests.length + (plan === 'outage' ? proxy!.outaged : 0);
    const where =
      plan === 'lost-answer'
        ? api.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD')[(proxyWrite(proxy) ?? 1) - 1]
            ?.operationId
        : proxy?.endpoint;
    api.faults.clear();
    delete trial.stage.apiUrl;

    const outcome: FaultOutcome = {
      action,
      plan,
      seed,
      first: 'ok',
      faults,
      ...(where ? { where } : {}),
      requests,
      problems: [],
      violations: 0,
    };
    if (first.exitCode === 0) {
      const wrong = await trial.check(first);
      if (wrong !== undefined) {
        if (trial.degraded?.(first)) outcome.first = 'degraded';
        else {
          outcome.first = 'wrong';
          outcome.problems.push(`exit 0 but ${wrong}`);
        }
      }
    } else {
      const unclear = clearFailureProblem(first);
      outcome.first = unclear === undefined ? 'failed-clearly' : 'failed-unclearly';
      outcome.error = first.annotations.find((a) => a.level === 'error')?.title ?? '';
      if (unclear !== undefined) outcome.problems.push(`unclear failure: ${unclear}\n${explain(first)}`);
    }

    if (outcome.first !== 'ok') {
      const again = await trial.run();
      const wrong = again.exitCode === 0 ? await trial.check(again) : `exit ${again.exitCode}: ${explain(again)}`;
      outcome.healed = wrong === undefined;
      if (wrong !== undefined) outcome.problems.push(`re-run without faults: ${wrong}`);
    }
    outcome.violations = api.violations.length;
    for (const violation of api.violations) outcome.problems.push(`stand-in violation: ${violation.message}`);
    return outcome;
  } finally {
    await proxy?.close();
    await closeStage(trial.stage);
  }
}

/** The write whose answer the proxy drops, when that is its mode. */
function proxyWrite(proxy: FaultProxy | undefined): number | undefined {
  return proxy?.mode.kind === 'lost-answer' ? proxy.mode.write : undefined;
}
