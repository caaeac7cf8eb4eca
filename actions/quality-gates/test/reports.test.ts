import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConfigurationError } from '@hotfix-actions/core';
import {
  combineCoverage,
  formatCoverage,
  meetsCoverage,
  parseCoverageReport,
  type CoverageReport,
} from '../src/coverage.js';
import { parseJunit } from '../src/junit.js';
import { parseLintReport, workspacePath } from '../src/lint.js';
import { XmlSyntaxError, parseXml } from '../src/xml.js';
import { produceLiveReports, type LiveReports } from './live-reports.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const fixture = (path: string): string => readFileSync(new URL(path, FIXTURES), 'utf8');
const coverage = (text: string, path = 'report'): CoverageReport =>
  parseCoverageReport(text, { input: 'coverage', path });
const RUNNER_WORKSPACE = '/home/runner/work/shop/shop';

/** The ConfigurationError `fn` throws (failing the test when it throws nothing or something else). */
function configurationError(fn: () => unknown): Error & { input?: string } {
  try {
    fn();
  } catch (error) {
    expect(isConfigurationError(error), String(error)).toBe(true);
    return error as Error & { input?: string };
  }
  throw new Error('expected a ConfigurationError, but nothing was thrown');
}

describe('coverage reports written by this repository (vitest, v8 provider)', () => {
  // Checked in: see fixtures/README.md for the commands that wrote them.
  const formats = {
    lcov: 'lcov.info',
    'istanbul-summary': 'coverage-summary.json',
    cobertura: 'cobertura-coverage.xml',
  } as const;

  it.each(Object.entries(formats))('reads the same line counts from the %s report of one run', (format, file) => {
    const partial = coverage(fixture(`vitest-partial/${file}`));
    const full = coverage(fixture(`vitest-full/${file}`));
    expect(partial.format).toBe(format);
    expect(partial.metrics.lines).toEqual({ covered: 56, total: 160 });
    expect(full.metrics.lines).toEqual({ covered: 163, total: 165 });
    expect(partial.files).toBe(3);
    expect(full.files).toBe(4);
  });

  it('agrees across formats on branches, and knows which metrics a format has', () => {
    const lcov = coverage(fixture('vitest-full/lcov.info'));
    const summary = coverage(fixture('vitest-full/coverage-summary.json'));
    const cobertura = coverage(fixture('vitest-full/cobertura-coverage.xml'));
    expect(lcov.metrics.branches).toEqual(summary.metrics.branches);
    expect(cobertura.metrics.branches).toEqual(summary.metrics.branches);
    expect(lcov.metrics.functions).toEqual(summary.metrics.functions);
    expect(summary.metrics.statements).toEqual({ covered: 207, total: 209 });
    expect(lcov.metrics.statements).toBeUndefined();
    expect(Object.keys(cobertura.metrics).sort()).toEqual(['branches', 'lines']);
  });

  it('decides on the counts: the real 56/160 is exactly 35 %, which passes 35 and fails 35.01', () => {
    const lines = coverage(fixture('vitest-partial/lcov.info')).metrics.lines!;
    expect(formatCoverage(lines)).toBe('35%');
    expect(meetsCoverage(lines, 35)).toBe(true);
    expect(meetsCoverage(lines, 35.01)).toBe(false);
    expect(formatCoverage(coverage(fixture('vitest-full/lcov.info')).metrics.lines!)).toBe('98.78%');
  });
});

