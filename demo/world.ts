// Everything the demo runs against, in one temporary directory: the project's repository (a bare
// origin and a working clone), the GitHub API stand-in serving that origin, the services, Prometheus
// when installed, and the runner-like invocation of each committed action bundle.
import { existsSync, mkdtempSync, realpathSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  findPrometheusBinary,
  runBundle,
  runSandboxGit,
  startGitHubStandIn,
  startHttpReceiver,
  startPrometheus,
  startSmtpReceiver,
  type BundleRun,
  type GitHubStandIn,
  type HttpReceiver,
  type PrometheusServer,
  type SmtpReceiver,
} from '@hotfix-actions/testkit';
import { demoGitHub, type DemoGitHub } from './github.js';
import { startDemoFleet, type DemoFleet } from './fleet.js';
import type { DemoOptions } from './options.js';
import { buildDemoRepository, type DemoRepository } from './repository.js';
import type { Timeline } from './timeline.js';

/** The repository root (this file is demo/world.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The repository the stand-in serves. */
export const DEMO_OWNER = 'acme';
export const DEMO_REPO = 'shop';

/** Paces of the gates: lifelike by default, quick in fast mode. */
export interface DemoPace {
  /** Interval of the HTTP canary and health gates. */
  interval: string;
  /** Requests per interval of the HTTP canary. */
  canaryRequests: number;
  /** Requests per interval of the health gates. */
  healthRequests: number;
  /** Passed intervals in a row a health gate needs. */
  healthSuccesses: number;
  /** Synthetic production requests per second (what Prometheus sees). */
  traffic: number;
}

/** One action bundle run, as the report lists it. */
export interface DemoActionRun {
  scenario: string;
  action: string;
  /** What the run was for (`start bd-7k2m`). */
  purpose: string;
  exitCode: number;
  durationMs: number;
  outputs: Record<string, string>;
  summary: string;
  annotations: { level: string; message: string }[];
}

/** Where a job runs: its checkout, ref and event. */
export interface DemoJob {
  workspace?: string;
  ref?: string;
  sha?: string;
  event?: object;
  eventName?: string;
}

/** The demo's world. */
export interface DemoWorld {
  readonly options: DemoOptions;
  readonly pace: DemoPace;
  /** The temporary directory holding everything. */
  readonly root: string;
  readonly repo: DemoRepository;
  readonly api: GitHubStandIn;
  readonly github: DemoGitHub;
  readonly fleet: DemoFleet;
  /** The team's chat and webhook endpoint (paths /slack and /hooks). */
  readonly chat: HttpReceiver;
  /** The team's mail server. */
  readonly mail: SmtpReceiver;
  readonly timeline: Timeline;
  /** Every action bundle run, in order. */
  readonly runs: DemoActionRun[];
  /** The deploy command a rollback runs (`node <root>/deploy.mjs "$ROLLBACK_ENVIRONMENT" "$ROLLBACK_TAG"`). */
  readonly deployCommand: string;
  /** The Prometheus binary the demo starts (in the background), or undefined for HTTP checks. */
  readonly prometheusBinary: string | undefined;
  /** Prometheus, when it is installed, wanted and started; undefined otherwise. */
  prometheus(): Promise<PrometheusServer | undefined>;
  /** Why the canary uses Prometheus or HTTP checks, in a sentence. */
  metricsNote(): Promise<string>;
  /** Runs a committed action bundle as the runner would, against the stand-in. */
  runAction(
    scenario: string,
    action: string,
    purpose: string,
    inputs: Record<string, string>,
    job?: DemoJob,
  ): Promise<BundleRun>;
  /** A fresh clone of origin on `branch` (what actions/checkout gives a job); returns its path. */
  checkout(branch: string): Promise<string>;
  /** Runs git in the working clone. */
  git(args: readonly string[], cwd?: string): Promise<string>;
  /** Stops everything; removes the directory unless the demo keeps it. */
  close(): Promise<void>;
}

/** The paces of a default and a fast run. */
export function demoPace(fast: boolean): DemoPace {
  return fast
    ? { interval: '0s', canaryRequests: 8, healthRequests: 5, healthSuccesses: 2, traffic: 0 }
    : { interval: '250ms', canaryRequests: 5, healthRequests: 5, healthSuccesses: 3, traffic: 15 };
}

const DEPLOY_SCRIPT = (deployUrl: string) => `// The shop's deploy script: puts a version in an environment.
// Usage: node deploy.mjs <staging|canary|production> <tag>
const [environment, tag] = process.argv.slice(2);
if (!environment || !tag) {
  console.error('usage: node deploy.mjs <environment> <tag>');
  process.exit(2);
}
const response = await fetch(${JSON.stringify(deployUrl)} + '/' + environment + '/' + tag, { method: 'POST' });
const text = await response.text();
if (!response.ok) {
  console.error('deploy of ' + tag + ' to ' + environment + ' failed: ' + text);
  process.exit(1);
}
console.log('deployed ' + tag + ' to ' + environment + ': ' + text);
`;

