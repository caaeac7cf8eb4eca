// Produces real reports with this repository's own tools, in a throw-away project: vitest (v8 coverage as
// json-summary, lcov and Cobertura, and a JUnit report) over a tiny module whose suite has one planted
// failure and one skipped test, and eslint's JSON formatter over files with planted problems.
import { execFile } from 'node:child_process';
import { mkdtempSync, realpathSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');
const ESLINT = join(ROOT, 'node_modules/eslint/bin/eslint.js');

/** Where the reports are, and the project they describe. */
export interface LiveReports {
  /** The project directory (use it as the workspace: report paths are inside it). */
  dir: string;
  coverageSummary: string;
  lcov: string;
  cobertura: string;
  junit: string;
  eslint: string;
  cleanup(): Promise<void>;
}

const SESSION = `export function checkToken(token) {
  if (token === 'valid') return 'ok';
  if (token === 'expired') return 'expired';
  return 'rejected';
}

export function lockAccount(user) {
  user.locked = true;
  return user;
}
`;

const SESSION_TEST = `import { checkToken } from '../src/session.mjs';

describe('login', () => {
  it('accepts a valid session', () => {
    expect(checkToken('valid')).toBe('ok');
  });
  it('rejects a forged token', () => {
    expect(checkToken('forged')).toBe('denied');
  });
  it.skip('locks the account after five attempts', () => {});
});
`;

const ESLINT_CONFIG = `export default [
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'module', globals: { console: 'readonly' } },
    rules: { 'no-unused-vars': 'error', 'no-undef': 'error', eqeqeq: 'warn', 'no-console': 'warn' },
  },
];
`;

const APP = `const unusedSecret = 'x';
export function login(user) {
  if (user.role == 'admin') console.log('admin login');
  return sesion;
}
`;

function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  // The outer vitest's worker variables would make the inner one think it is a worker.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
  return new Promise((resolvePromise) => {
    execFile(process.execPath, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Runs vitest with coverage and eslint on a fresh planted project; about two seconds. */
export async function produceLiveReports(): Promise<LiveReports> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'quality-gates-live-')));
  await Promise.all([mkdir(join(dir, 'src')), mkdir(join(dir, 'test')), mkdir(join(dir, 'lint'))]);
  await Promise.all([
    writeFile(join(dir, 'src/session.mjs'), SESSION),
    writeFile(join(dir, 'test/session.test.mjs'), SESSION_TEST),
    writeFile(join(dir, 'eslint.config.mjs'), ESLINT_CONFIG),
    writeFile(join(dir, 'lint/app.js'), APP),
    writeFile(join(dir, 'lint/broken.js'), 'export const broken = (;\n'),
  ]);
  const [tests, lint] = await Promise.all([
    run(
      [
        VITEST,
        'run',
        '--root',
        dir,
        '--globals',
        '--coverage.enabled',
        '--coverage.provider=v8',
        '--coverage.include=src/**',
        '--coverage.reporter=json-summary',
        '--coverage.reporter=lcovonly',
        '--coverage.reporter=cobertura',
        '--coverage.reportOnFailure',
        '--coverage.reportsDirectory=coverage',
        '--reporter=junit',
        '--outputFile.junit=junit.xml',
      ],
      dir,
    ),
    run([ESLINT, '-f', 'json', '-o', 'eslint.json', 'lint'], dir),
  ]);
  // The planted failure and the planted lint errors make both tools exit 1; anything else is a broken setup.
  if (tests.code !== 1) throw new Error(`vitest exited ${tests.code}:\n${tests.stdout}\n${tests.stderr}`);
  if (lint.code !== 1) throw new Error(`eslint exited ${lint.code}:\n${lint.stdout}\n${lint.stderr}`);
  return {
    dir,
    coverageSummary: join(dir, 'coverage/coverage-summary.json'),
    lcov: join(dir, 'coverage/lcov.info'),
    cobertura: join(dir, 'coverage/cobertura-coverage.xml'),
    junit: join(dir, 'junit.xml'),
    eslint: join(dir, 'eslint.json'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
