// Coverage reports in the three formats coverage tools share: lcov tracefiles, Istanbul's json-summary
// and Cobertura XML. Each is read into covered/total counts per metric; the percentage is computed from
// the counts (never from a rounded rate) so that 79.99 % cannot pass an 80 % gate.
import { ConfigurationError } from '@hotfix-actions/core';
import { XmlSyntaxError, parseXml, xmlDescendants, type XmlElement } from './xml.js';

/** What is counted: lines (the default), statements, branches or functions. */
export type CoverageMetric = 'lines' | 'statements' | 'branches' | 'functions';

/** Every metric, in the order reports usually list them. */
export const COVERAGE_METRICS: readonly CoverageMetric[] = ['lines', 'statements', 'branches', 'functions'];

/** The report formats read. */
export type CoverageFormat = 'lcov' | 'istanbul-summary' | 'cobertura';

/** Human names of the formats. */
export const COVERAGE_FORMAT_NAMES: Readonly<Record<CoverageFormat, string>> = {
  lcov: 'lcov',
  'istanbul-summary': 'Istanbul json-summary',
  cobertura: 'Cobertura XML',
};

/** Covered and total items of one metric. */
export interface CoverageCount {
  covered: number;
  total: number;
}

/** A coverage report, reduced to its totals. */
export interface CoverageReport {
  format: CoverageFormat;
  /** The metrics the report has; lcov has no statements, Cobertura no statements or functions. */
  metrics: Partial<Record<CoverageMetric, CoverageCount>>;
  /** How many source files it covers. */
  files: number;
}

/** Where a report came from, for error messages. */
export interface ReportSource {
  input: string;
  path: string;
}

const EXPECTED =
  'an lcov tracefile (lcov.info), an Istanbul json-summary (coverage-summary.json) or a Cobertura XML report ' +
  '(cobertura-coverage.xml, coverage.xml)';

function malformed(source: ReportSource, format: string, problem: string): ConfigurationError {
  return new ConfigurationError(
    `Input "${source.input}": ${source.path} is not a valid ${format} report: ${problem}. Expected ${EXPECTED}.`,
    source.input,
  );
}

/**
 * Reads a coverage report, telling the format from its content: JSON is Istanbul's json-summary, XML is
 * Cobertura, anything else must be an lcov tracefile. Throws a ConfigurationError naming the input for a
 * file that is none of them or is broken (truncated, counts missing or impossible).
 */
export function parseCoverageReport(text: string, source: ReportSource): CoverageReport {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start === '') throw malformed(source, 'coverage', 'the file is empty');
  if (start.startsWith('{') || start.startsWith('[')) return parseIstanbulSummary(text, source);
  if (start.startsWith('<')) return parseCobertura(text, source);
  return parseLcov(text, source);
}

// ---------------------------------------------------------------------------------------------
// lcov

const LCOV_LINE = /^([A-Z]+):(.*)$/;

function count(value: string, source: ReportSource, line: number, key: string): number {
  if (!/^\d+$/.test(value.trim())) {
    throw malformed(source, 'lcov', `line ${line}: ${key} must be a whole number, but is ${JSON.stringify(value)}`);
  }
  return Number(value.trim());
}

