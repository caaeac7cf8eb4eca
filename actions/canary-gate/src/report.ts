// What the gate tells people and later steps: outputs, the JSON report, log lines and the job summary.
import {
  canaryLlrChart,
  details,
  explainCanaryVerdict,
  formatDuration,
  isCanaryNoData,
  markdownCodeBlock,
  markdownHeading,
  markdownTable,
  mermaid,
  type CanaryAnalysisState,
  type CanaryMeasurement,
  type CanaryOutcome,
  type CanaryPolicy,
} from '@hotfix-actions/core';
import { analysisLlr } from './gate.js';
import type { BatchRecord, GateResult, SourceRun } from './gate.js';

/** Batches kept in the `report` output; beyond it the middle ones are left out (outputs are capped at 1 MB). */
export const REPORT_MAX_BATCHES = 500;

/** A rate as an output: a plain decimal (`0.0125`), '' when nothing was counted. */
export function formatRateOutput(errors: number, total: number): string {
  if (!(total > 0)) return '';
  const text = (errors / total).toFixed(6).replace(/\.?0+$/, '');
  return text === '' ? '0' : text;
}

function formatLlrOutput(llr: number | undefined): string {
  if (llr === undefined) return '';
  const text = llr.toFixed(4);
  return text === '-0.0000' ? '0.0000' : text;
}

function baselineCounts(state: CanaryAnalysisState): { errors: number; total: number } | undefined {
  return state.method === 'baseline' ? { errors: state.baselineErrors, total: state.baselineSamples } : undefined;
}

/** One source's verdict in one sentence; an analysis cut short by another source's abort says so. */
export function explainRun(run: SourceRun): string {
  const sentence = explainCanaryVerdict(run.state);
  return run.stoppedEarly ? `Stopped when another source aborted. ${sentence}` : sentence;
}

/** The verdict in one sentence with its figures, then how the policy turned it into the decision. */
export function gateExplanation(result: GateResult, outcome: CanaryOutcome): string {
  const prefix = result.runs.length > 1 ? `${result.deciding.source.name}: ` : '';
  return `${prefix}${explainRun(result.deciding)} ${outcome.reason}`;
}

/** The step's outputs except `report`; figures are those of the source that decided. */
export function gateOutputs(result: GateResult, outcome: CanaryOutcome): Record<string, string> {
  const { state } = result.deciding;
  const baseline = baselineCounts(state);
  return {
    decision: outcome.decision,
    samples: String(state.samples),
    errors: String(state.errors),
    'error-rate': formatRateOutput(state.errors, state.samples),
    'baseline-error-rate-observed': baseline ? formatRateOutput(baseline.errors, baseline.total) : '',
    llr: formatLlrOutput(analysisLlr(state)),
    explanation: gateExplanation(result, outcome),
  };
}

function configOf(state: CanaryAnalysisState): Record<string, unknown> {
  const config: Record<string, unknown> = { ...state.config };
  // JSON has no Infinity.
  for (const [key, value] of Object.entries(config)) if (value === Infinity) config[key] = 'unlimited';
  if (state.method === 'baseline') config.degradation = state.degradation;
  return config;
}

function roundBatch(batch: BatchRecord): Record<string, unknown> {
  return {
    ...batch,
    ...(batch.llr !== undefined ? { llr: Number(batch.llr.toFixed(6)) } : {}),
  };
}

/** Keeps the first and last `max / 2` batches: the start and the end of a long run tell the story. */
export function limitBatches<T>(batches: readonly T[], max = REPORT_MAX_BATCHES): { kept: T[]; omitted: number } {
  if (batches.length <= max) return { kept: [...batches], omitted: 0 };
  const head = Math.ceil(max / 2);
  const tail = max - head;
  return { kept: [...batches.slice(0, head), ...batches.slice(batches.length - tail)], omitted: batches.length - max };
}

