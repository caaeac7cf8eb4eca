import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';
import { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } from '@actions/workflow-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The shape of the reusable pipeline: its nine stages and how they are chained, the conditions of
// rollback and back-merge (evaluated with GitHub's own expression library over every combination of
// results), permissions per job, concurrency, break-glass, the versioning of this repository's own
// actions (checked with the release workflow's own script), and the caller examples.

const root = resolve(import.meta.dirname, '..');
const pipelineFile = join(root, '.github', 'workflows', 'hotfix-pipeline.yml');
const releaseFile = join(root, '.github', 'workflows', 'release.yml');
const pipelineText = readFileSync(pipelineFile, 'utf8');

type Result = 'success' | 'failure' | 'skipped';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  permissions?: Record<string, string> | string;
  outputs?: Record<string, string>;
  steps?: Step[];
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: Record<string, string> | string;
}

interface WorkflowInput {
  type: 'string' | 'boolean' | 'number';
  required?: boolean;
  default?: unknown;
  description?: string;
}

interface Workflow {
  on: {
    workflow_call: {
      inputs: Record<string, WorkflowInput>;
      secrets: Record<string, { required?: boolean }>;
      outputs: Record<string, { value: string }>;
    };
  };
  permissions?: unknown;
  concurrency?: unknown;
  jobs: Record<string, Job>;
}

const pipeline = parse(pipelineText) as Workflow;
const jobs = pipeline.jobs;

function needsOf(job: Job): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

const STATUS_FUNCTIONS = ['success', 'failure', 'always', 'cancelled'];

/** The expression inside `${{ }}` (or the bare `if:` text), folded lines joined. */
function unwrap(text: string): string {
  return text
    .trim()
    .replace(/^\$\{\{([\s\S]*)\}\}$/, '$1')
    .trim();
}

/** Evaluates an expression with GitHub's own library; the status functions answer from `status`. */
function evaluate(
  expression: string,
  contexts: Record<string, unknown>,
  status: { success: boolean; failure: boolean },
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

/** A job-level `if:` implies success() unless it calls a status function itself. */
function jobCondition(job: Job): string {
  const raw = unwrap(job.if ?? '');
  if (raw === '') return 'success()';
  return /\b(success|failure|always|cancelled)\s*\(/.test(raw) ? raw : `success() && (${raw})`;
}

function inputDefaults(): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(pipeline.on.workflow_call.inputs)) {
    values[name] = spec.default ?? (spec.type === 'boolean' ? false : spec.type === 'number' ? 0 : '');
  }
  return values;
}

/** Jobs in an order where every job comes after the jobs it needs. */
function topologicalOrder(all: Record<string, Job>): string[] {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (id: string) => {
    if (order.includes(id)) return;
    if (visiting.has(id)) throw new Error(`needs cycle through ${id}`);
    visiting.add(id);
    for (const need of needsOf(all[id]!)) visit(need);
    order.push(id);
  };
  for (const id of Object.keys(all)) visit(id);
  return order;
}

function ancestorsOf(id: string): Set<string> {
  const found = new Set<string>();
  const walk = (job: string) => {
    for (const need of needsOf(jobs[job]!)) {
      if (!found.has(need)) {
        found.add(need);
        walk(need);
      }
    }
  };
  walk(id);
  return found;
}

interface Simulation {
  inputs?: Record<string, unknown>;
  /** Jobs that fail when they run. */
  fail?: string[];
  /** Outputs of jobs that ran. */
  outputs?: Record<string, Record<string, string>>;
}

/**
 * Which jobs run, and how they end, when the jobs in `fail` fail: every job's `if:` is evaluated the
 * way GitHub does, with success() false as soon as any job upstream failed or was skipped.
 */
function simulate(options: Simulation = {}): Record<string, Result> {
  const inputs = { ...inputDefaults(), ...options.inputs };
  const results: Record<string, Result> = {};
  for (const id of topologicalOrder(jobs)) {
    const ancestors = [...ancestorsOf(id)];
    const needs = Object.fromEntries(
      needsOf(jobs[id]!).map((need) => [
        need,
        { result: results[need], outputs: results[need] === 'skipped' ? {} : (options.outputs?.[need] ?? {}) },
      ]),
    );
    const status = {
      success: ancestors.every((job) => results[job] === 'success'),
      failure: ancestors.some((job) => results[job] === 'failure'),
    };
    const github = { repository: 'acme/shop', ref_name: 'release/v1.2', sha: 'f'.repeat(40) };
    const runs = truthy(evaluate(jobCondition(jobs[id]!), { inputs, needs, github, vars: {} }, status));
    results[id] = !runs ? 'skipped' : options.fail?.includes(id) ? 'failure' : 'success';
  }
  return results;
}

