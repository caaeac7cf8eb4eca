// Holds this repository to its own quality gates: runs the committed quality-gates bundle
// (dist/quality-gates/index.js) the way the runner would, on the reports of `npm run coverage`
// (coverage/coverage-summary.json, coverage/junit.xml) and on eslint's JSON report of the whole
// repository, written here to coverage/eslint.json. Coverage must be at least 80 % of lines.
//
//   node scripts/coverage-gate.mjs [--threshold 80] [--lint coverage/eslint.json]
//                                  [--typecheck-exit-code N] [--build-exit-code N]
//
// On GitHub Actions the gate's job summary and annotations land in the real job; elsewhere the
// summary is printed. The exit code is the bundle's: 1 when a gate fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    threshold: { type: 'string', default: '80' },
    lint: { type: 'string' },
    coverage: { type: 'string', default: 'coverage/coverage-summary.json' },
    tests: { type: 'string', default: 'coverage/junit.xml' },
    'typecheck-exit-code': { type: 'string' },
    'build-exit-code': { type: 'string' },
  },
});

const bundle = join(root, 'dist/quality-gates/index.js');
if (!existsSync(bundle)) {
  console.error('dist/quality-gates/index.js is missing: run npm run bundle first.');
  process.exit(1);
}

let lint = values.lint;
if (lint === undefined) {
  lint = 'coverage/eslint.json';
  mkdirSync(join(root, 'coverage'), { recursive: true });
  // eslint exits 1 when it finds errors: the report is still written, and judging it is the gate's job.
  const eslint = spawnSync(
    process.execPath,
    [join(root, 'node_modules/eslint/bin/eslint.js'), '.', '-f', 'json', '-o', lint],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (eslint.status !== 0 && eslint.status !== 1) {
    console.error(`eslint could not lint the repository (exit ${eslint.status ?? eslint.signal}).`);
    process.exit(1);
  }
}

const files = mkdtempSync(join(tmpdir(), 'coverage-gate-'));
const onRunner = Boolean(process.env.GITHUB_ACTIONS && process.env.GITHUB_STEP_SUMMARY);
const summary = onRunner ? process.env.GITHUB_STEP_SUMMARY : join(files, 'summary.md');
const output = join(files, 'output');
writeFileSync(output, '');
if (!onRunner) writeFileSync(summary, '');

const inputs = {
  coverage: values.coverage,
  'coverage-threshold': values.threshold,
  tests: values.tests,
  lint,
  'required-gates': 'coverage, tests, lint',
  // The exit codes of the steps before the tests (.ci/run), when given: the seed's TYPES and BUILD lines.
  ...(values['typecheck-exit-code'] !== undefined ? { 'typecheck-exit-code': values['typecheck-exit-code'] } : {}),
  ...(values['build-exit-code'] !== undefined ? { 'build-exit-code': values['build-exit-code'] } : {}),
};
const env = { ...process.env, GITHUB_WORKSPACE: root, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary };
for (const key of Object.keys(env)) if (key.startsWith('INPUT_')) delete env[key];
for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;

const gate = spawnSync(process.execPath, [bundle], { cwd: root, env, stdio: 'inherit' });
if (!onRunner) {
  const text = readFileSync(summary, 'utf8');
  if (text !== '') console.log(`\n${text}`);
}
rmSync(files, { recursive: true, force: true });
process.exit(gate.status ?? 1);