/** Reads an lcov tracefile (`SF:`, `DA:`, `LF:`/`LH:`, `FNF:`/`FNH:`, `BRF:`/`BRH:`, `end_of_record`). */
export function parseLcov(text: string, source: ReportSource): CoverageReport {
  const totals: Record<'lines' | 'branches' | 'functions', CoverageCount> = {
    lines: { covered: 0, total: 0 },
    branches: { covered: 0, total: 0 },
    functions: { covered: 0, total: 0 },
  };
  let record: { file: string; line: number; summary: Record<string, number>; da: number[]; fn: number[]; br: number[] };
  let open = false;
  let files = 0;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const close = (): void => {
    const { summary, da, fn, br } = record;
    // LF/LH and friends are optional summaries of the DA/FNDA/BRDA lines: use them when present.
    const pick = (found: string, hit: string, items: number[]): CoverageCount => {
      const total = summary[found] ?? items.length;
      const covered = summary[hit] ?? items.filter((hits) => hits > 0).length;
      if (covered > total) {
        throw malformed(source, 'lcov', `the record of ${record.file} (line ${record.line}) has ${hit} > ${found}`);
      }
      return { covered, total };
    };
    for (const [metric, counts] of [
      ['lines', pick('LF', 'LH', da)],
      ['functions', pick('FNF', 'FNH', fn)],
      ['branches', pick('BRF', 'BRH', br)],
    ] as const) {
      totals[metric].covered += counts.covered;
      totals[metric].total += counts.total;
    }
    files++;
    open = false;
  };
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    const number = index + 1;
    if (line === '') continue;
    if (line === 'end_of_record') {
      if (!open) throw malformed(source, 'lcov', `line ${number}: end_of_record without a SF: line before it`);
      close();
      continue;
    }
    const match = LCOV_LINE.exec(line);
    if (match === null) {
      const shown = line.length > 60 ? `${line.slice(0, 60)}…` : line;
      throw malformed(source, 'lcov', `line ${number} is not an lcov line: ${JSON.stringify(shown)}`);
    }
    const [, key = '', value = ''] = match;
    if (key === 'SF') {
      if (open) throw malformed(source, 'lcov', `line ${number}: SF: before the previous record's end_of_record`);
      record = { file: value, line: number, summary: {}, da: [], fn: [], br: [] };
      open = true;
      continue;
    }
    if (key === 'TN' || key === 'VER') continue;
    if (!open) throw malformed(source, 'lcov', `line ${number}: ${key}: outside a record (no SF: line before it)`);
    if (key === 'DA') {
      const hits = value.split(',')[1];
      if (hits === undefined) throw malformed(source, 'lcov', `line ${number}: DA: needs a line number and a count`);
      // Some tools write negative or fractional counts for unreliable data: any positive number is a hit.
      const parsed = Number(hits);
      if (Number.isNaN(parsed)) throw malformed(source, 'lcov', `line ${number}: the DA: count is not a number`);
      record!.da.push(parsed);
    } else if (key === 'FNDA') {
      record!.fn.push(Number(value.split(',')[0]) || 0);
    } else if (key === 'BRDA') {
      const taken = value.split(',')[3];
      record!.br.push(taken === undefined || taken === '-' ? 0 : Number(taken) || 0);
    } else if (['LF', 'LH', 'FNF', 'FNH', 'BRF', 'BRH'].includes(key)) {
      record!.summary[key] = count(value, source, number, key);
    }
    // FN:, FNL:, FNA: and tools' own keys carry nothing the totals need.
  }
  if (open)
    throw malformed(source, 'lcov', `the last record (${record!.file}) has no end_of_record: the file is cut short`);
  if (files === 0) throw malformed(source, 'lcov', 'it has no SF: … end_of_record records');
  return { format: 'lcov', metrics: totals, files };
}

// ---------------------------------------------------------------------------------------------
// Istanbul json-summary

