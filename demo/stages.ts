// The stages of a hotfix, each one function: it does what the pipeline (or the engineer) does at that
// point — mostly running one committed action bundle the way the runner would — and returns the
// decision and figures for the timeline. Scenarios (scenarios.ts) put them in order.
import { spawn } from 'node:child_process';
import type { BundleRun } from '@hotfix-actions/testkit';
import { runComposite } from '@hotfix-actions/testkit';
import { DEMO_RELEASE_BRANCH } from './repository.js';
import type { DemoScenario, StageOutcome } from './timeline.js';
import { describeFailure, type DemoWorld } from './world.js';

/** What one hotfix has gathered so far, stage by stage. */
export interface HotfixState {
  scenario: Exclude<DemoScenario, 'setup'>;
  /** The Beads ticket the hotfix resolves. */
  ticket: string;
  /** `hotfix/<ticket>-<slug>`. */
  branch: string;
  /** The pull request into the release branch, once opened. */
  pull?: number;
  /** The merge commit on the release branch. */
  mergeSha?: string;
  version?: string;
  tag?: string;
  previousTag?: string;
  /** version-bump's `context` output, handed to later actions. */
  context?: string;
  stagingDeployment?: number;
  productionDeployment?: number;
  /** canary-gate's decision and parsed report. */
  canary?: { decision: string; report: CanaryReport | undefined; explanation: string };
}

/** The parts of canary-gate's `report` output the demo draws. */
export interface CanaryReport {
  decision: string;
  elapsedMs: number;
  sources: {
    kind: string;
    analysis: string;
    samples: number;
    errors: number;
    llr?: number;
    boundaries?: { abort: number; promote: number };
    batches: { index: number; atMs: number; samples: number; errors: number; llr?: number; status: string }[];
  }[];
}

function fail(what: string, run: BundleRun): never {
  throw new Error(`${what} failed (${describeFailure(run)})`);
}

function parseJson<T>(text: string | undefined): T | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

interface TicketChange {
  id: string;
  title: string;
  before: string | null;
  after: string | null;
  changed: boolean;
}

/** Runs a program, resolving with its exit code and output (the demo's own `npm test`). */
function runProgram(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Creates the hotfix branch from the release branch and pushes it (the `create` event follows). */
export async function createHotfixBranch(world: DemoWorld, hotfix: HotfixState): Promise<StageOutcome> {
  await world.git(['fetch', '--quiet', 'origin']);
  await world.git(['checkout', '--quiet', '-B', hotfix.branch, `origin/${DEMO_RELEASE_BRANCH}`]);
  await world.git(['push', '--quiet', 'origin', `${hotfix.branch}:refs/heads/${hotfix.branch}`]);
  const base = await world.git(['describe', '--tags', '--abbrev=0', `origin/${DEMO_RELEASE_BRANCH}`]);
  return { decision: 'branched', figures: `${hotfix.branch} from ${DEMO_RELEASE_BRANCH} (${base})` };
}

/** beads-sync on the `create` event of the hotfix branch: `auto` moves the ticket to in_progress. */
export async function startTicket(world: DemoWorld, hotfix: HotfixState): Promise<StageOutcome> {
  const workspace = await world.checkout('main');
  const run = await world.runAction(
    hotfix.scenario,
    'beads-sync',
    `start ${hotfix.ticket}`,
    {},
    {
      workspace,
      eventName: 'create',
      event: { ref: hotfix.branch, ref_type: 'branch', repository: { default_branch: 'main' } },
      ref: `refs/heads/${hotfix.branch}`,
    },
  );
  if (run.exitCode !== 0) fail('beads-sync start', run);
  const changes = parseJson<TicketChange[]>(run.outputs.tickets) ?? [];
  const change = changes.find((c) => c.id === hotfix.ticket);
  const ok = run.outputs.transition === 'start' && change?.after === 'in_progress';
  return {
    decision: change?.after ?? 'unchanged',
    figures: `${hotfix.ticket} ${change?.before ?? '?'} → ${change?.after ?? '?'} (transition auto → ${run.outputs.transition})`,
    ok,
    data: { transition: run.outputs.transition, tickets: changes },
  };
}

/** Commits the fix and its regression test on the hotfix branch and runs the project's tests. */
export async function commitFixAndTest(
  world: DemoWorld,
  hotfix: HotfixState,
  files: Record<string, string>,
  message: string,
): Promise<StageOutcome> {
  const sandbox = world.repo.sandbox;
  await sandbox.commit(files, message);
  await world.git(['push', '--quiet', 'origin', `${hotfix.branch}:refs/heads/${hotfix.branch}`]);
  const { code, output } = await runProgram(process.execPath, ['--test', '--test-reporter=tap'], sandbox.work);
  const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(output)?.[1] ?? 'NaN');
  const tests = count('tests');
  const passed = count('pass');
  if (code !== 0) {
    return { decision: 'failed', figures: `${passed}/${tests} tests passed`, ok: false, data: { output } };
  }
  const added = Object.keys(files).filter((path) => path.startsWith('test/')).length;
  return {
    decision: 'passed',
    figures: `${passed}/${tests} tests pass (node --test), ${added} regression test file${added === 1 ? '' : 's'} in the fix`,
    data: { tests, passed },
  };
}

