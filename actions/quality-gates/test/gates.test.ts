import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCoverage, meetsCoverage, type CoverageReport } from '../src/coverage.js';
import {
  absentGate,
  coverageGate,
  gatesPassed,
  lintGate,
  missingReportGate,
  stepGate,
  testsGate,
  type GateResult,
} from '../src/gates.js';
import type { LintFinding } from '../src/lint.js';
import { gatesVerdict, renderGatesText, renderSummary } from '../src/report.js';

const lcov = (covered: number, total: number): CoverageReport => ({
  format: 'lcov',
  metrics: { lines: { covered, total } },
  files: 1,
});
const finding = (level: LintFinding['level'], line = 1): LintFinding => ({
  level,
  message: `${level} here`,
  rule: 'rule',
  tool: 'ESLint',
  file: 'src/a.ts',
  line,
});

describe('the gates decide', () => {
  it('coverage: 79.99 % fails at 80, exactly 80 % passes, with the seed wording', () => {
    const below = coverageGate([lcov(7999, 10_000)], { metric: 'lines', threshold: 80, source: 'lcov.info (lcov)' });
    expect(below).toMatchObject({ status: 'failed', result: '79.99% (≥80% required)', requirement: '≥ 80% of lines' });
    expect(below.problem).toContain('Coverage is 79.99% (7999 of 10000 lines), below the required 80%');
    expect(below.values).toMatchObject({ percent: 79.99, covered: 7999, total: 10_000, threshold: 80 });
    const exact = coverageGate([lcov(8, 10)], { metric: 'lines', threshold: 80, source: 's' });
    expect(exact).toMatchObject({ status: 'passed', result: '80% (≥80% required)' });
    expect(exact.problem).toBeUndefined();
    const seed = coverageGate([lcov(82, 100)], { metric: 'lines', threshold: 80, source: 's' });
    expect(seed.result).toBe('82% (≥80% required)');
  });

  it('coverage: names a metric other than lines, and fails a report that measured nothing', () => {
    const report: CoverageReport = {
      format: 'istanbul-summary',
      metrics: { branches: { covered: 9, total: 10 } },
      files: 1,
    };
    expect(coverageGate([report], { metric: 'branches', threshold: 72.5, source: 's' }).result).toBe(
      '90% of branches (≥72.5% required)',
    );
    const empty = coverageGate([lcov(0, 0)], { metric: 'lines', threshold: 80, source: 'lcov.info' });
    expect(empty).toMatchObject({ status: 'failed', result: 'no lines measured (≥80% required)' });
    // No percentage rather than Istanbul's 100 % of nothing: the coverage output stays empty.
    expect(empty.values?.['percent']).toBeUndefined();
  });

  it('coverage: the decision on counts agrees with exact rational arithmetic (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (total, hundredths, share) => {
          const covered = Math.floor(total * share);
          const threshold = hundredths / 100;
          // covered/total ≥ hundredths/10000, in BigInt: no floating point at all.
          const exact = BigInt(covered) * 10_000n >= BigInt(hundredths) * BigInt(total);
          expect(meetsCoverage({ covered, total }, threshold)).toBe(exact);
          // The shown percentage never claims more than the truth.
          const shown = Number(formatCoverage({ covered, total }).slice(0, -1));
          expect(BigInt(Math.round(shown * 100)) * BigInt(total) <= BigInt(covered) * 10_000n).toBe(true);
        },
      ),
    );
  });

  it('tests: all pass, with skipped listed; a failure or no test at all fails', () => {
    const counts = { total: 47, passed: 47, failed: 0, skipped: 0, failures: [] };
    expect(testsGate(counts, { source: 'junit.xml' })).toMatchObject({ status: 'passed', result: '47/47 passing' });
    expect(testsGate({ ...counts, skipped: 2 }, { source: 's' }).result).toBe('47/47 passing, 2 skipped');
    const failing = testsGate(
      {
        total: 47,
        passed: 45,
        failed: 2,
        skipped: 0,
        failures: [{ name: 'rejects a forged token' }, { name: 'expires sessions' }],
      },
      { source: 's' },
    );
    expect(failing).toMatchObject({ status: 'failed', result: '45/47 passing, 2 failing' });
    expect(failing.problem).toBe(
      '2 tests of 47 failed: rejects a forged token; expires sessions. Every test must pass before a hotfix merges.',
    );
    expect(testsGate({ ...counts, total: 0, passed: 0 }, { source: 's' })).toMatchObject({
      status: 'failed',
      result: 'no tests ran',
    });
  });

  it('lint: 0 errors allowed by default, warnings only when limited', () => {
    expect(lintGate([], { maxErrors: 0, source: 's' })).toMatchObject({ status: 'passed', result: '0 issues' });
    const warnings = [finding('warning'), finding('warning', 2), finding('note')];
    expect(lintGate(warnings, { maxErrors: 0, source: 's' })).toMatchObject({
      status: 'passed',
      result: '0 errors, 2 warnings',
      values: { errors: 0, warnings: 2, notes: 1 },
    });
    expect(lintGate(warnings, { maxErrors: 0, maxWarnings: 1, source: 's' })).toMatchObject({
      status: 'failed',
      result: '0 errors, 2 warnings (at most 1 warning allowed)',
      requirement: 'no errors, ≤ 1 warning',
    });
    const errors = lintGate([finding('error'), ...warnings], { maxErrors: 0, source: 's' });
    expect(errors).toMatchObject({ status: 'failed', result: '1 error, 2 warnings (no errors allowed)' });
    expect(lintGate([finding('error')], { maxErrors: 1, source: 's' }).status).toBe('passed');
  });

  it('types and build: exit code 0 or outcome success passes', () => {
    expect(stepGate('types', { exitCode: 0 }, 'typecheck-exit-code')).toMatchObject({
      status: 'passed',
      result: 'Clean',
    });
    expect(stepGate('build', { outcome: 'success' }, 'build-exit-code')).toMatchObject({
      status: 'passed',
      result: 'Success',
    });
    expect(stepGate('types', { exitCode: 2 }, 'typecheck-exit-code')).toMatchObject({
      status: 'failed',
      result: 'Failed (exit code 2)',
      problem: "The type check failed (exit code 2): see that step's log for the errors.",
    });
    expect(stepGate('build', { outcome: 'cancelled' }, 'build-exit-code').result).toBe(
      'Failed (step outcome cancelled)',
    );
  });

  it('a missing report fails naming the input; an absent gate is skipped unless required', () => {
    const missing = missingReportGate('coverage', 'coverage', ['coverage/lcov.info']);
    expect(missing).toMatchObject({ status: 'failed', result: 'no report (coverage/lcov.info not found)' });
    expect(missing.problem).toMatch(/^Input "coverage" names coverage\/lcov.info, which does not exist/);
    expect(absentGate('build', 'build-exit-code', false)).toMatchObject({
      status: 'skipped',
      result: 'not checked (no build-exit-code)',
    });
    const required = absentGate('build', 'build-exit-code', true);
    expect(required).toMatchObject({ status: 'failed', result: 'required, but build-exit-code is empty' });
    expect(required.problem).toContain(
      'Input "required-gates" requires the build gate, but input "build-exit-code" is empty',
    );
  });
});

