// Shared tooling of the reliability campaign: the mode and its sizes, a bounded worker pool, the
// origin's refs as a fingerprint, and readers of what a bundle run left behind.
import { runSandboxGit, type BundleRun, type WorkflowAnnotation } from '@hotfix-actions/testkit';

/** `HOTFIX_RELIABILITY=full` runs the campaign at the sizes the issue asks for; otherwise a fast sample. */
export const FULL = process.env.HOTFIX_RELIABILITY === 'full';

/** How much each part of the campaign does in this mode. */
export const SIZES = FULL
  ? { faultRuns: 200, harshRuns: 40, fuzzPerAction: 500, fuzzLanes: 2, concurrentRounds: 3, concurrency: 4 }
  : { faultRuns: 40, harshRuns: 8, fuzzPerAction: 40, fuzzLanes: 1, concurrentRounds: 1, concurrency: 3 };

/** Time limit of one test: generous, since the machine running it may be shared and slow. */
export const TEST_TIMEOUT_MS = FULL ? 1_800_000 : 240_000;

/** The repository every stand-in serves. */
export const OWNER = 'acme';
export const REPO = 'shop';

/** Runs `work` over `items` with at most `concurrency` at once; results keep the items' order. */
export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Every ref of a repository with the object it points at: equal fingerprints mean nothing was pushed. */
export function refsOf(gitDir: string): Promise<string> {
  return runSandboxGit(['for-each-ref', '--format=%(refname) %(objectname)'], gitDir);
}

/** Refs that differ between two fingerprints (added, removed or moved). */
export function changedRefs(before: string, after: string): string[] {
  const parse = (text: string) =>
    new Map(
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' ') as [string, string]),
    );
  const a = parse(before);
  const b = parse(after);
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((name) => a.get(name) !== b.get(name)).sort();
}

/** The error annotations of a run. */
export function errorsOf(run: BundleRun): WorkflowAnnotation[] {
  return run.annotations.filter((annotation) => annotation.level === 'error');
}

/**
 * A failure a person can act on: exit 1, exactly one error annotation (an echoed input can never add
 * one of its own), with a title and a message that are real text, not "undefined" or a stack.
 * `echoed` are values the user gave, which the message may quote (and which may well say "undefined").
 */
export function clearFailureProblem(run: BundleRun, echoed: readonly string[] = []): string | undefined {
  if (run.exitCode !== 1) return `exit ${run.exitCode}${run.signal ? ` (${run.signal})` : ''}, expected 1`;
  const errors = errorsOf(run);
  if (errors.length !== 1) return `${errors.length} error annotations, expected exactly 1`;
  const [error] = errors;
  if (!error!.title || error!.title.trim() === '') return 'the error annotation has no title';
  let own = `${error!.title} ${error!.message}`.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  for (const value of echoed.map((v) => v.trim()).filter(Boolean)) own = own.split(value).join('');
  if (/\bundefined\b|\[object Object\]|\bNaN\b/.test(own)) {
    return `the error reads ${JSON.stringify(error!.message.slice(0, 200))}`;
  }
  if (/^\s+at .+:\d+:\d+\)?$/m.test(error!.message)) return 'the error message is a stack trace';
  return undefined;
}

/** The input a run's configuration error names, when it failed with one naming one of `inputs`. */
export function namedInput(run: BundleRun, inputs: readonly string[]): string | undefined {
  const [error] = errorsOf(run);
  const title = /^Configuration error for input "([^"]+)"$/.exec(error?.title ?? '')?.[1];
  return title !== undefined && inputs.includes(title) ? title : undefined;
}

/** A short account of a run for assertion messages and finding reports. */
export function explain(run: BundleRun): string {
  const annotations = run.annotations.map((a) => `  ${a.level} [${a.title ?? ''}] ${a.message.slice(0, 300)}`);
  return [
    `exit ${run.exitCode}${run.signal ? ` (${run.signal})` : ''}`,
    ...annotations,
    `--- stdout (end)\n${run.stdout.slice(-1500)}`,
    `--- stderr (end)\n${run.stderr.slice(-800)}`,
  ].join('\n');
}

/** JSON output of a run, or undefined when it is missing or not JSON. */
export function jsonOutput<T>(run: BundleRun, name: string): T | undefined {
  const text = run.outputs[name];
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** Median of a list of numbers (0 for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