/** Opens the pull request into the release branch and merges it (after review). */
export async function mergeHotfix(world: DemoWorld, hotfix: HotfixState, title: string): Promise<StageOutcome> {
  const number = await world.github.openPull(
    hotfix.branch,
    DEMO_RELEASE_BRANCH,
    title,
    `Resolves ${hotfix.ticket}\n\nRelease-first hotfix: trunk holds unreleased features.`,
  );
  const sha = await world.github.mergePull(number, `Merge pull request #${number} from ${hotfix.branch}`);
  hotfix.pull = number;
  hotfix.mergeSha = sha;
  await world.git(['fetch', '--quiet', 'origin']);
  return {
    decision: 'merged',
    figures: `PR #${number} ${hotfix.branch} → ${DEMO_RELEASE_BRANCH}, merge ${sha.slice(0, 7)}`,
    data: { pull: number, sha },
  };
}

/** Stage 2: version-bump tags the merge with the next patch of the line, through the API. */
export async function bumpVersion(world: DemoWorld, hotfix: HotfixState, expected: string): Promise<StageOutcome> {
  const sha = hotfix.mergeSha!;
  const run = await world.runAction(
    hotfix.scenario,
    'version-bump',
    `tag ${DEMO_RELEASE_BRANCH}`,
    { branch: DEMO_RELEASE_BRANCH, sha, 'create-release': 'true' },
    { ref: `refs/heads/${DEMO_RELEASE_BRANCH}`, sha, eventName: 'push' },
  );
  if (run.exitCode !== 0) fail('version-bump', run);
  hotfix.version = run.outputs.version;
  hotfix.tag = run.outputs.tag;
  hotfix.previousTag = run.outputs['previous-tag'];
  hotfix.context = run.outputs.context;
  return {
    decision: run.outputs.tag ?? '?',
    figures: `line ${run.outputs.line}, previous ${run.outputs['previous-tag']}, tag ${run.outputs.outcome} by API on ${sha.slice(0, 7)}, release created`,
    ok: run.outputs.tag === expected && run.outputs.outcome === 'created',
    data: { ...run.outputs },
  };
}

/** Stage 3: the build. The demo's service needs none; the tag is the artifact. */
export function build(hotfix: HotfixState): StageOutcome {
  return { decision: 'built', figures: `artifact shop@${hotfix.version} from ${hotfix.tag}`, tone: 'info' };
}

/** Records a deployment in the stand-in and deploys the version to the slot. */
async function deploy(
  world: DemoWorld,
  hotfix: HotfixState,
  slot: 'staging' | 'canary',
): Promise<{ id: number; url: string }> {
  const environment = slot === 'staging' ? 'staging' : 'production';
  // Production gets the canary first: the deployment succeeds only once the version is promoted and healthy.
  const description =
    slot === 'canary' ? `${hotfix.tag} (${hotfix.ticket}), canary first` : `${hotfix.tag} (${hotfix.ticket})`;
  const id = await world.github.createDeployment(hotfix.tag!, environment, description, {
    version: hotfix.version,
    tag: hotfix.tag,
    stage: slot,
    tickets: [hotfix.ticket],
  });
  await world.github.setDeploymentState(id, 'in_progress', `deploying ${hotfix.tag} to ${slot}`);
  await world.fleet.deploy(slot, hotfix.tag!);
  return { id, url: world.fleet.healthUrl(slot) };
}

