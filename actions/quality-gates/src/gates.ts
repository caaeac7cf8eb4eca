// The quality gates of hotfix-workflow 6.5 as pure decisions over what the reports say: coverage at
// least the threshold, every test passing, lint clean, type check and build succeeding.
import {
  combineCoverage,
  formatCoverage,
  formatThreshold,
  meetsCoverage,
  type CoverageMetric,
  type CoverageReport,
} from './coverage.js';
import type { TestCounts } from './junit.js';
import type { LintFinding } from './lint.js';

/** The gates, in the seed's order. */
export type GateName = 'coverage' | 'tests' | 'lint' | 'types' | 'build';

/** Every gate, in the order the seed runs them. */
export const GATE_NAMES: readonly GateName[] = ['coverage', 'tests', 'lint', 'types', 'build'];

/** The seed's labels ("COVERAGE: ✓ 82% (≥80% required)"). */
export const GATE_LABELS: Readonly<Record<GateName, string>> = {
  coverage: 'COVERAGE',
  tests: 'TESTS',
  lint: 'LINTING',
  types: 'TYPES',
  build: 'BUILD',
};

/** The gates' names in prose and tables. */
export const GATE_TITLES: Readonly<Record<GateName, string>> = {
  coverage: 'Coverage',
  tests: 'Tests',
  lint: 'Linting',
  types: 'Types',
  build: 'Build',
};

/** A gate passed, failed, or was not checked because nothing was given for it. */
export type GateStatus = 'passed' | 'failed' | 'skipped';

/** What one gate found. */
export interface GateResult {
  gate: GateName;
  status: GateStatus;
  /** The result in the seed's words: `82% (≥80% required)`, `47/47 passing`, `0 issues`, `Success`. */
  result: string;
  /** What the gate asks for: `≥ 80% of lines`, `all pass`, `0 errors`. */
  requirement: string;
  /** Where the evidence came from: report paths and formats, or the input holding an exit code. */
  source: string;
  /** The input that turns the gate on (`coverage`, `tests`, `lint`, `typecheck-exit-code`, `build-exit-code`). */
  input: string;
  /** For a failed gate: what is wrong and what to do, for its annotation. */
  problem?: string;
  /** The numbers behind the result, for the `gates` output. */
  values?: Record<string, number | string>;
}

/** How a type check or build ended: an exit code, or the outcome of the step that ran it. */
export type StepResult = { exitCode: number } | { outcome: 'success' | 'failure' | 'cancelled' };

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The coverage gate over one or more reports: the metric's covered share must reach `threshold` percent. */
export function coverageGate(
  reports: readonly CoverageReport[],
  options: { metric: CoverageMetric; threshold: number; source: string; input?: string },
): GateResult {
  const { metric, threshold, source } = options;
  const input = options.input ?? 'coverage';
  const count = combineCoverage(reports, metric);
  const required = formatThreshold(threshold);
  const requirement = `≥ ${required} of ${metric}`;
  if (count === undefined) {
    // The caller refuses a report without the metric first (naming coverage-metric); this is a bug guard.
    throw new Error(`a ${metric} count is missing from a coverage report`);
  }
  const percent = formatCoverage(count);
  const of = metric === 'lines' ? '' : ` of ${metric}`;
  const values: Record<string, number | string> = { metric, covered: count.covered, total: count.total, threshold };
  if (count.total === 0) {
    return {
      gate: 'coverage',
      status: 'failed',
      result: `no ${metric} measured (≥${required} required)`,
      requirement,
      source,
      input,
      problem:
        `The coverage report${reports.length === 1 ? '' : 's'} (${source}) count no ${metric} at all: the tests ` +
        'did not load the code, or the coverage include pattern matches nothing.',
      values,
    };
  }
  const passed = meetsCoverage(count, threshold);
  values['percent'] = Number(percent.slice(0, -1));
  return {
    gate: 'coverage',
    status: passed ? 'passed' : 'failed',
    result: `${percent}${of} (≥${required} required)`,
    requirement,
    source,
    input,
    ...(passed
      ? {}
      : {
          problem:
            `Coverage is ${percent}${of} (${count.covered} of ${count.total} ${metric}), below the required ${required}: ` +
            `add tests for the uncovered code, or lower input "coverage-threshold" if the threshold is wrong.`,
        }),
    values,
  };
}

/** The tests gate: at least one test ran and none failed (skipped tests neither pass nor fail it). */
export function testsGate(counts: TestCounts, options: { source: string; input?: string }): GateResult {
  const input = options.input ?? 'tests';
  const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : '';
  const values = { passed: counts.passed, total: counts.total, failed: counts.failed, skipped: counts.skipped };
  const base = { gate: 'tests' as const, requirement: 'all pass', source: options.source, input, values };
  if (counts.total === 0) {
    return {
      ...base,
      status: 'failed',
      result: `no tests ran${skipped}`,
      problem: `No test ran (${options.source}): a hotfix needs its tests, including a regression test, to run and pass.`,
    };
  }
  if (counts.failed > 0) {
    const names = counts.failures.slice(0, 3).map((test) => test.name);
    const more = counts.failures.length > 3 ? ` and ${counts.failures.length - 3} more` : '';
    return {
      ...base,
      status: 'failed',
      result: `${counts.passed}/${counts.total} passing, ${counts.failed} failing${skipped}`,
      problem:
        `${plural(counts.failed, 'test')} of ${counts.total} failed` +
        (names.length > 0 ? `: ${names.join('; ')}${more}` : '') +
        '. Every test must pass before a hotfix merges.',
    };
  }
  return { ...base, status: 'passed', result: `${counts.passed}/${counts.total} passing${skipped}` };
}

