import { copyFileSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isConfigurationError } from '@hotfix-actions/core';
import { parseOutputFile, parseWorkflowCommands } from '@hotfix-actions/testkit';
import { readInputs } from '../src/inputs.js';
import { run } from '../src/main.js';

// run() in this process, on real files: the same paths as the bundle tests (quality-gates.test.ts), here
// where coverage can see them, plus the input reader's refusals one by one.

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
let workspace: string;
let saved: NodeJS.ProcessEnv;
let stdout: string[];

beforeEach(() => {
  saved = { ...process.env };
  workspace = realpathSync(mkdtempSync(join(tmpdir(), 'quality-gates-main-')));
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  writeFileSync(join(workspace, 'output'), '');
  writeFileSync(join(workspace, 'summary'), '');
  Object.assign(process.env, {
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: join(workspace, 'output'),
    GITHUB_STEP_SUMMARY: join(workspace, 'summary'),
  });
  stdout = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  process.env = saved;
  process.exitCode = undefined;
  rmSync(workspace, { recursive: true, force: true });
});

function inputs(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

async function runGates(values: Record<string, string>) {
  inputs(values);
  await run();
  const commands = parseWorkflowCommands(stdout.join(''));
  return {
    exitCode: process.exitCode,
    outputs: parseOutputFile(readFileSync(join(workspace, 'output'), 'utf8')),
    summary: readFileSync(join(workspace, 'summary'), 'utf8'),
    annotations: commands.filter((command) => command.command === 'error' || command.command === 'warning'),
    log: stdout.join(''),
  };
}

describe('run()', () => {
  it('passes on this repository’s reports and writes outputs and summary once', async () => {
    copyFileSync(join(FIXTURES, 'vitest-full/cobertura-coverage.xml'), join(workspace, 'coverage.xml'));
    copyFileSync(join(FIXTURES, 'vitest-partial/junit.xml'), join(workspace, 'junit.xml'));
    writeFileSync(
      join(workspace, 'eslint.json'),
      JSON.stringify([{ filePath: join(workspace, 'a.js'), messages: [] }]),
    );
    const result = await runGates({
      coverage: 'coverage.xml',
      tests: 'junit.xml',
      lint: 'eslint.json',
      'typecheck-exit-code': '0',
      'build-exit-code': '0',
    });
    expect(result.exitCode).toBeUndefined();
    expect(result.annotations).toEqual([]);
    expect(result.outputs).toMatchObject({
      passed: 'true',
      coverage: '98.78',
      'lint-errors': '0',
      'lint-warnings': '0',
    });
    expect(result.log).toContain('Running Quality Gates...');
    expect(result.summary.match(/## Quality gates/g)).toHaveLength(1);
  });

  it('fails, annotating gate failures first and capping findings per level', async () => {
    writeFileSync(join(workspace, 'lcov.info'), 'SF:a.ts\nLF:10000\nLH:7999\nend_of_record\n');
    const messages = [2, 2, 1, 1].map((severity, index) => ({
      ruleId: 'rule',
      severity,
      message: `problem ${index + 1}`,
      line: index + 1,
      column: 2,
      endLine: index + 2,
    }));
    writeFileSync(join(workspace, 'eslint.json'), JSON.stringify([{ filePath: join(workspace, 'a.js'), messages }]));
    writeFileSync(
      join(workspace, 'junit.xml'),
      '<testsuite><testcase name="t1" file="test/a.test.ts" line="3"><failure message="boom"/></testcase></testsuite>',
    );
    const result = await runGates({
      coverage: 'lcov.info',
      lint: 'eslint.json',
      tests: 'junit.xml',
      'max-annotations': '1',
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({
      passed: 'false',
      coverage: '79.99',
      'lint-errors': '2',
      'lint-warnings': '2',
    });
    expect(result.annotations.map((annotation) => annotation.properties['title'])).toEqual([
      'Quality gate failed: Coverage',
      'Quality gate failed: Tests',
      'Quality gate failed: Linting',
      'Test failed: t1',
      'ESLint: rule',
    ]);
    expect(result.annotations[3]!.properties).toMatchObject({ file: 'test/a.test.ts', line: '3' });
    // The one warning annotation left: the error budget (1) went to the failed test.
    expect(result.annotations[4]).toMatchObject({ command: 'warning', message: 'problem 3' });
    expect(result.annotations[4]!.properties['col']).toBeUndefined();
    expect(result.log).toContain('3 more findings are not annotated');
  });

  it('with enforce false, reports failures as warnings and leaves the exit code alone', async () => {
    inputs({ 'tests-passed': '0', 'tests-total': '0', enforce: 'false' });
    const result = await runGates({});
    expect(result.exitCode).toBeUndefined();
    expect(result.outputs.report).toContain('TESTS: ✗ no tests ran');
    expect(result.annotations).toEqual([
      expect.objectContaining({ command: 'warning', properties: { title: 'Quality gate failed: Tests' } }),
    ]);
  });

  it('fails a missing report and a required gate without input, naming the inputs', async () => {
    const result = await runGates({ lint: 'missing.sarif', 'required-gates': 'lint, build' });
    expect(result.exitCode).toBe(1);
    expect(result.annotations.map((annotation) => annotation.message)).toEqual([
      expect.stringMatching(/^Input "lint" names missing.sarif, which does not exist/),
      expect.stringMatching(/^Input "required-gates" requires the build gate, but input "build-exit-code" is empty/),
    ]);
  });
});

describe('readInputs', () => {
  it('reads the defaults', () => {
    inputs({ coverage: 'a.info\nb.info' });
    expect(readInputs()).toEqual({
      workspace,
      coverage: ['a.info', 'b.info'],
      coverageThreshold: 80,
      coverageMetric: 'lines',
      tests: undefined,
      testCounts: undefined,
      lint: undefined,
      maxLintErrors: 0,
      maxLintWarnings: undefined,
      typecheck: undefined,
      build: undefined,
      requiredGates: new Set(),
      maxAnnotations: 10,
      enforce: true,
    });
  });

  it('reads step results and gate names in their accepted spellings', () => {
    inputs({
      'typecheck-exit-code': 'Failure',
      'build-exit-code': '137',
      'required-gates': 'Linting, type-check, test',
    });
    const read = readInputs();
    expect(read.typecheck).toEqual({ outcome: 'failure' });
    expect(read.build).toEqual({ exitCode: 137 });
    expect([...read.requiredGates]).toEqual(['lint', 'types', 'tests']);
    inputs({ 'required-gates': 'all' });
    expect(readInputs().requiredGates.size).toBe(5);
  });

  it.each([
    [{}, undefined],
    [{ coverage: 'a', 'coverage-threshold': '-1' }, 'coverage-threshold'],
    [{ coverage: 'a', 'max-lint-errors': '1.5' }, 'max-lint-errors'],
    [{ coverage: 'a', 'max-lint-warnings': 'many' }, 'max-lint-warnings'],
    [{ coverage: 'a', 'max-annotations': '5000' }, 'max-annotations'],
    [{ coverage: 'a', enforce: 'maybe' }, 'enforce'],
    [{ 'tests-total': '4' }, 'tests-passed'],
    [{ 'build-exit-code': '$(id)' }, 'build-exit-code'],
  ])('refuses %j naming the input', (values, input) => {
    inputs(values);
    let error: unknown;
    try {
      readInputs();
    } catch (caught) {
      error = caught;
    }
    expect(isConfigurationError(error)).toBe(true);
    expect((error as { input?: string }).input).toBe(input);
  });
});
