import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BUNDLE_COVERAGE_ENV, runBundle } from '@hotfix-actions/testkit';
import {
  addBundleCoverage,
  bundleCoverageMap,
  coverageSettings,
  createCoverageMap,
  readBundleCoverage,
  type CoverageMap,
  type FileCoverageData,
} from '../scripts/coverage-merge.mjs';

// The coverage run adds the committed bundles' runs (child processes vitest cannot see) to vitest's own
// coverage: through source maps of the same bundles, then into vitest's structure line by line.

const root = fileURLToPath(new URL('..', import.meta.url));

/** One file's coverage, as vitest or the bundle conversion would give it. */
function file(
  path: string,
  statements: [line: number, column: number, hits: number][],
  functions: [name: string, line: number, hits: number][] = [],
  branches: [type: string, line: number, column: number, hits: number[]][] = [],
): FileCoverageData {
  const at = (line: number, column: number) => ({ start: { line, column }, end: { line, column: column + 5 } });
  return {
    path,
    statementMap: Object.fromEntries(statements.map(([line, column], id) => [id, at(line, column)])),
    s: Object.fromEntries(statements.map(([, , hits], id) => [id, hits])),
    fnMap: Object.fromEntries(
      functions.map(([name, line], id) => [id, { name, decl: at(line, 9), loc: at(line, 20), line }]),
    ),
    f: Object.fromEntries(functions.map(([, , hits], id) => [id, hits])),
    branchMap: Object.fromEntries(
      branches.map(([type, line, column, hits], id) => [
        id,
        { type, loc: at(line, column), locations: hits.map(() => at(line, column)), line },
      ]),
    ),
    b: Object.fromEntries(branches.map(([, , , hits], id) => [id, hits])),
  };
}

describe('addBundleCoverage', () => {
  it('credits vitest’s statements and functions by the line a bundle run executed, and nothing else', () => {
    const target = createCoverageMap({
      '/repo/main.ts': file(
        '/repo/main.ts',
        [
          [2, 2, 0],
          [3, 4, 0],
          [3, 30, 0],
          [7, 2, 0],
          [9, 2, 1],
        ],
        [
          ['run', 1, 0],
          ['unused', 6, 0],
        ],
      ),
    });
    // The bundle's statements start elsewhere on the same lines (column 0, or another transform's column).
    const bundle = createCoverageMap({
      '/repo/main.ts': file(
        '/repo/main.ts',
        [
          [2, 0, 3],
          [3, 0, 3],
          [7, 0, 0],
        ],
        [
          ['a', 1, 3],
          ['b', 6, 0],
        ],
      ),
    });
    addBundleCoverage(target, bundle);
    const merged = target.fileCoverageFor('/repo/main.ts');
    expect(merged.data.s).toEqual({ 0: 3, 1: 3, 2: 3, 3: 0, 4: 1 });
    expect(merged.data.f).toEqual({ 0: 3, 1: 0 });
    // Nothing was added: the same statements, so no line counts twice.
    expect(Object.keys(merged.data.statementMap)).toHaveLength(5);
    expect(merged.getUncoveredLines()).toEqual(['7']);
  });

  it('adds branch arms when line, kind and arms agree, in order when a line has several', () => {
    const target = createCoverageMap({
      '/repo/a.ts': file(
        '/repo/a.ts',
        [[4, 2, 0]],
        [],
        [
          ['cond-expr', 4, 10, [1, 0]],
          ['cond-expr', 4, 30, [0, 0]],
          ['if', 8, 2, [0, 0]],
        ],
      ),
    });
    const bundle = createCoverageMap({
      '/repo/a.ts': file(
        '/repo/a.ts',
        [[4, 0, 2]],
        [],
        [
          ['cond-expr', 4, 0, [0, 2]],
          ['cond-expr', 4, 1, [2, 0]],
          ['binary-expr', 8, 0, [5, 5]],
        ],
      ),
    });
    addBundleCoverage(target, bundle);
    expect(target.fileCoverageFor('/repo/a.ts').data.b).toEqual({ 0: [1, 2], 1: [2, 0], 2: [0, 0] });
  });

  it('takes a file vitest did not measure as the bundle runs give it', () => {
    const target = createCoverageMap({});
    addBundleCoverage(target, createCoverageMap({ '/repo/b.ts': file('/repo/b.ts', [[1, 0, 1]]) }));
    expect(target.files()).toEqual(['/repo/b.ts']);
  });
});

describe('a committed bundle’s run, mapped to the TypeScript sources', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hotfix-coverage-merge-'));
    vi.stubEnv(BUNDLE_COVERAGE_ENV, dir);
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The hits of the function declared on the line that contains `declaration`. */
  function functionHits(coverage: CoverageMap, path: string, declaration: string): number | undefined {
    const line =
      readFileSync(path, 'utf8')
        .split('\n')
        .findIndex((text) => text.includes(declaration)) + 1;
    expect(line).toBeGreaterThan(0);
    const data = coverage.fileCoverageFor(path).data;
    const id = Object.keys(data.fnMap).find((key) => data.fnMap[key]!.decl.start.line === line);
    return id === undefined ? undefined : data.f[id];
  }

  it('covers what the run reached and not what it did not', { timeout: 120_000 }, async () => {
    // Without inputs quality-gates reads its inputs and refuses: run() and readInputs() ran, no report parser.
    const run = await runBundle({ bundle: 'quality-gates' });
    expect(run.exitCode).toBe(1);
    const settings = await coverageSettings();
    const { scripts } = readBundleCoverage(dir);
    const coverage = await bundleCoverageMap(scripts, settings.isIncluded);

    const main = join(root, 'actions/quality-gates/src/main.ts');
    const inputs = join(root, 'actions/quality-gates/src/inputs.ts');
    const reports = join(root, 'actions/quality-gates/src/coverage.ts');
    expect(functionHits(coverage, main, 'export async function run(')).toBe(1);
    expect(functionHits(coverage, inputs, 'export function readInputs(')).toBe(1);
    expect(functionHits(coverage, reports, 'export function parseCobertura(')).toBe(0);
    // Only the product's sources: no node_modules, no webpack runtime, no test tooling.
    expect(coverage.files().every((path) => settings.isIncluded(path) && path.startsWith(root))).toBe(true);
  });
});