/** The `report` output: configuration, boundaries, every measurement, and what was sent where. */
export function buildReport(
  result: GateResult,
  outcome: CanaryOutcome,
  settings: { policy: CanaryPolicy; intervalMs: number; durationMs: number; timeoutMs: number },
): Record<string, unknown> {
  return {
    decision: outcome.decision,
    verdict: result.verdict,
    stepFails: outcome.stepFails,
    explanation: gateExplanation(result, outcome),
    policy: settings.policy,
    intervalMs: settings.intervalMs,
    durationMs: settings.durationMs,
    timeoutMs: settings.timeoutMs,
    startedAt: result.startedAt.toISOString(),
    elapsedMs: result.elapsedMs,
    sources: result.runs.map((run) => {
      const { state } = run;
      const baseline = baselineCounts(state);
      const { kept, omitted } = limitBatches(run.batches);
      return {
        kind: run.source.kind,
        analysis: state.method,
        status: state.status,
        stop: state.stop ?? null,
        stoppedEarly: run.stoppedEarly,
        explanation: explainRun(run),
        config: configOf(state),
        ...(state.method === 'threshold' ? {} : { boundaries: state.boundaries }),
        samples: state.samples,
        errors: state.errors,
        errorRate: state.samples > 0 ? state.errors / state.samples : null,
        ...(baseline ? { baselineSamples: baseline.total, baselineErrors: baseline.errors } : {}),
        ...(state.method === 'threshold' ? {} : { llr: state.llr }),
        measurements: state.measurements,
        noData: state.noData,
        target: run.source.describe(),
        batches: kept.map(roundBatch),
        ...(omitted > 0 ? { omittedBatches: omitted } : {}),
      };
    }),
  };
}

function describeMeasurement(measurement: CanaryMeasurement | undefined): string {
  if (measurement === undefined) return '';
  if (isCanaryNoData(measurement)) return `no data: ${measurement.noData}`;
  return `${measurement.errors}/${measurement.total}`;
}