/** Stage 4: deploy to staging, recorded as a GitHub deployment. */
export async function deployStaging(world: DemoWorld, hotfix: HotfixState): Promise<StageOutcome> {
  const { id, url } = await deploy(world, hotfix, 'staging');
  hotfix.stagingDeployment = id;
  return {
    decision: 'deployed',
    figures: `${hotfix.tag} on staging (${url}), deployment ${id}`,
    tone: 'info',
    data: { id },
  };
}

/** The health gate (canary-gate, analysis threshold) on a slot's health endpoint. */
async function healthGate(
  world: DemoWorld,
  hotfix: HotfixState,
  slot: 'staging' | 'production',
): Promise<{ run: BundleRun; passed: boolean }> {
  const { pace } = world;
  const run = await world.runAction(hotfix.scenario, 'canary-gate', `${slot} health of ${hotfix.tag}`, {
    'canary-url': world.fleet.healthUrl(slot),
    analysis: 'threshold',
    'max-error-rate': '0',
    'requests-per-interval': String(pace.healthRequests),
    'consecutive-successes': String(pace.healthSuccesses),
    'json-path': 'status',
    'json-expect': 'ok',
    interval: pace.interval,
    duration: '60s',
  });
  return { run, passed: run.exitCode === 0 && run.outputs.decision === 'promote' };
}

function healthFigures(run: BundleRun): string {
  const samples = Number(run.outputs.samples ?? 0);
  const errors = Number(run.outputs.errors ?? 0);
  return `${samples - errors}/${samples} health checks ok`;
}

/** Stage 5: the staging health gate; the deployment gets its verdict. */
export async function stagingHealth(world: DemoWorld, hotfix: HotfixState): Promise<StageOutcome> {
  const { run, passed } = await healthGate(world, hotfix, 'staging');
  await world.github.setDeploymentState(
    hotfix.stagingDeployment!,
    passed ? 'success' : 'failure',
    passed ? 'staging health gate passed' : 'staging health gate failed',
    world.fleet.healthUrl('staging'),
  );
  return {
    decision: passed ? 'healthy' : (run.outputs.decision ?? 'failed'),
    figures: healthFigures(run),
    ok: passed,
    data: { ...run.outputs },
  };
}

/** Stage 6: the canary — the new version beside production, judged by a sequential test. */
export async function canary(
  world: DemoWorld,
  hotfix: HotfixState,
  expected: 'promote' | 'abort',
): Promise<StageOutcome> {
  const { id } = await deploy(world, hotfix, 'canary');
  hotfix.productionDeployment = id;
  const prometheus = await world.prometheus();
  const sprt = {
    analysis: 'sprt',
    'baseline-error-rate': '0.01',
    'max-error-rate': '0.05',
    alpha: '0.05',
    beta: '0.05',
  };
  const selector = `job="shop",instance="${world.fleet.targets.canary}",version="${hotfix.tag}"`;
  const source: Record<string, string> = prometheus
    ? {
        'prometheus-url': prometheus.url,
        'canary-errors-query': `sum(http_requests_total{${selector},code=~"5.."}) or vector(0)`,
        'canary-total-query': `sum(http_requests_total{${selector}})`,
        interval: '1s',
      }
    : {
        'canary-url': world.fleet.healthUrl('canary'),
        'requests-per-interval': String(world.pace.canaryRequests),
        concurrency: String(world.pace.canaryRequests),
        interval: world.pace.interval,
      };
  const run = await world.runAction(hotfix.scenario, 'canary-gate', `canary of ${hotfix.tag}`, {
    ...sprt,
    ...source,
    duration: '90s',
    // The decision is read from the outputs; an abort fails the step in a workflow (`if: failure()`).
    'fail-on-abort': 'true',
  });
  const decision = run.outputs.decision ?? 'none';
  const report = parseJson<CanaryReport>(run.outputs.report);
  hotfix.canary = { decision, report, explanation: run.outputs.explanation ?? '' };
  const stepFailed = run.exitCode !== 0;
  if (decision !== 'abort' && decision !== 'promote') fail('canary-gate', run);
  const rate = run.outputs['error-rate'] ? `${(100 * Number(run.outputs['error-rate'])).toFixed(1)} %` : 'n/a';
  return {
    decision,
    figures:
      `${run.outputs.errors}/${run.outputs.samples} errors (${rate}), LLR ${Number(run.outputs.llr).toFixed(2)} ` +
      `(abort ≥ ${report?.sources[0]?.boundaries?.abort.toFixed(2) ?? '?'}, promote ≤ ${report?.sources[0]?.boundaries?.promote.toFixed(2) ?? '?'}), ` +
      `${prometheus ? 'Prometheus' : 'HTTP'}${decision === 'abort' && stepFailed ? ', step failed' : ''}`,
    ok: decision === expected,
    tone: decision === 'abort' ? 'alert' : 'good',
    data: { ...run.outputs, deployment: id },
  };
}