describe('reports produced live by vitest and eslint', () => {
  let live: LiveReports;
  beforeAll(async () => {
    live = await produceLiveReports();
  });
  afterAll(async () => {
    await live?.cleanup();
  });

  it('reads the three coverage formats of one vitest run alike', async () => {
    const reports = await Promise.all(
      [live.lcov, live.coverageSummary, live.cobertura].map(async (path) => coverage(await readFile(path, 'utf8'))),
    );
    expect(reports.map((report) => report.format)).toEqual(['lcov', 'istanbul-summary', 'cobertura']);
    const [lcov, summary, cobertura] = reports.map((report) => report.metrics.lines);
    expect(lcov).toEqual(summary);
    expect(cobertura).toEqual(summary);
    // lockAccount is never called: some lines are not covered, and one of the two functions.
    expect(lcov!.covered).toBeLessThan(lcov!.total);
    expect(reports[0]!.metrics.functions).toEqual({ covered: 1, total: 2 });
  });

  it('counts the JUnit report: one pass, the planted failure with its message, one skipped', async () => {
    const counts = parseJunit(await readFile(live.junit, 'utf8'), { input: 'tests', path: 'junit.xml' }, live.dir);
    expect(counts).toMatchObject({ total: 2, passed: 1, failed: 1, skipped: 1 });
    expect(counts.failures).toEqual([
      {
        name: 'login > rejects a forged token',
        suite: 'test/session.test.mjs',
        message: "expected 'rejected' to be 'denied' // Object.is equality",
      },
    ]);
  });

  it('reads the ESLint JSON report: errors, warnings, a fatal parse error, paths relative to the workspace', async () => {
    const report = parseLintReport(
      await readFile(live.eslint, 'utf8'),
      { input: 'lint', path: 'eslint.json' },
      live.dir,
    );
    expect(report.format).toBe('eslint');
    const shown = report.findings.map(
      (finding) => `${finding.level} ${finding.file}:${finding.line} ${finding.rule ?? '-'}`,
    );
    expect(shown.sort()).toEqual([
      'error lint/app.js:1 no-unused-vars',
      'error lint/app.js:4 no-undef',
      'error lint/broken.js:1 -',
      'warning lint/app.js:3 eqeqeq',
      'warning lint/app.js:3 no-console',
    ]);
    const unused = report.findings.find((finding) => finding.rule === 'no-unused-vars');
    expect(unused).toMatchObject({ tool: 'ESLint', line: 1, column: 7, endLine: 1, endColumn: 19 });
    expect(unused!.message).toContain("'unusedSecret' is assigned a value but never used");
  });
});

