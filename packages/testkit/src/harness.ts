import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { isAbsolute, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RETRY_BASE_ENV } from '@hotfix-actions/core';
import { parse as parseYaml } from 'yaml';

/** The repository root (this file is packages/testkit/src/harness.ts). */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A token-shaped value given to `${{ github.token }}` defaults: never a real credential. */
export const HARNESS_TOKEN = 'ghs_harnessTokenNotARealCredential0001';

/** Options for {@link runBundle}. */
export interface RunBundleOptions {
  /** An action name (`version-bump` runs `dist/version-bump/index.js`) or an absolute path to a bundle. */
  bundle: string;
  /** Inputs by their action.yml name (`dry-run`); they arrive as `INPUT_DRY-RUN`. */
  inputs?: Record<string, string>;
  /**
   * The action.yml whose input defaults apply, as the runner applies them (default: `actions/<name>/action.yml`
   * for a named bundle; `false` for none). Inputs it does not declare are refused.
   */
  actionYml?: string | false;
  /** Extra environment, applied last; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** The event payload written to `GITHUB_EVENT_PATH` (default: a small workflow_dispatch payload). */
  event?: object;
  /** `GITHUB_EVENT_NAME` (default `workflow_dispatch`). */
  eventName?: string;
  /** `GITHUB_WORKSPACE` (default: a fresh empty directory, removed afterwards). */
  workspace?: string;
  /** Working directory of the process (default: the workspace, as on the runner). */
  cwd?: string;
  /** `GITHUB_API_URL`, usually the API stand-in's URL (default: a closed loopback port, so nothing leaves). */
  apiUrl?: string;
  /** `GITHUB_SERVER_URL` (default `https://github.com`). */
  serverUrl?: string;
  /** `GITHUB_REPOSITORY` (default `octo-org/octo-repo`). */
  repository?: string;
  /** `GITHUB_SHA` (default a fixed fake sha). */
  sha?: string;
  /** `GITHUB_REF` (default `refs/heads/main`); `GITHUB_REF_NAME` and `GITHUB_REF_TYPE` follow from it. */
  ref?: string;
  /** `GITHUB_ACTOR` (default `octocat`). */
  actor?: string;
  /** The value of `${{ github.token }}` in input defaults (default {@link HARNESS_TOKEN}). */
  token?: string;
  /** Sets `RUNNER_DEBUG=1`, as a re-run with debug logging does. */
  debug?: boolean;
  /** Kill the process after this long and fail (default 60 s). */
  timeoutMs?: number;
}

/** A workflow command read from stdout (`::name key=value,…::message`), unescaped as the runner does. */
export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

/** An `::error`, `::warning` or `::notice` annotation. */
export interface WorkflowAnnotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  /** Every property (`title`, `file`, `line`, `col`, `endLine`, `endColumn`). */
  properties: Record<string, string>;
  title?: string;
  file?: string;
  line?: number;
}

/** Everything a bundle run left behind, parsed the way the runner reads it. */
export interface BundleRun {
  /** The exit code (a process killed by a signal counts as 1; see `signal`). */
  exitCode: number;
  signal?: NodeJS.Signals;
  /** Step outputs from `GITHUB_OUTPUT` (multi-line values included). */
  outputs: Record<string, string>;
  annotations: WorkflowAnnotation[];
  /** Every workflow command, annotations included (`add-mask`, `debug`, `group`, …). */
  commands: WorkflowCommand[];
  /** Values the action asked to mask (`::add-mask::`). */
  masks: string[];
  /** The job summary the step wrote (`GITHUB_STEP_SUMMARY`), '' when none. */
  summary: string;
  /** Variables exported for later steps (`GITHUB_ENV`). */
  env: Record<string, string>;
  /** State saved for the post step (`GITHUB_STATE`). */
  state: Record<string, string>;
  /** Directories added to PATH for later steps (`GITHUB_PATH`). */
  path: string[];
  stdout: string;
  stderr: string;
  durationMs: number;
  /** `GITHUB_WORKSPACE` of the run. */
  workspace: string;
}

