// Lint reports: SARIF 2.1.0 (the format code scanning, ruff, golangci-lint, semgrep … write) and
// ESLint's JSON formatter (`eslint -f json`). Both become a flat list of findings with a level and,
// when known, a place in the repository for a file/line annotation.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '@hotfix-actions/core';
import type { ReportSource } from './coverage.js';

/** How serious a finding is: errors and warnings count against the gate, notes are only listed. */
export type LintLevel = 'error' | 'warning' | 'note';

/** One lint finding. */
export interface LintFinding {
  level: LintLevel;
  message: string;
  /** The rule (`no-unused-vars`, `E501`), when the tool names one. */
  rule?: string;
  /** The tool that reported it (`ESLint`, the SARIF driver's name). */
  tool: string;
  /** Path relative to the workspace when the file is inside it, otherwise as reported. */
  file?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

/** The lint report formats read. */
export type LintFormat = 'sarif' | 'eslint';

/** A lint report's findings. */
export interface LintReport {
  format: LintFormat;
  /** The tools that produced it (`ESLint`, or each SARIF run's driver). */
  tools: string[];
  findings: LintFinding[];
}

const EXPECTED = 'a SARIF 2.1.0 log (.sarif) or an ESLint JSON report (eslint -f json -o eslint.json)';

function malformed(source: ReportSource, format: string, problem: string): ConfigurationError {
  return new ConfigurationError(
    `Input "${source.input}": ${source.path} is not a valid ${format} report: ${problem}. Expected ${EXPECTED}.`,
    source.input,
  );
}

/** A reported path as a path relative to `workspace` (what annotations need), or as given when outside it. */
export function workspacePath(reported: string, workspace: string): string {
  let path = reported;
  if (/^file:/i.test(path)) {
    try {
      path = fileURLToPath(path);
    } catch {
      return reported;
    }
  }
  if (!isAbsolute(path)) return path.replace(/^\.\//, '').split(sep).join('/');
  const inside = relative(resolve(workspace), path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return path;
  return inside.split(sep).join('/');
}

/**
 * Reads a lint report, telling SARIF (an object with `runs`) from ESLint JSON (an array of
 * `{ filePath, messages }`). Paths become relative to `workspace`. Throws a ConfigurationError naming
 * the input for anything else.
 */
export function parseLintReport(text: string, source: ReportSource, workspace: string): LintReport {
  const body = text.replace(/^\uFEFF/, '').trim();
  if (body === '') throw malformed(source, 'lint', 'the file is empty');
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (error) {
    throw malformed(source, 'lint', `it is not valid JSON (${(error as Error).message})`);
  }
  if (Array.isArray(data)) return parseEslintJson(data, source, workspace);
  if (typeof data === 'object' && data !== null && 'runs' in data) return parseSarif(data, source, workspace);
  throw malformed(
    source,
    'lint',
    'it is JSON, but neither a SARIF log (no "runs") nor an ESLint report (not an array)',
  );
}

// ---------------------------------------------------------------------------------------------
// ESLint JSON

interface EslintMessage {
  ruleId?: string | null;
  severity?: unknown;
  message?: unknown;
  line?: unknown;
  column?: unknown;
  endLine?: unknown;
  endColumn?: unknown;
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

function place(
  file: string | undefined,
  line: unknown,
  column: unknown,
  endLine: unknown,
  endColumn: unknown,
): Pick<LintFinding, 'file' | 'line' | 'column' | 'endLine' | 'endColumn'> {
  const at: Pick<LintFinding, 'file' | 'line' | 'column' | 'endLine' | 'endColumn'> = {};
  if (file !== undefined && file !== '') at.file = file;
  const values = { line: positive(line), column: positive(column), endLine: positive(endLine) };
  if (values.line !== undefined) at.line = values.line;
  if (values.column !== undefined) at.column = values.column;
  if (values.endLine !== undefined) at.endLine = values.endLine;
  const end = positive(endColumn);
  if (end !== undefined) at.endColumn = end;
  return at;
}

/** Reads ESLint's JSON formatter output: severity 2 is an error, 1 a warning; fatal parse errors are errors. */
export function parseEslintJson(data: unknown[], source: ReportSource, workspace: string): LintReport {
  const findings: LintFinding[] = [];
  for (const [index, entry] of data.entries()) {
    const { filePath, messages } = (entry ?? {}) as { filePath?: unknown; messages?: unknown };
    if (typeof filePath !== 'string' || !Array.isArray(messages)) {
      throw malformed(source, 'ESLint JSON', `entry ${index + 1} has no "filePath" and "messages"`);
    }
    const file = workspacePath(filePath, workspace);
    for (const raw of messages as EslintMessage[]) {
      const severity = raw?.severity;
      if ((severity !== 1 && severity !== 2) || typeof raw.message !== 'string') {
        throw malformed(source, 'ESLint JSON', `a message of ${file} has no severity 1 or 2 and text`);
      }
      findings.push({
        level: severity === 2 ? 'error' : 'warning',
        message: raw.message,
        ...(typeof raw.ruleId === 'string' ? { rule: raw.ruleId } : {}),
        tool: 'ESLint',
        ...place(file, raw.line, raw.column, raw.endLine, raw.endColumn),
      });
    }
  }
  return { format: 'eslint', tools: ['ESLint'], findings };
}

// ---------------------------------------------------------------------------------------------
// SARIF 2.1.0

interface SarifRule {
  id?: string;
  defaultConfiguration?: { level?: string };
  shortDescription?: { text?: string };
}

interface SarifArtifactLocation {
  uri?: string;
  uriBaseId?: string;
  index?: number;
}

interface SarifResult {
  ruleId?: string;
  ruleIndex?: number;
  rule?: { id?: string; index?: number; toolComponent?: { index?: number } };
  kind?: string;
  level?: string;
  message?: { text?: string; markdown?: string; id?: string };
  locations?: {
    physicalLocation?: {
      artifactLocation?: SarifArtifactLocation;
      region?: { startLine?: number; startColumn?: number; endLine?: number; endColumn?: number };
    };
  }[];
  suppressions?: { status?: string }[];
  baselineState?: string;
}

interface SarifRun {
  tool?: { driver?: { name?: string; rules?: SarifRule[] }; extensions?: { name?: string; rules?: SarifRule[] }[] };
  results?: SarifResult[];
  artifacts?: { location?: SarifArtifactLocation }[];
  originalUriBaseIds?: Record<string, { uri?: string; uriBaseId?: string }>;
}

const SARIF_LEVELS = new Set(['error', 'warning', 'note', 'none']);

function ruleOf(run: SarifRun, result: SarifResult): SarifRule | undefined {
  const component = result.rule?.toolComponent?.index;
  const rules =
    component === undefined ? run.tool?.driver?.rules : (run.tool?.extensions?.[component]?.rules ?? undefined);
  const index = result.rule?.index ?? result.ruleIndex;
  if (index !== undefined && index >= 0 && rules?.[index] !== undefined) return rules[index];
  const id = result.rule?.id ?? result.ruleId;
  if (id === undefined) return undefined;
  const all = [...(run.tool?.driver?.rules ?? []), ...(run.tool?.extensions ?? []).flatMap((ext) => ext.rules ?? [])];
  // A hierarchical id (`CA2101/reason`) names its rule by the first component.
  return all.find((rule) => rule.id === id) ?? all.find((rule) => rule.id === id.split('/')[0]);
}

// SARIF §3.27.10: an explicit level wins; a result whose kind is not "fail" has level "none"; else the
// rule's default configuration; else "warning".
function levelOf(run: SarifRun, result: SarifResult): string {
  if (result.level !== undefined) return result.level;
  if (result.kind !== undefined && result.kind !== 'fail') return 'none';
  return ruleOf(run, result)?.defaultConfiguration?.level ?? 'warning';
}

// SARIF §3.27.23 and §3.35.3: a result with a suppression that is not rejected or under review is suppressed.
function isSuppressed(result: SarifResult): boolean {
  return (result.suppressions ?? []).some(
    (suppression) => suppression.status !== 'rejected' && suppression.status !== 'underReview',
  );
}

function hasScheme(uri: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(uri);
}

function artifactUri(run: SarifRun, location: SarifArtifactLocation | undefined): string | undefined {
  if (location === undefined) return undefined;
  const fromIndex = location.index === undefined ? undefined : run.artifacts?.[location.index]?.location;
  let uri = location.uri ?? fromIndex?.uri;
  let base = location.uriBaseId ?? fromIndex?.uriBaseId;
  if (uri === undefined) return undefined;
  // Resolve against originalUriBaseIds (%SRCROOT% → file:///home/runner/work/repo/repo/), a few levels deep.
  for (let depth = 0; base !== undefined && depth < 5 && !hasScheme(uri); depth++) {
    const entry = run.originalUriBaseIds?.[base];
    if (entry?.uri === undefined) break;
    uri = hasScheme(entry.uri) ? new URL(uri, entry.uri).href : `${entry.uri.replace(/\/*$/, '/')}${uri}`;
    base = entry.uriBaseId;
  }
  try {
    return hasScheme(uri) ? uri : decodeURIComponent(uri);
  } catch {
    return uri;
  }
}

/** Reads a SARIF 2.1.0 log: every run's results, with levels resolved, suppressed and absent results left out. */
export function parseSarif(data: object, source: ReportSource, workspace: string): LintReport {
  const { runs, version } = data as { runs?: unknown; version?: unknown };
  if (!Array.isArray(runs)) throw malformed(source, 'SARIF', '"runs" is not an array');
  if (version !== undefined && version !== '2.1.0') {
    throw malformed(source, 'SARIF', `its version is ${JSON.stringify(version)}; only SARIF 2.1.0 is read`);
  }
  const tools: string[] = [];
  const findings: LintFinding[] = [];
  for (const [runIndex, run] of (runs as SarifRun[]).entries()) {
    const tool = run?.tool?.driver?.name;
    if (typeof tool !== 'string') throw malformed(source, 'SARIF', `run ${runIndex + 1} has no tool.driver.name`);
    tools.push(tool);
    if (run.results !== undefined && !Array.isArray(run.results)) {
      throw malformed(source, 'SARIF', `"results" of run ${runIndex + 1} is not an array`);
    }
    for (const result of run.results ?? []) {
      if (typeof result !== 'object' || result === null) {
        throw malformed(source, 'SARIF', `a result of run ${runIndex + 1} is not an object`);
      }
      const level = levelOf(run, result);
      if (!SARIF_LEVELS.has(level)) {
        throw malformed(source, 'SARIF', `a result of ${tool} has the level ${JSON.stringify(level)}`);
      }
      if (level === 'none' || isSuppressed(result) || result.baselineState === 'absent') continue;
      const rule = result.rule?.id ?? result.ruleId ?? ruleOf(run, result)?.id;
      const text =
        result.message?.text ??
        result.message?.markdown ??
        ruleOf(run, result)?.shortDescription?.text ??
        (rule === undefined ? 'finding' : `${rule} finding`);
      const physical = result.locations?.[0]?.physicalLocation;
      const uri = artifactUri(run, physical?.artifactLocation);
      const region = physical?.region;
      findings.push({
        level: level as LintLevel,
        message: text,
        ...(rule === undefined ? {} : { rule }),
        tool,
        ...place(
          uri === undefined ? undefined : workspacePath(uri, workspace),
          region?.startLine,
          region?.startColumn,
          region?.endLine,
          region?.endColumn,
        ),
      });
    }
  }
  return { format: 'sarif', tools, findings };
}