const STAGES = [
  'tests',
  'version',
  'build',
  'staging',
  'staging-health',
  'canary',
  'production-health',
  'rollback',
  'backmerge',
] as const;
const DEPLOY_STAGES = ['staging', 'staging-health', 'canary', 'production-health'] as const;

describe('the nine stages', () => {
  it('exist as jobs named after their stage number', () => {
    STAGES.forEach((id, index) => {
      expect(jobs[id], id).toBeDefined();
      expect(jobs[id]!.name, id).toMatch(new RegExp(`^${index + 1} · `));
    });
    expect(Object.keys(jobs).sort()).toEqual([...STAGES, 'break-glass', 'tickets'].sort());
  });

  it('are chained with needs: each stage after the one before it', () => {
    expect(Object.fromEntries(Object.entries(jobs).map(([id, job]) => [id, needsOf(job)]))).toEqual({
      'break-glass': [],
      tests: ['break-glass'],
      version: ['tests'],
      build: ['version'],
      staging: ['version', 'build'],
      'staging-health': ['version', 'staging'],
      canary: ['break-glass', 'version', 'staging-health'],
      'production-health': ['version', 'canary'],
      rollback: ['version', 'staging', 'staging-health', 'canary', 'production-health'],
      backmerge: ['version', 'production-health'],
      tickets: ['break-glass', 'version', 'production-health', 'rollback'],
    });
    for (const [index, id] of STAGES.entries()) {
      if (index === 0 || id === 'backmerge') continue;
      expect(ancestorsOf(id).has(STAGES[index - 1]!), `${id} after ${STAGES[index - 1]}`).toBe(true);
    }
    expect(ancestorsOf('backmerge').has('production-health')).toBe(true);
  });

  it('GitHub’s workflow converter accepts the job graph', async () => {
    const parsed = parseWorkflow({ name: 'hotfix-pipeline.yml', content: pipelineText }, new NoOperationTraceWriter());
    const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
    expect(template.errors ?? []).toEqual([]);
    expect(template.jobs.map((job) => job.id.value)).toEqual(Object.keys(jobs));
  });

  it('a good hotfix runs stages 1–7 and 9; rollback stays skipped', () => {
    const results = simulate();
    expect(results).toMatchObject({
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
      tickets: 'skipped',
    });
    // A job skipped on purpose (no incident) must not skip what comes after it.
    expect(simulate({ inputs: { beads: true } }).tickets).toBe('success');
  });

  it('rollback runs exactly when a stage of 4–7 failed, whatever else happened', () => {
    const results: Result[] = ['success', 'failure', 'skipped'];
    let combinations = 0;
    for (const staging of results)
      for (const health of results)
        for (const canary of results)
          for (const production of results) {
            const given = { staging, 'staging-health': health, canary, 'production-health': production };
            const needs = Object.fromEntries(
              needsOf(jobs.rollback!).map((need) => [
                need,
                { result: (given as Record<string, Result>)[need] ?? 'success', outputs: {} },
              ]),
            );
            const failed = Object.values(given).includes('failure');
            const runs = truthy(
              evaluate(
                jobCondition(jobs.rollback!),
                { inputs: inputDefaults(), needs, github: {}, vars: {} },
                {
                  success: !failed && !Object.values(given).includes('skipped'),
                  failure: failed,
                },
              ),
            );
            expect(runs, JSON.stringify(given)).toBe(failed);
            combinations++;
          }
    expect(combinations).toBe(81);
  });

  it('a failure in each stage 4–7 rolls back the right environment; earlier failures deploy nothing to roll back', () => {
    for (const stage of DEPLOY_STAGES) {
      const results = simulate({ fail: [stage] });
      expect(results.rollback, stage).toBe('success');
      expect(results.backmerge, stage).toBe('skipped');
      const production = stage === 'canary' || stage === 'production-health';
      const needs = Object.fromEntries(
        needsOf(jobs.rollback!).map((need) => [need, { result: results[need], outputs: {} }]),
      );
      const environment = evaluate(
        unwrap(String(jobs.rollback!.environment)),
        { inputs: inputDefaults(), needs },
        {
          success: false,
          failure: true,
        },
      ).coerceString();
      expect(environment, stage).toBe(production ? 'production' : 'staging');
      const step = jobs.rollback!.steps!.find((s) => s.id === 'rollback')!;
      const healthUrl = unwrap(String(step.with!['health-url']));
      const inputs = {
        ...inputDefaults(),
        'staging-health-url': 'https://s/health',
        'production-health-url': 'https://p/health',
      };
      expect(evaluate(healthUrl, { inputs, needs }, { success: false, failure: true }).coerceString()).toBe(
        production ? 'https://p/health' : 'https://s/health',
      );
    }
    for (const stage of ['tests', 'version', 'build']) {
      const results = simulate({ fail: [stage] });
      expect(results.rollback, stage).toBe('skipped');
      expect(
        DEPLOY_STAGES.map((id) => results[id]),
        stage,
      ).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    }
  });

  it('a rollback may run in an environment of its own, so that it never waits for an approval', () => {
    const needs = { canary: { result: 'failure' }, 'production-health': { result: 'skipped' } };
    const inputs = { ...inputDefaults(), 'rollback-environment': 'production-rollback' };
    const expression = unwrap(String(jobs.rollback!.environment));
    expect(evaluate(expression, { inputs, needs }, { success: false, failure: true }).coerceString()).toBe(
      'production-rollback',
    );
  });

  it('back-merge only after a healthy production, and not when the caller turns it off', () => {
    expect(simulate().backmerge).toBe('success');
    expect(simulate({ inputs: { backmerge: false } }).backmerge).toBe('skipped');
    for (const stage of ['tests', 'version', 'build', ...DEPLOY_STAGES]) {
      expect(simulate({ fail: [stage] }).backmerge, stage).toBe('skipped');
    }
    expect(simulate({ fail: ['backmerge'] }).rollback).toBe('skipped');
  });

  it('tickets: merged with the tag, closed after a healthy production, a regression ticket after a rollback', () => {
    const good = simulate({ inputs: { beads: true } });
    expect(good.tickets).toBe('success');
    const bad = simulate({ inputs: { beads: true }, fail: ['canary'] });
    expect([bad.rollback, bad.tickets]).toEqual(['success', 'success']);
    // An approved override gets its post-incident review even when the release stops early.
    const stopped = simulate({
      inputs: { beads: true, 'break-glass-incident': 'INC-1' },
      fail: ['tests'],
      outputs: { 'break-glass': { approved: 'true' } },
    });
    expect(stopped.tickets).toBe('success');
    expect(simulate({ inputs: { beads: true }, fail: ['tests'] }).tickets).toBe('skipped');
    const merged = jobs.version!.steps!.find((s) => s.with?.transition === 'merged')!;
    expect(merged.if).toBe('inputs.beads');
    const steps = jobs.tickets!.steps!;
    const close = steps.find((s) => s.with?.transition === 'close')!;
    const regression = steps.find((s) => s.with?.labels === 'emergency,regression')!;
    const review = steps.find((s) => s.with?.labels === 'postmortem')!;
    expect(review.if).toBe("needs.break-glass.outputs.approved == 'true'");
    expect(review.with!['depends-on']).toBe('${{ needs.break-glass.outputs.review-ticket-depends-on }}');
    expect(close.if).toBe("needs.production-health.result == 'success'");
    expect(regression.if).toContain("needs.rollback.result != 'skipped'");
    expect(regression.with).toMatchObject({ type: 'bug', priority: '0', labels: 'emergency,regression' });
    expect(String(regression.with!['depends-on'])).toBe('blocks:${{ inputs.ticket }}');
  });
});

