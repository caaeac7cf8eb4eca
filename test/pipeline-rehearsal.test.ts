import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';
import {
  HARNESS_TOKEN,
  assertNoViolations,
  beadsIssueOf,
  createGitSandbox,
  gitShowBytes,
  parseOutputFile,
  readBeadsFixture,
  runBundle,
  runSandboxGit,
  seedBeadsRepo,
  startCanaryService,
  startGitHubStandIn,
  startHttpReceiver,
  type CanaryService,
  type GitHubStandIn,
  type GitSandbox,
  type HttpReceiver,
} from '@hotfix-actions/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runComposite } from '@hotfix-actions/testkit';

// A dry rehearsal of the reusable pipeline: hotfix-pipeline.yml is read and its jobs are run in
// `needs` order, with the job and step conditions evaluated by GitHub's own expression library, every
// `with:`, `env:` and output wired exactly as the YAML says, this repository's actions run from their
// committed bundles (the rollback composite step by step, as its own tests run it), the `run:` steps
// run by bash as the runner runs them, against the GitHub API stand-in over a real git repository,
// a canary service per environment, and a local "platform" that the deploy commands drive. Only
// actions/checkout (a clone of the sandbox's origin) and actions/setup-node (Node is here) are
// stood in for. A good hotfix is promoted and merged back; a bad one is aborted by the canary gate
// and rolled back to the last version verified good.

const root = resolve(import.meta.dirname, '..');
const PIPELINE = join(root, '.github', 'workflows', 'hotfix-pipeline.yml');
const OWNER = 'acme';
const REPO = 'shop';
const TICKET = 'bd-h0tf';

type Result = 'success' | 'failure' | 'skipped';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  'working-directory'?: string;
  'continue-on-error'?: unknown;
}

interface Job {
  needs?: string | string[];
  if?: string;
  environment?: string;
  outputs?: Record<string, string>;
  steps: Step[];
}

interface Workflow {
  on: {
    workflow_call: {
      inputs: Record<string, { type: string; default?: unknown }>;
      secrets: Record<string, unknown>;
      outputs: Record<string, { value: string }>;
    };
  };
  jobs: Record<string, Job>;
}

interface StepRun {
  job: string;
  step: string;
  outcome: Result;
  outputs: Record<string, string>;
  log: string;
}

interface JobRun {
  result: Result;
  outputs: Record<string, string>;
  environment?: string;
  steps: StepRun[];
}

interface Rehearsal {
  jobs: Record<string, JobRun>;
  outputs: Record<string, string>;
  /** Every step that ran, in order, with the tail of its log: printed when an expectation fails. */
  transcript: string;
}

/** The repository, the API over it, and what the workflow run is about. */
interface RunContext {
  api: GitHubStandIn;
  origin: string;
  sha: string;
  branch: string;
  event: Record<string, unknown>;
  inputs: Record<string, unknown>;
  secrets: Record<string, string>;
  scratch: string;
}

const STATUS_FUNCTIONS = ['success', 'failure', 'always', 'cancelled'];

function evaluate(
  expression: string,
  contexts: Record<string, unknown>,
  status: { success: boolean; failure: boolean } = { success: true, failure: false },
): data.ExpressionData {
  const lexed = new Lexer(expression).lex();
  const functions = STATUS_FUNCTIONS.map((name) => ({ name, minArgs: 0, maxArgs: 0 }));
  const tree = new Parser(lexed.tokens, Object.keys(contexts), functions).parse();
  const answers: Record<string, boolean> = { ...status, always: true, cancelled: false };
  const implementations = new Map(
    functions.map((info) => [info.name, { ...info, call: () => new data.BooleanData(answers[info.name] ?? false) }]),
  );
  const context = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary;
  return new Evaluator(tree, context, implementations).evaluate();
}

/** A value with `${{ }}` in it, as the runner expands it (always a string). */
function interpolate(value: unknown, contexts: Record<string, unknown>): string {
  return String(value).replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) =>
    evaluate(expression.trim(), contexts).coerceString(),
  );
}

