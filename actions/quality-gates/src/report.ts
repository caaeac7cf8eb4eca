// What people read: the seed's "Running Quality Gates..." text for the log (and a PR body's code
// block), and the job summary table with the findings behind a failure.
import { details, markdownHeading, markdownInlineCode, markdownTable } from '@hotfix-actions/core';
import { GATE_LABELS, GATE_TITLES, gatesPassed, type GateName, type GateResult } from './gates.js';
import type { FailedTest } from './junit.js';
import type { LintFinding } from './lint.js';

const MARKS = { passed: '✓', failed: '✗', skipped: '–' } as const;

/** The verdict line: `✓ ALL GATES PASSED`, `✗ 2 OF 5 GATES FAILED: COVERAGE, LINTING`. */
export function gatesVerdict(results: readonly GateResult[]): string {
  const failed = results.filter((result) => result.status === 'failed');
  const checked = results.filter((result) => result.status !== 'skipped');
  if (gatesPassed(results)) {
    const skipped = results.filter((result) => result.status === 'skipped');
    const note =
      skipped.length === 0 ? '' : ` (${skipped.map((result) => GATE_LABELS[result.gate]).join(', ')} NOT CHECKED)`;
    return `✓ ALL GATES PASSED${note}`;
  }
  if (failed.length === 0) return '✗ NO GATE WAS CHECKED';
  return (
    `✗ ${failed.length} OF ${checked.length} GATE${checked.length === 1 ? '' : 'S'} FAILED: ` +
    failed.map((result) => GATE_LABELS[result.gate]).join(', ')
  );
}

/**
 * The gates as hotfix-workflow 6.5 prints them:
 *
 * ```
 * Running Quality Gates...
 *
 * COVERAGE: ✓ 82% (≥80% required)
 * TESTS: ✓ 47/47 passing
 * …
 * ✓ ALL GATES PASSED
 * ```
 */
export function renderGatesText(results: readonly GateResult[]): string {
  const lines = results.map((result) => `${GATE_LABELS[result.gate]}: ${MARKS[result.status]} ${result.result}`);
  return ['Running Quality Gates...', '', ...lines, '', gatesVerdict(results)].join('\n');
}

function where(finding: { file?: string; line?: number }): string {
  if (finding.file === undefined) return '';
  return markdownInlineCode(finding.line === undefined ? finding.file : `${finding.file}:${finding.line}`);
}

/** What the summary shows beyond the gates. */
export interface SummaryExtras {
  findings: readonly LintFinding[];
  failedTests: readonly FailedTest[];
  /** How many findings the summary lists at most (the rest are counted). */
  limit?: number;
}

/** The job summary: verdict, one row per gate, then the lint findings and failed tests behind them. */
export function renderSummary(results: readonly GateResult[], extras: SummaryExtras): string {
  const limit = extras.limit ?? 50;
  const passed = gatesPassed(results);
  const verdict = gatesVerdict(results);
  const parts = [
    markdownHeading('Quality gates'),
    `**${sentenceCase(verdict)}**\n`,
    markdownTable(
      ['', 'gate', 'result', 'required', 'from'],
      results.map((result) => [
        MARKS[result.status],
        GATE_TITLES[result.gate],
        result.result,
        result.requirement,
        result.source,
      ]),
      ['center'],
    ),
  ];
  const problems = extras.findings.filter((finding) => finding.level !== 'note');
  if (problems.length > 0) {
    const shown = [...problems].sort((a, b) => rank(a) - rank(b)).slice(0, limit);
    const rest = problems.length - shown.length;
    parts.push(
      details(
        `Lint findings (${problems.length})`,
        markdownTable(
          ['level', 'where', 'rule', 'message'],
          shown.map((finding) => [finding.level, where(finding), finding.rule ?? '', finding.message]),
        ) + (rest > 0 ? `\n…and ${rest} more in the report.\n` : ''),
        { open: !passed },
      ),
    );
  }
  if (extras.failedTests.length > 0) {
    const shown = extras.failedTests.slice(0, limit);
    const rest = extras.failedTests.length - shown.length;
    parts.push(
      details(
        `Failed tests (${extras.failedTests.length})`,
        markdownTable(
          ['test', 'suite', 'message'],
          shown.map((test) => [test.name, test.suite ?? '', (test.message ?? '').split('\n')[0]]),
        ) + (rest > 0 ? `\n…and ${rest} more in the report.\n` : ''),
        { open: true },
      ),
    );
  }
  return parts.join('\n');
}

// `✗ 1 OF 2 GATES FAILED: COVERAGE` → `✗ 1 of 2 gates failed: Coverage`.
function sentenceCase(verdict: string): string {
  const titles = new Map(Object.entries(GATE_LABELS).map(([gate, label]) => [label, GATE_TITLES[gate as GateName]]));
  const words = verdict.replace(/[A-Z]+/g, (word) => titles.get(word) ?? word.toLowerCase());
  return words.replace(/^(\S+ )(\S)/, (_, mark: string, first: string) => `${mark}${first.toUpperCase()}`);
}

function rank(finding: LintFinding): number {
  return finding.level === 'error' ? 0 : 1;
}