/**
 * Runs a committed bundle (`node dist/<name>/index.js`) as a child process with the environment the
 * GitHub runner gives a JavaScript action (inputs, file commands, event, repository, a bare HOME and
 * only PATH inherited), and returns what it produced, parsed as the runner parses it.
 */
export async function runBundle(options: RunBundleOptions): Promise<BundleRun> {
  const bundlePath = resolveBundle(options.bundle);
  const runDir = realpathSync(mkdtempSync(join(tmpdir(), 'hotfix-run-')));
  const files = join(runDir, 'files');
  const home = join(runDir, 'home');
  const temp = join(runDir, 'temp');
  const workspace = options.workspace ?? join(runDir, 'workspace');
  await Promise.all([files, home, temp, workspace].map((dir) => mkdir(dir, { recursive: true })));

  const repository = options.repository ?? 'octo-org/octo-repo';
  const ref = options.ref ?? 'refs/heads/main';
  const sha = options.sha ?? '8f2e0c9d4b7a61e35c0f9b2d7e4a1c6b3d5f8e90';
  const actor = options.actor ?? 'octocat';
  const eventName = options.eventName ?? 'workflow_dispatch';
  const apiUrl = options.apiUrl ?? 'http://127.0.0.1:9';
  const serverUrl = options.serverUrl ?? 'https://github.com';
  const [owner = '', name = ''] = repository.split('/');
  const event = options.event ?? {
    ref,
    inputs: {},
    repository: { full_name: repository, name, owner: { login: owner }, default_branch: 'main' },
    sender: { login: actor },
  };
  const paths = {
    GITHUB_OUTPUT: join(files, 'output'),
    GITHUB_STEP_SUMMARY: join(files, 'step_summary'),
    GITHUB_ENV: join(files, 'env'),
    GITHUB_STATE: join(files, 'state'),
    GITHUB_PATH: join(files, 'path'),
    GITHUB_EVENT_PATH: join(files, 'event.json'),
  };
  await Promise.all([
    ...Object.entries(paths).map(([key, file]) => (key === 'GITHUB_EVENT_PATH' ? undefined : writeFile(file, ''))),
    writeFile(paths.GITHUB_EVENT_PATH, JSON.stringify(event, null, 2)),
  ]);

  const context: Record<string, string> = {
    'github.token': options.token ?? HARNESS_TOKEN,
    'github.repository': repository,
    'github.repository_owner': owner,
    'github.sha': sha,
    'github.ref': ref,
    'github.ref_name': refName(ref),
    'github.actor': actor,
    'github.event_name': eventName,
    'github.server_url': serverUrl,
    'github.api_url': apiUrl,
    'github.workspace': workspace,
    'github.run_id': '1658821493',
    'runner.temp': temp,
  };
  const actionYml = options.actionYml === undefined ? defaultActionYml(options.bundle) : options.actionYml || undefined;
  const inputs = actionYml
    ? await withActionDefaults(actionYml, options.inputs ?? {}, context)
    : (options.inputs ?? {});

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'hotfix-actions harness',
    RUNNER_TEMP: temp,
    RUNNER_TOOL_CACHE: join(runDir, 'toolcache'),
    ...paths,
    GITHUB_EVENT_NAME: eventName,
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: owner,
    GITHUB_SHA: sha,
    GITHUB_REF: ref,
    GITHUB_REF_NAME: refName(ref),
    GITHUB_REF_TYPE: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    GITHUB_API_URL: apiUrl,
    GITHUB_GRAPHQL_URL: `${apiUrl.replace(/\/+$/, '').replace(/\/v3$/, '')}/graphql`,
    GITHUB_SERVER_URL: serverUrl,
    GITHUB_WORKSPACE: workspace,
    GITHUB_ACTOR: actor,
    GITHUB_TRIGGERING_ACTOR: actor,
    GITHUB_RUN_ID: context['github.run_id'] ?? '',
    GITHUB_RUN_NUMBER: '42',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'harness',
    GITHUB_JOB: 'harness',
    GITHUB_ACTION: '__hotfix-actions_harness',
    // No system git config, as on a fresh machine; HOME holds no global config either.
    GIT_CONFIG_NOSYSTEM: '1',
    // Test knob of the core GitHub client: retries and rate-limit waits take milliseconds, not seconds.
    [RETRY_BASE_ENV]: '10',
    ...(options.debug ? { RUNNER_DEBUG: '1' } : {}),
    // Only the committed bundles count towards coverage; a test's own bundle gets exactly the runner's env.
    ...(bundlePath.startsWith(DIST_DIR) ? bundleCoverageEnv(runDir) : {}),
  };
  for (const [input, value] of Object.entries(inputs)) env[inputEnvName(input)] = value;
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }

  try {
    const started = Date.now();
    const child = await runNode(bundlePath, options.cwd ?? workspace, env, options.timeoutMs ?? 60_000);
    const durationMs = Date.now() - started;
    const read = (file: string) => readFile(file, 'utf8').catch(() => '');
    const [output, summary, exported, state, path] = await Promise.all([
      read(paths.GITHUB_OUTPUT),
      read(paths.GITHUB_STEP_SUMMARY),
      read(paths.GITHUB_ENV),
      read(paths.GITHUB_STATE),
      read(paths.GITHUB_PATH),
    ]);
    const commands = parseWorkflowCommands(child.stdout);
    return {
      exitCode: child.exitCode,
      ...(child.signal ? { signal: child.signal } : {}),
      outputs: parseOutputFile(output, 'GITHUB_OUTPUT'),
      annotations: annotationsOf(commands),
      commands,
      masks: commands.filter((c) => c.command === 'add-mask').map((c) => c.message),
      summary,
      env: parseOutputFile(exported, 'GITHUB_ENV'),
      state: parseOutputFile(state, 'GITHUB_STATE'),
      path: path.split(/\r?\n/).filter(Boolean),
      stdout: child.stdout,
      stderr: child.stderr,
      durationMs,
      workspace,
    };
  } finally {
    await keepBundleCoverage(runDir);
    await rm(runDir, { recursive: true, force: true });
  }
}

