// Benchmark of the JSONL backend of beads-sync: one ticket transition on a generated 50,000-issue
// `.beads/issues.jsonl`, done the way the action does it (read → parse → edit one line → atomic
// write with fsync), against `cp` of the same file; plus the peak memory of a process doing it.
//
//   npx tsx bench/beads.ts [--issues 50000] [--seed 1] [--repeats 9]
import { seededPrng } from '../packages/testkit/src/random.js';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../packages/core/src/exec.js';
import {
  applyBeadsEdits,
  beadsTransition,
  beadsWriteFileAtomic,
  encodeBeadsJson,
  readBeadsJsonl,
  type BeadsRecord,
} from '../packages/core/src/beads/index.js';

/** Options of {@link runBeadsBench}. */
export interface BeadsBenchOptions {
  /** Issues in the generated file (default 50,000). */
  readonly issues?: number;
  /** Seed of the generator, so runs compare the same file (default 1). */
  readonly seed?: number;
  /** Timed repetitions of each side; medians are reported (default 9). */
  readonly repeats?: number;
}

/** What {@link runBeadsBench} measured. */
export interface BeadsBenchReport {
  /** Issues in the generated file. */
  readonly issues: number;
  /** Size of the generated file in bytes. */
  readonly fileBytes: number;
  /** Median time of one transition (read, parse, edit, atomic write with fsync), in ms. */
  readonly transitionMs: number;
  /** The same without fsync, to separate the disk flush from the editor's own work, in ms. */
  readonly transitionNoSyncMs: number;
  /** Median time of `cp` of the same file, process start included, in ms. */
  readonly cpMs: number;
  /** transitionMs / cpMs (target ≤ 3). */
  readonly ratio: number;
  /** Peak resident memory (maxRSS) of a fresh process doing one transition, in bytes. */
  readonly peakRssBytes: number;
  /** Resident memory of that process just before the transition (Node, the TypeScript loader, the code). */
  readonly baselineRssBytes: number;
  /** (peak − baseline) / file size: the memory the transition itself needs (target ≤ 2). */
  readonly memoryRatio: number;
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const THIS_FILE = fileURLToPath(import.meta.url);
const ACTOR = 'hotfix-actions-bench';
const NOW = '2026-02-01T10:00:00Z';

const WORDS = (
  'fix add remove sync import export daemon flush jsonl merge conflict branch worktree status label ' +
  'dependency priority close reopen update create test docs refactor cache sqlite dolt migrate schema ' +
  'hook gate molecule agent wisp tombstone compaction timeout retry lock race deadlock parser encoder ' +
  'config prefix id hash collision regression crash panic nil pointer memory leak slow query index'
).split(' ');
const TYPES = ['task', 'task', 'task', 'bug', 'bug', 'feature', 'epic', 'chore', 'event'];
const ACTORS = ['beads/crew/wolf', 'beads/crew/emma', 'beads/refinery', 'stevey', 'claude'];

/** Generates one realistic line's record, modelled on the beads project's own tracker. */
function generateIssue(next: () => number, id: string, index: number, ids: readonly string[]): BeadsRecord {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const words = (min: number, max: number): string =>
    Array.from({ length: min + Math.floor(next() * (max - min)) }, () => pick(WORDS)).join(' ');
  const time = (offsetMinutes: number): string => {
    const date = new Date(Date.UTC(2025, 9, 1) + (index * 7 + offsetMinutes) * 60_000 + Math.floor(next() * 59_000));
    // bd writes local time with microseconds, e.g. 2025-11-02T21:58:07.295058-08:00.
    const local = new Date(date.getTime() - 8 * 3_600_000).toISOString().slice(0, 19);
    return `${local}.${String(Math.floor(next() * 1e6)).padStart(6, '0')}-08:00`;
  };
  const roll = next();
  const status = roll < 0.78 ? 'closed' : roll < 0.9 ? 'tombstone' : roll < 0.97 ? 'open' : 'in_progress';
  const record: BeadsRecord = { id, title: words(3, 10) };
  if (next() < 0.72) {
    const paragraphs = Array.from({ length: 1 + Math.floor(next() * 5) }, () => words(12, 60));
    if (next() < 0.3) paragraphs.push(`## Steps\n- run \`bd ${pick(WORDS)}\` <flag> & check → ok\n- é`);
    record['description'] = paragraphs.join('\n\n');
  }
  record['status'] = status;
  record['priority'] = Math.floor(next() * 5);
  record['issue_type'] = pick(TYPES);
  if (next() < 0.06) record['assignee'] = pick(ACTORS);
  if (next() < 0.13) record['owner'] = 'steve.yegge@gmail.com';
  record['created_at'] = time(0);
  if (next() < 0.4) record['created_by'] = pick(ACTORS);
  record['updated_at'] = time(90);
  if (status === 'closed') {
    record['closed_at'] = record['updated_at'] as string;
    if (next() < 0.5) record['close_reason'] = words(4, 20);
  }
  if (next() < 0.03) record['labels'] = [pick(WORDS), pick(WORDS)].sort();
  if (next() < 0.27 && index > 0) {
    record['dependencies'] = Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({
      issue_id: id,
      depends_on_id: ids[Math.floor(next() * index)] as string,
      type: pick(['parent-child', 'blocks', 'discovered-from', 'related']),
      created_at: record['created_at'] as string,
      created_by: 'stevey',
    }));
  }
  if (status === 'tombstone') {
    record['deleted_at'] = record['updated_at'] as string;
    record['deleted_by'] = 'batch delete';
    record['delete_reason'] = 'batch delete';
    record['original_type'] = record['issue_type'] as string;
  }
  if (next() < 0.17) record['ephemeral'] = true;
  return record;
}