/** Promotes the canary: production runs the new version, the canary slot is emptied. */
export async function promote(world: DemoWorld, hotfix: HotfixState): Promise<StageOutcome> {
  const before = world.fleet.running('production')?.tag ?? 'nothing';
  await world.fleet.deploy('production', hotfix.tag!);
  return { decision: 'promoted', figures: `production ${before} → ${hotfix.tag}`, tone: 'good' };
}

/** Stage 7: production health; the production deployment is marked success (or failure). */
export async function productionHealth(world: DemoWorld, hotfix: HotfixState): Promise<StageOutcome> {
  const { run, passed } = await healthGate(world, hotfix, 'production');
  await world.github.setDeploymentState(
    hotfix.productionDeployment!,
    passed ? 'success' : 'failure',
    passed ? `${hotfix.tag} promoted, production healthy` : 'production health gate failed',
    world.fleet.healthUrl('production'),
  );
  return {
    decision: passed ? 'healthy' : (run.outputs.decision ?? 'failed'),
    figures: `${healthFigures(run)}, deployment ${hotfix.productionDeployment} success`,
    ok: passed,
    data: { ...run.outputs },
  };
}

/** beads-sync close, with the context of version-bump: "Fixed in v1.2.4". */
export async function closeTicket(world: DemoWorld, hotfix: HotfixState): Promise<StageOutcome> {
  const workspace = await world.checkout('main');
  const run = await world.runAction(
    hotfix.scenario,
    'beads-sync',
    `close ${hotfix.ticket}`,
    {
      transition: 'close',
      ticket: hotfix.ticket,
      context: hotfix.context ?? '',
      notes: `Deployed ${hotfix.tag} to production after a canary (${hotfix.canary?.decision ?? '?'}); back-merge to main follows.`,
    },
    { workspace },
  );
  if (run.exitCode !== 0) fail('beads-sync close', run);
  const changes = parseJson<TicketChange[]>(run.outputs.tickets) ?? [];
  const change = changes.find((c) => c.id === hotfix.ticket);
  return {
    decision: change?.after ?? 'unchanged',
    figures: `${hotfix.ticket} ${change?.before ?? '?'} → ${change?.after ?? '?'}, reason "Fixed in ${hotfix.tag}"`,
    ok: change?.after === 'closed',
    data: { tickets: changes, commit: run.outputs.commit },
  };
}