/**
 * Names the directory where bundle runs leave their V8 coverage (`npm test -- --coverage` sets it). Without
 * it, a `NODE_V8_COVERAGE` of the test process is honoured the same way.
 */
export const BUNDLE_COVERAGE_ENV = 'HOTFIX_ACTIONS_BUNDLE_COVERAGE';

const DIST_DIR = join(REPO_ROOT, 'dist') + sep;
const DIST_URL = pathToFileURL(DIST_DIR).href;

interface ScriptCoverage {
  scriptId?: string;
  url: string;
  functions: unknown[];
}
interface ProcessCoverage {
  result: ScriptCoverage[];
}

/** This test process's bundle coverage so far, merged, and the file it is kept in, by coverage directory. */
const bundleCoverage = new Map<string, { file: string; merged: ProcessCoverage }>();

function bundleCoverageTarget(): string | undefined {
  return process.env[BUNDLE_COVERAGE_ENV] || process.env.NODE_V8_COVERAGE || undefined;
}

/**
 * The `NODE_V8_COVERAGE` a bundle process gets when coverage is measured: a directory of its own inside
 * `runDir`, because a raw dump holds every script the process loaded (Node's internals included) and
 * thousands of them would fill the disk. {@link keepBundleCoverage} keeps what matters.
 */
export function bundleCoverageEnv(runDir: string): Record<string, string> {
  return bundleCoverageTarget() === undefined ? {} : { NODE_V8_COVERAGE: join(runDir, 'v8-coverage') };
}

/**
 * After the processes of a run have exited: merges the coverage of the committed bundles (scripts under
 * dist/) from their dumps into this test process's own file in the coverage directory, and drops the rest.
 * One file per test process, rewritten whole (a forked test worker is killed, not asked to exit, so there
 * is no later moment to write it), and merged so that its size does not grow with the number of runs.
 */
