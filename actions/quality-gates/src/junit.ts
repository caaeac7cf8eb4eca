// JUnit XML test reports (vitest --reporter=junit, jest-junit, pytest --junitxml, surefire, go-junit-report):
// the de-facto common format of test runners. Counted from the <testcase> elements when there are any,
// since the suite attributes are optional and some runners leave them out or get them wrong.
import { ConfigurationError } from '@hotfix-actions/core';
import type { ReportSource } from './coverage.js';
import { workspacePath } from './lint.js';
import { XmlSyntaxError, parseXml, xmlDescendants, type XmlElement } from './xml.js';

/** A failed test, for annotations and the summary. */
export interface FailedTest {
  name: string;
  /** The suite or class (`classname`), often the test file. */
  suite?: string;
  /** The failure message (`<failure message="…">`), when the runner gives one. */
  message?: string;
  /** The test file relative to the workspace, when the report names it (`file` attribute). */
  file?: string;
  line?: number;
}

/** The counts of one or more test reports. */
export interface TestCounts {
  /** Tests that ran (skipped ones excluded). */
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  failures: FailedTest[];
}

const EXPECTED = 'a JUnit XML report (<testsuites> or <testsuite> with <testcase> elements)';

function malformed(source: ReportSource, problem: string): ConfigurationError {
  return new ConfigurationError(
    `Input "${source.input}": ${source.path} is not a valid JUnit XML report: ${problem}. Expected ${EXPECTED}.`,
    source.input,
  );
}

function suiteCount(element: XmlElement, name: string, source: ReportSource): number {
  const value = element.attributes[name];
  if (value === undefined) return 0;
  if (!/^\d+$/.test(value.trim())) {
    throw malformed(source, `${name}="${value}" on <${element.name}> is not a whole number`);
  }
  return Number(value);
}

/** Reads a JUnit XML report into counts of passed, failed (failures and errors) and skipped tests. */
export function parseJunit(text: string, source: ReportSource, workspace: string): TestCounts {
  if (text.trim() === '') throw malformed(source, 'the file is empty');
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw malformed(source, `it is not well-formed XML: ${error.message}`);
    throw error;
  }
  if (root.name !== 'testsuites' && root.name !== 'testsuite') {
    const hint = root.name === 'coverage' ? ' (it is a coverage report: give it as input "coverage")' : '';
    throw malformed(source, `the root element is <${root.name}>${hint}`);
  }
  const cases = xmlDescendants(root, 'testcase');
  if (cases.length === 0) {
    // No test cases listed: trust the suites' own counts.
    const suites = root.name === 'testsuite' ? [root] : xmlDescendants(root, 'testsuite');
    const sources = suites.length > 0 ? suites : [root];
    let tests = 0;
    let failed = 0;
    let skipped = 0;
    for (const suite of sources) {
      tests += suiteCount(suite, 'tests', source);
      failed += suiteCount(suite, 'failures', source) + suiteCount(suite, 'errors', source);
      skipped += suiteCount(suite, 'skipped', source) + suiteCount(suite, 'disabled', source);
    }
    if (failed + skipped > tests) throw malformed(source, 'failures, errors and skipped add up to more than tests');
    const total = tests - skipped;
    return { total, passed: total - failed, failed, skipped, failures: [] };
  }
  let passed = 0;
  let skipped = 0;
  const failures: FailedTest[] = [];
  for (const testcase of cases) {
    const problem = testcase.children.find((child) => child.name === 'failure' || child.name === 'error');
    if (problem !== undefined) {
      const { name = '(unnamed test)', classname, file, line } = testcase.attributes;
      const message = problem.attributes['message'] ?? problem.attributes['type'];
      const lineNumber = line !== undefined && /^\d+$/.test(line) ? Number(line) : undefined;
      failures.push({
        name,
        ...(classname === undefined ? {} : { suite: classname }),
        ...(message === undefined ? {} : { message }),
        ...(file === undefined ? {} : { file: workspacePath(file, workspace) }),
        ...(lineNumber === undefined || lineNumber === 0 ? {} : { line: lineNumber }),
      });
    } else if (testcase.children.some((child) => child.name === 'skipped')) {
      skipped++;
    } else {
      passed++;
    }
  }
  return { total: passed + failures.length, passed, failed: failures.length, skipped, failures };
}

/** Adds up several test reports. */
export function combineTestCounts(reports: readonly TestCounts[]): TestCounts {
  return {
    total: reports.reduce((sum, report) => sum + report.total, 0),
    passed: reports.reduce((sum, report) => sum + report.passed, 0),
    failed: reports.reduce((sum, report) => sum + report.failed, 0),
    skipped: reports.reduce((sum, report) => sum + report.skipped, 0),
    failures: reports.flatMap((report) => report.failures),
  };
}
