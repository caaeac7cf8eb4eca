// Cold start of every committed bundle: its size, and the time from `node dist/<name>/index.js` to
// its first output (a run with an invalid input, which every action rejects before any work),
// against `node -e 0` in the same run. Medians over repeated, interleaved runs.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
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

/** Everything the cold-start benchmark measured. */
export interface ColdStartReport {
  nodeMs: number;
  rows: ColdStartRow[];
  ratios: BenchRatio[];
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

/** Measures every bundle in dist/ (`repeats` interleaved runs each, after one warm-up). */
export function runColdStartBench(options: { repeats?: number } = {}): ColdStartReport {
  const repeats = options.repeats ?? 15;
  const actions = readdirSync(join(root, 'dist'))
    .filter((name) => existsSync(join(root, 'dist', name, 'index.js')))
    .sort();
  // An input no action accepts: each rejects it at once with one error annotation and exit 1.
  const env = { PATH: process.env.PATH, GITHUB_REPOSITORY: 'acme/shop', 'INPUT_DRY-RUN': 'maybe', INPUT_SCHEME: 'bad' };
  const samples = new Map<string, number[]>([['node', []], ...actions.map((a): [string, number[]] => [a, []])]);
  for (let round = 0; round <= repeats; round++) {
    const node = timeRun(['-e', '0'], env);
    if (round > 0) samples.get('node')!.push(node);
    for (const action of actions) {
      const ms = timeRun([join(root, 'dist', action, 'index.js')], env);
      if (round > 0) samples.get(action)!.push(ms);
    }
  }
  const nodeMs = median(samples.get('node')!);
  const rows = actions.map((action) => {
    const dir = join(root, 'dist', action);
    const bytes = readdirSync(dir)
      .filter((file) => file.endsWith('.js'))
      .reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
    const medianMs = median(samples.get(action)!);
    return { action, bytes, medianMs, ratio: medianMs / nodeMs };
  });
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
  return { nodeMs, rows, ratios };
}

/** The report as a text table. */
export function formatColdStartBench(report: ColdStartReport): string {
  const lines = [`node -e 0: ${report.nodeMs.toFixed(0)} ms (median)`, 'action            size      start   × node'];
  for (const row of report.rows) {
    lines.push(
      `${row.action.padEnd(16)} ${`${(row.bytes / 1024).toFixed(0)} kB`.padStart(8)} ${`${row.medianMs.toFixed(0)} ms`.padStart(8)} ${`${row.ratio.toFixed(2)}×`.padStart(8)}`,
    );
  }
  return lines.join('\n');
}
