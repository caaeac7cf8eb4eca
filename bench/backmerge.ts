// Benchmark of backmerge-pr: forward-port one hotfix on release/v1.0 to release/v1.1, release/v1.2 and
// main on a generated repository of 20,000 commits, measured side by side:
//   - the committed bundle dist/backmerge-pr/index.js, strategy merge, against the GitHub API stand-in
//     (whose git data is the bare origin): no clone at all. Its wall time includes the stand-in's own
//     git work (compare, merge, pull request mergeability), which runs on this machine too;
//   - what peer actions do: clone everything (`git clone` of the origin, full history), then per target
//     `git switch -c` from the target, `git cherry-pick -x`, `git push` of the branch. Their pull
//     requests are not counted, which favours them.
// Two repository shapes: the generator's (97 small files), and the same history over a 40 MB
// application tree. In both, release/v1.0's earlier commits were forward-ported already (recorded as
// `-s ours` merges), as in a maintained repository, so the hotfix is all the targets lack.
// Medians over `repeats` rounds; every round runs both sides in turn, on the same repository state (the
// branches a round created are deleted and the stand-in restarted before the next one).
//
//   npx tsx bench/backmerge.ts [--repeats 5] [--seed 1] [--commits 20000] [--tree-mb 40]
import { realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../packages/core/src/exec.js';
import {
  assertNoViolations,
  createGitSandbox,
  runBundle,
  startGitHubStandIn,
  type GitSandbox,
} from '@hotfix-actions/testkit';
import type { BenchRatio } from './types.js';

/** Options of {@link runBackmergeBench}. */
export interface BackmergeBenchOptions {
  /** Seed of the history generator, so runs compare the same repository (default 1). */
  readonly seed?: number;
  /** Timed rounds; medians are reported (default 5). One untimed warm-up round comes first. */
  readonly repeats?: number;
  /** Commits of the generated repository (default 20,000). */
  readonly commits?: number;
  /** Size of the application tree of the second scenario, in MB (default 40). */
  readonly treeMegabytes?: number;
}

/** One repository shape, measured. */
export interface BackmergeScenario {
  /** Size of the application tree added under the generated history (0: the generator's tree only). */
  readonly treeMegabytes: number;
  /** Size of the origin's packs, in bytes: what a full clone transfers. */
  readonly packBytes: number;
  readonly targets: readonly string[];
  /** Median wall time of the action (process start to exit), in ms. */
  readonly actionMs: number;
  readonly actionSamples: readonly number[];
  /**
   * Median time the stand-in spent answering the action's requests (its own git work, standing in for
   * GitHub's servers), part of `actionMs`.
   */
  readonly standInMs: number;
  /** Median wall time of clone + cherry-pick + push for every target, in ms. */
  readonly peerMs: number;
  readonly peerSamples: readonly number[];
  /** Median time of the peer's full clone alone, in ms. */
  readonly peerCloneMs: number;
  /** peerMs / actionMs. */
  readonly ratio: number;
  /**
   * peerMs / (actionMs − standInMs): the action's runner-side time only. Informative, not a target:
   * the peers' figure still includes the git server's side of their clone and pushes.
   */
  readonly runnerSideRatio: number;
  /** API requests of one action run, all targets clean. */
  readonly apiRequests: number;
  /** Requests spent on each clean target (the one shared branch listing left out). */
  readonly requestsPerTarget: number;
  /** All requests of the run divided by the targets (the listing shared out). */
  readonly requestsPerTargetShared: number;
  /** The operations of one action run, in order. */
  readonly operations: readonly string[];
}

/** What {@link runBackmergeBench} measured. */
export interface BackmergeBenchReport {
  readonly commits: number;
  readonly repeats: number;
  /** The generator's repository as it is, then with an application tree. */
  readonly scenarios: readonly BackmergeScenario[];
  readonly ratios: readonly BenchRatio[];
}

const SOURCE = 'release/v1.0';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function git(args: readonly string[], cwd: string): Promise<string> {
  const result = await runCommand('git', args, {
    cwd,
    env: { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
  });
  if (result.exitCode !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** Deletes every branch under `prefix` on the origin, so the next round starts from the same state. */
async function deleteBranches(sandbox: GitSandbox, prefix: string): Promise<void> {
  const refs = await git(['for-each-ref', '--format=%(refname)', `refs/heads/${prefix}`], sandbox.origin);
  const lines = refs
    .split('\n')
    .filter(Boolean)
    .map((ref) => `delete ${ref}\n`);
  if (lines.length > 0) {
    const result = await runCommand('git', ['update-ref', '--stdin'], { cwd: sandbox.origin, input: lines.join('') });
    if (result.exitCode !== 0) throw new Error(`deleting ${prefix} branches failed: ${result.stderr}`);
  }
}

/** One run of the action on a fresh stand-in; returns its wall time and the operations it called. */
async function runAction(sandbox: GitSandbox, hotfix: string, targets: readonly string[]) {
  const api = await startGitHubStandIn({ owner: 'acme', repo: 'shop', gitDir: sandbox.origin });
  try {
    const run = await runBundle({
      bundle: 'backmerge-pr',
      inputs: {},
      sha: hotfix,
      ref: `refs/heads/${SOURCE}`,
      eventName: 'push',
      event: {
        ref: `refs/heads/${SOURCE}`,
        after: hotfix,
        head_commit: { id: hotfix, message: 'hotfix(bd-a1b2): fix login' },
        commits: [{ id: hotfix, message: 'hotfix(bd-a1b2): fix login' }],
      },
      env: api.env(),
      timeoutMs: 300_000,
    });
    if (run.exitCode !== 0) throw new Error(`backmerge-pr failed:\n${run.stdout}\n${run.stderr}`);
    const statuses = (JSON.parse(run.outputs.results ?? '[]') as { target: string; status: string }[]).map(
      (result) => `${result.target}:${result.status}`,
    );
    const expected = targets.map((target) => `${target}:created`);
    if (statuses.join() !== expected.join()) throw new Error(`unexpected results ${statuses.join(', ')}`);
    assertNoViolations(api);
    return {
      ms: run.durationMs,
      serverMs: api.requests.reduce((sum, request) => sum + request.durationMs, 0),
      operations: api.requests.map((request) => request.operationId ?? request.path),
    };
  } finally {
    await api.close();
  }
}

/** The peers' way: a full clone, then per target a branch from it, a cherry-pick with -x and a push. */
async function runPeer(sandbox: GitSandbox, hotfix: string, targets: readonly string[]) {
  const dir = realpathSync(await mkdtemp(join(tmpdir(), 'backmerge-peer-')));
  try {
    const started = performance.now();
    // A file:// URL, as a plain path would hard-link objects instead of transferring them.
    await git(['clone', '--quiet', sandbox.originUrl, 'clone'], dir);
    const cloneMs = performance.now() - started;
    const clone = join(dir, 'clone');
    const identity = ['-c', 'user.name=peer', '-c', 'user.email=peer@example.test'];
    for (const target of targets) {
      const branch = `peer/bd-a1b2-to-${target.replace(/\//g, '-')}`;
      await git(['switch', '--quiet', '-c', branch, `origin/${target}`], clone);
      await git([...identity, 'cherry-pick', '-x', hotfix], clone);
      await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], clone);
    }
    return { ms: performance.now() - started, cloneMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A small seeded PRNG (mulberry32): the same seed gives the same tree. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded text that compresses about as well as source code does (3-4x with zlib). */
function sourceLikeText(random: () => number, bytes: number): string {
  const words = [
    'const',
    'return',
    'value',
    'if',
    'else',
    'function',
    'await',
    'export',
    'import',
    'type',
    'session',
    'login',
    'user',
    'token',
    'config',
    'result',
    'error',
    'options',
    'request',
    'response',
  ];
  let text = '';
  while (text.length < bytes) {
    const line: string[] = [];
    const length = 3 + Math.floor(random() * 8);
    for (let i = 0; i < length; i++) line.push(words[Math.floor(random() * words.length)]!);
    text += `${'  '.repeat(Math.floor(random() * 4))}${line.join(' ')} ${Math.floor(random() * 1e6)};\n`;
  }
  return text;
}

/** One scenario: a repository, then `repeats` timed rounds of both sides. */
async function measure(seed: number, repeats: number, commits: number, treeMegabytes: number) {
  const sandbox = await createGitSandbox();
  try {
    if (treeMegabytes > 0) {
      // A working tree of a typical application (the generator's own tree is 97 small files): it is
      // what a clone transfers and checks out, and what the merge strategy never needs.
      const random = seededRandom(seed);
      const files: Record<string, string> = {};
      const perFile = 20_000;
      for (let i = 0; i < Math.round((treeMegabytes * 1_000_000) / perFile); i++) {
        files[`app/pkg-${i % 40}/file-${i}.ts`] = sourceLikeText(random, perFile);
      }
      await sandbox.commit(files, 'feat: the application', { push: true });
    }
    await sandbox.generateHistory({ commits, tags: 60, releaseLines: 3, seed });
    const targets = ['release/v1.1', 'release/v1.2', 'main'];
    // A maintained repository: everything on release/v1.0 so far was forward-ported already (recorded
    // as merges), so the hotfix is what the targets lack. Otherwise the generator's unrelated line
    // commits, which touch the same files, would make every merge conflict.
    for (const target of targets) {
      await sandbox.git(['checkout', '--quiet', '-B', target, `refs/remotes/origin/${target}`]);
      await sandbox.git(['merge', '--quiet', '-s', 'ours', '-m', `Merge ${SOURCE}`, `refs/remotes/origin/${SOURCE}`]);
      await sandbox.push(`refs/heads/${target}:refs/heads/${target}`);
    }
    await sandbox.git(['checkout', '--quiet', '-B', SOURCE, `refs/remotes/origin/${SOURCE}`]);
    const hotfix = await sandbox.commit(
      { 'src/login-fix.txt': 'session check\n' },
      'hotfix(bd-a1b2): fix login\n\nResolves bd-a1b2',
      { push: true },
    );
    const packBytes =
      Number((await git(['count-objects', '-v'], sandbox.origin)).match(/size-pack: (\d+)/)?.[1] ?? '0') * 1024;
    const action: number[] = [];
    const server: number[] = [];
    const peer: number[] = [];
    const clones: number[] = [];
    let operations: string[] = [];
    for (let round = 0; round <= repeats; round++) {
      const ours = await runAction(sandbox, hotfix, targets);
      await deleteBranches(sandbox, 'backmerge/');
      const theirs = await runPeer(sandbox, hotfix, targets);
      await deleteBranches(sandbox, 'peer/');
      // Round 0 warms the page cache and the bundle for both sides alike.
      if (round === 0) continue;
      action.push(ours.ms);
      server.push(ours.serverMs);
      peer.push(theirs.ms);
      clones.push(theirs.cloneMs);
      operations = ours.operations;
    }
    const actionMs = median(action);
    const peerMs = median(peer);
    const shared = operations.filter((op) => op === 'git/list-matching-refs').length;
    return {
      treeMegabytes,
      packBytes,
      targets,
      actionMs,
      actionSamples: action,
      standInMs: median(server),
      peerMs,
      peerSamples: peer,
      peerCloneMs: median(clones),
      ratio: peerMs / actionMs,
      runnerSideRatio: peerMs / Math.max(1, actionMs - median(server)),
      apiRequests: operations.length,
      requestsPerTarget: (operations.length - shared) / targets.length,
      requestsPerTargetShared: operations.length / targets.length,
      operations,
    };
  } finally {
    await sandbox.cleanup();
  }
}

/**
 * Forward-ports a hotfix on release/v1.0 to release/v1.1, release/v1.2 and main both ways, `repeats`
 * times, on a generated repository of `commits` commits: once as the generator makes it (97 small
 * files), once with a 40 MB application tree under the same history.
 */
export async function runBackmergeBench(options: BackmergeBenchOptions = {}): Promise<BackmergeBenchReport> {
  const seed = options.seed ?? 1;
  const repeats = options.repeats ?? 5;
  const commits = options.commits ?? 20_000;
  const scenarios = [
    await measure(seed, repeats, commits, 0),
    await measure(seed, repeats, commits, options.treeMegabytes ?? 40),
  ];
  const [plain, realistic]: BackmergeScenario[] = scenarios;
  if (!plain || !realistic) throw new Error('two scenarios expected');
  return {
    commits,
    repeats,
    scenarios,
    ratios: [
      {
        name: 'backmerge: 3 targets, 20,000 commits (generated tree), clone + cherry-pick vs action',
        value: plain.ratio,
        unit: 'ratio',
        target: '≥ 5×',
        pass: plain.ratio >= 5,
      },
      {
        name: `backmerge: same with a ${realistic.treeMegabytes} MB application tree`,
        value: realistic.ratio,
        unit: 'ratio',
        target: '≥ 5×',
        pass: realistic.ratio >= 5,
      },
      {
        name: 'backmerge: API requests per clean target',
        value: plain.requestsPerTarget,
        unit: 'requests',
        target: '≤ 4',
        pass: plain.requestsPerTarget <= 4,
      },
    ],
  };
}

/** The report as the lines `npm run bench` prints. */
export function formatBackmergeBench(report: BackmergeBenchReport): string {
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const lines: string[] = [];
  for (const scenario of report.scenarios) {
    const tree = scenario.treeMegabytes > 0 ? `a ${scenario.treeMegabytes} MB application tree` : 'the generated tree';
    lines.push(
      `backmerge-pr: one hotfix on ${SOURCE} to ${scenario.targets.join(', ')}; ${report.commits.toLocaleString('en-US')} commits, ` +
        `${tree}, packs ${(scenario.packBytes / 1_048_576).toFixed(1)} MB; median of ${report.repeats}`,
      `  action (merge strategy, API only, no clone): ${ms(scenario.actionMs)}, of which ${ms(scenario.standInMs)} inside the ` +
        `API stand-in's git work  [${scenario.actionSamples.map(ms).join(', ')}]`,
      `  peers (full clone + cherry-pick -x + push per target): ${ms(scenario.peerMs)} (clone alone ${ms(scenario.peerCloneMs)})  [${scenario.peerSamples.map(ms).join(', ')}]`,
      `  ratio: ${scenario.ratio.toFixed(2)}x (target >= 5x) ${scenario.ratio >= 5 ? 'ok' : 'SHORT'}; ` +
        `${scenario.runnerSideRatio.toFixed(2)}x counting only the action's side (the stand-in's time left out)`,
      `  API requests: ${scenario.apiRequests} = 1 branch listing + ${scenario.requestsPerTarget} per clean target` +
        ` (${scenario.requestsPerTargetShared.toFixed(2)} with the listing shared out; target <= 4) ${scenario.requestsPerTarget <= 4 ? 'ok' : 'OVER'}`,
    );
  }
  lines.push(`  requests of one run: ${report.scenarios[0]?.operations.join(', ') ?? ''}`);
  return lines.join('\n');
}

function flag(name: string): number | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : undefined;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runBackmergeBench({
    seed: flag('seed'),
    repeats: flag('repeats'),
    commits: flag('commits'),
    treeMegabytes: flag('tree-mb'),
  })
    .then((report) => console.log(formatBackmergeBench(report)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