/** The lint gate: at most `maxErrors` errors and, when set, at most `maxWarnings` warnings. */
export function lintGate(
  findings: readonly LintFinding[],
  options: { maxErrors: number; maxWarnings?: number; source: string; input?: string },
): GateResult {
  const input = options.input ?? 'lint';
  const errors = findings.filter((finding) => finding.level === 'error').length;
  const warnings = findings.filter((finding) => finding.level === 'warning').length;
  const notes = findings.length - errors - warnings;
  const { maxErrors, maxWarnings } = options;
  const most = (count: number, word: string): string => (count === 0 ? `no ${word}s` : `≤ ${plural(count, word)}`);
  const requirement = most(maxErrors, 'error') + (maxWarnings === undefined ? '' : `, ${most(maxWarnings, 'warning')}`);
  const counted =
    errors + warnings === 0
      ? '0 issues'
      : [plural(errors, 'error'), ...(warnings > 0 ? [plural(warnings, 'warning')] : [])].join(', ');
  const tooManyErrors = errors > maxErrors;
  const tooManyWarnings = maxWarnings !== undefined && warnings > maxWarnings;
  const allowed = [
    ...(tooManyErrors ? [`${maxErrors === 0 ? 'no errors' : `at most ${plural(maxErrors, 'error')}`} allowed`] : []),
    ...(tooManyWarnings
      ? [`${maxWarnings === 0 ? 'no warnings' : `at most ${plural(maxWarnings, 'warning')}`} allowed`]
      : []),
  ];
  const values = { errors, warnings, notes, maxErrors, ...(maxWarnings === undefined ? {} : { maxWarnings }) };
  const base = { gate: 'lint' as const, requirement, source: options.source, input, values };
  if (!tooManyErrors && !tooManyWarnings) return { ...base, status: 'passed', result: counted };
  return {
    ...base,
    status: 'failed',
    result: `${counted} (${allowed.join(', ')})`,
    problem:
      `Linting found ${counted} (${allowed.join(', ')}): fix them` +
      (tooManyWarnings ? ', or raise input "max-lint-warnings"' : '') +
      '. The findings are annotated on their lines.',
  };
}

/** The type check or build gate: exit code 0, or the step's outcome `success`. */
export function stepGate(gate: 'types' | 'build', step: StepResult, input: string): GateResult {
  const passed = 'exitCode' in step ? step.exitCode === 0 : step.outcome === 'success';
  const how = 'exitCode' in step ? `exit code ${step.exitCode}` : `step outcome ${step.outcome}`;
  const values: Record<string, number | string> =
    'exitCode' in step ? { exitCode: step.exitCode } : { outcome: step.outcome };
  const requirement = 'exit code 0';
  const source = `input ${input}`;
  if (passed) {
    return {
      gate,
      status: 'passed',
      result: gate === 'types' ? 'Clean' : 'Success',
      requirement,
      source,
      input,
      values,
    };
  }
  const what = gate === 'types' ? 'The type check' : 'The build';
  return {
    gate,
    status: 'failed',
    result: `Failed (${how})`,
    requirement,
    source,
    input,
    problem: `${what} failed (${how}): see that step's log for the errors.`,
    values,
  };
}

/** A gate whose report does not exist (a step did not write it, or the path is wrong): it fails. */
export function missingReportGate(gate: GateName, input: string, missing: readonly string[]): GateResult {
  const list = missing.join(', ');
  return {
    gate,
    status: 'failed',
    result: `no report (${list} not found)`,
    requirement: '—',
    source: list,
    input,
    problem:
      `Input "${input}" names ${list}, which ${missing.length === 1 ? 'does' : 'do'} not exist: the step that ` +
      `writes ${missing.length === 1 ? 'it' : 'them'} failed or did not run, or the path is wrong (paths are ` +
      'relative to the workspace).',
  };
}

/** A gate nothing was given for: skipped, or failed when `required-gates` lists it. */
export function absentGate(gate: GateName, input: string, required: boolean): GateResult {
  const base = { gate, requirement: '—', source: `input ${input} not set`, input };
  if (!required) return { ...base, status: 'skipped', result: `not checked (no ${input})` };
  return {
    ...base,
    status: 'failed',
    result: `required, but ${input} is empty`,
    problem:
      `Input "required-gates" requires the ${GATE_TITLES[gate].toLowerCase()} gate, but input "${input}" is ` +
      'empty: give its report or result (an empty value usually means the step producing it was skipped).',
  };
}

/** The overall verdict: every checked gate passed, and at least one gate was checked. */
export function gatesPassed(results: readonly GateResult[]): boolean {
  return results.some((result) => result.status === 'passed') && results.every((result) => result.status !== 'failed');
}