/** Reads Istanbul's json-summary (`coverage-summary.json`): `total.lines/statements/functions/branches`. */
export function parseIstanbulSummary(text: string, source: ReportSource): CoverageReport {
  const format = 'Istanbul json-summary';
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw malformed(source, format, `it is not valid JSON (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw malformed(source, format, 'it is not a JSON object');
  }
  const total = (data as Record<string, unknown>)['total'];
  if (typeof total !== 'object' || total === null) {
    const entries = Object.values(data as Record<string, unknown>);
    const detailed = entries.some((entry) => typeof entry === 'object' && entry !== null && 'statementMap' in entry);
    throw malformed(
      source,
      format,
      detailed
        ? "it is Istanbul's detailed coverage-final.json; add the json-summary reporter and give coverage-summary.json"
        : 'it has no "total" entry',
    );
  }
  const metrics: Partial<Record<CoverageMetric, CoverageCount>> = {};
  for (const metric of COVERAGE_METRICS) {
    const entry = (total as Record<string, unknown>)[metric];
    if (entry === undefined) continue;
    const { covered, total: all } = (entry ?? {}) as { covered?: unknown; total?: unknown };
    if (!isCount(covered) || !isCount(all) || covered > all) {
      throw malformed(source, format, `total.${metric} needs whole numbers "covered" ≤ "total"`);
    }
    metrics[metric] = { covered, total: all };
  }
  if (metrics.lines === undefined && metrics.statements === undefined) {
    throw malformed(source, format, 'total has neither "lines" nor "statements"');
  }
  return { format: 'istanbul-summary', metrics, files: Object.keys(data).length - 1 };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

// ---------------------------------------------------------------------------------------------
// Cobertura

function attributeCount(element: XmlElement, name: string, source: ReportSource): number | undefined {
  const value = element.attributes[name];
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) {
    throw malformed(source, 'Cobertura XML', `${name}="${value}" on <${element.name}> is not a whole number`);
  }
  return Number(value);
}

/**
 * Reads a Cobertura XML report: the root's `lines-valid`/`lines-covered` and `branches-valid`/`branches-covered`,
 * or, when a tool leaves them out, the `<line>` elements of each class (a line's `condition-coverage="50% (1/2)"`
 * gives its branches).
 */
export function parseCobertura(text: string, source: ReportSource): CoverageReport {
  const format = 'Cobertura XML';
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw malformed(source, format, `it is not well-formed XML: ${error.message}`);
    throw error;
  }
  if (root.name !== 'coverage') {
    const hint =
      root.name === 'report'
        ? ' (it looks like JaCoCo XML: add a Cobertura or lcov report)'
        : root.name === 'testsuites' || root.name === 'testsuite'
          ? ' (it is a JUnit test report: give it as input "tests")'
          : '';
    throw malformed(source, format, `the root element is <${root.name}>, not <coverage>${hint}`);
  }
  if (root.attributes['line-rate'] === undefined && root.attributes['clover'] !== undefined) {
    throw malformed(source, format, 'it is a Clover report, not Cobertura');
  }
  const classes = xmlDescendants(root, 'class');
  const files = new Set(classes.map((element) => element.attributes['filename'] ?? element.attributes['name'] ?? ''));

  // Line entries of a class (class > lines > line), not the copies under its methods.
  const lineKeys = new Map<string, { hits: number; branches?: CoverageCount }>();
  for (const element of classes) {
    const file = element.attributes['filename'] ?? element.attributes['name'] ?? '';
    for (const lines of element.children.filter((child) => child.name === 'lines')) {
      for (const line of lines.children.filter((child) => child.name === 'line')) {
        const hits = attributeCount(line, 'hits', source) ?? 0;
        const condition = /\((\d+)\/(\d+)\)/.exec(line.attributes['condition-coverage'] ?? '');
        const key = `${file}\0${line.attributes['number'] ?? ''}`;
        const previous = lineKeys.get(key);
        lineKeys.set(key, {
          hits: Math.max(hits, previous?.hits ?? 0),
          ...(condition ? { branches: { covered: Number(condition[1]), total: Number(condition[2]) } } : {}),
        });
      }
    }
  }
  const fromLines = (): { lines: CoverageCount; branches: CoverageCount } => {
    const entries = [...lineKeys.values()];
    const branches = entries.flatMap((entry) => (entry.branches ? [entry.branches] : []));
    return {
      lines: { covered: entries.filter((entry) => entry.hits > 0).length, total: entries.length },
      branches: {
        covered: branches.reduce((sum, entry) => sum + entry.covered, 0),
        total: branches.reduce((sum, entry) => sum + entry.total, 0),
      },
    };
  };

  const pair = (coveredName: string, validName: string, what: string): CoverageCount | undefined => {
    const covered = attributeCount(root, coveredName, source);
    const total = attributeCount(root, validName, source);
    if (covered === undefined || total === undefined) return undefined;
    if (covered > total) throw malformed(source, format, `${coveredName} is greater than ${validName} (${what})`);
    return { covered, total };
  };
  const counted = lineKeys.size > 0 ? fromLines() : undefined;
  const lines = pair('lines-covered', 'lines-valid', 'lines') ?? counted?.lines;
  const branches = pair('branches-covered', 'branches-valid', 'branches') ?? counted?.branches;
  if (lines === undefined) {
    throw malformed(
      source,
      format,
      'it has neither lines-covered/lines-valid on <coverage> nor <line> elements to count (a rate alone cannot be added up)',
    );
  }
  return { format: 'cobertura', metrics: { lines, ...(branches ? { branches } : {}) }, files: files.size };
}

// ---------------------------------------------------------------------------------------------
// Totals

/** Adds up several reports (of disjoint parts of a repository) for one metric; undefined when one lacks it. */
export function combineCoverage(reports: readonly CoverageReport[], metric: CoverageMetric): CoverageCount | undefined {
  let covered = 0;
  let total = 0;
  for (const report of reports) {
    const counts = report.metrics[metric];
    if (counts === undefined) return undefined;
    covered += counts.covered;
    total += counts.total;
  }
  return { covered, total };
}

/** The percentage of a count (100 for nothing to cover, as Istanbul reports it). */
export function coveragePercent(count: CoverageCount): number {
  return count.total === 0 ? 100 : (count.covered * 100) / count.total;
}

/** True when `count` meets `threshold` percent, decided on the counts so that no rounding can lift it over. */
export function meetsCoverage(count: CoverageCount, threshold: number): boolean {
  // In hundredths of a percent and integers: covered/total ≥ t/10000 ⇔ covered·10000 ≥ t·total, exactly.
  const hundredths = Math.round(threshold * 100);
  return count.covered * 10_000 >= hundredths * count.total;
}

/** A coverage percentage for people: at most two decimals, cut (never rounded up), so 7999/10000 shows as 79.99%. */
export function formatCoverage(count: CoverageCount): string {
  const hundredths = count.total === 0 ? 10_000 : Math.floor((count.covered * 10_000) / count.total);
  return `${hundredths / 100}%`;
}

/** A threshold for people: `80%`, `72.5%`. */
export function formatThreshold(threshold: number): string {
  return `${Math.round(threshold * 100) / 100}%`;
}
