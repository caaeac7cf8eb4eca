// A small stand-in for the GitHub runner's handling of a composite action: reads action.yml and runs
// its steps in order the way the runner does, for the parts this action uses and nothing more:
// inputs with defaults, `if:` (with the implied success()), `env:` and `working-directory:` with
// `${{ }}` expressions evaluated by GitHub's own expression library, `shell: bash` run as
// `bash --noprofile --norc -eo pipefail <file>`, a fresh GITHUB_OUTPUT per step, GITHUB_ACTION_PATH,
// and the action's outputs from its steps. Anything else (uses: steps, other shells, expressions
// inside run:) is refused rather than half-simulated.
import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';
import {
  bundleCoverageEnv,
  HARNESS_TOKEN,
  keepBundleCoverage,
  parseOutputFile,
  parseWorkflowCommands,
  type WorkflowAnnotation,
  type WorkflowCommand,
} from './harness.js';
import { parse as parseYaml } from 'yaml';

/** The repository root. */
export const COMPOSITE_REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The rollback action's directory (what the runner gives as GITHUB_ACTION_PATH), the default action. */
export const ROLLBACK_ACTION_DIR = join(COMPOSITE_REPO_ROOT, 'actions', 'rollback');

/** The parts of action.yml the runner reads. */
export interface CompositeActionYml {
  inputs?: Record<string, { default?: unknown; required?: boolean } | null>;
  outputs?: Record<string, { value?: string }>;
  runs: { using: string; steps: CompositeStep[] };
}

/** One step of `runs.steps`. */
export interface CompositeStep {
  id?: string;
  name?: string;
  if?: string;
  shell?: string;
  run?: string;
  uses?: string;
  env?: Record<string, unknown>;
  'working-directory'?: string;
  'continue-on-error'?: unknown;
}

/** What happened to one step. */
export interface CompositeStepRun {
  id: string;
  outcome: 'success' | 'failure' | 'skipped';
  exitCode: number | undefined;
  outputs: Record<string, string>;
  /** The step's environment as evaluated from `env:` (what its process received on top of the runner's). */
  env: Record<string, string>;
  stdout: string;
  stderr: string;
}

/** Options of {@link runComposite}. */
export interface CompositeRunOptions {
  /** Inputs by name, as a workflow's `with:` gives them. */
  inputs?: Record<string, string>;
  /** Extra runner environment (e.g. the API stand-in's `env()`); `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** GITHUB_WORKSPACE (default: a fresh empty directory). */
  workspace?: string;
  /** GITHUB_REF (default refs/heads/main). */
  ref?: string;
  /** The action directory (default actions/rollback). */
  actionDir?: string;
  /** Per-step time limit (default 60 s). */
  timeoutMs?: number;
}

/** The result of a composite run. */
export interface CompositeRun {
  /** False when any step failed (the composite step fails on the runner). */
  success: boolean;
  steps: CompositeStepRun[];
  /** The action's outputs, evaluated from `outputs.*.value`. */
  outputs: Record<string, string>;
  /** Everything the steps appended to GITHUB_STEP_SUMMARY. */
  summary: string;
  annotations: WorkflowAnnotation[];
  commands: WorkflowCommand[];
  workspace: string;
}

const STATUS_FUNCTIONS = ['success', 'failure', 'always', 'cancelled'];

/** Evaluates one expression (without `${{ }}`) against plain-JSON contexts, with the status functions. */
export function evaluateCompositeExpression(
  expression: string,
  contexts: Record<string, unknown>,
  status: { failed: boolean } = { failed: false },
): data.ExpressionData {
  const lexed = new Lexer(expression).lex();
  const functions = STATUS_FUNCTIONS.map((name) => ({ name, minArgs: 0, maxArgs: 0 }));
  const tree = new Parser(lexed.tokens, Object.keys(contexts), functions).parse();
  const results: Record<string, boolean> = {
    success: !status.failed,
    failure: status.failed,
    always: true,
    cancelled: false,
  };
  const implementations = new Map(
    functions.map((info) => [info.name, { ...info, call: () => new data.BooleanData(results[info.name] ?? false) }]),
  );
  const context = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary;
  return new Evaluator(tree, context, implementations).evaluate();
}

/** Replaces every `${{ expr }}` in a value as the runner does (a value is always a string here). */
export function interpolateExpressions(value: string, contexts: Record<string, unknown>): string {
  return value.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) =>
    evaluateCompositeExpression(expression.trim(), contexts).coerceString(),
  );
}