/** Builds the world: repository, stand-in, fleet, and Prometheus in the background. */
export async function createDemoWorld(options: DemoOptions, timeline: Timeline): Promise<DemoWorld> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'hotfix-demo-')));
  const cleanup: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    if (!options.keep) await rm(root, { recursive: true, force: true });
  };
  try {
    const pace = demoPace(options.fast);
    const repo = await buildDemoRepository(root);
    const api = await startGitHubStandIn({
      owner: DEMO_OWNER,
      repo: DEMO_REPO,
      gitDir: repo.sandbox.origin,
      defaultBranch: 'main',
      users: { 'sam-oncall': { permission: 'write', name: 'Sam (on call)' } },
    });
    cleanup.push(() => api.close());
    const fleet = await startDemoFleet({ seed: options.seed, traffic: pace.traffic });
    cleanup.push(() => fleet.stop());
    const chat = await startHttpReceiver();
    cleanup.push(() => chat.close());
    const mail = await startSmtpReceiver();
    cleanup.push(() => mail.close());
    const deployScript = join(root, 'deploy.mjs');
    await writeFile(deployScript, DEPLOY_SCRIPT(fleet.deployUrl));

    // Prometheus takes seconds to start and scrape; it comes up while the first stages run.
    const binary = options.prometheus === 'off' || options.fast ? undefined : findPrometheusBinary();
    let prometheusFailure: string | undefined;
    const prometheusStart: Promise<PrometheusServer | undefined> = binary
      ? startPrometheus({
          binary,
          scrapeTargets: Object.values(fleet.targets),
          scrapeInterval: '1s',
          jobName: 'shop',
        }).then(
          (server) => {
            cleanup.push(() => server.stop());
            return server;
          },
          (error: unknown) => {
            prometheusFailure = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
            return undefined;
          },
        )
      : Promise.resolve(undefined);

    let checkouts = 0;
    const runs: DemoActionRun[] = [];
    const git = (args: readonly string[], cwd = repo.sandbox.work) => runSandboxGit(args, cwd);

    const world: DemoWorld = {
      options,
      pace,
      root,
      repo,
      api,
      github: demoGitHub(api),
      fleet,
      chat,
      mail,
      timeline,
      runs,
      deployCommand: `node '${deployScript}' "$ROLLBACK_ENVIRONMENT" "$ROLLBACK_TAG"`,
      prometheusBinary: binary,
      prometheus: () => prometheusStart,
      async metricsNote() {
        const server = await prometheusStart;
        if (server) return `canary measured by Prometheus (${server.url}), scraping every 1 s`;
        if (options.prometheus === 'off') return 'canary measured by HTTP checks (--no-prometheus)';
        if (options.fast) return 'canary measured by HTTP checks (fast mode)';
        if (prometheusFailure) return `canary measured by HTTP checks (Prometheus did not start: ${prometheusFailure})`;
        return 'canary measured by HTTP checks (Prometheus is not installed)';
      },
      async runAction(scenario, action, purpose, inputs, job = {}) {
        const bundle = join(REPO_ROOT, 'dist', action, 'index.js');
        if (!existsSync(bundle)) {
          throw new Error(`dist/${action}/index.js is missing: run \`npm run bundle\` in ${REPO_ROOT}.`);
        }
        const run = await runBundle({
          bundle: action,
          inputs,
          env: api.env(),
          apiUrl: api.url,
          repository: `${DEMO_OWNER}/${DEMO_REPO}`,
          actor: 'sam-oncall',
          timeoutMs: 120_000,
          ...(job.workspace !== undefined ? { workspace: job.workspace } : {}),
          ...(job.ref !== undefined ? { ref: job.ref } : {}),
          ...(job.sha !== undefined ? { sha: job.sha } : {}),
          ...(job.event !== undefined ? { event: job.event } : {}),
          ...(job.eventName !== undefined ? { eventName: job.eventName } : {}),
        });
        runs.push({
          scenario,
          action,
          purpose,
          exitCode: run.exitCode,
          durationMs: run.durationMs,
          outputs: run.outputs,
          summary: run.summary,
          annotations: run.annotations.map((a) => ({ level: a.level, message: a.message })),
        });
        return run;
      },
      async checkout(branch) {
        checkouts += 1;
        const dir = join(root, 'jobs', `${checkouts}-${branch.replace(/[^A-Za-z0-9.-]+/g, '-')}`);
        await mkdir(join(root, 'jobs'), { recursive: true });
        await runSandboxGit(['clone', '--quiet', '--branch', branch, repo.sandbox.originUrl, dir], root);
        // actions/checkout leaves credentials for pushes and an identity is the workflow's own.
        await runSandboxGit(['config', 'user.name', 'github-actions[bot]'], dir);
        await runSandboxGit(['config', 'user.email', '41898282+github-actions[bot]@users.noreply.github.com'], dir);
        return dir;
      },
      git,
      close,
    };
    return world;
  } catch (error) {
    await close();
    throw error;
  }
}

/** The short form of an action run for error messages: exit code and the first error annotation. */
export function describeFailure(run: BundleRun): string {
  const error = run.annotations.find((a) => a.level === 'error');
  const detail = error?.message ?? run.stderr.trim().split('\n').slice(-1)[0] ?? '';
  return `exit ${run.exitCode}${detail ? `: ${detail}` : ''}`;
}