/** Stage 9: backmerge-pr forwards the release branch to main as a pull request. */
export async function backmerge(world: DemoWorld, hotfix: HotfixState): Promise<StageOutcome> {
  const run = await world.runAction(
    hotfix.scenario,
    'backmerge-pr',
    `forward ${DEMO_RELEASE_BRANCH}`,
    { source: DEMO_RELEASE_BRANCH, ticket: hotfix.ticket, labels: 'hotfix,backmerge' },
    { ref: `refs/heads/${DEMO_RELEASE_BRANCH}`, sha: hotfix.mergeSha!, eventName: 'push' },
  );
  if (run.exitCode !== 0) fail('backmerge-pr', run);
  const results =
    parseJson<{ target: string; status: string; 'pr-number': number | null; branch: string | null }[]>(
      run.outputs.results,
    ) ?? [];
  const main = results.find((r) => r.target === 'main');
  const lag = run.outputs['lag-seconds'];
  return {
    decision: main ? `PR #${main['pr-number']}` : 'none',
    figures: `${main?.branch ?? '?'} → main ${main?.status ?? '?'}${lag ? `, forward-port lag ${lag} s` : ''}`,
    ok: main?.status === 'created',
    data: { results },
  };
}

/** What the rollback composite reported. */
export interface RollbackResult {
  outcome: string;
  fromTag: string;
  toTag: string;
  deploymentId: string;
  regressionTicket: string;
  steps: Record<string, string>;
}

/**
 * Stage 8: the rollback composite (actions/rollback/action.yml) run step by step as the runner runs
 * it: plan → the deploy command (our deploy script) → health check → regression ticket → finish.
 */
export async function rollback(world: DemoWorld, hotfix: HotfixState): Promise<StageOutcome> {
  const workspace = await world.checkout('main');
  const { pace } = world;
  const started = Date.now();
  const run = await runComposite({
    inputs: {
      environment: 'production',
      'deploy-command': world.deployCommand,
      'from-deployment': String(hotfix.productionDeployment),
      line: '1.2',
      'health-url': world.fleet.healthUrl('production'),
      'health-interval': pace.interval,
      'health-successes': String(pace.healthSuccesses),
      'health-timeout': '60s',
      ticket: hotfix.ticket,
      'create-regression-ticket': 'true',
    },
    env: { ...world.api.env(), GITHUB_ACTOR: 'sam-oncall' },
    workspace,
    ref: `refs/heads/${DEMO_RELEASE_BRANCH}`,
    timeoutMs: 120_000,
  });
  const steps = Object.fromEntries(run.steps.map((step) => [step.id, step.outcome]));
  world.runs.push({
    scenario: hotfix.scenario,
    action: 'rollback',
    purpose: `roll production back from ${hotfix.tag}`,
    exitCode: run.success ? 0 : 1,
    durationMs: Date.now() - started,
    outputs: run.outputs,
    summary: run.summary,
    annotations: run.annotations.map((a) => ({ level: a.level, message: a.message })),
  });
  const out = run.outputs;
  if (!run.success && out.outcome !== 'rolled-back') {
    const failed = run.steps.find((step) => step.outcome === 'failure');
    throw new Error(
      `the rollback failed at step ${failed?.id ?? '?'}: ${(failed?.stderr || failed?.stdout || '').trim().split('\n').slice(-1)[0] ?? ''}`,
    );
  }
  const result: RollbackResult = {
    outcome: out.outcome ?? '',
    fromTag: out['from-tag'] ?? '',
    toTag: out['to-tag'] ?? '',
    deploymentId: out['deployment-id'] ?? '',
    regressionTicket: out['regression-ticket'] ?? '',
    steps,
  };
  return {
    decision: result.outcome,
    figures:
      `production ${result.fromTag} → ${result.toTag} (last verified good), deployment ${result.deploymentId}, ` +
      `health ${steps.health}, regression ticket ${result.regressionTicket || 'none'}`,
    ok: result.outcome === 'rolled-back' && result.toTag === hotfix.previousTag,
    tone: 'alert',
    data: { ...result },
  };
}