function condition(step: CompositeStep): string {
  const raw = (step.if ?? '')
    .trim()
    .replace(/^\$\{\{([\s\S]*)\}\}$/, '$1')
    .trim();
  if (raw === '') return 'success()';
  // The runner implies success() unless the condition calls a status function itself.
  return /\b(success|failure|always|cancelled)\s*\(/.test(raw) ? raw : `success() && (${raw})`;
}

/** Reads and parses an action.yml. */
export async function readActionYml(actionDir = ROLLBACK_ACTION_DIR): Promise<CompositeActionYml> {
  return parseYaml(await readFile(join(actionDir, 'action.yml'), 'utf8')) as CompositeActionYml;
}

/** Runs the composite action in `actionDir` as the runner would, step by step. */
export async function runComposite(options: CompositeRunOptions = {}): Promise<CompositeRun> {
  const actionDir = options.actionDir ?? ROLLBACK_ACTION_DIR;
  const action = await readActionYml(actionDir);
  if (action.runs.using !== 'composite') throw new Error('runComposite: not a composite action');
  for (const [index, step] of action.runs.steps.entries()) {
    const id = step.id ?? `__step${index}`;
    if (step.uses !== undefined)
      throw new Error(`runComposite: step ${id} uses an action; only run: steps are simulated`);
    if (step.shell !== 'bash')
      throw new Error(`runComposite: step ${id} has shell ${step.shell}; only bash is simulated`);
    if (step['continue-on-error'] !== undefined)
      throw new Error(`runComposite: step ${id}: continue-on-error is not simulated`);
    if ((step.run ?? '').includes('${{')) throw new Error(`runComposite: step ${id} has an expression inside run:`);
  }

  const runDir = realpathSync(mkdtempSync(join(tmpdir(), 'hotfix-composite-')));
  const workspace = options.workspace ?? join(runDir, 'workspace');
  const home = join(runDir, 'home');
  const temp = join(runDir, 'temp');
  await Promise.all([workspace, home, temp].map((dir) => mkdir(dir, { recursive: true })));
  const summaryFile = join(runDir, 'summary.md');
  const eventFile = join(runDir, 'event.json');
  await writeFile(summaryFile, '');
  await writeFile(eventFile, JSON.stringify({ inputs: {}, repository: { default_branch: 'main' } }));

  const ref = options.ref ?? 'refs/heads/main';
  const baseEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: temp,
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_REF: ref,
    GITHUB_REF_NAME: ref.replace(/^refs\/(heads|tags)\//, ''),
    GITHUB_SHA: '8f2e0c9d4b7a61e35c0f9b2d7e4a1c6b3d5f8e90',
    GITHUB_RUN_ID: '1658821493',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'http://127.0.0.1:9',
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_ACTION_PATH: actionDir,
    GIT_CONFIG_NOSYSTEM: '1',
    HOTFIX_ACTIONS_RETRY_BASE_MS: '10',
    // The steps run the committed bundles: measured like runBundle's when coverage is on.
    ...bundleCoverageEnv(runDir),
  };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete baseEnv[key];
    else baseEnv[key] = value;
  }

  const github = {
    token: HARNESS_TOKEN,
    repository: baseEnv.GITHUB_REPOSITORY,
    workspace,
    ref,
    action_path: actionDir,
    server_url: baseEnv.GITHUB_SERVER_URL,
  };
  const given = options.inputs ?? {};
  const declared = action.inputs ?? {};
  const unknown = Object.keys(given).filter((name) => !(name in declared));
  if (unknown.length > 0) throw new Error(`runComposite: action.yml declares no input ${unknown.join(', ')}`);
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    const fallback = spec?.default === undefined || spec.default === null ? '' : String(spec.default);
    inputs[name] = given[name] ?? interpolateExpressions(fallback, { github });
  }

  const steps: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};
  const runs: CompositeStepRun[] = [];
  let stdoutAll = '';
  let failed = false;
  for (const [index, step] of action.runs.steps.entries()) {
    const id = step.id ?? `__step${index}`;
    const run = step.run ?? '';
    const contexts = { github, inputs, steps, env: {}, runner: { temp, os: 'Linux' } };
    const go = truthy(evaluateCompositeExpression(condition(step), contexts, { failed }));
    if (!go) {
      steps[id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
      runs.push({ id, outcome: 'skipped', exitCode: undefined, outputs: {}, env: {}, stdout: '', stderr: '' });
      continue;
    }
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(step.env ?? {}))
      env[key] = interpolateExpressions(String(value), contexts);
    const directory = interpolateExpressions(step['working-directory'] ?? '.', contexts);
    const cwd = isAbsolute(directory) ? directory : resolve(workspace, directory);
    const script = join(runDir, `step-${index}.sh`);
    const output = join(runDir, `output-${index}`);
    await writeFile(script, run);
    await writeFile(output, '');
    const result = await runBash(
      script,
      cwd,
      { ...baseEnv, ...env, GITHUB_OUTPUT: output },
      options.timeoutMs ?? 60_000,
    );
    const outputs = parseOutputFile(await readFile(output, 'utf8'), 'GITHUB_OUTPUT');
    const outcome = result.exitCode === 0 ? 'success' : 'failure';
    if (outcome === 'failure') failed = true;
    steps[id] = { outputs, outcome, conclusion: outcome };
    stdoutAll += result.stdout;
    runs.push({ id, outcome, exitCode: result.exitCode, outputs, env, stdout: result.stdout, stderr: result.stderr });
  }

  const outputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.outputs ?? {})) {
    outputs[name] = interpolateExpressions(spec.value ?? '', { github, inputs, steps });
  }
  const summary = await readFile(summaryFile, 'utf8');
  const commands = parseWorkflowCommands(stdoutAll);
  await keepBundleCoverage(runDir);
  await rm(runDir, { recursive: true, force: true });
  return {
    success: !failed,
    steps: runs,
    outputs,
    summary,
    commands,
    annotations: commands
      .filter((c) => c.command === 'error' || c.command === 'warning' || c.command === 'notice')
      .map((c) => ({
        level: c.command as WorkflowAnnotation['level'],
        message: c.message,
        properties: c.properties,
        ...(c.properties.title !== undefined ? { title: c.properties.title } : {}),
      })),
    workspace,
  };
}

function runBash(
  script: string,
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    // What the runner runs for `shell: bash`.
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({
        exitCode: code ?? 1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}