describe('the report', () => {
  const seedGates: GateResult[] = [
    coverageGate([lcov(82, 100)], { metric: 'lines', threshold: 80, source: 'coverage/lcov.info (lcov)' }),
    testsGate({ total: 47, passed: 47, failed: 0, skipped: 0, failures: [] }, { source: 'junit.xml (JUnit XML)' }),
    lintGate([], { maxErrors: 0, source: 'eslint.json (ESLint)' }),
    stepGate('types', { exitCode: 0 }, 'typecheck-exit-code'),
    stepGate('build', { exitCode: 0 }, 'build-exit-code'),
  ];

  it('prints the seed\'s "Running Quality Gates..." output', () => {
    expect(renderGatesText(seedGates)).toBe(
      [
        'Running Quality Gates...',
        '',
        'COVERAGE: ✓ 82% (≥80% required)',
        'TESTS: ✓ 47/47 passing',
        'LINTING: ✓ 0 issues',
        'TYPES: ✓ Clean',
        'BUILD: ✓ Success',
        '',
        '✓ ALL GATES PASSED',
      ].join('\n'),
    );
    expect(gatesPassed(seedGates)).toBe(true);
  });

  it('names the failed gates, and the gates not checked', () => {
    const failing = [
      coverageGate([lcov(7999, 10_000)], { metric: 'lines', threshold: 80, source: 's' }),
      ...seedGates.slice(1, 2),
      lintGate([finding('error')], { maxErrors: 0, source: 's' }),
      absentGate('types', 'typecheck-exit-code', false),
      absentGate('build', 'build-exit-code', false),
    ];
    expect(gatesVerdict(failing)).toBe('✗ 2 OF 3 GATES FAILED: COVERAGE, LINTING');
    expect(renderGatesText(failing)).toContain('TYPES: – not checked (no typecheck-exit-code)');
    expect(gatesPassed(failing)).toBe(false);
    const partial = [...seedGates.slice(0, 3), ...failing.slice(3)];
    expect(gatesVerdict(partial)).toBe('✓ ALL GATES PASSED (TYPES, BUILD NOT CHECKED)');
    expect(gatesPassed(partial)).toBe(true);
  });

  it('summarises as a table with the findings behind a failure, capped', () => {
    const findings = Array.from({ length: 60 }, (_, index) =>
      finding(index % 2 === 0 ? 'warning' : 'error', index + 1),
    );
    const results = [seedGates[0]!, lintGate(findings, { maxErrors: 0, source: 'eslint.json (ESLint)' })];
    const summary = renderSummary(results, { findings, failedTests: [{ name: 'a | b', message: 'boom\nstack' }] });
    expect(summary).toContain('## Quality gates');
    expect(summary).toContain('**✗ 1 of 2 gates failed: Linting**');
    expect(summary).toContain('| ✓ | Coverage | 82% (≥80% required) | ≥ 80% of lines | coverage/lcov.info (lcov) |');
    expect(summary).toContain(
      '| ✗ | Linting | 30 errors, 30 warnings (no errors allowed) | no errors | eslint.json (ESLint) |',
    );
    expect(summary).toContain('<summary>Lint findings (60)</summary>');
    expect(summary).toContain('…and 10 more in the report.');
    // Errors are listed first.
    expect(summary.indexOf('| error |')).toBeLessThan(summary.indexOf('| warning |'));
    expect(summary).toContain('| a \\| b |  | boom |');
  });
});
