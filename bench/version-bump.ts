// Benchmark of version-bump: "what is the next version of this release line" on a generated repository
// of 20,000 commits and 2,000 tags over 40 release lines, measured side by side in one run:
//   - the committed bundle dist/version-bump/index.js, `method: git` in a fetch-depth 1 clone (no tags),
//     and `method: api` against the GitHub API stand-in, both dry-run;
//   - a bare `git ls-remote --tags origin` from the same clone: the floor of any answer that looks at
//     every tag of the remote;
//   - `semantic-release --dry-run` on the same repository, offline through a file:// remote. It needs the
//     full history: measured in a full clone (the clone's time is a column of its own) and in the same
//     fetch-depth 1 clone as ours, which it deepens itself (`git fetch --unshallow --tags`).
// Medians over `repeats` rounds; every round runs each side once, in turn, so noise hits them alike.
//
//   npx tsx bench/version-bump.ts [--repeats 5] [--seed 1]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  assertNoViolations,
  createGitSandbox,
  runBundle,
  startGitHubStandIn,
  type BundleRun,
  type GitHubStandIn,
  type GitSandbox,
} from '@hotfix-actions/testkit';
import type { BenchRatio } from './types.js';

/** Options of {@link runVersionBumpBench}. */
export interface VersionBumpBenchOptions {
  /** Seed of the history generator, so runs compare the same repository (default 1). */
  readonly seed?: number;
  /** Timed rounds; medians are reported (default 5). One untimed warm-up round comes first. */
  readonly repeats?: number;
}

/** One measured side of the benchmark. */
export interface VersionBumpBenchRow {
  readonly id:
    | 'ours-git'
    | 'ours-api'
    | 'ls-remote'
    | 'bundle-load'
    | 'node-startup'
    | 'semantic-release'
    | 'semantic-release-shallow';
  readonly name: string;
  /** Median wall time of the step itself, process start included, in ms. */
  readonly ms: number;
  /** Median time of the clone the step needs (fetch-depth 1 for ours, full for semantic-release), in ms. */
  readonly cloneMs?: number;
  /** Every timed sample of the step, in ms. */
  readonly samples: readonly number[];
  /** The next version the step answered, when it answers one. */
  readonly version?: string;
}

