import {
  ConfigurationError,
  getBooleanInput,
  getEnumInput,
  getIntegerInput,
  getListInput,
  getNumberInput,
  readRawInput,
} from '@hotfix-actions/core';
import { COVERAGE_METRICS, type CoverageMetric } from './coverage.js';
import { GATE_NAMES, type GateName, type StepResult } from './gates.js';

/** Everything the action was asked to check, validated. */
export interface QualityGatesInputs {
  /** Where relative report paths start (GITHUB_WORKSPACE). */
  workspace: string;
  /** Coverage report paths; undefined turns the gate off. */
  coverage: string[] | undefined;
  coverageThreshold: number;
  coverageMetric: CoverageMetric;
  /** JUnit XML report paths. */
  tests: string[] | undefined;
  /** Test counts given directly instead of a report. */
  testCounts: { passed: number; total: number } | undefined;
  /** SARIF or ESLint JSON report paths. */
  lint: string[] | undefined;
  maxLintErrors: number;
  /** Undefined: warnings never fail the gate. */
  maxLintWarnings: number | undefined;
  typecheck: StepResult | undefined;
  build: StepResult | undefined;
  /** Gates that fail when nothing is given for them. */
  requiredGates: ReadonlySet<GateName>;
  /** Lint findings (and failed tests) annotated per level, at most. */
  maxAnnotations: number;
  /** Fail the step when a gate fails (otherwise gate failures are warnings). */
  enforce: boolean;
}

/** The input that turns each gate on. */
export const GATE_INPUTS: Readonly<Record<GateName, string>> = {
  coverage: 'coverage',
  tests: 'tests',
  lint: 'lint',
  types: 'typecheck-exit-code',
  build: 'build-exit-code',
};

const GATE_ALIASES: Readonly<Record<string, GateName>> = {
  coverage: 'coverage',
  tests: 'tests',
  test: 'tests',
  lint: 'lint',
  linting: 'lint',
  types: 'types',
  typecheck: 'types',
  'type-check': 'types',
  build: 'build',
};

/** Reads a step result: an exit code (`0`, `2`) or a step outcome (`success`, `failure`, `cancelled`); `skipped` is none. */
export function parseStepResult(name: string): StepResult | undefined {
  const raw = readRawInput(name);
  if (raw === undefined) return undefined;
  const word = raw.toLowerCase();
  if (/^[+-]?\d{1,10}$/.test(raw)) return { exitCode: Number(raw) };
  if (word === 'success' || word === 'failure' || word === 'cancelled') return { outcome: word };
  if (word === 'skipped') return undefined;
  throw new ConfigurationError(
    `Input "${name}" must be an exit code (0 passes) or a step outcome (success, failure, cancelled, skipped), ` +
      `but got ${JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw)}. Pass \${{ steps.<id>.outcome }} ` +
      'of a step with continue-on-error: true, or the exit code it wrote to an output.',
    name,
  );
}

function readRequiredGates(): Set<GateName> {
  const items = getListInput('required-gates') ?? [];
  const gates = new Set<GateName>();
  for (const item of items) {
    const word = item.toLowerCase();
    if (word === 'all') {
      GATE_NAMES.forEach((gate) => gates.add(gate));
      continue;
    }
    const gate = GATE_ALIASES[word];
    if (gate === undefined) {
      throw new ConfigurationError(
        `Input "required-gates" must list gates among ${GATE_NAMES.join(', ')} (or all), but got ` +
          `${JSON.stringify(item.length > 40 ? `${item.slice(0, 40)}…` : item)}.`,
        'required-gates',
      );
    }
    gates.add(gate);
  }
  return gates;
}

function readTestCounts(): { passed: number; total: number } | undefined {
  const passed = getIntegerInput('tests-passed', { min: 0 });
  const total = getIntegerInput('tests-total', { min: 0 });
  if (passed === undefined && total === undefined) return undefined;
  if (passed === undefined || total === undefined) {
    const missing = passed === undefined ? 'tests-passed' : 'tests-total';
    throw new ConfigurationError(
      `Input "${missing}" is required with "${missing === 'tests-passed' ? 'tests-total' : 'tests-passed'}": ` +
        'give both counts (or a JUnit XML report as input "tests" instead).',
      missing,
    );
  }
  if (passed > total) {
    throw new ConfigurationError(
      `Input "tests-passed" (${passed}) must not be greater than "tests-total" (${total}).`,
      'tests-passed',
    );
  }
  return { passed, total };
}

/** Reads and validates the inputs; a mistake throws a ConfigurationError naming the input. */
export function readInputs(): QualityGatesInputs {
  const tests = getListInput('tests');
  const testCounts = readTestCounts();
  if (tests !== undefined && testCounts !== undefined) {
    throw new ConfigurationError(
      'Input "tests" and "tests-passed"/"tests-total" both describe the tests gate: give a JUnit XML report or ' +
        'the two counts, not both.',
      'tests',
    );
  }
  const inputs: QualityGatesInputs = {
    workspace: process.env['GITHUB_WORKSPACE'] || process.cwd(),
    coverage: getListInput('coverage'),
    coverageThreshold: getNumberInput('coverage-threshold', { default: 80, min: 0, max: 100 }),
    coverageMetric: getEnumInput('coverage-metric', COVERAGE_METRICS, { default: 'lines' }),
    tests,
    testCounts,
    lint: getListInput('lint'),
    maxLintErrors: getIntegerInput('max-lint-errors', { default: 0, min: 0 }),
    maxLintWarnings: getIntegerInput('max-lint-warnings', { min: 0 }),
    typecheck: parseStepResult('typecheck-exit-code'),
    build: parseStepResult('build-exit-code'),
    requiredGates: readRequiredGates(),
    maxAnnotations: getIntegerInput('max-annotations', { default: 10, min: 0, max: 1000 }),
    enforce: getBooleanInput('enforce', { default: true }),
  };
  const given = inputs.coverage ?? inputs.tests ?? inputs.testCounts ?? inputs.lint ?? inputs.typecheck ?? inputs.build;
  if (given === undefined && inputs.requiredGates.size === 0) {
    throw new ConfigurationError(
      'No gate has anything to check: set at least one of "coverage", "tests" (or "tests-passed" and ' +
        '"tests-total"), "lint", "typecheck-exit-code" or "build-exit-code", and list the gates that must always ' +
        'be checked in "required-gates".',
    );
  }
  return inputs;
}
