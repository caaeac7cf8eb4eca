// The benchmark report: .bench/report.md (the summary table and one table per section) and
// .bench/report.html, a self-contained page (no script, no external resource) with the same tables
// and inline SVG plots: every figure against its target, canary-gate's mean requests per method,
// cold start and bundle size per action, the peers' times beside ours.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  escapeHtmlText,
  markdownCodeBlock,
  markdownTable,
  mermaid,
  type TableAlignment,
} from '../packages/core/src/summary.js';
import type { BenchRatio } from './types.js';

/** One section's result as bench/index.ts collected it. */
export interface BenchSectionResult {
  name: string;
  /** What the section printed. */
  text: string;
  /** Wall time of the section, in seconds. */
  seconds: number;
  /** The section's own report (its shape depends on the section). */
  json: unknown;
  ratios: readonly BenchRatio[];
}

/** Everything the report shows. */
export interface BenchReportInput {
  /** ISO time of the run. */
  date: string;
  node: string;
  quick: boolean;
  ratios: readonly BenchRatio[];
  sections: readonly BenchSectionResult[];
}

/** A table of the report, rendered as Markdown or HTML. */
interface ReportTable {
  caption?: string;
  headers: string[];
  rows: string[][];
  align?: TableAlignment[];
}

/** A horizontal bar chart: one group of bars per row, one bar per series. */
interface BarChart {
  title: string;
  /** What the axis measures, e.g. `ms`. */
  axis: string;
  series: string[];
  rows: {
    label: string;
    values: (number | undefined)[];
    colors?: (string | undefined)[];
    /** Text printed after each bar instead of the formatted value. */
    notes?: (string | undefined)[];
  }[];
  format: (value: number) => string;
  /** Reference lines (a target, a baseline). */
  lines?: { value: number; label: string }[];
  /** Bars beyond this are clipped (their value is still printed). */
  cap?: number;
}

const PASS = '#2e7d32';
const FAIL = '#c62828';
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948'];

/** A figure as the summary shows it: `1.23×`, `4.50 %`, or the number to 3 significant digits. */
export function formatBenchValue(ratio: Pick<BenchRatio, 'value' | 'unit'>): string {
  if (!Number.isFinite(ratio.value)) return 'not measured';
  if (ratio.unit === 'rate') return `${(ratio.value * 100).toFixed(2)} %`;
  if (ratio.unit === 'ratio') return `${ratio.value.toFixed(2)}×`;
  return Number(ratio.value.toPrecision(3)).toLocaleString('en-US');
}

/**
 * The number a target names, with its direction: `≤ 2×` → at most 2, `≤ 0.55 × 3,129 = 1,721` → at
 * most 1721 (the worked-out figure after `=`), `≥ 10×` → at least 10, `within 10 % of 1,234` and a
 * bare `100 %` → near that figure. A percentage bound of a rate is read as a fraction. Undefined when
 * the target names no figure.
 */