/** Triage: hotfix-plan walks the decision tree against the API (Q2 through the compare API). */
export async function triage(
  world: DemoWorld,
  hotfix: HotfixState,
  facts: { severity: string; labels: string; description: string },
): Promise<StageOutcome> {
  const run = await world.runAction(hotfix.scenario, 'hotfix-plan', `triage ${hotfix.ticket}`, {
    severity: facts.severity,
    labels: facts.labels,
    ticket: hotfix.ticket,
    description: facts.description,
  });
  if (run.exitCode !== 0) fail('hotfix-plan', run);
  const path = parseJson<{ question: string; answer: string; because: string }[]>(run.outputs.path) ?? [];
  const approach = run.outputs.approach ?? '?';
  if (run.outputs['hotfix-branch']) hotfix.branch = run.outputs['hotfix-branch'];
  return {
    decision: approach,
    figures: `${path.map((step) => `${step.question} ${step.answer} (${step.because})`).join(' · ')} → base ${run.outputs['base-branch']}, then ${(parseJson<string[]>(run.outputs.targets) ?? []).join(', ')}`,
    ok: approach === 'release-first' && run.outputs['base-branch'] === DEMO_RELEASE_BRANCH,
    data: { ...run.outputs },
  };
}

/** What the team is told, and where. */
export interface NotifyRequest {
  event: 'hotfix-start' | 'pre-deploy' | 'post-deploy' | 'rollback';
  status?: 'success' | 'failure';
  decision?: string;
  message?: string;
  version?: string;
  environment?: string;
  /** Also comment on this pull request. */
  comment?: number;
}

/** notify: the team channel (Slack-compatible), a JSON webhook, e-mail and a pull request comment. */
export async function notify(world: DemoWorld, hotfix: HotfixState, request: NotifyRequest): Promise<StageOutcome> {
  const run = await world.runAction(hotfix.scenario, 'notify', `${request.event} ${hotfix.ticket}`, {
    event: request.event,
    ticket: hotfix.ticket,
    'ticket-url': 'https://tracker.shop.example/issues/{ticket}',
    ...(request.status ? { status: request.status } : {}),
    ...(request.decision ? { decision: request.decision } : {}),
    ...(request.message ? { message: request.message } : {}),
    ...(request.version ? { version: request.version } : {}),
    ...(request.environment ? { environment: request.environment } : {}),
    ...(hotfix.context ? { context: hotfix.context } : {}),
    'slack-webhook-url': `${world.chat.url}/slack/T0DEMO/B0DEMO/shop-hotfixes`,
    'webhook-url': `${world.chat.url}/hooks/incidents`,
    'smtp-host': world.mail.host,
    'smtp-port': String(world.mail.port),
    'smtp-secure': 'none',
    'email-from': 'Hotfix bot <hotfix-bot@shop.example>',
    'email-to': 'oncall@shop.example',
    ...(request.comment !== undefined ? { 'issue-number': String(request.comment) } : {}),
    timeout: '5s',
    retries: '0',
  });
  if (run.exitCode !== 0) fail('notify', run);
  const sent = parseJson<Record<string, { ok: boolean }>>(run.outputs.sent) ?? {};
  const channels = Object.entries(sent);
  return {
    decision: request.event,
    figures:
      channels.map(([name, result]) => `${name} ${result.ok ? '✓' : '✗'}`).join(' · ') +
      (request.comment !== undefined ? ` (PR #${request.comment})` : ''),
    ok: run.outputs.ok === 'true' && channels.length >= 3,
    tone: request.event === 'rollback' ? 'alert' : 'info',
    data: { sent },
  };
}

/** The post-incident review a P0 calls for (hotfix-rules VI), discovered from the regression ticket. */
export async function scheduleReview(world: DemoWorld, hotfix: HotfixState, regression: string): Promise<StageOutcome> {
  const workspace = await world.checkout('main');
  const title = `Post-incident review for ${regression}`;
  const run = await world.runAction(
    hotfix.scenario,
    'beads-sync',
    `create the review of ${regression}`,
    {
      transition: 'create',
      title,
      description: `${hotfix.tag} failed its production canary and was rolled back to ${hotfix.previousTag}. Share the findings with the team.`,
      type: 'task',
      priority: '1',
      labels: 'postmortem',
      'depends-on': `discovered-from:${regression}`,
    },
    { workspace },
  );
  if (run.exitCode !== 0) fail('beads-sync create', run);
  return {
    decision: run.outputs.created ? 'scheduled' : 'not created',
    figures: `${run.outputs.created ?? '?'} "${title}" (task, P1, discovered-from ${regression})`,
    ok: Boolean(run.outputs.created),
    tone: 'info',
    data: { created: run.outputs.created },
  };
}