describe('least privilege', () => {
  it('no permissions at the top; each job asks for what it uses', () => {
    expect(pipeline.permissions).toEqual({});
    expect(Object.fromEntries(Object.entries(jobs).map(([id, job]) => [id, job.permissions]))).toEqual({
      'break-glass': { contents: 'write', issues: 'write' },
      tests: { contents: 'read' },
      version: { contents: 'write' },
      build: { contents: 'read' },
      staging: { contents: 'read', deployments: 'write' },
      'staging-health': { deployments: 'write' },
      canary: { contents: 'read', deployments: 'write' },
      'production-health': { deployments: 'write' },
      rollback: { contents: 'read', deployments: 'write' },
      backmerge: { contents: 'write', 'pull-requests': 'write' },
      tickets: { contents: 'write' },
    });
  });

  it('release work is serialised per repository and never cancelled half-way', () => {
    expect(pipeline.concurrency).toEqual({
      group: 'hotfix-release-${{ github.repository }}',
      'cancel-in-progress': false,
    });
  });

  it('deployments run in GitHub environments, so that protection rules apply', () => {
    expect(jobs.staging!.environment).toBe('${{ inputs.staging-environment }}');
    expect(jobs.canary!.environment).toBe('${{ inputs.production-environment }}');
    expect(jobs['break-glass']!.environment).toBe('${{ inputs.break-glass-environment }}');
    expect(String(jobs.rollback!.environment)).toContain('inputs.production-environment');
  });

  it('secrets are declared one by one and reach only the steps that use them', () => {
    expect(Object.keys(pipeline.on.workflow_call.secrets).sort()).toEqual([
      'BACKMERGE_TOKEN',
      'BREAK_GLASS_TOKEN',
      'BUILD_CREDENTIALS',
      'DEPLOY_CREDENTIALS',
      'NOTIFY_WEBHOOK_URL',
      'PROMETHEUS_AUTH_HEADER',
      'SLACK_WEBHOOK_URL',
      'SMTP_URL',
    ]);
    const users: Record<string, Set<string>> = {};
    for (const [id, job] of Object.entries(jobs)) {
      expect(JSON.stringify({ ...job, steps: undefined }), id).not.toContain('secrets.');
      for (const step of job.steps ?? []) {
        const what = step.run !== undefined ? 'run' : (step.uses ?? '').replace(/^.*\/(actions\/)?([a-z-]+)@.*$/, '$2');
        const text = JSON.stringify({ env: step.env, with: step.with });
        for (const [, name] of text.matchAll(/secrets\.([A-Z_]+)/g)) (users[name!] ??= new Set()).add(`${id}:${what}`);
      }
    }
    const notify = ['tests:notify', 'canary:notify', 'production-health:notify', 'rollback:notify'];
    expect(Object.fromEntries(Object.entries(users).map(([name, places]) => [name, [...places].sort()]))).toEqual({
      BUILD_CREDENTIALS: ['build:run'],
      DEPLOY_CREDENTIALS: ['canary:run', 'rollback:rollback', 'staging:run'],
      PROMETHEUS_AUTH_HEADER: ['canary:canary-gate'],
      BACKMERGE_TOKEN: ['backmerge:backmerge-pr', 'backmerge:checkout'],
      BREAK_GLASS_TOKEN: ['break-glass:break-glass'],
      SLACK_WEBHOOK_URL: notify.sort(),
      NOTIFY_WEBHOOK_URL: notify.sort(),
      SMTP_URL: notify.sort(),
    });
  });

  it('the team hears of the start, the deployment plan, the verification results and a rollback (II.B)', () => {
    const events: string[] = [];
    for (const id of topologicalOrder(jobs)) {
      for (const step of jobs[id]!.steps ?? []) {
        if (step.uses?.includes('/actions/notify@')) events.push(`${id}:${String(step.with?.event)}`);
      }
    }
    expect(events).toEqual([
      'tests:hotfix-start',
      'canary:pre-deploy',
      'production-health:post-deploy',
      'rollback:rollback',
    ]);
    // Results and rollbacks are reported whatever happened in their job.
    for (const id of ['production-health', 'rollback']) {
      const step = jobs[id]!.steps!.find((s) => s.uses?.includes('/actions/notify@'))!;
      expect(step.if, id).toBe('always()');
    }
  });
});

