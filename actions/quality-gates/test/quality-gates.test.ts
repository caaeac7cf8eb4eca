import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBundle, type BundleRun } from '@hotfix-actions/testkit';
import { produceLiveReports, type LiveReports } from './live-reports.js';

// Runner-contract tests: the committed bundle dist/quality-gates/index.js, run as the runner runs it, on
// reports written by this repository's own tools (vitest coverage and JUnit, eslint) and hand-made ones.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = join(ROOT, 'actions/quality-gates/test/fixtures');

let workspace: string;
let live: LiveReports;

/** This repository's eslint, with its own configuration, on this action's sources: what CI lints. */
function lintOwnSources(output: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      [join(ROOT, 'node_modules/eslint/bin/eslint.js'), '-f', 'json', '-o', output, 'actions/quality-gates/src'],
      { cwd: ROOT },
      (error, stdout, stderr) => (error ? reject(new Error(`eslint failed: ${stdout}${stderr}`)) : resolvePromise()),
    );
  });
}

beforeAll(async () => {
  workspace = realpathSync(mkdtempSync(join(tmpdir(), 'quality-gates-workspace-')));
  mkdirSync(join(workspace, 'coverage'));
  for (const file of ['coverage-summary.json', 'lcov.info', 'cobertura-coverage.xml']) {
    copyFileSync(join(FIXTURES, 'vitest-full', file), join(workspace, 'coverage', file));
  }
  copyFileSync(join(FIXTURES, 'vitest-partial/junit.xml'), join(workspace, 'junit.xml'));
  [live] = await Promise.all([produceLiveReports(), lintOwnSources(join(workspace, 'eslint.json'))]);
});

afterAll(async () => {
  rmSync(workspace, { recursive: true, force: true });
  await live?.cleanup();
});

function gates(inputs: Record<string, string>, options: { workspace?: string } = {}): Promise<BundleRun> {
  return runBundle({ bundle: 'quality-gates', inputs, workspace: options.workspace ?? workspace });
}

function write(name: string, text: string): string {
  writeFileSync(join(workspace, name), text);
  return name;
}

const errorsOf = (run: BundleRun) => run.annotations.filter((annotation) => annotation.level === 'error');

describe('quality-gates on this repository’s own reports', () => {
  it('passes the seed’s five gates, prints "Running Quality Gates...", and sets every output', async () => {
    const run = await gates({
      coverage: 'coverage/coverage-summary.json',
      tests: 'junit.xml',
      lint: 'eslint.json',
      'typecheck-exit-code': '0',
      'build-exit-code': 'success',
      'required-gates': 'all',
    });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.annotations).toEqual([]);
    expect(run.outputs).toMatchObject({ passed: 'true', coverage: '98.78', 'lint-errors': '0', 'lint-warnings': '0' });
    expect(run.outputs.report).toBe(
      [
        'Running Quality Gates...',
        '',
        'COVERAGE: ✓ 98.78% (≥80% required)',
        'TESTS: ✓ 63/63 passing',
        'LINTING: ✓ 0 issues',
        'TYPES: ✓ Clean',
        'BUILD: ✓ Success',
        '',
        '✓ ALL GATES PASSED',
      ].join('\n'),
    );
    expect(run.stdout).toContain('COVERAGE: ✓ 98.78% (≥80% required)');
    const parsed = JSON.parse(run.outputs.gates!) as { gate: string; status: string }[];
    expect(parsed.map((gate) => `${gate.gate}:${gate.status}`)).toEqual([
      'coverage:passed',
      'tests:passed',
      'lint:passed',
      'types:passed',
      'build:passed',
    ]);
    expect(run.summary).toContain('**✓ All gates passed**');
    expect(run.summary).toContain(
      '| ✓ | Coverage | 98.78% (≥80% required) | ≥ 80% of lines | coverage/coverage-summary.json (Istanbul json-summary) |',
    );
    expect(run.summary).toContain('| ✓ | Tests | 63/63 passing | all pass | junit.xml (JUnit XML) |');
  });

  it('gives the same figure from the lcov and Cobertura reports of the same run', async () => {
    for (const coverage of ['coverage/lcov.info', 'coverage/cobertura-coverage.xml']) {
      const run = await gates({ coverage });
      expect(run.exitCode).toBe(0);
      expect(run.outputs.coverage).toBe('98.78');
      expect(run.outputs.report).toContain('TESTS: – not checked (no tests)');
      expect(run.outputs.report).toContain('✓ ALL GATES PASSED (TESTS, LINTING, TYPES, BUILD NOT CHECKED)');
    }
  });

  it('fails the planted project: coverage, the failing test and the lint errors, each annotated', async () => {
    const run = await gates(
      {
        coverage: 'coverage/lcov.info',
        tests: 'junit.xml',
        lint: 'eslint.json',
        'coverage-threshold': '90',
      },
      { workspace: live.dir },
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs.passed).toBe('false');
    expect(run.outputs['lint-errors']).toBe('3');
    expect(run.outputs['lint-warnings']).toBe('2');
    expect(Number(run.outputs.coverage)).toBeLessThan(90);
    expect(run.outputs.report).toMatch(/^TESTS: ✗ 1\/2 passing, 1 failing, 1 skipped$/m);
    expect(run.outputs.report).toMatch(/^LINTING: ✗ 3 errors, 2 warnings \(no errors allowed\)$/m);
    expect(run.outputs.report).toMatch(/✗ 3 OF 3 GATES FAILED: COVERAGE, TESTS, LINTING$/);

    const errors = errorsOf(run);
    // The gate failures first, so GitHub never hides them among the first ten.
    expect(errors.slice(0, 3).map((annotation) => annotation.title)).toEqual([
      'Quality gate failed: Coverage',
      'Quality gate failed: Tests',
      'Quality gate failed: Linting',
    ]);
    expect(errors[3]).toMatchObject({
      title: 'Test failed: login > rejects a forged token',
      message: "expected 'rejected' to be 'denied' // Object.is equality",
    });
    const unused = run.annotations.find((annotation) => annotation.title === 'ESLint: no-unused-vars');
    expect(unused).toMatchObject({ level: 'error', file: 'lint/app.js', line: 1 });
    expect(unused!.properties).toMatchObject({ col: '7', endColumn: '19', endLine: '1' });
    const warnings = run.annotations.filter((annotation) => annotation.level === 'warning');
    expect(warnings.map((annotation) => annotation.title).sort()).toEqual(['ESLint: eqeqeq', 'ESLint: no-console']);
    expect(run.summary).toContain('<summary>Lint findings (5)</summary>');
    expect(run.summary).toContain('<summary>Failed tests (1)</summary>');
  });
});

