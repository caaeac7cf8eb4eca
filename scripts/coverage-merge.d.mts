// Types of scripts/coverage-merge.mjs for the TypeScript that imports it (its tests): Istanbul's coverage
// data as far as it is used here.

/** A range in a source file (1-based lines, 0-based columns; `null` for the end of the line). */
export interface CoverageLocation {
  start: { line: number; column: number | null };
  end: { line: number; column: number | null };
}

/** Istanbul's coverage of one file. */
export interface FileCoverageData {
  path: string;
  statementMap: Record<string, CoverageLocation>;
  s: Record<string, number>;
  fnMap: Record<string, { name: string; decl: CoverageLocation; loc: CoverageLocation; line: number }>;
  f: Record<string, number>;
  branchMap: Record<string, { type: string; loc: CoverageLocation; locations: CoverageLocation[]; line: number }>;
  b: Record<string, number[]>;
}

/** Covered and total items of one metric. */
export interface CoverageTotals {
  covered: number;
  total: number;
  pct: number | 'Unknown';
}

/** The four metrics of a file, a package or everything. */
export interface CoverageSummary {
  lines: CoverageTotals;
  statements: CoverageTotals;
  functions: CoverageTotals;
  branches: CoverageTotals;
}

/** istanbul-lib-coverage's FileCoverage. */
export interface FileCoverage {
  data: FileCoverageData;
  getUncoveredLines(): string[];
  toSummary(): CoverageSummary;
}

/** istanbul-lib-coverage's CoverageMap. */
export interface CoverageMap {
  files(): string[];
  fileCoverageFor(file: string): FileCoverage;
  getCoverageSummary(): CoverageSummary;
}

/** A V8 script coverage (`url`, `functions` with block ranges). */
export interface ScriptCoverage {
  url: string;
  functions: {
    functionName: string;
    isBlockCoverage: boolean;
    ranges: { startOffset: number; endOffset: number; count: number }[];
  }[];
}

export const BUNDLE_COVERAGE_ENV: string;
export class CoverageMergeError extends Error {}
export function createCoverageMap(data?: Record<string, FileCoverageData>): CoverageMap;
export function coverageSettings(): Promise<{
  include: string[];
  exclude: string[];
  isIncluded(file: string): boolean;
  reporters: unknown[];
}>;
export function readBundleCoverage(dir: string): { files: number; scripts: ScriptCoverage[] };
export function bundleMaps(name: string): Promise<Record<string, object>>;
export function bundleCoverageMap(
  scripts: ScriptCoverage[],
  isIncluded: (file: string) => boolean,
): Promise<CoverageMap>;
export function addBundleCoverage(target: CoverageMap, bundleMap: CoverageMap): void;
export function packageSummaries(coverageMap: CoverageMap): Map<string, CoverageSummary>;
export function mergeCoverage(options: { bundles: string; inProcess: string; out: string }): Promise<CoverageMap>;
export function directorySize(dir: string): number;