describe('your commands', () => {
  const commands = Object.keys(pipeline.on.workflow_call.inputs).filter((name) => name.endsWith('-command'));

  it('reach a shell only through an environment variable, run with -e and pipefail', () => {
    expect(commands.sort()).toEqual([
      'build-command',
      'deploy-production-command',
      'deploy-staging-command',
      'promote-command',
      'rollback-command',
      'test-command',
    ]);
    const places: string[] = [];
    for (const [id, job] of Object.entries(jobs)) {
      for (const step of job.steps ?? []) {
        for (const [key, value] of [...Object.entries(step.env ?? {}), ...Object.entries(step.with ?? {})]) {
          for (const command of commands) {
            if (String(value).includes(`inputs.${command}`)) places.push(`${id}:${key}=${command}`);
          }
        }
        if (step.run !== undefined && /_COMMAND"/.test(step.run)) {
          expect(step.run).toMatch(/^bash --noprofile --norc -eo pipefail -c "\$[A-Z_]+_COMMAND"$/);
        }
      }
    }
    expect(places.sort()).toEqual(
      [
        'tests:TEST_COMMAND=test-command',
        'build:BUILD_COMMAND=build-command',
        'staging:DEPLOY_COMMAND=deploy-staging-command',
        'canary:DEPLOY_COMMAND=deploy-production-command',
        'canary:PROMOTE_COMMAND=promote-command',
        // The rollback action hands it to bash through its own environment variable.
        'rollback:deploy-command=rollback-command',
      ].sort(),
    );
  });

  it('the quality gates read the reports the tests wrote, also after failing tests (6.5)', () => {
    const steps = jobs.tests!.steps!;
    const gates = steps.findIndex((step) => step.uses?.includes('/actions/quality-gates@'));
    const tests = steps.findIndex((step) => step.name === 'Run the tests');
    expect(gates).toBeGreaterThan(tests);
    expect(steps[gates]!.if).toContain('!cancelled()');
    expect(steps[gates]!.with).toMatchObject({
      coverage: '${{ inputs.coverage-report }}',
      'coverage-threshold': '${{ inputs.coverage-threshold }}',
      tests: '${{ inputs.test-report }}',
    });
    expect(pipeline.on.workflow_call.inputs['coverage-threshold']!.default).toBe('80');
  });

  it('every deploy works on the commit of the version tag; only the tests see the branch', () => {
    for (const id of ['build', 'staging', 'canary', 'rollback']) {
      const checkout = jobs[id]!.steps!.find((step) => step.uses?.startsWith('actions/checkout@'))!;
      expect(checkout.with?.ref, id).toBe('${{ needs.version.outputs.sha }}');
    }
    expect(jobs.version!.steps![0]!.with!.sha).toBe('${{ needs.tests.outputs.sha }}');
  });
});

