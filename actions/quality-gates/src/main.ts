import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import * as core from '@actions/core';
import { ConfigurationError, logGroup, writeSummary } from '@hotfix-actions/core';
import {
  COVERAGE_FORMAT_NAMES,
  combineCoverage,
  formatCoverage,
  parseCoverageReport,
  type CoverageReport,
  type ReportSource,
} from './coverage.js';
import {
  GATE_TITLES,
  absentGate,
  coverageGate,
  gatesPassed,
  lintGate,
  missingReportGate,
  stepGate,
  testsGate,
  type GateName,
  type GateResult,
} from './gates.js';
import { GATE_INPUTS, readInputs, type QualityGatesInputs } from './inputs.js';
import { combineTestCounts, parseJunit, type FailedTest, type TestCounts } from './junit.js';
import { parseLintReport, type LintFinding, type LintReport } from './lint.js';
import { renderGatesText, renderSummary } from './report.js';

/** The reports of one input that could be read, and the paths that do not exist. */
interface Reading<T> {
  reports: { path: string; report: T }[];
  missing: string[];
}

async function readReports<T>(
  input: string,
  paths: readonly string[],
  workspace: string,
  parse: (text: string, source: ReportSource) => T,
): Promise<Reading<T>> {
  const reading: Reading<T> = { reports: [], missing: [] };
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(isAbsolute(path) ? path : resolve(workspace, path), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        reading.missing.push(path);
        continue;
      }
      if (code === 'EISDIR') {
        throw new ConfigurationError(
          `Input "${input}" names ${path}, which is a directory: name the report file in it ` +
            `(for example ${path.replace(/\/+$/, '')}/${input === 'coverage' ? 'lcov.info' : input === 'lint' ? 'eslint.json' : 'junit.xml'}).`,
          input,
        );
      }
      throw new ConfigurationError(`Input "${input}" names ${path}, which cannot be read: ${code ?? error}.`, input);
    }
    reading.reports.push({ path, report: parse(text, { input, path }) });
    core.info(`Read ${path}.`);
  }
  return reading;
}

/** What the gates were decided on, beyond the results: for annotations and the summary. */
interface Evidence {
  results: GateResult[];
  findings: LintFinding[];
  failedTests: FailedTest[];
}

function coverageSource(reports: readonly { path: string; report: CoverageReport }[]): string {
  return reports.map(({ path, report }) => `${path} (${COVERAGE_FORMAT_NAMES[report.format]})`).join(', ');
}

async function checkCoverage(inputs: QualityGatesInputs, paths: readonly string[]): Promise<GateResult> {
  const reading = await readReports('coverage', paths, inputs.workspace, parseCoverageReport);
  if (reading.missing.length > 0) return missingReportGate('coverage', 'coverage', reading.missing);
  const metric = inputs.coverageMetric;
  for (const { path, report } of reading.reports) {
    if (report.metrics[metric] === undefined) {
      const has = Object.keys(report.metrics).join(', ');
      throw new ConfigurationError(
        `Input "coverage-metric" is ${metric}, but ${path} (${COVERAGE_FORMAT_NAMES[report.format]}) has no ` +
          `${metric} counts: use one it has (${has}), or give an Istanbul json-summary report, which has all four.`,
        'coverage-metric',
      );
    }
  }
  const reports = reading.reports.map((entry) => entry.report);
  const count = combineCoverage(reports, metric)!;
  core.info(`Coverage of ${metric}: ${count.covered}/${count.total} (${formatCoverage(count)}).`);
  return coverageGate(reports, {
    metric,
    threshold: inputs.coverageThreshold,
    source: coverageSource(reading.reports),
  });
}

async function checkTests(inputs: QualityGatesInputs, evidence: Evidence): Promise<GateResult | undefined> {
  if (inputs.testCounts !== undefined) {
    const { passed, total } = inputs.testCounts;
    const counts: TestCounts = { total, passed, failed: total - passed, skipped: 0, failures: [] };
    return testsGate(counts, { source: 'inputs tests-passed, tests-total', input: 'tests-passed' });
  }
  if (inputs.tests === undefined) return undefined;
  const reading = await readReports('tests', inputs.tests, inputs.workspace, (text, source) =>
    parseJunit(text, source, inputs.workspace),
  );
  if (reading.missing.length > 0) return missingReportGate('tests', 'tests', reading.missing);
  const counts = combineTestCounts(reading.reports.map((entry) => entry.report));
  evidence.failedTests.push(...counts.failures);
  return testsGate(counts, { source: reading.reports.map((entry) => `${entry.path} (JUnit XML)`).join(', ') });
}

async function checkLint(
  inputs: QualityGatesInputs,
  paths: readonly string[],
  evidence: Evidence,
): Promise<GateResult> {
  const reading = await readReports<LintReport>('lint', paths, inputs.workspace, (text, source) =>
    parseLintReport(text, source, inputs.workspace),
  );
  if (reading.missing.length > 0) return missingReportGate('lint', 'lint', reading.missing);
  const findings = reading.reports.flatMap((entry) => entry.report.findings);
  evidence.findings.push(...findings);
  const source = reading.reports
    .map(
      ({ path, report }) => `${path} (${report.format === 'sarif' ? `SARIF: ${report.tools.join(', ')}` : 'ESLint'})`,
    )
    .join(', ');
  return lintGate(findings, {
    maxErrors: inputs.maxLintErrors,
    ...(inputs.maxLintWarnings === undefined ? {} : { maxWarnings: inputs.maxLintWarnings }),
    source,
  });
}

