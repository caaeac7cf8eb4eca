// Cold start of every committed bundle: its size, and the time from `node dist/<name>/index.js` to
// its first output (a run with an invalid input, which every action rejects before any work),
// against `node -e 0` in the same run. Medians over repeated, interleaved runs.
//
// Beside it, the shared-bundle experiment: every action in one bundle with thin entries (the layout
// github/codeql-action uses), built into .bench/shared/ and measured in the same rounds.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildEntry, minifyChunk } from '../scripts/bundle.mjs';
import type { BenchRatio } from './types.js';

const root = resolve(import.meta.dirname, '..');

/** One bundle's figures. */
export interface ColdStartRow {
  action: string;
  /** Bytes of dist/<name>/ JavaScript (index.js plus chunks). */
  bytes: number;
  /** Median milliseconds from spawn to exit (first output written). */
  medianMs: number;
  /** medianMs / the median of `node -e 0`. */
  ratio: number;
}

/** The shared-bundle experiment: one bundle for every action, thin entries. */
export interface SharedBundleReport {
  /** Bytes of JavaScript of the shared layout (the bundle, its chunks and the thin entries). */
  bytes: number;
  /** Bytes of JavaScript of dist/ as committed (one bundle per action). */
  perActionBytes: number;
  rows: { action: string; medianMs: number; ratio: number }[];
}

/** Everything the cold-start benchmark measured. */
export interface ColdStartReport {
  nodeMs: number;
  rows: ColdStartRow[];
  ratios: BenchRatio[];
  shared?: SharedBundleReport;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

function timeRun(args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  spawnSync(process.execPath, args, { env, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const jsBytes = (dir: string): number =>
  readdirSync(dir)
    .filter((file) => file.endsWith('.js'))
    .reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);

/**
 * Builds the shared layout into `out`: `shared/index.js` (bench/shared-entry.ts, every action a
 * chunk) and `<action>/index.js`, a one-line entry that starts its action.
 */
export async function buildSharedBundle(out: string, actions: readonly string[]): Promise<void> {
  const built = await buildEntry(join(root, 'bench', 'shared-entry.ts'));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'shared'), { recursive: true });
  writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
  writeFileSync(join(out, 'shared', 'index.js'), built.code);
  for (const [file, asset] of Object.entries(built.assets ?? {})) {
    if (file.endsWith('.js')) writeFileSync(join(out, 'shared', file), await minifyChunk(file, asset.source));
  }
  for (const action of actions) {
    mkdirSync(join(out, action), { recursive: true });
    writeFileSync(join(out, action, 'index.js'), `require('../shared/index.js').start(${JSON.stringify(action)});\n`);
  }
}

/**
 * Measures every bundle in dist/ (`repeats` interleaved runs each, after one warm-up), and with
 * `shared`, the shared layout's entries in the same rounds.
 */
export async function runColdStartBench(
  options: { repeats?: number; shared?: boolean } = {},
): Promise<ColdStartReport> {
  const repeats = options.repeats ?? 15;
  const actions = readdirSync(join(root, 'dist'))
    .filter((name) => existsSync(join(root, 'dist', name, 'index.js')))
    .sort();
  const sharedDir = join(root, '.bench', 'shared');
  if (options.shared) await buildSharedBundle(sharedDir, actions);
  // An input no action accepts: each rejects it at once with one error annotation and exit 1.
  const env = { PATH: process.env.PATH, GITHUB_REPOSITORY: 'acme/shop', 'INPUT_DRY-RUN': 'maybe', INPUT_SCHEME: 'bad' };
  const samples = new Map<string, number[]>([['node', []]]);
  const sample = (key: string, ms: number) => samples.set(key, [...(samples.get(key) ?? []), ms]);
  for (let round = 0; round <= repeats; round++) {
    const node = timeRun(['-e', '0'], env);
    if (round > 0) sample('node', node);
    for (const action of actions) {
      const ms = timeRun([join(root, 'dist', action, 'index.js')], env);
      if (round > 0) sample(action, ms);
      if (!options.shared) continue;
      const shared = timeRun([join(sharedDir, action, 'index.js')], env);
      if (round > 0) sample(`shared:${action}`, shared);
    }
  }
  const nodeMs = median(samples.get('node')!);
  const rows = actions.map((action) => {
    const bytes = jsBytes(join(root, 'dist', action));
    const medianMs = median(samples.get(action)!);
    return { action, bytes, medianMs, ratio: medianMs / nodeMs };
  });
  const shared: SharedBundleReport | undefined = options.shared
    ? {
        bytes: [sharedDir, join(sharedDir, 'shared'), ...actions.map((a) => join(sharedDir, a))].reduce(
          (sum, dir) => sum + jsBytes(dir),
          0,
        ),
        perActionBytes: rows.reduce((sum, row) => sum + row.bytes, 0),
        rows: actions.map((action) => {
          const medianMs = median(samples.get(`shared:${action}`)!);
          return { action, medianMs, ratio: medianMs / nodeMs };
        }),
      }
    : undefined;
  const ratios: BenchRatio[] = rows.flatMap((row) => [
    {
      name: `cold start: ${row.action} vs node -e 0`,
      value: row.ratio,
      unit: 'ratio' as const,
      target: '≤ 2×',
      pass: row.ratio <= 2,
    },
    {
      name: `bundle size: ${row.action} (MB)`,
      value: row.bytes / 1e6,
      unit: 'count' as const,
      target: '≤ 1.2 MB',
      pass: row.bytes <= 1.2e6,
    },
  ]);
  return { nodeMs, rows, ratios, ...(shared ? { shared } : {}) };
}

/** The report as a text table. */
export function formatColdStartBench(report: ColdStartReport): string {
  const shared = report.shared;
  const lines = [
    `node -e 0: ${report.nodeMs.toFixed(0)} ms (median)`,
    `action            size      start   × node${shared ? '   shared   × node' : ''}`,
  ];
  for (const row of report.rows) {
    const other = shared?.rows.find((r) => r.action === row.action);
    lines.push(
      `${row.action.padEnd(16)} ${`${(row.bytes / 1024).toFixed(0)} kB`.padStart(8)} ${`${row.medianMs.toFixed(0)} ms`.padStart(8)} ${`${row.ratio.toFixed(2)}×`.padStart(8)}` +
        (other ? `${`${other.medianMs.toFixed(0)} ms`.padStart(9)} ${`${other.ratio.toFixed(2)}×`.padStart(8)}` : ''),
    );
  }
  if (shared) {
    lines.push(
      `shared bundle: ${(shared.bytes / 1e6).toFixed(2)} MB for every action, against ${(shared.perActionBytes / 1e6).toFixed(2)} MB ` +
        `as one bundle per action (${(shared.perActionBytes / shared.bytes).toFixed(1)}× less to store)`,
    );
  }
  return lines.join('\n');
}