describe('coverage edge cases', () => {
  const lcovRecord = (found: number, hit: number): string =>
    `TN:\nSF:src/app.ts\nLF:${found}\nLH:${hit}\nend_of_record\n`;

  it('79.99 % fails an 80 % gate and exactly 80 % passes, in every format', () => {
    const below = [
      lcovRecord(10_000, 7999),
      JSON.stringify({ total: { lines: { total: 10_000, covered: 7999, skipped: 0, pct: 79.99 } } }),
      '<coverage lines-valid="10000" lines-covered="7999" line-rate="0.7999"/>',
    ];
    const exact = [
      lcovRecord(10_000, 8000),
      JSON.stringify({ total: { lines: { total: 5, covered: 4, skipped: 0, pct: 80 } } }),
      '<coverage lines-valid="10" lines-covered="8" line-rate="0.8"></coverage>',
    ];
    for (const text of below) {
      const lines = coverage(text).metrics.lines!;
      expect(meetsCoverage(lines, 80)).toBe(false);
      expect(formatCoverage(lines)).toBe('79.99%');
    }
    for (const text of exact) {
      const lines = coverage(text).metrics.lines!;
      expect(meetsCoverage(lines, 80)).toBe(true);
      expect(formatCoverage(lines)).toBe('80%');
    }
  });

  it('never trusts a rounded rate or pct: 79.996 % reported as 0.8 or pct 80 still fails', () => {
    const py = coverage(fixture('hand/coverage-py.xml'));
    expect(py.metrics.lines).toEqual({ covered: 79_996, total: 100_000 });
    expect(meetsCoverage(py.metrics.lines!, 80)).toBe(false);
    expect(formatCoverage(py.metrics.lines!)).toBe('79.99%');
    const istanbul = coverage(
      JSON.stringify({ total: { lines: { total: 9999, covered: 7999, skipped: 0, pct: 80 } } }),
    );
    expect(meetsCoverage(istanbul.metrics.lines!, 80)).toBe(false);
  });

  it('counts the class lines of an old Cobertura report without totals, not their copies under methods', () => {
    const report = coverage(fixture('hand/cobertura-old.xml'));
    expect(report.metrics).toEqual({ lines: { covered: 3, total: 5 }, branches: { covered: 1, total: 2 } });
    expect(report.files).toBe(1);
  });

  it('reads lcov without LF/LH summaries from its DA, FNDA and BRDA lines', () => {
    const text = [
      'SF:a.js',
      'FN:1,f',
      'FNDA:0,f',
      'DA:1,5',
      'DA:2,0',
      'DA:3,1',
      'BRDA:1,0,0,1',
      'BRDA:1,0,1,-',
      'end_of_record',
    ].join('\n');
    expect(coverage(text).metrics).toEqual({
      lines: { covered: 2, total: 3 },
      functions: { covered: 0, total: 1 },
      branches: { covered: 1, total: 2 },
    });
  });

  it('adds up several reports, and has no total when one lacks the metric', () => {
    const a = coverage(lcovRecord(10, 9));
    const b = coverage(
      JSON.stringify({ total: { lines: { total: 10, covered: 7 }, statements: { total: 1, covered: 1 } } }),
    );
    expect(combineCoverage([a, b], 'lines')).toEqual({ covered: 16, total: 20 });
    expect(combineCoverage([a, b], 'statements')).toBeUndefined();
  });

  it.each([
    ['an empty file', '', /the file is empty/],
    ['a truncated lcov file', 'SF:src/a.ts\nDA:1,1\nLF:1\n', /no end_of_record: the file is cut short/],
    ['lcov with a line that is not lcov', 'SF:a.ts\nthis is not lcov\nend_of_record\n', /line 2 is not an lcov line/],
    ['lcov with LH > LF', 'SF:a.ts\nLF:2\nLH:3\nend_of_record\n', /has LH > LF/],
    ['lcov with a non-numeric LF', 'SF:a.ts\nLF:many\nend_of_record\n', /LF must be a whole number/],
    ['text that is not a report', 'Coverage: 82%\n', /line 1 is not an lcov line/],
    ['truncated JSON', '{"total": {"lines": {"total": 10, "cov', /not valid JSON/],
    ['JSON without a total', '{"src/a.ts": {"lines": {"total": 1, "covered": 1}}}', /no "total" entry/],
    [
      "Istanbul's coverage-final.json",
      '{"/a.ts": {"path": "/a.ts", "statementMap": {}, "s": {}}}',
      /detailed coverage-final.json; add the json-summary reporter/,
    ],
    ['a json-summary with covered > total', '{"total": {"lines": {"total": 1, "covered": 2}}}', /covered" ≤ "total"/],
    ['truncated XML', '<coverage lines-valid="10" lines-covered="8">\n<packages>', /never closed/],
    ['mismatched XML', '<coverage lines-valid="1" lines-covered="1"><a></b></coverage>', /<\/b> closes <a>/],
    ['JaCoCo XML', '<report name="x"></report>', /looks like JaCoCo/],
    ['a JUnit report', '<testsuites tests="1"></testsuites>', /give it as input "tests"/],
    ['Cobertura with a rate only', '<coverage line-rate="0.9"></coverage>', /a rate alone cannot be added up/],
    ['Cobertura with a bad count', '<coverage lines-valid="ten" lines-covered="1"/>', /is not a whole number/],
  ])('refuses %s with a ConfigurationError naming the input and the formats', (_, text, problem) => {
    const error = configurationError(() => coverage(text, 'coverage/report'));
    expect(error.input).toBe('coverage');
    expect(error.message).toMatch(/^Input "coverage": coverage\/report is not a valid/);
    expect(error.message).toMatch(problem);
    expect(error.message).toContain('Expected an lcov tracefile (lcov.info), an Istanbul json-summary');
  });
});

describe('SARIF and ESLint edge cases', () => {
  const lint = (text: string, workspace = RUNNER_WORKSPACE) =>
    parseLintReport(text, { input: 'lint', path: 'lint.sarif' }, workspace);

  it('reads ruff SARIF with file:// URIs as workspace paths', () => {
    const report = lint(fixture('hand/ruff.sarif'));
    expect(report).toMatchObject({ format: 'sarif', tools: ['ruff'] });
    expect(report.findings).toEqual([
      {
        level: 'error',
        message: '`os` imported but unused',
        rule: 'F401',
        tool: 'ruff',
        file: 'src/shop/auth.py',
        line: 1,
        column: 8,
        endLine: 1,
        endColumn: 10,
      },
      expect.objectContaining({ level: 'error', rule: 'F841', file: 'src/shop/auth.py', line: 14 }),
    ]);
  });

  it('resolves levels from rules, leaves out suppressed, passing and absent results, and resolves uriBaseIds', () => {
    const report = lint(fixture('hand/scanner.sarif'));
    expect(report.tools).toEqual(['acme-scanner', 'acme-deps']);
    const shown = report.findings.map(
      (finding) => `${finding.level} ${finding.rule} ${finding.file ?? '-'}:${finding.line ?? '-'}`,
    );
    expect(shown).toEqual([
      'error SEC001 src/config/db.ts:3',
      'warning BUG020 src/payments/charge.ts:40',
      'note STY010 src/payments/charge.ts:12',
      'warning SEC001 test/fixtures/tokens.ts:7',
      'error SEC001 -:-',
    ]);
    expect(report.findings[1]).toMatchObject({ endLine: 44, column: 3, endColumn: 4 });
  });

  it('keeps paths outside the workspace as reported, and relative paths as given', () => {
    expect(workspacePath('/elsewhere/a.ts', RUNNER_WORKSPACE)).toBe('/elsewhere/a.ts');
    expect(workspacePath('./src/a.ts', RUNNER_WORKSPACE)).toBe('src/a.ts');
    expect(workspacePath(`file://${RUNNER_WORKSPACE}/src/my%20file.ts`, RUNNER_WORKSPACE)).toBe('src/my file.ts');
  });

  it.each([
    ['an empty file', '  ', /the file is empty/],
    ['text', 'src/a.ts:1:1: error', /not valid JSON/],
    ['JSON of another kind', '{"results": []}', /neither a SARIF log/],
    ['SARIF 1.0', '{"version": "1.0.0", "runs": []}', /only SARIF 2.1.0 is read/],
    ['SARIF with runs not a list', '{"version": "2.1.0", "runs": {}}', /"runs" is not an array/],
    ['SARIF without a tool name', '{"version": "2.1.0", "runs": [{"results": []}]}', /run 1 has no tool.driver.name/],
    [
      'SARIF with an unknown level',
      '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"level":"fatal","message":{"text":"m"}}]}]}',
      /the level "fatal"/,
    ],
    ['ESLint JSON without messages', '[{"filePath": "a.js"}]', /entry 1 has no "filePath" and "messages"/],
    [
      'ESLint JSON with a bad severity',
      '[{"filePath": "a.js", "messages": [{"severity": 3, "message": "m"}]}]',
      /severity 1 or 2/,
    ],
  ])('refuses %s with a ConfigurationError naming the input', (_, text, problem) => {
    const error = configurationError(() => lint(text));
    expect(error.input).toBe('lint');
    expect(error.message).toMatch(problem);
    expect(error.message).toContain('Expected a SARIF 2.1.0 log (.sarif) or an ESLint JSON report');
  });
});

describe('JUnit edge cases', () => {
  const junit = (text: string) => parseJunit(text, { input: 'tests', path: 'junit.xml' }, RUNNER_WORKSPACE);

  it('reads the real report of this repository (63 passing)', () => {
    expect(junit(fixture('vitest-partial/junit.xml'))).toMatchObject({ total: 63, passed: 63, failed: 0, skipped: 0 });
  });

  it('counts errors as failures and uses the file and line attributes some runners write', () => {
    const counts = junit(`<?xml version="1.0"?>
      <testsuite name="pytest" tests="3" failures="0" errors="1">
        <testcase classname="tests.test_auth" name="test_forged_token" file="${RUNNER_WORKSPACE}/tests/test_auth.py" line="12">
          <error message="KeyError: 'sig'"><![CDATA[Traceback <most recent call last> & more]]></error>
        </testcase>
        <testcase classname="tests.test_auth" name="test_valid_token"/>
        <testcase classname="tests.test_auth" name="test_lockout"><skipped message="slow"/></testcase>
      </testsuite>`);
    expect(counts).toEqual({
      total: 2,
      passed: 1,
      failed: 1,
      skipped: 1,
      failures: [
        {
          name: 'test_forged_token',
          suite: 'tests.test_auth',
          message: "KeyError: 'sig'",
          file: 'tests/test_auth.py',
          line: 12,
        },
      ],
    });
  });

  it('falls back to the suites’ counts when no test case is listed', () => {
    expect(
      junit(
        '<testsuites><testsuite tests="10" failures="1" errors="1" skipped="2"/><testsuite tests="5"/></testsuites>',
      ),
    ).toMatchObject({ total: 13, passed: 11, failed: 2, skipped: 2 });
  });

  it.each([
    ['an empty file', '', /the file is empty/],
    ['truncated XML', '<testsuites><testsuite name="a"><testcase name="x">', /never closed/],
    ['a coverage report', '<coverage lines-valid="1" lines-covered="1"/>', /give it as input "coverage"/],
    ['impossible counts', '<testsuite tests="1" failures="2"/>', /add up to more than tests/],
    ['text', 'PASS 47/47', /text before the root element/],
  ])('refuses %s with a ConfigurationError naming the input', (_, text, problem) => {
    const error = configurationError(() => junit(text));
    expect(error.input).toBe('tests');
    expect(error.message).toMatch(problem);
    expect(error.message).toContain('Expected a JUnit XML report');
  });
});

describe('parseXml', () => {
  it('reads attributes with entities, skips comments, processing instructions, DOCTYPE and CDATA', () => {
    const root = parseXml(
      '\uFEFF<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x "y">]>\n<!-- c -->\n' +
        '<r a="&lt;&amp;&quot;&#65;&#x42;" b=\'1\'><![CDATA[<not-a-tag>]]><c/><d e="2"></d></r>\n<!-- end -->\n',
    );
    expect(root).toEqual({
      name: 'r',
      attributes: { a: '<&"AB', b: '1' },
      children: [
        { name: 'c', attributes: {}, children: [] },
        { name: 'd', attributes: { e: '2' }, children: [] },
      ],
    });
  });

  it.each([
    ['', /no root element/],
    ['<a>', /<a> is never closed/],
    ['<a></a><b/>', /a second root element <b>/],
    ['<a></a> trailing', /text after the root element/],
    ['<a b=1/>', /not quoted/],
    ['<a b="1" b="2"/>', /repeated/],
    ['<a b="&nope;"/>', /unknown entity/],
    ['<a b="x & y"/>', /a bare "&"/],
    ['<a>\n<b>\n</a>', /<\/a> closes <b> \(line 3\)/],
    ['</a>', /without a start tag/],
    ['<a><!-- open', /unclosed comment/],
  ])('refuses %j', (text, problem) => {
    expect(() => parseXml(text)).toThrow(XmlSyntaxError);
    expect(() => parseXml(text)).toThrow(problem);
  });
});