/** Decides every gate from the inputs and the reports they name. */
async function decideGates(inputs: QualityGatesInputs): Promise<Evidence> {
  const evidence: Evidence = { results: [], findings: [], failedTests: [] };
  const decide = async (gate: GateName, check: () => Promise<GateResult | undefined>): Promise<void> => {
    const result = await check();
    evidence.results.push(result ?? absentGate(gate, GATE_INPUTS[gate], inputs.requiredGates.has(gate)));
  };
  const { coverage, lint, typecheck, build } = inputs;
  await decide('coverage', () =>
    coverage === undefined ? Promise.resolve(undefined) : logGroup('Coverage', () => checkCoverage(inputs, coverage)),
  );
  await decide('tests', () => logGroup('Tests', () => checkTests(inputs, evidence)));
  await decide('lint', () =>
    lint === undefined ? Promise.resolve(undefined) : logGroup('Linting', () => checkLint(inputs, lint, evidence)),
  );
  await decide('types', async () =>
    typecheck === undefined ? undefined : stepGate('types', typecheck, GATE_INPUTS.types),
  );
  await decide('build', async () => (build === undefined ? undefined : stepGate('build', build, GATE_INPUTS.build)));
  return evidence;
}

// GitHub shows the first 10 annotations of each level per step: gate failures go first so they are never
// among the hidden ones, then failed tests and lint findings up to the limit.
function annotate(inputs: QualityGatesInputs, evidence: Evidence): void {
  const gateLevel = inputs.enforce ? core.error : core.warning;
  for (const result of evidence.results) {
    if (result.status === 'failed') {
      gateLevel(result.problem ?? result.result, { title: `Quality gate failed: ${GATE_TITLES[result.gate]}` });
    }
  }
  const budget = { error: inputs.maxAnnotations, warning: inputs.maxAnnotations };
  let left = 0;
  for (const test of evidence.failedTests) {
    if (budget.error <= 0) {
      left++;
      continue;
    }
    budget.error--;
    core.error(test.message ?? `${test.name} failed`, {
      title: `Test failed: ${test.name}`,
      ...(test.file === undefined ? {} : { file: test.file }),
      ...(test.line === undefined ? {} : { startLine: test.line }),
    });
  }
  const ordered = [...evidence.findings].sort((a, b) => (a.level === 'error' ? 0 : 1) - (b.level === 'error' ? 0 : 1));
  for (const finding of ordered) {
    if (finding.level === 'note') continue;
    if (budget[finding.level] <= 0) {
      left++;
      continue;
    }
    budget[finding.level]--;
    const sameLine = finding.endLine === undefined || finding.endLine === finding.line;
    const annotation: core.AnnotationProperties = {
      title: finding.rule === undefined ? finding.tool : `${finding.tool}: ${finding.rule}`,
      ...(finding.file === undefined ? {} : { file: finding.file }),
      ...(finding.line === undefined ? {} : { startLine: finding.line }),
      ...(finding.endLine === undefined ? {} : { endLine: finding.endLine }),
      // Columns are only allowed on an annotation of one line.
      ...(sameLine && finding.column !== undefined ? { startColumn: finding.column } : {}),
      ...(sameLine && finding.endColumn !== undefined ? { endColumn: finding.endColumn } : {}),
    };
    (finding.level === 'error' ? core.error : core.warning)(finding.message, annotation);
  }
  if (left > 0) {
    core.info(
      `${left} more finding${left === 1 ? ' is' : 's are'} not annotated (input "max-annotations" is ` +
        `${inputs.maxAnnotations} per level); the job summary and the reports list them.`,
    );
  }
}

/** The action: read the reports, decide each gate, annotate the failures, report, and fail when a gate fails. */
export async function run(): Promise<void> {
  const inputs = readInputs();
  const evidence = await decideGates(inputs);
  const { results } = evidence;
  const passed = gatesPassed(results);
  const text = renderGatesText(results);

  annotate(inputs, evidence);
  core.info(`\n${text}\n`);

  const value = (gate: GateName, key: string): string => {
    const found = results.find((result) => result.gate === gate && result.status !== 'skipped')?.values?.[key];
    return found === undefined ? '' : String(found);
  };
  core.setOutput('passed', String(passed));
  core.setOutput('coverage', value('coverage', 'percent'));
  core.setOutput('lint-errors', value('lint', 'errors'));
  core.setOutput('lint-warnings', value('lint', 'warnings'));
  core.setOutput('gates', JSON.stringify(results));
  core.setOutput('report', text);

  await writeSummary(renderSummary(results, { findings: evidence.findings, failedTests: evidence.failedTests }));
  if (!passed && inputs.enforce) {
    // Each failed gate already is an error annotation: fail the step without adding another.
    process.exitCode = 1;
  }
}