/** One log line per measurement: what came in and where the analysis stands. */
export function batchLogLine(run: SourceRun, batch: BatchRecord): string {
  const baseline = batch.baseline !== undefined ? `, baseline ${describeMeasurement(batch.baseline)}` : '';
  const llr = batch.llr !== undefined ? `, LLR ${batch.llr.toFixed(3)}` : '';
  const status = batch.status === 'continue' ? '' : ` → ${batch.status}`;
  return (
    `${run.source.name} #${batch.index} at ${formatDuration(batch.atMs)}: errors/requests ${describeMeasurement(batch.canary)}` +
    `${baseline}; total ${batch.errors}/${batch.samples}${llr}${status}`
  );
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(2)} %` : 'n/a';
}

const ICON: Record<string, string> = { promote: '✅', abort: '❌', inconclusive: '⚠️' };

/**
 * A bar chart of each judged interval's error rate (in %) under the threshold rule's maximum, as
 * mermaid `xychart-beta` source (the last `maxBars` intervals; no-data intervals are left out).
 */
export function thresholdChart(
  batches: readonly BatchRecord[],
  maxErrorRate: number,
  maxBars = 60,
): string | undefined {
  const judged = batches.filter((batch) => !isCanaryNoData(batch.canary) && batch.canary.total > 0);
  if (judged.length === 0) return undefined;
  const shown = judged.slice(-maxBars);
  const rates = shown.map((batch) => {
    const { errors, total } = batch.canary as { errors: number; total: number };
    return Number(((100 * errors) / total).toFixed(3));
  });
  const limit = Number((100 * maxErrorRate).toFixed(3));
  const top = Math.max(1, limit, ...rates) * 1.1;
  return [
    'xychart-beta',
    `  title "Error rate per interval (%), at most ${limit} % passes"`,
    `  x-axis [${shown.map((batch) => `"#${batch.index}"`).join(', ')}]`,
    `  y-axis "error rate (%)" 0 --> ${Number(top.toFixed(2))}`,
    `  bar [${rates.join(', ')}]`,
    `  line [${rates.map(() => limit).join(', ')}]`,
  ].join('\n');
}

function figuresTable(run: SourceRun, elapsedMs: number): string {
  const { state } = run;
  const baseline = baselineCounts(state);
  const rows: [string, string, string][] = [
    ['requests', state.samples.toLocaleString('en-US'), baseline ? baseline.total.toLocaleString('en-US') : ''],
    ['errors', state.errors.toLocaleString('en-US'), baseline ? baseline.errors.toLocaleString('en-US') : ''],
    ['error rate', percent(state.errors, state.samples), baseline ? percent(baseline.errors, baseline.total) : ''],
  ];
  if (state.method !== 'threshold') {
    rows.push([
      'log-likelihood ratio',
      `${state.llr.toFixed(3)} (abort at ≥ ${state.boundaries.abort.toFixed(3)}, promote at ≤ ${state.boundaries.promote.toFixed(3)})`,
      '',
    ]);
  } else {
    rows.push([
      'intervals',
      `${state.successes} passed, ${state.failures} failed, ${state.inconclusive} too small`,
      '',
    ]);
  }
  rows.push(['measurements', `${state.measurements} (${state.noData} without data)`, '']);
  rows.push(['stopped by', run.stoppedEarly ? 'another source aborting' : (state.stop ?? 'nothing yet'), '']);
  rows.push(['time', formatDuration(elapsedMs), '']);
  const headers = baseline ? ['', 'canary', 'baseline'] : ['', 'canary'];
  return markdownTable(
    headers,
    rows.map((row) => row.slice(0, headers.length)),
  );
}

function batchesTable(run: SourceRun, last = 50): string {
  const shown = run.batches.slice(-last);
  const hasBaseline = run.batches.some((batch) => batch.baseline !== undefined);
  const hasLlr = run.state.method !== 'threshold';
  const headers = [
    '#',
    'at',
    'canary errors/requests',
    ...(hasBaseline ? ['baseline'] : []),
    'so far',
    ...(hasLlr ? ['LLR'] : []),
    'status',
  ];
  const rows = shown.map((batch) => [
    batch.index,
    formatDuration(batch.atMs),
    describeMeasurement(batch.canary),
    ...(hasBaseline ? [describeMeasurement(batch.baseline)] : []),
    `${batch.errors}/${batch.samples}`,
    ...(hasLlr ? [batch.llr !== undefined ? batch.llr.toFixed(3) : ''] : []),
    batch.status,
  ]);
  const note = run.batches.length > last ? `The last ${last} of ${run.batches.length} measurements.\n\n` : '';
  return note + markdownTable(headers, rows);
}

/** The job summary: verdict, figures, the chart of the evidence, and the measurements behind it. */
export function renderSummary(result: GateResult, outcome: CanaryOutcome): string {
  const parts = [
    markdownHeading(`${ICON[outcome.decision] ?? ''} Canary gate: ${outcome.decision}`.trim(), 3),
    `**${gateExplanation(result, outcome)}**\n`,
  ];
  for (const run of result.runs) {
    const describe = run.source.describe();
    if (result.runs.length > 1) {
      parts.push(
        markdownHeading(`${run.source.name}: ${run.state.status === 'continue' ? 'stopped' : run.state.status}`, 4),
      );
      parts.push(`${explainRun(run)}\n`);
    }
    parts.push(figuresTable(run, result.elapsedMs));
    const { state } = run;
    if (state.method !== 'threshold' && run.path.length > 1) {
      parts.push(mermaid(canaryLlrChart(run.path, state.boundaries)));
    } else if (state.method === 'threshold') {
      const chart = thresholdChart(run.batches, state.config.maxErrorRate);
      if (chart !== undefined) parts.push(mermaid(chart));
    }
    parts.push(details(`Measurements (${run.batches.length})`, batchesTable(run)));
    const title = run.source.kind === 'http' ? 'Requests as sent' : 'Queries as sent';
    parts.push(details(title, markdownCodeBlock(JSON.stringify(describe, null, 2), 'json')));
  }
  return `${parts.join('\n')}\n`;
}