/** Writes a seeded `issues.jsonl` of `count` issues, sorted by id as bd writes it; returns its open ids. */
async function generateFile(path: string, count: number, seed: number): Promise<string[]> {
  const next = seededPrng(seed);
  const ids = new Set<string>();
  while (ids.size < count) {
    const length = 4 + Math.floor(next() * 5);
    let hash = '';
    for (let i = 0; i < length; i++) hash += '0123456789abcdefghijklmnopqrstuvwxyz'[Math.floor(next() * 36)];
    ids.add(`bd-${hash}`);
  }
  const sorted = [...ids].sort();
  const lines: string[] = [];
  const open: string[] = [];
  sorted.forEach((id, index) => {
    const record = generateIssue(next, id, index, sorted);
    if (record['status'] === 'open') open.push(id);
    lines.push(encodeBeadsJson(record));
  });
  await writeFile(path, `${lines.join('\n')}\n`);
  return open;
}

/** One transition exactly as the action performs it on the JSONL backend. */
async function transitionOnce(path: string, id: string, fsync: boolean): Promise<void> {
  const doc = await readBeadsJsonl(path);
  const line = doc.findIssue(id);
  if (!line) throw new Error(`${id} not found`);
  const after = beadsTransition(doc.recordOf(line), { kind: 'start' }, NOW, ACTOR);
  if (after === 'unchanged') throw new Error(`${id} was already started`);
  const result = applyBeadsEdits(doc, [{ kind: 'replace', record: after }]);
  await beadsWriteFileAtomic(path, result.chunks, { fsync });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

interface ChildMemory {
  /** Resident memory just before the transition, after a full garbage collection. */
  readonly rssBeforeBytes: number;
  /** Peak resident memory of the whole process (maxRSS), the transition included. */
  readonly maxRssBytes: number;
}

/** Runs one transition in a fresh process, so the peak memory measured is that process's own. */
async function childMemory(path: string, id: string): Promise<ChildMemory> {
  const result = await runCommand(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', THIS_FILE, '--child', path, id],
    { cwd: REPO },
  );
  if (result.exitCode !== 0) throw new Error(`bench child failed: ${result.stderr || result.stdout}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as ChildMemory;
}

/**
 * Generates a seeded JSONL of `issues` issues in a temporary directory and measures one transition
 * (median over `repeats`, each on a different ticket) against `cp` of the same file, then the peak
 * memory of a separate process doing one transition compared with the file size.
 */
export async function runBeadsBench(options: BeadsBenchOptions = {}): Promise<BeadsBenchReport> {
  const issues = options.issues ?? 50_000;
  const seed = options.seed ?? 1;
  const repeats = options.repeats ?? 9;
  const dir = await mkdtemp(join(tmpdir(), 'beads-bench-'));
  try {
    const path = join(dir, 'issues.jsonl');
    const open = await generateFile(path, issues, seed);
    if (open.length < 2 * repeats + 2) throw new Error('Not enough open issues generated; use more issues');
    const fileBytes = (await stat(path)).size;
    const copy = join(dir, 'copy.jsonl');
    let target = 0;
    // Warm the page cache and the JIT the same way for both sides.
    await transitionOnce(path, open[target++] as string, true);
    await runCommand('cp', [path, copy]);
    const withSync: number[] = [];
    const withoutSync: number[] = [];
    const cp: number[] = [];
    for (let i = 0; i < repeats; i++) {
      cp.push(await timed(() => runCommand('cp', [path, copy])));
      withSync.push(await timed(() => transitionOnce(path, open[target++] as string, true)));
      withoutSync.push(await timed(() => transitionOnce(path, open[target++] as string, false)));
    }
    const memory = await childMemory(path, open[target] as string);
    const transitionMs = median(withSync);
    const cpMs = median(cp);
    return {
      issues,
      fileBytes,
      transitionMs,
      transitionNoSyncMs: median(withoutSync),
      cpMs,
      ratio: transitionMs / cpMs,
      peakRssBytes: memory.maxRssBytes,
      baselineRssBytes: memory.rssBeforeBytes,
      memoryRatio: (memory.maxRssBytes - memory.rssBeforeBytes) / fileBytes,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The report as the lines `npm run bench` prints. */
export function formatBeadsBench(report: BeadsBenchReport): string {
  const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;
  return [
    `beads-sync: one transition on a ${report.issues.toLocaleString('en-US')}-issue issues.jsonl (${mb(report.fileBytes)})`,
    `  transition (read, parse, edit one line, atomic write + fsync): ${report.transitionMs.toFixed(1)} ms` +
      ` (${report.transitionNoSyncMs.toFixed(1)} ms without fsync)`,
    `  cp of the same file: ${report.cpMs.toFixed(1)} ms`,
    `  ratio: ${report.ratio.toFixed(2)}x (target <= 3x) ${report.ratio <= 3 ? 'ok' : 'OVER'}`,
    `  peak memory: ${mb(report.peakRssBytes - report.baselineRssBytes)} for the transition` +
      ` (${mb(report.peakRssBytes)} peak RSS, ${mb(report.baselineRssBytes)} before it)` +
      ` = ${report.memoryRatio.toFixed(2)}x the file (target <= 2x) ${report.memoryRatio <= 2 ? 'ok' : 'OVER'}`,
  ].join('\n');
}

async function child(path: string, id: string): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  const rssBeforeBytes = process.memoryUsage().rss;
  await transitionOnce(path, id, true);
  const report: ChildMemory = { rssBeforeBytes, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
  console.log(JSON.stringify(report));
}

function flag(name: string): number | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : undefined;
}

if (process.argv[1] && resolve(process.argv[1]) === THIS_FILE) {
  const childAt = process.argv.indexOf('--child');
  const run =
    childAt >= 0
      ? child(process.argv[childAt + 1] as string, process.argv[childAt + 2] as string)
      : runBeadsBench({ issues: flag('issues'), seed: flag('seed'), repeats: flag('repeats') }).then((report) =>
          console.log(formatBeadsBench(report)),
        );
  run.catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