describe('break-glass', () => {
  it('has its own job and environment, runs only for an incident, and comes before everything else', () => {
    const job = jobs['break-glass']!;
    expect(job.if).toBe("inputs.break-glass-incident != ''");
    expect(simulate({ inputs: { 'break-glass-incident': 'INC-1' } })['break-glass']).toBe('success');
    expect(ancestorsOf('tests').has('break-glass')).toBe(true);
    // Denied (or failing) means nothing is released.
    const denied = simulate({ inputs: { 'break-glass-incident': 'INC-1' }, fail: ['break-glass'] });
    expect(STAGES.map((id) => denied[id])).toEqual(STAGES.map(() => 'skipped'));
  });

  it('skips the canary analysis, never a health check', () => {
    const approved = simulate({
      inputs: { 'break-glass-incident': 'INC-1' },
      outputs: { 'break-glass': { approved: 'true', 'skip-analysis': 'true' } },
    });
    expect(STAGES.filter((id) => id !== 'rollback').map((id) => approved[id])).toEqual(
      STAGES.filter((id) => id !== 'rollback').map(() => 'success'),
    );
    // Which steps would run in the canary job with skip-analysis true.
    const contexts = {
      inputs: { ...inputDefaults(), 'prometheus-url': 'https://prom' },
      needs: { 'break-glass': { result: 'success', outputs: { 'skip-analysis': 'true' } } },
      steps: {},
    };
    const ran = (step: Step) =>
      truthy(
        evaluate(step.if ? `success() && (${unwrap(step.if)})` : 'success()', contexts, {
          success: true,
          failure: false,
        }),
      );
    const canarySteps = jobs.canary!.steps!.filter((step) => step.id !== undefined);
    expect(Object.fromEntries(canarySteps.map((step) => [step.id, ran(step)]))).toEqual({
      record: true,
      queries: false,
      gate: false,
      skipped: true,
    });
    // The health gates: no condition at all, in jobs that do not even need the break-glass job.
    for (const id of ['staging-health', 'production-health']) {
      const gate = jobs[id]!.steps!.find((step) => step.uses?.includes('/actions/canary-gate@'))!;
      expect(gate.if, id).toBeUndefined();
      expect(gate.with?.analysis).toBe('threshold');
      expect(gate.with?.['no-data']).toBe('fail');
      expect(needsOf(jobs[id]!)).not.toContain('break-glass');
      expect(JSON.stringify(jobs[id])).not.toContain('break-glass');
    }
    const rollback = jobs.rollback!.steps!.find((step) => step.id === 'rollback')!;
    expect(String(rollback.with!['health-url'])).toContain('health-url');
  });
});

// ---------------------------------------------------------------------------------------------
// Versioning: this repository's actions are called at the release tag the release workflow checks.

const OWN_ACTION = /^\s*(?:-\s+)?uses:\s*([^/\s]+\/[^/\s]+)\/actions\/([a-z0-9-]+)@(\S+)/gm;

function ownActionRefs(text: string): { repository: string; action: string; ref: string }[] {
  return [...text.matchAll(OWN_ACTION)].map(([, repository, action, ref]) => ({
    repository: repository!,
    action: action!,
    ref: ref!,
  }));
}

/** A step's `run:` of the release workflow, by its name. */
function releaseStep(name: string): string {
  const release = parse(readFileSync(releaseFile, 'utf8')) as Workflow;
  const step = release.jobs.verify!.steps!.find((s) => s.name === name);
  if (!step?.run) throw new Error(`release.yml has no step "${name}"`);
  return step.run;
}

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A directory holding the repository's actions/*\/action.yml and the given pipeline text. */
function releaseTree(pipelineContent: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hotfix-release-check-'));
  scratch.push(dir);
  mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
  writeFileSync(join(dir, '.github', 'workflows', 'hotfix-pipeline.yml'), pipelineContent);
  for (const name of readdirSync(join(root, 'actions'))) {
    const yml = join(root, 'actions', name, 'action.yml');
    if (!existsSync(yml)) continue;
    mkdirSync(join(dir, 'actions', name), { recursive: true });
    cpSync(yml, join(dir, 'actions', name, 'action.yml'));
  }
  return dir;
}