/** What {@link runVersionBumpBench} measured. */
export interface VersionBumpBenchReport {
  readonly seed: number;
  readonly repeats: number;
  /** Commits in the generated repository (the generator's, plus the initial and the added ones). */
  readonly commits: number;
  readonly tags: number;
  readonly releaseLines: number;
  /** The release branch every side answers for. */
  readonly branch: string;
  /** Highest tag of that line before the benchmark's commits. */
  readonly previousTag: string;
  /** Conventional commits added on top of the line, so there is something to release. */
  readonly addedCommits: number;
  /** The version both tools should answer (previous patch + 1). */
  readonly expectedVersion: string;
  /** Wall time of generating the repository, in ms. */
  readonly generateMs: number;
  readonly rows: readonly VersionBumpBenchRow[];
  /** Why semantic-release was not measured; undefined when it was. */
  readonly semanticReleaseSkipped?: string;
  /** The correctness cross-check: both tools' answer for the line. */
  readonly crossCheck: { readonly ours: string; readonly semanticRelease?: string; readonly agree: boolean };
  /** The figures with their targets, for the summary of `npm run bench`. */
  readonly ratios: readonly BenchRatio[];
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const THIS_FILE = fileURLToPath(import.meta.url);
const BUNDLE = join(REPO, 'dist', 'version-bump', 'index.js');
const COMMITS = 20_000;
const TAGS = 2_000;
const RELEASE_LINES = 40;
const ADDED_COMMITS = 3;
const OWNER = 'acme';
const NAME = 'shop';
const SEMANTIC_RELEASE_TIMEOUT_MS = 120_000;

interface Timed {
  exitCode: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs a program with an argument array and an environment of its own (nothing inherited: a CI
 * variable of the machine running the benchmark must not change what semantic-release does).
 */
function timedRun(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<Timed> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(command, [...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ exitCode: code ?? 1, stdout, stderr, ms: performance.now() - started });
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** semantic-release's CLI script, or why it cannot run here. */
function semanticReleaseBin(): { bin: string } | { skipped: string } {
  const require = createRequire(join(REPO, 'package.json'));
  let manifestPath: string;
  try {
    manifestPath = require.resolve('semantic-release/package.json');
  } catch {
    return { skipped: 'semantic-release is not installed (root devDependency: npm i -D semantic-release)' };
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: string | Record<string, string> };
  const relative = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.['semantic-release'];
  const bin = relative ? join(dirname(manifestPath), relative) : undefined;
  if (!bin || !existsSync(bin)) return { skipped: `semantic-release's CLI script is missing in ${manifestPath}` };
  return { bin };
}

/** Our bundle's answer, checked: a dry run that exits 0 with the expected version, or the run's output. */
function checkedVersion(run: BundleRun, what: string, expected: string): string {
  if (run.exitCode !== 0 || run.outputs.outcome !== 'dry-run' || run.outputs.version !== expected) {
    throw new Error(
      `${what} answered ${JSON.stringify(run.outputs)} (exit ${run.exitCode}), expected a dry run of ${expected}:\n` +
        tail(`${run.stdout}\n${run.stderr}`),
    );
  }
  return run.outputs.version;
}

/**
 * Generates the seeded repository, adds a few conventional commits on the middle release line, and
 * measures the next version of that line by our bundle (git and api methods), a bare `git ls-remote
 * --tags`, Node's own start-up, and `semantic-release --dry-run`; returns the medians, the ratios
 * against the issue's targets and the cross-check of both tools' answers.
 */
export async function runVersionBumpBench(options: VersionBumpBenchOptions = {}): Promise<VersionBumpBenchReport> {
  const seed = options.seed ?? 1;
  const repeats = Math.max(1, Math.floor(options.repeats ?? 5));
  const parent = realpathSync(await mkdtemp(join(tmpdir(), 'version-bump-bench-')));
  let sandbox: GitSandbox | undefined;
  let api: GitHubStandIn | undefined;
  try {
    sandbox = await createGitSandbox({ parentDir: parent });
    const history = await sandbox.generateHistory({
      commits: COMMITS,
      tags: TAGS,
      releaseLines: RELEASE_LINES,
      seed,
    });
    // The middle line: older lines and newer ones (with higher versions) exist on either side of it.
    const line = history.lines[Math.floor(history.lines.length / 2)];
    const previousTag = line?.tags.at(-1);
    if (!line || !previousTag) throw new Error('The generated history has no release line with a tag');
    const previousPatch = Number(previousTag.split('.').at(-1));
    const expectedVersion = `${line.major}.${line.minor}.${previousPatch + 1}`;

    // The generator tags the tip of every line, so there is nothing to release yet: add conventional
    // commits (its own messages are conventional too: `fix: release/vX.Y change N`), dated for determinism.
    await sandbox.checkout(line.branch);
    let sha = '';
    for (let i = 1; i <= ADDED_COMMITS; i++) {
      sha = await sandbox.commit({ [`hotfix-${i}.txt`]: `fix ${i}\n` }, `fix(checkout): hotfix ${i} of the bench`, {
        date: `2030-01-0${i}T12:00:00Z`,
      });
    }
    await sandbox.push(`refs/heads/${line.branch}:refs/heads/${line.branch}`);

    api = await startGitHubStandIn({ owner: OWNER, repo: NAME, gitDir: sandbox.origin });
    const home = join(parent, 'home');
    await mkdir(home, { recursive: true });
    // What a fresh runner gives git: no system or global configuration.
    const gitEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, GIT_CONFIG_NOSYSTEM: '1' };
    const semanticRelease = semanticReleaseBin();
    let semanticReleaseSkipped = 'skipped' in semanticRelease ? semanticRelease.skipped : undefined;
    const releaseConfig = {
      // semantic-release needs one release branch; the line is a maintenance branch with its range.
      branches: ['main', { name: line.branch, range: `${line.major}.${line.minor}.x` }],
      repositoryUrl: sandbox.originUrl,
      tagFormat: 'v${version}',
      // The npm and github plugins need the network: analysis and notes are what a dry run computes.
      plugins: ['@semantic-release/commit-analyzer', '@semantic-release/release-notes-generator'],
    };

    const samples = {
      shallowClone: [] as number[],
      lsRemote: [] as number[],
      oursGit: [] as number[],
      oursApi: [] as number[],
      node: [] as number[],
      bundleLoad: [] as number[],
      fullClone: [] as number[],
      semanticRelease: [] as number[],
      semanticReleaseShallow: [] as number[],
    };
    let oursVersion = '';
    const peerVersions = new Set<string>();
    const sandboxRef = sandbox;
    const standIn = api;

    /** One dry run of semantic-release in a clone; on failure, stops every later run of it. */
    const peerRun = async (dir: string, where: string): Promise<number | undefined> => {
      if ('skipped' in semanticRelease || semanticReleaseSkipped) return undefined;
      await writeFile(join(dir, '.releaserc.json'), JSON.stringify(releaseConfig, null, 2));
      const run = await timedRun(
        process.execPath,
        [semanticRelease.bin, '--dry-run', '--no-ci'],
        dir,
        gitEnv,
        SEMANTIC_RELEASE_TIMEOUT_MS,
      );
      const version = /The next release version is (\S+)/.exec(run.stdout)?.[1];
      if (run.exitCode !== 0 || !version) {
        semanticReleaseSkipped =
          `semantic-release --dry-run (${where}) exited ${run.exitCode} without a next version:\n` +
          tail(`${run.stdout}\n${run.stderr}`);
        return undefined;
      }
      peerVersions.add(version);
      return run.ms;
    };

    const round = async (index: number, timed: boolean) => {
      const record = (list: number[], ms: number | undefined) => {
        if (timed && ms !== undefined) list.push(ms);
      };
      const cloneDir = join(parent, `shallow-${index}`);
      const clone = await timedRun(
        'git',
        ['clone', '--quiet', '--depth', '1', '--no-tags', '--branch', line.branch, sandboxRef.originUrl, cloneDir],
        parent,
        gitEnv,
      );
      if (clone.exitCode !== 0) throw new Error(`git clone --depth 1 failed: ${clone.stderr}`);
      record(samples.shallowClone, clone.ms);

      const lsRemote = await timedRun('git', ['ls-remote', '--tags', 'origin'], cloneDir, gitEnv);
      if (lsRemote.exitCode !== 0) throw new Error(`git ls-remote failed: ${lsRemote.stderr}`);
      record(samples.lsRemote, lsRemote.ms);

      const ref = `refs/heads/${line.branch}`;
      const git = await runBundle({
        bundle: 'version-bump',
        inputs: { method: 'git', token: '', 'dry-run': 'true' },
        sha,
        ref,
        workspace: cloneDir,
        eventName: 'push',
      });
      oursVersion = checkedVersion(git, 'version-bump (method git)', expectedVersion);
      record(samples.oursGit, git.durationMs);

      const viaApi = await runBundle({
        bundle: 'version-bump',
        inputs: { method: 'api', 'dry-run': 'true' },
        sha,
        ref,
        env: standIn.env(),
        eventName: 'push',
      });
      checkedVersion(viaApi, 'version-bump (method api)', expectedVersion);
      record(samples.oursApi, viaApi.durationMs);

      const node = await timedRun(process.execPath, ['-e', ''], parent, gitEnv);
      record(samples.node, node.ms);
      // Without a single runner variable the bundle stops at its first input: Node plus loading the bundle.
      const load = await timedRun(process.execPath, [BUNDLE], parent, { PATH: gitEnv.PATH });
      if (load.exitCode === 0 || !load.stdout.includes('::error')) {
        throw new Error(`The bundle was expected to stop at its first input:\n${tail(load.stdout + load.stderr)}`);
      }
      record(samples.bundleLoad, load.ms);

      // Last in this clone: semantic-release deepens a shallow clone itself (git fetch --unshallow --tags).
      record(samples.semanticReleaseShallow, await peerRun(cloneDir, 'fetch-depth 1 clone'));
      await rm(cloneDir, { recursive: true, force: true });

      if ('skipped' in semanticRelease || semanticReleaseSkipped) return;
      const fullDir = join(parent, `full-${index}`);
      const full = await timedRun(
        'git',
        ['clone', '--quiet', '--branch', line.branch, sandboxRef.originUrl, fullDir],
        parent,
        gitEnv,
      );
      if (full.exitCode !== 0) throw new Error(`git clone (full) failed: ${full.stderr}`);
      record(samples.fullClone, full.ms);
      record(samples.semanticRelease, await peerRun(fullDir, 'full clone'));
      await rm(fullDir, { recursive: true, force: true });
    };

    // The warm-up round fills the page cache and git's, for every side alike.
    await round(0, false);
    for (let i = 1; i <= repeats; i++) await round(i, true);
    assertNoViolations(api);

    const peerVersion = peerVersions.size === 1 ? [...peerVersions][0] : undefined;
    const rows: VersionBumpBenchRow[] = [
      {
        id: 'ours-git',
        name: 'version-bump, method git (fetch-depth 1, no tags)',
        ms: median(samples.oursGit),
        cloneMs: median(samples.shallowClone),
        samples: samples.oursGit,
        version: oursVersion,
      },
      {
        id: 'ours-api',
        name: 'version-bump, method api (API stand-in)',
        ms: median(samples.oursApi),
        samples: samples.oursApi,
        version: oursVersion,
      },
      {
        id: 'ls-remote',
        name: 'git ls-remote --tags origin (same clone)',
        ms: median(samples.lsRemote),
        samples: samples.lsRemote,
      },
      {
        id: 'bundle-load',
        name: 'version-bump bundle, load only (stops at its first input)',
        ms: median(samples.bundleLoad),
        samples: samples.bundleLoad,
      },
      { id: 'node-startup', name: "node -e '' (start-up floor)", ms: median(samples.node), samples: samples.node },
    ];
    if (!semanticReleaseSkipped) {
      rows.push(
        {
          id: 'semantic-release',
          name: 'semantic-release --dry-run (full clone)',
          ms: median(samples.semanticRelease),
          cloneMs: median(samples.fullClone),
          samples: samples.semanticRelease,
          ...(peerVersion ? { version: peerVersion } : {}),
        },
        {
          id: 'semantic-release-shallow',
          name: 'semantic-release --dry-run (fetch-depth 1 clone, deepens it)',
          ms: median(samples.semanticReleaseShallow),
          cloneMs: median(samples.shallowClone),
          samples: samples.semanticReleaseShallow,
          ...(peerVersion ? { version: peerVersion } : {}),
        },
      );
    }

    const ours = rows[0] as VersionBumpBenchRow;
    const lsRemote = rows[2] as VersionBumpBenchRow;
    const peer = rows.find((row) => row.id === 'semantic-release');
    const peerShallow = rows.find((row) => row.id === 'semantic-release-shallow');
    const oursWithClone = ours.ms + (ours.cloneMs ?? 0);
    const speedUp = peer ? peer.ms / ours.ms : Number.NaN;
    const speedUpWithClone = peer ? (peer.ms + (peer.cloneMs ?? 0)) / oursWithClone : Number.NaN;
    const speedUpShallow = peerShallow ? peerShallow.ms / ours.ms : Number.NaN;
    const floorRatio = ours.ms / lsRemote.ms;
    const notMeasured = peer ? '' : ' (not measured)';
    const ratios: BenchRatio[] = [
      {
        name: `version-bump: times faster than semantic-release, without clones${notMeasured}`,
        value: speedUp,
        unit: 'ratio',
        target: '≥ 10×',
        pass: speedUp >= 10,
      },
      {
        name: `version-bump: times faster than semantic-release, clones included${notMeasured}`,
        value: speedUpWithClone,
        unit: 'ratio',
        target: '≥ 10×',
        pass: speedUpWithClone >= 10,
      },
      {
        name: `version-bump: times faster than semantic-release, both from the fetch-depth 1 clone${notMeasured}`,
        value: speedUpShallow,
        unit: 'ratio',
        target: '≥ 10×',
        pass: speedUpShallow >= 10,
      },
      {
        name: 'version-bump: time vs bare git ls-remote --tags (fetch-depth 1)',
        value: floorRatio,
        unit: 'ratio',
        target: '≤ 3×',
        pass: floorRatio <= 3,
      },
    ];

    return {
      seed,
      repeats,
      commits: history.commits + 1 + ADDED_COMMITS,
      tags: history.tags.length,
      releaseLines: history.lines.length,
      branch: line.branch,
      previousTag,
      addedCommits: ADDED_COMMITS,
      expectedVersion,
      generateMs: history.durationMs,
      rows,
      ...(semanticReleaseSkipped ? { semanticReleaseSkipped } : {}),
      crossCheck: {
        ours: oursVersion,
        ...(peerVersions.size > 0 ? { semanticRelease: [...peerVersions].join(' / ') } : {}),
        agree: peerVersions.size === 1 && peerVersions.has(oursVersion),
      },
      ratios,
    };
  } finally {
    await api?.close();
    await sandbox?.cleanup();
    await rm(parent, { recursive: true, force: true });
  }
}

/** The report as the lines `npm run bench` prints. */
export function formatVersionBumpBench(report: VersionBumpBenchReport): string {
  const ms = (value: number | undefined): string => (value === undefined ? '' : `${value.toFixed(1)} ms`);
  const times = (value: number): string => (Number.isNaN(value) ? 'not measured' : `${value.toFixed(2)}x`);
  const spread = (samples: readonly number[]): string =>
    samples.length === 0 ? '' : `${Math.min(...samples).toFixed(0)}–${Math.max(...samples).toFixed(0)} ms`;
  const header = ['side', 'median', 'min–max', 'clone', 'answer'];
  const body = report.rows.map((row) => [
    row.name,
    ms(row.ms),
    spread(row.samples),
    ms(row.cloneMs),
    row.version ?? '',
  ]);
  if (report.semanticReleaseSkipped) body.push(['semantic-release --dry-run', 'not measured', '', '', '']);
  const byId = (id: VersionBumpBenchRow['id']) => report.rows.find((row) => row.id === id)?.ms ?? Number.NaN;
  const [ours, load, node, lsRemote] = [byId('ours-git'), byId('bundle-load'), byId('node-startup'), byId('ls-remote')];
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column]!.length)));
  const line = (cells: readonly string[]) =>
    `  ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}`;
  const { crossCheck } = report;
  const lines = [
    `version-bump: next version of ${report.branch} on a generated repository of ` +
      `${report.commits.toLocaleString('en-US')} commits, ${report.tags.toLocaleString('en-US')} tags over ` +
      `${report.releaseLines} release lines (seed ${report.seed}, generated in ${(report.generateMs / 1000).toFixed(1)} s)`,
    `  previous ${report.previousTag}, ${report.addedCommits} conventional commits on top; medians of ${report.repeats} round${report.repeats === 1 ? '' : 's'}` +
      ' (not counted: installing semantic-release, which a workflow pays on every run)',
    line(header),
    ...body.map(line),
    // Where the time of the git method goes: what no action can avoid, what the bundle costs, the rest.
    `  method git = Node start-up ${ms(node)} + loading the bundle ${ms(load - node)} + its work ${ms(ours - load)}` +
      ` (of which at least one ls-remote, ${ms(lsRemote)})`,
  ];
  if (report.semanticReleaseSkipped) {
    lines.push(`  semantic-release not measured: ${report.semanticReleaseSkipped.replace(/\n/g, '\n    ')}`);
  }
  lines.push(
    ...report.ratios.map(
      (ratio) =>
        `  ${ratio.name.replace(/^version-bump: /, '').replace(/ \(not measured\)$/, '')}: ${times(ratio.value)} (target ${ratio.target})` +
        ` ${Number.isNaN(ratio.value) ? '' : ratio.pass ? 'ok' : 'MISSED'}`,
    ),
    `  cross-check: ours ${crossCheck.ours}, semantic-release ${crossCheck.semanticRelease ?? 'not measured'}` +
      (crossCheck.semanticRelease === undefined ? '' : crossCheck.agree ? ' (agree)' : ' (DISAGREE)'),
  );
  return lines.join('\n');
}

function flag(name: string): number | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : undefined;
}

if (process.argv[1] && resolve(process.argv[1]) === THIS_FILE) {
  runVersionBumpBench({ seed: flag('seed'), repeats: flag('repeats') })
    .then((report) => console.log(formatVersionBumpBench(report)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