/** An `if:` as the runner reads it: success() implied unless a status function is called. */
function condition(text: string | undefined): string {
  const raw = (text ?? '')
    .trim()
    .replace(/^\$\{\{([\s\S]*)\}\}$/, '$1')
    .trim();
  if (raw === '') return 'success()';
  return /\b(success|failure|always|cancelled)\s*\(/.test(raw) ? raw : `success() && (${raw})`;
}

function needsOf(job: Job): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

function jobOrder(jobs: Record<string, Job>): string[] {
  const order: string[] = [];
  const visit = (id: string) => {
    if (order.includes(id)) return;
    for (const need of needsOf(jobs[id]!)) visit(need);
    order.push(id);
  };
  Object.keys(jobs).forEach(visit);
  return order;
}

function git(args: string[], cwd: string): Promise<string> {
  return runSandboxGit(args, cwd);
}

function runBash(
  script: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    // What the runner runs for `shell: bash`.
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ exitCode: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
}

/** actions/checkout, stood in for by a clone of the origin at the ref it would check out. */
async function checkout(run: RunContext, workspace: string, ref: string): Promise<void> {
  await rm(workspace, { recursive: true, force: true });
  await git(['clone', '--quiet', '--no-checkout', run.origin, workspace], run.scratch);
  const target = ref || run.sha;
  if (/^[0-9a-f]{40}$/.test(target)) await git(['checkout', '--quiet', '--detach', target], workspace);
  else if ((await git(['branch', '--remotes', '--list', `origin/${target}`], workspace)) !== '') {
    await git(['checkout', '--quiet', '-B', target, `origin/${target}`], workspace);
  } else await git(['checkout', '--quiet', '--detach', `refs/tags/${target}`], workspace);
}

/** Runs the pipeline's jobs in needs order, as the runner would for one workflow_call. */
async function rehearse(run: RunContext): Promise<Rehearsal> {
  const workflow = parse(await readFile(PIPELINE, 'utf8')) as Workflow;
  const declared = workflow.on.workflow_call;
  const inputs: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(declared.inputs)) {
    inputs[name] = run.inputs[name] ?? spec.default ?? (spec.type === 'boolean' ? false : '');
  }
  for (const name of Object.keys(run.inputs)) if (!(name in declared.inputs)) throw new Error(`no input ${name}`);
  const secrets = Object.fromEntries(Object.keys(declared.secrets).map((name) => [name, run.secrets[name] ?? '']));
  const github = {
    token: HARNESS_TOKEN,
    repository: `${OWNER}/${REPO}`,
    repository_owner: OWNER,
    sha: run.sha,
    ref: `refs/heads/${run.branch}`,
    ref_name: run.branch,
    event_name: 'push',
    event: run.event,
    server_url: 'https://github.com',
    api_url: run.api.url,
    run_id: '1658821493',
  };
  const jobs: Record<string, JobRun> = {};
  const transcript: string[] = [];
  const ancestors = (id: string): string[] => {
    const found = new Set<string>();
    const walk = (job: string) => needsOf(workflow.jobs[job]!).forEach((need) => (found.add(need), walk(need)));
    walk(id);
    return [...found];
  };

  for (const id of jobOrder(workflow.jobs)) {
    const job = workflow.jobs[id]!;
    const needs = Object.fromEntries(
      needsOf(job).map((need) => [need, { result: jobs[need]!.result, outputs: jobs[need]!.outputs }]),
    );
    const upstream = ancestors(id).map((need) => jobs[need]!.result);
    const jobContexts = { inputs, github, needs, vars: {} };
    const runs = truthy(
      evaluate(condition(job.if), jobContexts, {
        success: upstream.every((result) => result === 'success'),
        failure: upstream.includes('failure'),
      }),
    );
    if (!runs) {
      jobs[id] = { result: 'skipped', outputs: {}, steps: [] };
      transcript.push(`── ${id}: skipped`);
      continue;
    }
    const environment = job.environment === undefined ? undefined : interpolate(job.environment, jobContexts);
    transcript.push(`── ${id}${environment ? ` (environment ${environment})` : ''}`);
    const workspace = join(run.scratch, `job-${id}`);
    await mkdir(workspace, { recursive: true });
    const steps: Record<string, { outcome: Result; conclusion: Result; outputs: Record<string, string> }> = {};
    const stepRuns: StepRun[] = [];
    let failed = false;
    for (const [index, step] of job.steps.entries()) {
      const key = step.id ?? `__${index}`;
      const label = step.name ?? step.id ?? step.uses ?? `step ${index + 1}`;
      if (step['continue-on-error'] !== undefined)
        throw new Error(`${id}/${label}: continue-on-error is not rehearsed`);
      const contexts = {
        ...jobContexts,
        secrets,
        steps,
        env: {},
        job: { status: failed ? 'failure' : 'success' },
        runner: { os: 'Linux', temp: run.scratch },
      };
      const go = truthy(evaluate(condition(step.if), contexts, { success: !failed, failure: failed }));
      if (!go) {
        steps[key] = { outcome: 'skipped', conclusion: 'skipped', outputs: {} };
        continue;
      }
      const withs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(v, contexts)]));
      const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(v, contexts)]));
      let outcome: Result = 'success';
      let outputs: Record<string, string> = {};
      let log: string;
      const own = /^[^/\s]+\/[^/\s]+\/actions\/([a-z0-9-]+)@\S+$/.exec(step.uses ?? '')?.[1];
      if (step.uses?.startsWith('actions/checkout@')) {
        await checkout(run, workspace, withs.ref ?? '');
        log = `checked out ${withs.ref || run.sha}`;
      } else if (step.uses?.startsWith('actions/setup-node@')) {
        log = `node ${process.version} is already here`;
      } else if (own === 'rollback') {
        const composite = await runComposite({
          inputs: withs,
          env: { ...run.api.env(), ...env, GITHUB_SHA: run.sha },
          workspace,
          ref: github.ref,
        });
        outcome = composite.success ? 'success' : 'failure';
        outputs = composite.outputs;
        log = composite.steps
          .map((s) => `[${s.id}: ${s.outcome}] ${s.stdout.slice(-1500)}${s.stderr.slice(-500)}`)
          .join('\n');
      } else if (own !== undefined) {
        const bundle = await runBundle({
          bundle: own,
          inputs: withs,
          workspace,
          repository: github.repository,
          apiUrl: run.api.url,
          sha: run.sha,
          ref: github.ref,
          event: run.event,
          eventName: 'push',
          env: { ...run.api.env(), ...env },
        });
        outcome = bundle.exitCode === 0 ? 'success' : 'failure';
        outputs = bundle.outputs;
        log = `${bundle.stdout.slice(-2000)}${bundle.stderr.slice(-1000)}`;
      } else if (step.run !== undefined) {
        if (step.run.includes('${{')) throw new Error(`${id}/${label}: an expression inside run:`);
        const files = join(run.scratch, `${id}-${index}`);
        await mkdir(files, { recursive: true });
        const outputFile = join(files, 'output');
        await writeFile(outputFile, '');
        const directory = interpolate(step['working-directory'] ?? '.', contexts);
        const result = await runBash(step.run, join(workspace, directory), {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: files,
          CI: 'true',
          GITHUB_ACTIONS: 'true',
          GITHUB_WORKSPACE: workspace,
          GITHUB_REPOSITORY: github.repository,
          GITHUB_API_URL: run.api.url,
          GITHUB_SERVER_URL: github.server_url,
          GITHUB_SHA: run.sha,
          GITHUB_REF: github.ref,
          GITHUB_RUN_ID: github.run_id,
          GITHUB_OUTPUT: outputFile,
          GITHUB_STEP_SUMMARY: join(files, 'summary'),
          RUNNER_TEMP: files,
          GIT_CONFIG_NOSYSTEM: '1',
          ...env,
        });
        outcome = result.exitCode === 0 ? 'success' : 'failure';
        outputs = parseOutputFile(await readFile(outputFile, 'utf8'), 'GITHUB_OUTPUT');
        log = `${result.stdout.slice(-1500)}${result.stderr.slice(-1000)}`;
      } else {
        throw new Error(`${id}/${label}: ${step.uses} is not rehearsed`);
      }
      if (outcome === 'failure') failed = true;
      steps[key] = { outcome, conclusion: outcome, outputs };
      stepRuns.push({ job: id, step: label, outcome, outputs, log });
      transcript.push(`  ${outcome === 'success' ? '✓' : '✗'} ${label}${outcome === 'failure' ? `\n${log}` : ''}`);
    }
    const outputContexts = { ...jobContexts, steps, job: { status: failed ? 'failure' : 'success' } };
    const outputs = Object.fromEntries(
      Object.entries(job.outputs ?? {}).map(([name, value]) => [name, interpolate(value, outputContexts)]),
    );
    jobs[id] = {
      result: failed ? 'failure' : 'success',
      outputs,
      ...(environment !== undefined ? { environment } : {}),
      steps: stepRuns,
    };
  }
  const outputs = Object.fromEntries(
    Object.entries(declared.outputs).map(([name, spec]) => [name, interpolate(spec.value, { jobs })]),
  );
  return { jobs, outputs, transcript: transcript.join('\n') };
}