export async function keepBundleCoverage(runDir: string): Promise<void> {
  const target = bundleCoverageTarget();
  if (target === undefined) return;
  const dumps = join(runDir, 'v8-coverage');
  const scripts: ScriptCoverage[] = [];
  for (const file of await readdir(dumps).catch(() => [])) {
    if (!file.endsWith('.json')) continue;
    const dump = JSON.parse(await readFile(join(dumps, file), 'utf8')) as ProcessCoverage;
    for (const script of dump.result) if (script.url.startsWith(DIST_URL)) scripts.push(script);
  }
  if (scripts.length === 0) return;
  const kept = bundleCoverage.get(target) ?? {
    file: join(target, `coverage-bundles-${process.pid}-${randomBytes(4).toString('hex')}.json`),
    merged: { result: [] },
  };
  bundleCoverage.set(target, kept);
  kept.merged = mergeProcessCoverages([kept.merged, { result: scripts }]);
  // Synchronous from here on: concurrent runs in this process must not interleave their writes.
  mkdirSync(target, { recursive: true });
  const partial = `${kept.file}.partial`;
  writeFileSync(partial, JSON.stringify(kept.merged));
  renameSync(partial, kept.file);
}

let merger: ((coverages: ProcessCoverage[]) => ProcessCoverage) | undefined;

// Vitest's own V8 coverage merges with this library; it ships no types, hence require.
function mergeProcessCoverages(coverages: ProcessCoverage[]): ProcessCoverage {
  merger ??= (createRequire(import.meta.url)('@bcoe/v8-coverage') as { mergeProcessCovs: typeof merger })
    .mergeProcessCovs;
  return merger!(coverages);
}

/** The env var the runner passes an input in: `dry-run` → `INPUT_DRY-RUN` (spaces become `_`, dashes stay). */
export function inputEnvName(input: string): string {
  return `INPUT_${input.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * Parses a file-command file (`GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_STATE`) as the runner does:
 * `name=value` lines and `name<<DELIMITER` … `DELIMITER` blocks. Malformed content throws, as it
 * fails the step on the runner.
 */
export function parseOutputFile(text: string, fileName = 'file command'): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line === '') continue;
    const equals = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
      const key = line.slice(0, equals);
      if (key === '') throw new Error(`${fileName} line ${index + 1}: a value without a name: ${JSON.stringify(line)}`);
      values[key] = line.slice(equals + 1);
      continue;
    }
    if (heredoc <= 0 || heredoc + 2 === line.length) {
      throw new Error(`${fileName} line ${index + 1}: expected name=value or name<<DELIMITER: ${JSON.stringify(line)}`);
    }
    const key = line.slice(0, heredoc);
    const delimiter = line.slice(heredoc + 2);
    const end = lines.indexOf(delimiter, index + 1);
    if (end < 0) throw new Error(`${fileName} line ${index + 1}: no closing delimiter ${JSON.stringify(delimiter)}`);
    values[key] = lines.slice(index + 1, end).join('\n');
    index = end;
  }
  return values;
}

/**
 * Reads the workflow commands (`::command key=value,…::message`) in an action's stdout, with the
 * runner's escapes decoded (`%25` `%0D` `%0A` everywhere, `%3A` `%2C` in property values) and
 * `::stop-commands::TOKEN` … `::TOKEN::` honoured.
 */
export function parseWorkflowCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];
  let stopToken: string | undefined;
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.startsWith('::')) continue;
    const end = line.indexOf('::', 2);
    if (end < 0) continue;
    const info = line.slice(2, end);
    const message = line.slice(end + 2);
    if (stopToken !== undefined) {
      if (info === stopToken && message === '') stopToken = undefined;
      continue;
    }
    const space = info.indexOf(' ');
    const command = space < 0 ? info : info.slice(0, space);
    if (command === '') continue;
    const properties: Record<string, string> = {};
    if (space >= 0) {
      for (const pair of info.slice(space + 1).split(',')) {
        const equals = pair.indexOf('=');
        if (equals > 0 && equals < pair.length - 1)
          properties[pair.slice(0, equals)] = unescape(pair.slice(equals + 1));
      }
    }
    if (command === 'stop-commands') {
      stopToken = message;
      continue;
    }
    commands.push({ command, properties, message: unescape(message) });
  }
  return commands;
}

function annotationsOf(commands: readonly WorkflowCommand[]): WorkflowAnnotation[] {
  const annotations: WorkflowAnnotation[] = [];
  for (const { command, properties, message } of commands) {
    if (command !== 'error' && command !== 'warning' && command !== 'notice') continue;
    const line = Number(properties.line);
    annotations.push({
      level: command,
      message,
      properties,
      ...(properties.title !== undefined ? { title: properties.title } : {}),
      ...(properties.file !== undefined ? { file: properties.file } : {}),
      ...(Number.isInteger(line) ? { line } : {}),
    });
  }
  return annotations;
}

// One pass, so an escaped "%" ("%250A") never turns into a newline.
function unescape(value: string): string {
  const escapes: Record<string, string> = { '%25': '%', '%0D': '\r', '%0A': '\n', '%3A': ':', '%2C': ',' };
  return value.replace(/%(?:25|0D|0A|3A|2C)/g, (escape) => escapes[escape] ?? escape);
}

function refName(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '').replace(/^refs\/pull\//, '');
}

function resolveBundle(bundle: string): string {
  if (isAbsolute(bundle)) return bundle;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(bundle)) {
    throw new Error(`runBundle: "${bundle}" is neither an action name (like version-bump) nor an absolute path.`);
  }
  const path = join(REPO_ROOT, 'dist', bundle, 'index.js');
  if (!existsSync(path)) throw new Error(`runBundle: ${path} does not exist; run \`npm run bundle\` first.`);
  return path;
}