export function benchTargetBound(
  ratio: Pick<BenchRatio, 'target' | 'unit'>,
): { direction: 'at-most' | 'at-least' | 'near'; value: number } | undefined {
  const number = (text: string) => Number(text.replace(/,/g, ''));
  const rate = (value: number, text: string) => (ratio.unit === 'rate' && /%/.test(text) ? value / 100 : value);
  const within = /within\s+[\d.]+\s*%\s+of\s+([\d.,]+)/i.exec(ratio.target);
  if (within) return { direction: 'near', value: number(within[1]!) };
  const bounded = /([≤≥<>]=?)\s*([\d.,]+)/.exec(ratio.target);
  if (bounded) {
    const worked = /=\s*([\d.,]+)\s*[^\d=]*$/.exec(ratio.target.slice(bounded.index + 1));
    const value = rate(number(worked?.[1] ?? bounded[2]!), ratio.target);
    if (!Number.isFinite(value)) return undefined;
    return { direction: /^[≥>]/.test(bounded[1]!) ? 'at-least' : 'at-most', value };
  }
  const bare = /^\s*([\d.,]+)\s*(%|×|x)?\s*$/.exec(ratio.target);
  if (bare) {
    const value = rate(number(bare[1]!), ratio.target);
    return Number.isFinite(value) ? { direction: 'near', value } : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// What each known section contributes: tables and charts from its own report.

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objects(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

const ms = (value: number | undefined): string => (value === undefined ? '' : `${value.toFixed(1)} ms`);
const integer = (value: number | undefined): string =>
  value === undefined ? '' : Math.round(value).toLocaleString('en-US');
const percent = (value: number | undefined): string => (value === undefined ? '' : `${(value * 100).toFixed(1)} %`);
const megabytes = (bytes: number | undefined): string =>
  bytes === undefined ? '' : `${(bytes / 1_000_000).toFixed(2)} MB`;

interface SectionView {
  tables: ReportTable[];
  charts: BarChart[];
}

function canaryView(json: Json): SectionView | undefined {
  const rows = objects(json.rows);
  if (rows.length === 0) return undefined;
  const table: ReportTable = {
    caption: 'Simulated figures per method, the exact ones in brackets.',
    headers: ['case', 'method', 'mean requests', 'p90 requests', 'abort', 'promote', 'inconclusive'],
    align: ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
    rows: rows.map((row) => {
      const exact = isObject(row.exact) ? row.exact : {};
      const pair = (key: string, format: (value: number | undefined) => string) =>
        `${format(num(row[key]))} (${format(num(exact[key]))})`;
      return [
        str(row.case),
        str(row.method),
        pair('meanN', integer),
        pair('p90N', integer),
        pair('abortRate', percent),
        pair('promoteRate', percent),
        pair('inconclusiveRate', percent),
      ];
    }),
  };
  const cases = [...new Set(rows.map((row) => str(row.case)))];
  const methods = [...new Set(rows.map((row) => str(row.method)))];
  const fixed = isObject(json.fixed) ? num(json.fixed.samples) : undefined;
  const chart: BarChart = {
    title: 'canary-gate: mean requests until the verdict (SPRT vs fixed sample vs threshold)',
    axis: 'requests',
    series: methods,
    rows: cases.map((name) => ({
      label: name,
      values: methods.map((method) => num(rows.find((row) => row.case === name && row.method === method)?.meanN)),
    })),
    format: (value) => integer(value),
    ...(fixed !== undefined ? { lines: [{ value: fixed, label: `fixed n = ${integer(fixed)}` }] } : {}),
  };
  return { tables: [table], charts: [chart] };
}

function coldStartView(json: Json): SectionView | undefined {
  const rows = objects(json.rows);
  const nodeMs = num(json.nodeMs);
  if (rows.length === 0 || nodeMs === undefined) return undefined;
  const table: ReportTable = {
    caption: `node -e 0: ${ms(nodeMs)} (median).`,
    headers: ['action', 'bundle', 'start-up (median)', 'vs node -e 0'],
    align: ['left', 'right', 'right', 'right'],
    rows: rows.map((row) => [
      str(row.action),
      megabytes(num(row.bytes)),
      ms(num(row.medianMs)),
      `${(num(row.ratio) ?? Number.NaN).toFixed(2)}×`,
    ]),
  };
  const startup: BarChart = {
    title: 'Cold start per action: spawn to first output',
    axis: 'ms',
    series: ['start-up'],
    rows: rows.map((row) => {
      const value = num(row.medianMs);
      return {
        label: str(row.action),
        values: [value],
        colors: [value !== undefined && value <= 2 * nodeMs ? PASS : FAIL],
      };
    }),
    format: (value) => `${value.toFixed(0)} ms`,
    lines: [
      { value: nodeMs, label: 'node -e 0' },
      { value: 2 * nodeMs, label: 'target 2×' },
    ],
  };
  const size: BarChart = {
    title: 'Bundle size per action',
    axis: 'MB',
    series: ['bundle'],
    rows: rows.map((row) => {
      const value = (num(row.bytes) ?? 0) / 1_000_000;
      return { label: str(row.action), values: [value], colors: [value <= 1.2 ? PASS : FAIL] };
    }),
    format: (value) => `${value.toFixed(2)} MB`,
    lines: [{ value: 1.2, label: 'target 1.2 MB' }],
  };
  const shared = json.shared as Json | undefined;
  const sharedRows = objects(shared?.rows);
  if (!shared || sharedRows.length === 0) return { tables: [table], charts: [startup, size] };
  const experiment: ReportTable = {
    caption:
      `Shared-bundle experiment (every action in one bundle, thin entries): ${megabytes(num(shared.bytes))} in all, ` +
      `against ${megabytes(num(shared.perActionBytes))} as one bundle per action.`,
    headers: ['action', 'per-action bundle', 'shared bundle', 'shared vs node -e 0'],
    align: ['left', 'right', 'right', 'right'],
    rows: sharedRows.map((row) => [
      str(row.action),
      ms(num(rows.find((r) => r.action === row.action)?.medianMs)),
      ms(num(row.medianMs)),
      `${(num(row.ratio) ?? Number.NaN).toFixed(2)}×`,
    ]),
  };
  return { tables: [table, experiment], charts: [startup, size] };
}

function versionBumpView(json: Json): SectionView | undefined {
  const rows = objects(json.rows);
  if (rows.length === 0) return undefined;
  const table: ReportTable = {
    caption:
      `Next version of ${str(json.branch)} on ${integer(num(json.commits))} commits and ${integer(num(json.tags))} tags` +
      (json.semanticReleaseSkipped ? `; semantic-release not measured: ${str(json.semanticReleaseSkipped)}` : '.'),
    headers: ['side', 'median', 'clone', 'answer'],
    align: ['left', 'right', 'right', 'left'],
    rows: rows.map((row) => [str(row.name), ms(num(row.ms)), ms(num(row.cloneMs)), str(row.version)]),
  };
  const chart: BarChart = {
    title: 'version-bump: time to the next version, beside its peers',
    axis: 'ms',
    series: ['step', 'clone'],
    rows: rows.map((row) => ({ label: str(row.name), values: [num(row.ms), num(row.cloneMs)] })),
    format: (value) => `${value.toFixed(0)} ms`,
  };
  return { tables: [table], charts: [chart] };
}

function backmergeView(json: Json): SectionView | undefined {
  const scenarios = objects(json.scenarios);
  if (scenarios.length === 0) return undefined;
  const label = (scenario: Json) =>
    num(scenario.treeMegabytes) ? `history + ${str(scenario.treeMegabytes)} MB tree` : 'generated history';
  const table: ReportTable = {
    caption: `${integer(num(json.commits))} commits; medians of ${str(json.repeats)} rounds.`,
    headers: ['repository', 'pack', 'backmerge-pr', 'clone + cherry-pick + push', 'ratio', 'requests per target'],
    align: ['left', 'right', 'right', 'right', 'right', 'right'],
    rows: scenarios.map((scenario) => [
      label(scenario),
      megabytes(num(scenario.packBytes)),
      ms(num(scenario.actionMs)),
      ms(num(scenario.peerMs)),
      `${(num(scenario.ratio) ?? Number.NaN).toFixed(2)}×`,
      str(scenario.requestsPerTarget),
    ]),
  };
  const chart: BarChart = {
    title: 'backmerge-pr (API only) vs clone + cherry-pick + push',
    axis: 'ms',
    series: ['backmerge-pr', 'clone + cherry-pick + push'],
    rows: scenarios.map((scenario) => ({
      label: label(scenario),
      values: [num(scenario.actionMs), num(scenario.peerMs)],
    })),
    format: (value) => `${value.toFixed(0)} ms`,
  };
  return { tables: [table], charts: [chart] };
}

function beadsView(json: Json): SectionView | undefined {
  const transition = num(json.transitionMs);
  const cp = num(json.cpMs);
  if (transition === undefined || cp === undefined) return undefined;
  const table: ReportTable = {
    caption: `${integer(num(json.issues))} issues, ${megabytes(num(json.fileBytes))}.`,
    headers: ['measure', 'value'],
    align: ['left', 'right'],
    rows: [
      ['one transition (read, edit, atomic write, fsync)', ms(transition)],
      ['the same without fsync', ms(num(json.transitionNoSyncMs))],
      ['cp of the same file', ms(cp)],
      ['peak memory added', megabytes((num(json.peakRssBytes) ?? 0) - (num(json.baselineRssBytes) ?? 0))],
    ],
  };
  const chart: BarChart = {
    title: 'beads-sync: one transition vs cp of the file',
    axis: 'ms',
    series: ['time'],
    rows: [
      { label: 'transition (fsync)', values: [transition] },
      { label: 'transition (no fsync)', values: [num(json.transitionNoSyncMs)] },
      { label: 'cp', values: [cp] },
    ],
    format: (value) => `${value.toFixed(1)} ms`,
    lines: [{ value: 3 * cp, label: 'target 3× cp' }],
  };
  return { tables: [table], charts: [chart] };
}

const VIEWS: Record<string, (json: Json) => SectionView | undefined> = {
  'canary-gate': canaryView,
  'cold-start': coldStartView,
  'version-bump': versionBumpView,
  'backmerge-pr': backmergeView,
  'beads-sync': beadsView,
};

function ratiosTable(ratios: readonly BenchRatio[]): ReportTable {
  return {
    headers: ['measure', 'measured', 'target', 'pass'],
    align: ['left', 'right', 'left', 'left'],
    rows: ratios.map((ratio) => [
      ratio.name,
      formatBenchValue(ratio),
      ratio.target,
      !Number.isFinite(ratio.value) ? '—' : ratio.pass ? 'yes' : 'NO',
    ]),
  };
}

/** The section's tables and charts: its own when the report knows the section, else its figures. */
function sectionView(section: BenchSectionResult): SectionView {
  const view = isObject(section.json) ? VIEWS[section.name]?.(section.json) : undefined;
  const own = view ?? { tables: [], charts: [] };
  return {
    tables: [...own.tables, ...(section.ratios.length > 0 ? [ratiosTable(section.ratios)] : [])],
    charts: own.charts,
  };
}

/** Every figure against its target (measured ÷ bound): 1 is the target, the side that passes depends on it. */
function targetsChart(ratios: readonly BenchRatio[]): BarChart | undefined {
  const rows = ratios
    .map((ratio) => ({ ratio, bound: benchTargetBound(ratio) }))
    .filter((one) => one.bound !== undefined && one.bound.value > 0 && Number.isFinite(one.ratio.value));
  if (rows.length === 0) return undefined;
  return {
    title:
      'Every figure against its target (measured ÷ target: at-most targets pass left of the line, at-least ones right)',
    axis: '× target',
    series: ['measured'],
    rows: rows.map(({ ratio, bound }) => ({
      label: ratio.name,
      values: [ratio.value / bound!.value],
      colors: [ratio.pass ? PASS : FAIL],
      notes: [`${(ratio.value / bound!.value).toFixed(2)}× · ${formatBenchValue(ratio)} vs ${ratio.target}`],
    })),
    format: (value) => `${value.toFixed(2)}×`,
    lines: [{ value: 1, label: 'target' }],
    cap: 3,
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering

function markdownOf(table: ReportTable): string {
  const caption = table.caption ? `${table.caption}\n\n` : '';
  return `${caption}${markdownTable(table.headers, table.rows, table.align)}`;
}

/**
 * A single-series chart as a mermaid `xychart-beta` (GitHub draws it): the bars, and each reference
 * line as a flat line. Undefined for charts mermaid cannot draw faithfully (several series side by side).
 */
function mermaidChart(chart: BarChart): string | undefined {
  if (chart.series.length !== 1 || chart.rows.some((row) => row.values[0] === undefined)) return undefined;
  const quote = (text: string) => `"${text.replace(/"/g, "'")}"`;
  const values = chart.rows.map((row) => Number((row.values[0] ?? 0).toPrecision(4)));
  const top = Math.max(...values, ...(chart.lines ?? []).map((line) => line.value)) * 1.1;
  return mermaid(
    [
      'xychart-beta',
      `  title ${quote(chart.title)}`,
      `  x-axis [${chart.rows.map((row) => quote(row.label)).join(', ')}]`,
      `  y-axis ${quote(chart.axis)} 0 --> ${Number(top.toPrecision(3))}`,
      `  bar [${values.join(', ')}]`,
      ...(chart.lines ?? []).map(
        (line) => `  line [${chart.rows.map(() => Number(line.value.toPrecision(4))).join(', ')}]`,
      ),
    ].join('\n'),
  ).trimEnd();
}

/** The Markdown report: the run, the summary table, then each section's tables and its printed output. */
export function benchReportMarkdown(input: BenchReportInput): string {
  const failed = input.ratios.filter((ratio) => Number.isFinite(ratio.value) && !ratio.pass).length;
  const parts = [
    '# Benchmark report',
    `${input.date} · Node ${input.node}${input.quick ? ' · quick run (fewer repeats)' : ''} · ` +
      `${input.ratios.length} figures, ${failed} off target`,
    '## Summary',
    markdownTable(['measure', 'measured', 'target', 'pass'], ratiosTable(input.ratios).rows, [
      'left',
      'right',
      'left',
      'left',
    ]).trimEnd(),
  ];
  for (const section of input.sections) {
    const view = sectionView(section);
    parts.push(`## ${section.name}`, `${section.seconds.toFixed(1)} s`);
    for (const chart of view.charts) {
      const drawn = mermaidChart(chart);
      if (drawn) parts.push(drawn);
    }
    for (const table of view.tables) parts.push(markdownOf(table).trimEnd());
    if (section.text.trim() !== '') {
      parts.push(
        `<details><summary>Output</summary>\n\n${markdownCodeBlock(section.text.replace(/\r/g, ''), 'text').trimEnd()}\n\n</details>`,
      );
    }
  }
  return `${parts.join('\n\n')}\n`;
}

function htmlTable(table: ReportTable): string {
  const cell = (tag: 'td' | 'th', text: string, column: number) => {
    const align = table.align?.[column];
    const style = align === 'right' || align === 'center' ? ` style="text-align:${align}"` : '';
    const mark = text === 'NO' ? ' class="fail"' : text === 'yes' ? ' class="pass"' : '';
    return `<${tag}${style}${mark}>${escapeHtmlText(text)}</${tag}>`;
  };
  return [
    '<table>',
    table.caption ? `<caption>${escapeHtmlText(table.caption)}</caption>` : '',
    `<thead><tr>${table.headers.map((header, column) => cell('th', header, column)).join('')}</tr></thead>`,
    '<tbody>',
    ...table.rows.map((row) => `<tr>${row.map((text, column) => cell('td', text, column)).join('')}</tr>`),
    '</tbody></table>',
  ].join('\n');
}

/** Nice round ticks from 0 to at least `max`. */
function ticks(max: number): number[] {
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough)!;
  const out: number[] = [];
  // The last tick is the first at or past `max`, so the axis always holds the longest bar.
  for (let value = 0; ; value += step) {
    out.push(Number(value.toPrecision(12)));
    if (value >= max - step * 1e-9) return out;
  }
}

/** One horizontal bar chart as inline SVG. */
export function svgBarChart(chart: BarChart): string {
  const barHeight = 14;
  const barGap = 3;
  const groupGap = 10;
  const perRow = chart.series.length;
  const maxLabel = 460;
  const labelWidth = Math.min(maxLabel, Math.max(120, ...chart.rows.map((row) => row.label.length * 6.4 + 12)));
  const fit = (label: string) => {
    const room = Math.floor((labelWidth - 12) / 6.4);
    return label.length <= room ? label : `${label.slice(0, room - 1)}…`;
  };
  const valueText = (row: BarChart['rows'][number], index: number, value: number) =>
    row.notes?.[index] ?? chart.format(value);
  const plotWidth = 440;
  const valueWidth = Math.max(
    80,
    ...chart.rows.flatMap((row) =>
      row.values.map((value, index) => (value === undefined ? 12 : valueText(row, index, value).length) * 6.4 + 20),
    ),
  );
  const legend = perRow > 1 ? 22 : 0;
  const top = 34 + legend + ((chart.lines ?? []).length > 0 ? 14 : 0);
  const groupHeight = perRow * (barHeight + barGap) - barGap;
  const plotHeight = chart.rows.length * (groupHeight + groupGap) - groupGap;
  const width = labelWidth + plotWidth + valueWidth + 16;
  const height = top + plotHeight + 40;
  const values = chart.rows.flatMap((row) => row.values).filter((value): value is number => value !== undefined);
  const highest = Math.max(...values, ...(chart.lines ?? []).map((line) => line.value), 0);
  const limit = chart.cap !== undefined ? Math.min(highest, chart.cap) : highest;
  const axisTicks = ticks(limit > 0 ? limit * 1.05 : 1);
  const max = axisTicks[axisTicks.length - 1]!;
  const x = (value: number) => labelWidth + (Math.min(value, max) / max) * plotWidth;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtmlText(chart.title)}">`,
    `<style>${SVG_STYLE}</style>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="20" class="title">${escapeHtmlText(chart.title)}</text>`,
  ];
  if (legend > 0) {
    let at = labelWidth;
    chart.series.forEach((name, index) => {
      out.push(
        `<rect x="${at}" y="32" width="12" height="12" fill="${PALETTE[index % PALETTE.length]}"/>`,
        `<text x="${at + 16}" y="42" class="legend">${escapeHtmlText(name)}</text>`,
      );
      at += 24 + name.length * 6.4;
    });
  }
  for (const tick of axisTicks) {
    const tx = x(tick);
    out.push(
      `<line x1="${tx}" y1="${top - 4}" x2="${tx}" y2="${top + plotHeight + 4}" class="grid"/>`,
      `<text x="${tx}" y="${top + plotHeight + 18}" class="tick" text-anchor="middle">${escapeHtmlText(chart.format(tick))}</text>`,
    );
  }
  out.push(
    `<text x="${labelWidth + plotWidth / 2}" y="${top + plotHeight + 34}" class="axis" text-anchor="middle">${escapeHtmlText(chart.axis)}</text>`,
  );
  // Reference lines first, so bars and their figures are drawn over them.
  for (const line of chart.lines ?? []) {
    if (line.value > max) continue;
    const lx = x(line.value);
    out.push(
      `<line x1="${lx}" y1="${top - 8}" x2="${lx}" y2="${top + plotHeight + 4}" class="ref"/>`,
      `<text x="${lx + 3}" y="${top - 10}" class="ref-label">${escapeHtmlText(line.label)}</text>`,
    );
  }
  chart.rows.forEach((row, rowIndex) => {
    const y0 = top + rowIndex * (groupHeight + groupGap);
    out.push(
      `<text x="${labelWidth - 8}" y="${y0 + groupHeight / 2 + 4}" class="label" text-anchor="end">${escapeHtmlText(fit(row.label))}<title>${escapeHtmlText(row.label)}</title></text>`,
    );
    row.values.forEach((value, index) => {
      const y = y0 + index * (barHeight + barGap);
      if (value === undefined) {
        out.push(`<text x="${labelWidth + 4}" y="${y + barHeight - 3}" class="value">not measured</text>`);
        return;
      }
      const color = row.colors?.[index] ?? PALETTE[index % PALETTE.length];
      const clipped = value > max;
      const barWidth = Math.max(1, x(value) - labelWidth);
      out.push(
        `<rect x="${labelWidth}" y="${y}" width="${barWidth.toFixed(1)}" height="${barHeight}" fill="${color}"><title>${escapeHtmlText(`${row.label} · ${chart.series[index] ?? ''}: ${chart.format(value)}`)}</title></rect>`,
        `<text x="${(labelWidth + barWidth + 4).toFixed(1)}" y="${y + barHeight - 3}" class="value">${clipped ? '› ' : ''}${escapeHtmlText(valueText(row, index, value))}</text>`,
      );
    });
  });
  out.push('</svg>');
  return out.join('\n');
}

// Each chart carries its own style, so it reads the same copied out of the page.
const SVG_STYLE =
  'text { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; fill: #1f2328; } ' +
  '.title { font-weight: 600; font-size: 14px; } .label, .legend, .value { font-size: 12px; } ' +
  '.tick, .axis { font-size: 11px; fill: #59636e; } .grid { stroke: #eaeef2; } ' +
  '.ref { stroke: #1f2328; stroke-dasharray: 4 3; } .ref-label { font-size: 11px; }';

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; }
h1 { margin-bottom: .2rem; } .meta { color: #59636e; margin-top: 0; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; } caption { text-align: left; color: #59636e; padding-bottom: .3rem; }
th, td { border: 1px solid #d1d9e0; padding: .25rem .6rem; } th { background: #f6f8fa; text-align: left; }
td.pass { color: ${PASS}; } td.fail { color: ${FAIL}; font-weight: 600; }
svg { display: block; margin: .4rem 0 1.4rem; max-width: 100%; height: auto; }
pre { background: #f6f8fa; padding: .8rem; overflow-x: auto; font-size: 12px; }
`;

/** The HTML report: self-contained (inline CSS and SVG, no script), the same content as the Markdown plus plots. */
export function benchReportHtml(input: BenchReportInput): string {
  const failed = input.ratios.filter((ratio) => Number.isFinite(ratio.value) && !ratio.pass).length;
  const body: string[] = [
    '<h1>Benchmark report</h1>',
    `<p class="meta">${escapeHtmlText(input.date)} · Node ${escapeHtmlText(input.node)}${input.quick ? ' · quick run (fewer repeats)' : ''} · ${input.ratios.length} figures, ${failed} off target</p>`,
    '<h2>Summary</h2>',
    htmlTable(ratiosTable(input.ratios)),
  ];
  const targets = targetsChart(input.ratios);
  if (targets) body.push(svgBarChart(targets));
  for (const section of input.sections) {
    const view = sectionView(section);
    body.push(
      `<h2 id="${escapeHtmlText(section.name)}">${escapeHtmlText(section.name)}</h2>`,
      `<p class="meta">${section.seconds.toFixed(1)} s</p>`,
    );
    for (const chart of view.charts) body.push(svgBarChart(chart));
    for (const table of view.tables) body.push(htmlTable(table));
    if (section.text.trim() !== '') {
      body.push(`<details><summary>Output</summary><pre>${escapeHtmlText(section.text)}</pre></details>`);
    }
  }
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Benchmark report · ${escapeHtmlText(input.date.slice(0, 10))}</title>`,
    `<style>${STYLE}</style></head><body>`,
    ...body,
    '</body></html>',
    '',
  ].join('\n');
}

/** Writes report.md and report.html into `dir` and returns their paths. */
export function writeBenchReport(dir: string, input: BenchReportInput): { markdown: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const markdown = join(dir, 'report.md');
  const html = join(dir, 'report.html');
  writeFileSync(markdown, benchReportMarkdown(input));
  writeFileSync(html, benchReportHtml(input));
  return { markdown, html };
}