// ---------------------------------------------------------------------------------------------
// The world: a shop with release line 1.2 in production, two environments and a deploy platform.

/** The deploy platform the commands drive: a package registry and which version runs where. */
interface Platform {
  url: string;
  log: string[];
  running: Record<string, string>;
  close(): Promise<void>;
}

const CREDENTIALS = 'deploy-credentials-not-a-real-secret';

async function startPlatform(services: Record<string, CanaryService>, badVersions: string[]): Promise<Platform> {
  const log: string[] = [];
  const published = new Set(['1.2.0', '1.2.1']);
  const running: Record<string, string> = { staging: '1.2.1', production: '1.2.1' };
  const server: Server = createServer((request, response) => {
    const answer = (status: number, text: string) => {
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(`${text}\n`);
    };
    const [, verb, first, second] = (request.url ?? '').split('/');
    if (request.headers.authorization !== `Bearer ${CREDENTIALS}`) return answer(401, 'no credentials');
    if (verb === 'publish' && first) {
      published.add(first);
      log.push(`publish ${first}`);
      return answer(200, 'published');
    }
    if (verb === 'deploy' && first && second) {
      const service = services[first];
      if (!service) return answer(404, `no environment ${first}`);
      if (!published.has(second)) return answer(404, `version ${second} was never published`);
      // The hotfix's bug only shows under production traffic.
      service.setErrorRate(first === 'production' && badVersions.includes(second) ? 0.3 : 0);
      running[first] = second;
      log.push(`deploy ${first} ${second}`);
      return answer(200, 'deployed');
    }
    if (verb === 'promote' && first) {
      log.push(`promote ${first}`);
      return answer(200, 'promoted');
    }
    return answer(404, 'unknown');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, log, running, close: () => new Promise((done) => server.close(() => done())) };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const TRACKER_LINE = JSON.stringify({
  id: TICKET,
  title: 'Hotfix: login loop after session expiry',
  description: 'Users are sent back to the login page after their session expires.',
  status: 'in_progress',
  priority: 1,
  issue_type: 'bug',
  labels: ['hotfix', 'production'],
  created_at: '2026-01-12T08:55:00Z',
  created_by: 'oncall',
  updated_at: '2026-01-12T09:05:00Z',
  started_at: '2026-01-12T09:05:00Z',
});

interface Scene {
  run: RunContext;
  sandbox: GitSandbox;
  api: GitHubStandIn;
  platform: Platform;
  services: { staging: CanaryService; production: CanaryService };
  receiver: HttpReceiver;
  hotfix: string;
}

/**
 * main with unreleased work, release/v1.2 with v1.2.0 and v1.2.1 (v1.2.1 verified good in production),
 * a Beads tracker with the hotfix ticket, and the hotfix merged into release/v1.2.
 */
async function scene(badVersions: string[]): Promise<Scene> {
  const sandbox = await createGitSandbox();
  cleanups.push(() => sandbox.cleanup());
  const fixture = readBeadsFixture().issues.toString('utf8').split('\n').slice(0, 3).join('\n');
  await seedBeadsRepo(sandbox, { issues: `${fixture}\n${TRACKER_LINE}\n`, config: 'issue-prefix: "bd"\n' });
  await sandbox.commit({ 'app.txt': 'login=loops\n', 'version.txt': '1.2.0\n' }, 'feat: shop 1.2');
  await sandbox.tag('v1.2.0', { message: 'Release v1.2.0' });
  await sandbox.createBranch('release/v1.2');
  await sandbox.commit({ 'feature.txt': 'next\n' }, 'feat: unreleased work on main');
  await sandbox.commit({ 'version.txt': '1.2.1\n' }, 'fix: checkout rounding', { branch: 'release/v1.2' });
  await sandbox.tag('v1.2.1', { message: 'Release v1.2.1' });
  const message = `hotfix(${TICKET}): stop the login loop\n\nResolves ${TICKET}`;
  const hotfix = await sandbox.commit(
    { 'app.txt': 'login=fixed\n', 'test/login.test': 'session expiry keeps the user signed in\n' },
    message,
    { branch: 'release/v1.2' },
  );
  await sandbox.push();

  // octocat, who starts the runs, may use the break-glass override.
  const api = await startGitHubStandIn({
    owner: OWNER,
    repo: REPO,
    gitDir: sandbox.origin,
    permissions: { octocat: 'maintain' },
  });
  cleanups.push(() => api.close());
  const label = await fetch(`${api.url}/repos/${OWNER}/${REPO}/labels`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'backmerge-conflict', color: 'd93f0b', description: 'Back-merge to resolve' }),
  });
  expect(label.status).toBe(201);
  // What earlier releases left behind: v1.2.1 verified good in both environments.
  for (const [environment, tag] of [
    ['production', 'v1.2.0'],
    ['production', 'v1.2.1'],
    ['staging', 'v1.2.1'],
  ] as const) {
    const created = await fetch(`${api.url}/repos/${OWNER}/${REPO}/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ref: tag,
        environment,
        auto_merge: false,
        required_contexts: [],
        production_environment: environment === 'production',
      }),
    });
    const { id } = (await created.json()) as { id: number };
    await fetch(`${api.url}/repos/${OWNER}/${REPO}/deployments/${id}/statuses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'success' }),
    });
  }
  api.clearRequests();

  const services = {
    staging: await startCanaryService({ seed: 11 }),
    production: await startCanaryService({ seed: 12 }),
  };
  for (const service of Object.values(services)) cleanups.push(() => service.stop());
  const platform = await startPlatform(services, badVersions);
  cleanups.push(() => platform.close());
  const receiver = await startHttpReceiver();
  cleanups.push(() => receiver.close());
  const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'hotfix-rehearsal-')));
  cleanups.push(() => rm(scratch, { recursive: true, force: true }));

  const auth = `-H "Authorization: Bearer $DEPLOY_CREDENTIALS"`;
  const curl = `curl -fsS -X POST ${auth}`;
  const run: RunContext = {
    api,
    origin: sandbox.origin,
    sha: hotfix,
    branch: 'release/v1.2',
    event: {
      ref: 'refs/heads/release/v1.2',
      after: hotfix,
      head_commit: { id: hotfix, message },
      commits: [{ id: hotfix, message }],
      repository: { full_name: `${OWNER}/${REPO}`, name: REPO, owner: { login: OWNER }, default_branch: 'main' },
    },
    inputs: {
      ticket: TICKET,
      // The tests check the checkout and write the reports the quality gates read.
      'test-command': [
        "grep -q 'login=fixed' app.txt",
        'test -s test/login.test',
        `printf '%s\\n' '<testsuites><testsuite name="login" tests="2" failures="0">' '<testcase classname="login" name="keeps the session"/>' '<testcase classname="login" name="expires"/>' '</testsuite></testsuites>' > junit.xml`,
        "printf 'TN:\\nSF:src/login.js\\nDA:1,1\\nDA:2,1\\nDA:3,1\\nDA:4,1\\nDA:5,1\\nDA:6,1\\nDA:7,1\\nDA:8,1\\nDA:9,1\\nDA:10,0\\nLF:10\\nLH:9\\nend_of_record\\n' > lcov.info",
      ].join('\n'),
      'test-report': 'junit.xml',
      'coverage-report': 'lcov.info',
      'build-command': `${curl.replace(auth, `-H "Authorization: Bearer $BUILD_CREDENTIALS"`)} "${platform.url}/publish/$HOTFIX_VERSION"`,
      'deploy-staging-command': `${curl} "${platform.url}/deploy/staging/$HOTFIX_VERSION"`,
      'deploy-production-command': `${curl} "${platform.url}/deploy/production/$HOTFIX_VERSION"`,
      'promote-command': `${curl} "${platform.url}/promote/$HOTFIX_VERSION"`,
      'rollback-command': `${curl} "${platform.url}/deploy/$ROLLBACK_ENVIRONMENT/$ROLLBACK_VERSION"`,
      'staging-health-url': services.staging.healthUrl,
      'production-health-url': services.production.healthUrl,
      'health-interval': '0s',
      'health-successes': 2,
      'health-timeout': '30s',
      'canary-interval': '0s',
      'canary-requests-per-interval': '50',
      'canary-duration': '60s',
      beads: true,
    },
    secrets: {
      DEPLOY_CREDENTIALS: CREDENTIALS,
      BUILD_CREDENTIALS: CREDENTIALS,
      NOTIFY_WEBHOOK_URL: `${receiver.url}/hooks/hotfix`,
    },
    scratch,
  };
  return { run, sandbox, api, platform, services, receiver, hotfix };
}