describe('quality-gates edge cases', () => {
  it('79.99 % fails at 80 and passes a threshold of 79.99', async () => {
    const lcov = write('low.info', 'TN:\nSF:src/app.ts\nLF:10000\nLH:7999\nend_of_record\n');
    const failing = await gates({ coverage: lcov });
    expect(failing.exitCode).toBe(1);
    expect(failing.outputs).toMatchObject({ passed: 'false', coverage: '79.99' });
    expect(errorsOf(failing)).toEqual([
      expect.objectContaining({
        title: 'Quality gate failed: Coverage',
        message:
          'Coverage is 79.99% (7999 of 10000 lines), below the required 80%: add tests for the uncovered code, ' +
          'or lower input "coverage-threshold" if the threshold is wrong.',
      }),
    ]);
    const passing = await gates({ coverage: lcov, 'coverage-threshold': '79.99' });
    expect(passing.exitCode).toBe(0);
    expect(passing.outputs.report).toContain('COVERAGE: ✓ 79.99% (≥79.99% required)');
  });

  it('a missing report fails its gate naming the input; the other gates are still reported', async () => {
    const run = await gates({ coverage: 'coverage/nope/lcov.info', 'tests-passed': '47', 'tests-total': '47' });
    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toHaveLength(1);
    expect(errorsOf(run)[0]!.message).toMatch(
      /^Input "coverage" names coverage\/nope\/lcov.info, which does not exist/,
    );
    expect(run.outputs.report).toContain('COVERAGE: ✗ no report (coverage/nope/lcov.info not found)');
    expect(run.outputs.report).toContain('TESTS: ✓ 47/47 passing');
    expect(run.outputs.coverage).toBe('');
  });

  it.each([
    ['lcov', 'broken.info', 'SF:src/a.ts\nDA:1,1\n', 'coverage', /no end_of_record: the file is cut short/],
    ['JSON', 'broken.json', '{"total": {"lines": ', 'coverage', /not valid JSON/],
    [
      'Cobertura XML',
      'broken.xml',
      '<coverage lines-valid="2" lines-covered="1"><packages>',
      'coverage',
      /never closed/,
    ],
    ['JUnit XML', 'broken-junit.xml', '<testsuite><testcase name="a"></testsuite>', 'tests', /closes <testcase>/],
    ['SARIF', 'broken.sarif', '{"version": "2.1.0", "runs": [{"results": []}]}', 'lint', /no tool.driver.name/],
  ])('a malformed %s report is one configuration error naming the input', async (_, name, text, input, problem) => {
    write(name, text);
    const run = await gates({ [input]: name });
    expect(run.exitCode).toBe(1);
    expect(run.annotations).toHaveLength(1);
    expect(run.annotations[0]).toMatchObject({ level: 'error', title: `Configuration error for input "${input}"` });
    expect(run.annotations[0]!.message).toMatch(problem);
    expect(run.annotations[0]!.message).toMatch(/Expected (an lcov|a JUnit|a SARIF)/);
    expect(run.outputs).toEqual({});
  });

  it('reads SARIF with errors and warnings, annotates on workspace paths, and caps the annotations', async () => {
    const results = Array.from({ length: 14 }, (_, index) => ({
      ruleId: index < 12 ? 'S100' : 'S200',
      level: index < 12 ? 'error' : 'warning',
      message: { text: `finding ${index + 1}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: `file://${workspace}/src/module.py` },
            region: { startLine: index + 1, startColumn: 1, endLine: index + 2 },
          },
        },
      ],
    }));
    const sarif = write(
      'scan.sarif',
      JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'scanner' } }, results }] }),
    );
    const run = await gates({ lint: sarif, 'max-annotations': '5' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ 'lint-errors': '12', 'lint-warnings': '2' });
    const findings = run.annotations.filter((annotation) => annotation.title?.startsWith('scanner'));
    expect(findings.filter((annotation) => annotation.level === 'error')).toHaveLength(5);
    expect(findings.filter((annotation) => annotation.level === 'warning')).toHaveLength(2);
    expect(findings[0]).toMatchObject({ title: 'scanner: S100', file: 'src/module.py', line: 1 });
    // A finding over several lines has no columns: GitHub refuses them there.
    expect(findings[0]!.properties).toMatchObject({ endLine: '2' });
    expect(findings[0]!.properties.col).toBeUndefined();
    expect(run.stdout).toContain('7 more findings are not annotated (input "max-annotations" is 5 per level)');
    expect(run.summary).toContain('<summary>Lint findings (14)</summary>');
  });

  it('warnings fail only past max-lint-warnings; the checked-in SARIF of a scanner resolves rule levels', async () => {
    copyFileSync(join(FIXTURES, 'hand/scanner.sarif'), join(workspace, 'scanner.sarif'));
    const lenient = await gates({ lint: 'scanner.sarif', 'max-lint-errors': '2' });
    expect(lenient.exitCode).toBe(0);
    expect(lenient.outputs.report).toContain('LINTING: ✓ 2 errors, 2 warnings');
    const strict = await gates({ lint: 'scanner.sarif', 'max-lint-errors': '2', 'max-lint-warnings': '1' });
    expect(strict.exitCode).toBe(1);
    expect(strict.outputs.report).toContain('LINTING: ✗ 2 errors, 2 warnings (at most 1 warning allowed)');
  });

  it('required gates fail when their input is empty; a skipped step counts as empty', async () => {
    const run = await gates({
      coverage: 'coverage/lcov.info',
      'typecheck-exit-code': 'skipped',
      'required-gates': 'coverage, types, build',
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.report).toContain('TYPES: ✗ required, but typecheck-exit-code is empty');
    expect(run.outputs.report).toContain('BUILD: ✗ required, but build-exit-code is empty');
    expect(run.outputs.report).toContain('LINTING: – not checked (no lint)');
    expect(errorsOf(run).map((annotation) => annotation.title)).toEqual([
      'Quality gate failed: Types',
      'Quality gate failed: Build',
    ]);
  });

  it('a failed type check or build fails its gate; enforce: false turns failures into warnings', async () => {
    const failing = await gates({ 'typecheck-exit-code': '2', 'build-exit-code': 'failure' });
    expect(failing.exitCode).toBe(1);
    expect(failing.outputs.report).toContain('TYPES: ✗ Failed (exit code 2)');
    expect(failing.outputs.report).toContain('BUILD: ✗ Failed (step outcome failure)');
    const lenient = await gates({ 'typecheck-exit-code': '2', enforce: 'false' });
    expect(lenient.exitCode).toBe(0);
    expect(lenient.outputs.passed).toBe('false');
    expect(lenient.annotations).toEqual([
      expect.objectContaining({ level: 'warning', title: 'Quality gate failed: Types' }),
    ]);
  });

  it.each([
    [{}, undefined, /No gate has anything to check/],
    [{ coverage: 'coverage/lcov.info', 'coverage-threshold': '120' }, 'coverage-threshold', /between 0 and 100/],
    [
      { coverage: 'coverage/lcov.info', 'coverage-metric': 'statements' },
      'coverage-metric',
      /has no statements counts/,
    ],
    [{ coverage: 'coverage/lcov.info', 'coverage-metric': 'words' }, 'coverage-metric', /one of "lines"/],
    [{ tests: 'junit.xml', 'tests-passed': '1', 'tests-total': '1' }, 'tests', /not both/],
    [{ 'tests-passed': '3' }, 'tests-total', /is required with "tests-passed"/],
    [{ 'tests-passed': '3', 'tests-total': '2' }, 'tests-passed', /must not be greater/],
    [{ 'typecheck-exit-code': 'ok' }, 'typecheck-exit-code', /an exit code \(0 passes\) or a step outcome/],
    [{ 'build-exit-code': '0', 'required-gates': 'docs' }, 'required-gates', /must list gates among coverage/],
    [
      { coverage: 'coverage' },
      'coverage',
      /is a directory: name the report file in it \(for example coverage\/lcov.info\)/,
    ],
  ] as const)('refuses %j with one annotation naming the input', async (inputs, input, problem) => {
    const run = await gates(inputs as Record<string, string>);
    expect(run.exitCode).toBe(1);
    expect(run.annotations).toHaveLength(1);
    expect(run.annotations[0]!.title).toBe(
      input === undefined ? 'Configuration error' : `Configuration error for input "${input}"`,
    );
    expect(run.annotations[0]!.message).toMatch(problem);
  });
});