function defaultActionYml(bundle: string): string | undefined {
  if (isAbsolute(bundle)) return undefined;
  const path = join(REPO_ROOT, 'actions', bundle, 'action.yml');
  return existsSync(path) ? path : undefined;
}

/**
 * The runner gives every declared input its default (an expression like `${{ github.token }}`
 * evaluated first). An input the action does not declare is a typo in the test: refuse it.
 */
async function withActionDefaults(
  actionYml: string,
  given: Record<string, string>,
  context: Record<string, string>,
): Promise<Record<string, string>> {
  const metadata = parseYaml(await readFile(actionYml, 'utf8')) as {
    inputs?: Record<string, { default?: unknown } | null>;
  };
  const declared = metadata.inputs ?? {};
  const unknown = Object.keys(given).filter((input) => !(input in declared));
  if (unknown.length > 0) {
    throw new Error(`runBundle: ${actionYml} declares no input ${unknown.map((u) => `"${u}"`).join(', ')}.`);
  }
  const inputs: Record<string, string> = {};
  for (const [input, spec] of Object.entries(declared)) {
    if (spec?.default === undefined || spec.default === null) continue;
    inputs[input] = String(spec.default).replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expression: string) => {
      const value = context[expression];
      if (value === undefined) {
        throw new Error(`runBundle: cannot evaluate the default of input "${input}" (${expression}); pass the input.`);
      }
      return value;
    });
  }
  return { ...inputs, ...given };
}

interface ChildResult {
  exitCode: number;
  signal?: NodeJS.Signals;
  stdout: string;
  stderr: string;
}

function runNode(script: string, cwd: string, env: Record<string, string>, timeoutMs: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8');
      if (timedOut) {
        reject(
          new Error(
            `runBundle: ${script} did not finish within ${timeoutMs} ms.\n--- stdout\n${out}\n--- stderr\n${err}`,
          ),
        );
        return;
      }
      resolve({ exitCode: code ?? 1, ...(signal ? { signal } : {}), stdout: out, stderr: err });
    });
  });
}