function results(rehearsal: Rehearsal): Record<string, Result> {
  return Object.fromEntries(Object.entries(rehearsal.jobs).map(([id, job]) => [id, job.result]));
}

function statesOf(api: GitHubStandIn, environment: string, ref: string): string[][] {
  return api.state.deployments
    .filter((one) => one.environment === environment && one.ref === ref)
    .map((one) => one.statuses.map((status) => status.state));
}

function notified(receiver: HttpReceiver): string[] {
  return receiver.requests.map((request) => {
    const body = request.body as { event: string; status: string | null };
    return `${body.event}:${body.status ?? ''}`;
  });
}

async function ticket(sandbox: GitSandbox, id: string): Promise<Record<string, unknown>> {
  const tracker = await gitShowBytes(sandbox.origin, 'refs/heads/main', '.beads/issues.jsonl');
  return beadsIssueOf(tracker, id) as Record<string, unknown>;
}

describe('dry rehearsal of hotfix-pipeline.yml', () => {
  it('a good hotfix: tested, tagged, staged, promoted by the canary gate, verified, closed and merged back', async () => {
    const { run, sandbox, api, platform, receiver, hotfix } = await scene([]);
    const rehearsal = await rehearse(run);
    const why = rehearsal.transcript;
    if (process.env.SHOW_TRANSCRIPT) console.log(why);

    expect(results(rehearsal), why).toEqual({
      'break-glass': 'skipped',
      tests: 'success',
      version: 'success',
      build: 'success',
      staging: 'success',
      'staging-health': 'success',
      canary: 'success',
      'production-health': 'success',
      rollback: 'skipped',
      backmerge: 'success',
      tickets: 'success',
    });
    expect(rehearsal.outputs, why).toMatchObject({
      version: '1.2.2',
      tag: 'v1.2.2',
      'previous-tag': 'v1.2.1',
      decision: 'promote',
      'staging-health': 'promote',
      'production-health': 'promote',
      'rollback-outcome': '',
      'rolled-back-to': '',
      'backmerge-created': '1',
      'break-glass-approved': '',
    });
    const gates = rehearsal.jobs.tests!.steps.find((step) => step.step.startsWith('Quality gates'))!;
    expect(gates.outputs, why).toMatchObject({ passed: 'true', coverage: '90' });
    expect(rehearsal.jobs.staging!.environment).toBe('staging');
    expect(rehearsal.jobs.canary!.environment).toBe('production');

    // Stage 2 tagged the tested commit; stages 3–6 built and deployed that tag, nothing else.
    expect(await sandbox.git(['rev-parse', 'v1.2.2^{commit}'], sandbox.origin)).toBe(hotfix);
    expect(platform.log).toEqual(['publish 1.2.2', 'deploy staging 1.2.2', 'deploy production 1.2.2', 'promote 1.2.2']);
    // The deployments say which version was verified where (what a later rollback reads).
    expect(statesOf(api, 'staging', 'v1.2.2')).toEqual([['in_progress', 'success']]);
    expect(statesOf(api, 'production', 'v1.2.2')).toEqual([['in_progress', 'success']]);
    expect(api.state.deployments.find((one) => one.ref === 'v1.2.2')!.payload).toEqual({
      tag: 'v1.2.2',
      version: '1.2.2',
    });

    // Stage 9: the back-merge pull request to main.
    const results9 = JSON.parse(rehearsal.outputs['backmerge-results']!) as { target: string; status: string }[];
    expect(results9.map((entry) => `${entry.target}:${entry.status}`)).toEqual(['main:created']);
    const pull = api.state.pulls.find((one) => one.base === 'main')!;
    expect(pull.head).toContain(TICKET);

    // The ticket moved with the release, and the team heard of each stage (II.B).
    const closed = await ticket(sandbox, TICKET);
    expect(closed).toMatchObject({ status: 'closed' });
    expect(String(closed.close_reason)).toContain('v1.2.2');
    expect(notified(receiver)).toEqual(['hotfix-start:in-progress', 'pre-deploy:', 'post-deploy:success']);
    expect((receiver.requests[1]!.body as { message: string }).message).toContain('v1.2.2 goes to production');
    assertNoViolations(api);
  }, 120_000);

  it('a bad hotfix: the canary gate aborts, production is rolled back to the last version verified good', async () => {
    const { run, sandbox, api, platform, services, receiver } = await scene(['1.2.2']);
    const rehearsal = await rehearse(run);
    const why = rehearsal.transcript;
    if (process.env.SHOW_TRANSCRIPT) console.log(why);

    expect(results(rehearsal), why).toEqual({
      'break-glass': 'skipped',
      tests: 'success',
      version: 'success',
      build: 'success',
      staging: 'success',
      'staging-health': 'success',
      canary: 'failure',
      'production-health': 'skipped',
      rollback: 'success',
      backmerge: 'skipped',
      tickets: 'success',
    });
    expect(rehearsal.outputs, why).toMatchObject({
      tag: 'v1.2.2',
      decision: 'abort',
      'production-health': '',
      'rollback-outcome': 'rolled-back',
      'rolled-back-to': 'v1.2.1',
      'backmerge-results': '',
    });
    expect(rehearsal.jobs.rollback!.environment).toBe('production');
    // The promote step never ran; the rollback command put v1.2.1 back, and it is healthy again.
    expect(platform.log).toEqual([
      'publish 1.2.2',
      'deploy staging 1.2.2',
      'deploy production 1.2.2',
      'deploy production 1.2.1',
    ]);
    expect(platform.running).toEqual({ staging: '1.2.2', production: '1.2.1' });
    const probe = await fetch(services.production.healthUrl);
    expect(probe.status).toBe(200);

    // The failing deployment is marked failed; the rollback is a deployment of its own.
    expect(statesOf(api, 'production', 'v1.2.2')).toEqual([['in_progress', 'failure']]);
    const rollback = api.state.deployments.find((one) => one.task === 'rollback')!;
    expect([rollback.ref, rollback.environment, rollback.statuses.map((s) => s.state)]).toEqual([
      'v1.2.1',
      'production',
      ['in_progress', 'success'],
    ]);
    expect(api.state.pulls).toEqual([]);

    // A P0 regression ticket blocked by the hotfix's ticket; the hotfix's ticket stays open.
    const original = await ticket(sandbox, TICKET);
    expect(original.status).not.toBe('closed');
    const tracker = (await gitShowBytes(sandbox.origin, 'refs/heads/main', '.beads/issues.jsonl')).toString('utf8');
    const regression = tracker
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((issue) => String(issue.title).startsWith('P0: Hotfix regression'))!;
    expect(regression).toMatchObject({
      title: 'P0: Hotfix regression - v1.2.2 rolled back to v1.2.1',
      priority: 0,
      issue_type: 'bug',
      labels: expect.arrayContaining(['emergency', 'regression']),
      dependencies: [expect.objectContaining({ depends_on_id: TICKET, type: 'blocks' })],
    });
    expect(notified(receiver)).toEqual(['hotfix-start:in-progress', 'pre-deploy:', 'rollback:success']);
    assertNoViolations(api);
  }, 120_000);

  it('a P0 under break-glass: audited first, canary analysis skipped, the health check still catches it', async () => {
    const { run, sandbox, api, platform, receiver } = await scene(['1.2.2']);
    run.inputs['break-glass-incident'] = 'INC-4711';
    run.inputs['break-glass-reason'] = 'Checkout is down for every user';
    run.inputs['break-glass-allowed-actors'] = 'octocat';
    const rehearsal = await rehearse(run);
    const why = rehearsal.transcript;
    if (process.env.SHOW_TRANSCRIPT) console.log(why);

    expect(results(rehearsal), why).toEqual({
      'break-glass': 'success',
      tests: 'success',
      version: 'success',
      build: 'success',
      staging: 'success',
      'staging-health': 'success',
      canary: 'success',
      'production-health': 'failure',
      rollback: 'success',
      backmerge: 'skipped',
      tickets: 'success',
    });
    expect(rehearsal.outputs, why).toMatchObject({
      'break-glass-approved': 'true',
      decision: 'skipped',
      'staging-health': 'promote',
      'production-health': 'abort',
      'rollback-outcome': 'rolled-back',
      'rolled-back-to': 'v1.2.1',
    });
    // The analysis was skipped (and said so); every health check ran.
    const canary = rehearsal.jobs.canary!.steps.map((step) => step.step);
    expect(canary).not.toContain('Canary analysis (sequential test)');
    expect(canary).toContain('Canary analysis skipped under break-glass');
    expect(rehearsal.jobs['production-health']!.steps[0]!.outputs.decision).toBe('abort');
    expect(platform.log).toEqual([
      'publish 1.2.2',
      'deploy staging 1.2.2',
      'deploy production 1.2.2',
      'promote 1.2.2',
      'deploy production 1.2.1',
    ]);

    // The audit record is on the audit branch, and the post-incident review ticket was opened.
    const audit = await sandbox.git(['show', 'break-glass-audit:audit/break-glass.jsonl'], sandbox.origin);
    expect(JSON.parse(audit.trim().split('\n').at(-1)!)).toMatchObject({
      decision: 'allowed',
      incident_id: 'INC-4711',
      actor: 'octocat',
      skip_gates: ['canary-analysis'],
      never_skipped: expect.arrayContaining(['health-checks']),
    });
    const tracker = (await gitShowBytes(sandbox.origin, 'refs/heads/main', '.beads/issues.jsonl')).toString('utf8');
    const issues = tracker
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const review = issues.find((issue) => (issue.labels as string[] | undefined)?.includes('postmortem'))!;
    expect(review).toMatchObject({
      issue_type: 'task',
      priority: 1,
      dependencies: [expect.objectContaining({ depends_on_id: TICKET, type: 'discovered-from' })],
    });
    expect(issues.some((issue) => String(issue.title).startsWith('P0: Hotfix regression'))).toBe(true);
    expect(notified(receiver)).toEqual([
      'hotfix-start:in-progress',
      'pre-deploy:',
      'post-deploy:failure',
      'rollback:success',
    ]);
    expect((receiver.requests[0]!.body as { decision: string }).decision).toBe('break-glass INC-4711 approved');
    expect((receiver.requests[1]!.body as { message: string }).message).toContain('under break-glass INC-4711');
    assertNoViolations(api);
  }, 120_000);
});