/** Runs the release workflow's ref check (its own script, by bash) on a tree for a tag and repository. */
function releaseCheck(dir: string, tag: string, repository: string): { ok: boolean; output: string } {
  const script = releaseStep("The pipeline calls this repository's actions at this tag");
  try {
    const output = execFileSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        TAG: tag,
        REPOSITORY: repository,
        PIPELINE: '.github/workflows/hotfix-pipeline.yml',
      },
      encoding: 'utf8',
    });
    return { ok: true, output };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

describe('versioning: the pipeline calls its own actions at its own release tag', () => {
  const refs = ownActionRefs(pipelineText);

  it('every call of this repository’s actions names one repository and one full release tag', () => {
    expect(refs.length).toBeGreaterThanOrEqual(8);
    expect(new Set(refs.map((ref) => ref.repository)).size).toBe(1);
    expect(new Set(refs.map((ref) => ref.ref)).size).toBe(1);
    expect(refs[0]!.ref).toMatch(/^v\d+\.\d+\.\d+$/);
    // Nothing reaches them another way: no local paths (they would resolve in the caller's workspace).
    expect(pipelineText).not.toMatch(/uses:\s*\.\//);
    for (const { action } of refs) expect(existsSync(join(root, 'actions', action, 'action.yml')), action).toBe(true);
  });

  it('every with: key is an input the called action declares', () => {
    for (const [id, job] of Object.entries(jobs)) {
      for (const step of job.steps ?? []) {
        const [own] = ownActionRefs(`uses: ${step.uses ?? ''}`);
        if (!own) continue;
        const declared = (
          parse(readFileSync(join(root, 'actions', own.action, 'action.yml'), 'utf8')) as {
            inputs?: Record<string, unknown>;
          }
        ).inputs;
        for (const key of Object.keys(step.with ?? {})) {
          expect(Object.keys(declared ?? {}), `${id} → ${own.action}: ${key}`).toContain(key);
        }
      }
    }
  });

  it('every output read from one of these actions is an output that action declares', () => {
    let checked = 0;
    for (const [id, job] of Object.entries(jobs)) {
      const actionOf = new Map<string, string>();
      for (const step of job.steps ?? []) {
        const [own] = ownActionRefs(`uses: ${step.uses ?? ''}`);
        if (own && step.id) actionOf.set(step.id, own.action);
      }
      const text = JSON.stringify({ steps: job.steps, outputs: job.outputs });
      for (const [, step, output] of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const action = actionOf.get(step!);
        if (!action) continue;
        const declared = (
          parse(readFileSync(join(root, 'actions', action, 'action.yml'), 'utf8')) as {
            outputs?: Record<string, unknown>;
          }
        ).outputs;
        expect(Object.keys(declared ?? {}), `${id}: steps.${step}.outputs.${output} (${action})`).toContain(output);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('the release workflow accepts exactly that tag for exactly that repository', () => {
    const { repository, ref } = refs[0]!;
    const tree = releaseTree(pipelineText);
    const accepted = releaseCheck(tree, ref, repository);
    expect(accepted.ok, accepted.output).toBe(true);
    expect(accepted.output).toContain(`${refs.length} action refs point at ${repository}@${ref}.`);
    // Case does not matter in repository names.
    expect(releaseCheck(tree, ref, repository.toUpperCase()).ok).toBe(true);

    const otherTag = releaseCheck(tree, 'v9.9.9', repository);
    expect(otherTag.ok).toBe(false);
    expect(otherTag.output).toContain('title=Pipeline ref is not the release tag');
    expect(releaseCheck(tree, ref, 'someone/else').ok).toBe(false);

    // One stray ref among many is enough to refuse.
    const oneStray = pipelineText.replace(`/actions/canary-gate@${ref}`, '/actions/canary-gate@main');
    const stray = releaseCheck(releaseTree(oneStray), ref, repository);
    expect(stray.ok).toBe(false);
    expect(stray.output.match(/::error/g)).toHaveLength(1);

    // A ref to an action the tag does not contain.
    const missing = releaseCheck(
      releaseTree(`${pipelineText}\n      - uses: ${repository}/actions/nope@${ref}\n`),
      ref,
      repository,
    );
    expect(missing.ok).toBe(false);
    expect(missing.output).toContain('title=No such action');

    // No refs at all is a mistake too.
    expect(releaseCheck(releaseTree('jobs: {}\n'), ref, repository).ok).toBe(false);
  });

  it('the documented release command rewrites every ref, and the release check then passes', () => {
    const header = readFileSync(releaseFile, 'utf8');
    const documented = /^#\s+(sed -i -E '.*' \.github\/workflows\/hotfix-pipeline\.yml)$/m.exec(header)?.[1];
    expect(documented).toBeDefined();
    const docs = readFileSync(join(root, 'docs', 'pipeline.md'), 'utf8');
    expect(docs).toContain(documented!);
    const tree = releaseTree(pipelineText);
    const command = documented!.replace('OWNER/REPO', 'acme-platform/hotfix-actions').replace('vX.Y.Z', 'v2.3.4');
    execFileSync('bash', ['-c', command], { cwd: tree });
    const rewritten = readFileSync(join(tree, '.github', 'workflows', 'hotfix-pipeline.yml'), 'utf8');
    expect(ownActionRefs(rewritten).map((r) => `${r.repository}@${r.ref}`)).toEqual(
      refs.map(() => 'acme-platform/hotfix-actions@v2.3.4'),
    );
    // Nothing but those refs changed.
    expect(rewritten.replace(/acme-platform\/hotfix-actions\/actions\/([a-z-]+)@v2\.3\.4/g, 'X')).toBe(
      pipelineText.replace(/[^/\s]+\/[^/\s]+\/actions\/([a-z-]+)@v\d+\.\d+\.\d+/g, 'X'),
    );
    expect(releaseCheck(tree, 'v2.3.4', 'acme-platform/hotfix-actions').ok).toBe(true);
  });

  it('the release workflow verifies before it moves a tag, and moves only release tags', () => {
    const release = parse(readFileSync(releaseFile, 'utf8')) as Workflow & { on: { push: { tags: string[] } } };
    expect(release.on.push.tags).toEqual(['v*.*.*']);
    expect(release.permissions).toEqual({ contents: 'read' });
    expect(needsOf(release.jobs['move-tags']!)).toEqual(['verify']);
    expect(release.jobs['move-tags']!.if).toBe("needs.verify.outputs.prerelease == 'false'");
    expect(release.jobs.verify!.permissions).toEqual({ contents: 'read' });
    expect(release.jobs['move-tags']!.permissions).toEqual({ contents: 'write' });
    const verify = release.jobs.verify!.steps!.map((step) => step.run ?? step.uses ?? '');
    expect(verify).toEqual(expect.arrayContaining(['npm ci --no-audit --no-fund', 'npm run bundle']));
    expect(verify.at(-1)).toContain('git diff --quiet -- dist');
  });

  it('the release tag check accepts versions and flags pre-releases', () => {
    const script = releaseStep('The tag is a version on main');
    const pattern = new RegExp(/pattern='([^']+)'/.exec(script)![1]!);
    expect(['v1.2.3', 'v0.1.0', 'v10.20.30', 'v1.2.3-rc.1'].every((tag) => pattern.test(tag))).toBe(true);
    expect(['1.2.3', 'v1.2', 'v01.2.3', 'v1.2.3 ', 'v1.2.3\n'].some((tag) => pattern.test(tag))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// The caller examples.

const exampleDir = join(root, 'examples');
const examples = readdirSync(exampleDir).filter((file) => /\.ya?ml$/.test(file));

describe('caller examples', () => {
  const declared = pipeline.on.workflow_call;
  const union: Record<string, string> = {};
  for (const job of Object.values(jobs)) {
    for (const [scope, level] of Object.entries(job.permissions as Record<string, string>)) {
      if (level === 'write' || union[scope] === undefined) union[scope] = level;
    }
  }

  it('cover the three procedures and the gitflow back-merge', () => {
    expect(examples.sort()).toEqual(['emergency.yml', 'gitflow-develop.yml', 'release-first.yml', 'trunk-first.yml']);
  });

  it.each(examples)('%s calls the pipeline correctly', (file) => {
    const example = parse(readFileSync(join(exampleDir, file), 'utf8')) as Workflow;
    const callers = Object.entries(example.jobs).filter(([, job]) => job.uses?.includes('hotfix-pipeline.yml'));
    expect(callers).toHaveLength(1);
    const [, caller] = callers[0]!;
    expect(caller.uses).toMatch(/^[^/\s]+\/hotfix-actions\/\.github\/workflows\/hotfix-pipeline\.yml@v\d+$/);
    const given = Object.keys(caller.with ?? {});
    for (const key of given) expect(Object.keys(declared.inputs), `${file}: ${key}`).toContain(key);
    for (const [name, spec] of Object.entries(declared.inputs)) {
      if (spec.required) expect(given, `${file} must give ${name}`).toContain(name);
    }
    // Explicit secrets, each one the pipeline declares.
    expect(typeof caller.secrets).toBe('object');
    for (const key of Object.keys(caller.secrets as object)) expect(Object.keys(declared.secrets)).toContain(key);
    // GitHub refuses to start a called job that asks for more than its caller grants.
    for (const [scope, level] of Object.entries(union)) {
      const granted = (caller.permissions as Record<string, string>)[scope];
      expect(granted === 'write' || granted === level, `${file}: ${scope}: ${level}`).toBe(true);
    }
    expect(example.permissions).toEqual({});
  });

  it('each example sets what its procedure needs', () => {
    const withOf = (file: string) =>
      Object.values((parse(readFileSync(join(exampleDir, file), 'utf8')) as Workflow).jobs).find((job) =>
        job.uses?.includes('hotfix-pipeline.yml'),
      )!.with!;
    expect(withOf('emergency.yml')).toMatchObject({
      'break-glass-incident': '${{ inputs.incident }}',
      'release-branch': '${{ inputs.release-branch }}',
    });
    expect(withOf('release-first.yml')['break-glass-incident']).toBeUndefined();
    expect(withOf('trunk-first.yml')).toMatchObject({ backmerge: false });
    expect(withOf('gitflow-develop.yml')).toMatchObject({
      scheme: 'hotfix-suffix',
      trunk: 'develop',
      'backmerge-targets': 'develop',
      'backmerge-direct-push': true,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// docs/pipeline.md stays what the workflow is.

describe('docs/pipeline.md', () => {
  const docs = readFileSync(join(root, 'docs', 'pipeline.md'), 'utf8');

  it('draws the nine stages', () => {
    const mermaid = /```mermaid\n([\s\S]*?)```/.exec(docs)?.[1] ?? '';
    for (let stage = 1; stage <= 9; stage++) expect(mermaid, `stage ${stage}`).toMatch(new RegExp(`\\[${stage} `));
  });

  it('lists every input with its type and default, every secret and every output', () => {
    const declared = pipeline.on.workflow_call;
    for (const [name, spec] of Object.entries(declared.inputs)) {
      const shown = spec.required
        ? 'required'
        : spec.default === '' || spec.default === undefined
          ? ''
          : `\`${String(spec.default)}\``;
      expect(docs, name).toContain(`| \`${name}\` | ${spec.type} | ${shown} |`);
    }
    for (const name of Object.keys(declared.secrets)) expect(docs, name).toContain(`| \`${name}\` |`);
    for (const name of Object.keys(declared.outputs)) expect(docs, name).toContain(`| \`${name}\` |`);
  });

  it.each(examples)('shows examples/%s as it is', (file) => {
    expect(docs).toContain(readFileSync(join(exampleDir, file), 'utf8'));
  });
});

describe('the Prometheus queries step', () => {
  const step = jobs.canary!.steps!.find((s) => s.id === 'queries')!;

  /** Runs the step's own script by bash with the given environment and reads GITHUB_OUTPUT as the runner does. */
  function runQueries(env: Record<string, string>): Record<string, string> {
    const dir = mkdtempSync(join(tmpdir(), 'hotfix-queries-'));
    scratch.push(dir);
    const output = join(dir, 'output');
    writeFileSync(output, '');
    execFileSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
      env: { PATH: process.env.PATH, GITHUB_OUTPUT: output, ...env },
    });
    // The runner's parser: name=value or name<<DELIMITER … DELIMITER.
    const values: Record<string, string> = {};
    const lines = readFileSync(output, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]!);
      if (!heredoc) continue;
      const end = lines.indexOf(heredoc[2]!, i + 1);
      values[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    }
    return values;
  }

  it('puts the version and tag into the queries', () => {
    const outputs = runQueries({
      HOTFIX_VERSION: '1.2.4',
      HOTFIX_TAG: 'v1.2.4',
      CANARY_ERRORS: 'sum(http_requests_total{version="{version}",code=~"5.."}) or vector(0)',
      CANARY_TOTAL: 'sum(http_requests_total{image_tag="{tag}"})',
      BASELINE_ERRORS: '',
      BASELINE_TOTAL: 'sum(http_requests_total{track="stable"})',
    });
    expect(outputs).toEqual({
      canary_errors: 'sum(http_requests_total{version="1.2.4",code=~"5.."}) or vector(0)',
      canary_total: 'sum(http_requests_total{image_tag="v1.2.4"})',
      baseline_errors: '',
      baseline_total: 'sum(http_requests_total{track="stable"})',
    });
  });

  it('a query cannot end its value early and set another output', () => {
    const hostile = 'up\nEOF\ndecision=promote\nquery_0\nx<<y';
    const outputs = runQueries({
      HOTFIX_VERSION: '1.2.4',
      HOTFIX_TAG: 'v1.2.4',
      CANARY_ERRORS: hostile,
      CANARY_TOTAL: 'up',
      BASELINE_ERRORS: '',
      BASELINE_TOTAL: '',
    });
    expect(Object.keys(outputs).sort()).toEqual(['baseline_errors', 'baseline_total', 'canary_errors', 'canary_total']);
    expect(outputs.canary_errors).toBe(hostile);
  });
});
