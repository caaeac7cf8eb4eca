// The README's test command: makes sure the system packages the tests need are present
// (installing them as root, or naming the command that does), then runs the whole suite once.
// Arguments are passed to vitest.
//
// With --coverage (`npm test -- --coverage`, `npm run coverage`) the same single run also measures
// coverage: vitest's own, in-process, plus that of every run of a committed bundle in a child process
// (the harness keeps it; see BUNDLE_COVERAGE_ENV in the testkit). scripts/coverage-merge.mjs adds the
// two up into coverage/ (coverage-summary.json, lcov.info, coverage-final.json), and
// scripts/coverage-gate.mjs holds the result to the quality gates: the exit code is non-zero when the
// tests or a gate fail. `--lint-report <eslint.json>` hands the gate a report the lint step already wrote,
// `--typecheck-exit-code N` and `--build-exit-code N` the outcome of those steps.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureSystemDeps } from './system-deps.mjs';

const root = resolve(import.meta.dirname, '..');
ensureSystemDeps({ install: true });

const args = process.argv.slice(2);
if (!args.includes('--coverage')) {
  const vitest = spawnSync('npx', ['vitest', 'run', ...args], { cwd: root, stdio: 'inherit' });
  process.exit(vitest.status ?? 1);
}

const vitestArgs = args.filter((arg) => arg !== '--coverage');
// Options for the gate, not for vitest: `--lint-report FILE`, `--typecheck-exit-code N`, `--build-exit-code N`.
const gateArgs = [];
for (const [option, gateOption] of [
  ['--lint-report', '--lint'],
  ['--typecheck-exit-code', '--typecheck-exit-code'],
  ['--build-exit-code', '--build-exit-code'],
]) {
  const at = vitestArgs.indexOf(option);
  if (at >= 0) gateArgs.push(gateOption, vitestArgs.splice(at, 2)[1]);
}

const { BUNDLE_COVERAGE_ENV, CoverageMergeError, directorySize, mergeCoverage } = await import('./coverage-merge.mjs');
const bundles = mkdtempSync(join(tmpdir(), 'hotfix-actions-bundle-coverage-'));
const inProcess = join(root, 'coverage', 'in-process');
const distBefore = distFingerprint();
const started = Date.now();
const vitest = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--coverage',
    // vitest writes only its raw result; the reports come from the merge.
    '--coverage.reporter=json',
    `--coverage.reportsDirectory=${inProcess}`,
    '--reporter=default',
    '--reporter=junit',
    '--outputFile.junit=coverage/junit.xml',
    ...vitestArgs,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, [BUNDLE_COVERAGE_ENV]: bundles } },
);
const testSeconds = (Date.now() - started) / 1000;
const bundleBytes = directorySize(bundles);

let failed = vitest.status !== 0;
try {
  // Coverage of a bundle that changed under the run cannot be mapped to any one build of it.
  if (distFingerprint() !== distBefore) {
    throw new CoverageMergeError('dist/ changed while the tests ran: run `npm test -- --coverage` again.');
  }
  await mergeCoverage({
    bundles,
    inProcess: join(inProcess, 'coverage-final.json'),
    out: join(root, 'coverage'),
  });
} catch (error) {
  if (!(error instanceof CoverageMergeError)) throw error;
  console.error(`\n${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(bundles, { recursive: true, force: true });
}
if (process.exitCode === 1) process.exit();
console.log(
  `\nTests with coverage: ${testSeconds.toFixed(0)} s; the bundle runs' coverage took ${(bundleBytes / 1e6).toFixed(1)} MB.\n`,
);

const gate = spawnSync(process.execPath, [join(root, 'scripts', 'coverage-gate.mjs'), ...gateArgs], {
  cwd: root,
  stdio: 'inherit',
});
failed ||= gate.status !== 0;
process.exit(failed ? 1 : 0);

/** The bytes of every committed bundle file, hashed. */
function distFingerprint() {
  const hash = createHash('sha256');
  const dist = join(root, 'dist');
  if (!existsSync(dist)) return '';
  for (const name of readdirSync(dist).sort()) {
    const dir = join(dist, name);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).sort()) {
      if (file.endsWith('.js')) hash.update(`${name}/${file}\0`).update(readFileSync(join(dir, file)));
    }
  }
  return hash.digest('hex');
}
