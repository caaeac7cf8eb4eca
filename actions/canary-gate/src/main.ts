import * as core from '@actions/core';
import {
  applyCanaryPolicy,
  formatDuration,
  logGroup,
  writeSummary,
  type CanaryAnalysisState,
} from '@hotfix-actions/core';
import { formatStatusRanges } from './expect.js';
import { runGate, startAnalysis } from './gate.js';
import type { CanarySource, SourceRun, BatchRecord } from './gate.js';
import { createHttpProber } from './http.js';
import { readInputs, type CanaryGateInputs } from './inputs.js';
import { createPrometheusClient } from './prometheus.js';
import { batchLogLine, buildReport, explainRun, gateExplanation, gateOutputs, renderSummary } from './report.js';
import { createHttpSource, createPrometheusSource } from './sources.js';

/** The action: sample the canary, decide promote / abort / inconclusive, explain, and fail closed. */
export async function run(): Promise<void> {
  const inputs = readInputs();
  for (const secret of inputs.secrets) core.setSecret(secret);
  const sources = createSources(inputs);
  await logGroup('Configuration', async () => logConfiguration(inputs, sources));

  // A line per measurement would flood the log at `interval: 0s`: at most one a second, the rest in the debug log.
  let lastLogged = Number.NEGATIVE_INFINITY;
  const onBatch = (sourceRun: SourceRun, batch: BatchRecord): void => {
    const line = batchLogLine(sourceRun, batch);
    const now = Date.now();
    if (batch.status !== 'continue' || batch.index === 0 || now - lastLogged >= 1_000) {
      core.info(line);
      lastLogged = now;
    } else {
      core.debug(line);
    }
  };
  const result = await logGroup(`Sampling (${sources.map((source) => source.name).join(' and ')})`, () =>
    runGate({
      sources,
      settings: inputs,
      intervalMs: inputs.intervalMs,
      durationMs: inputs.durationMs,
      onBatch,
    }),
  );

  const outcome = applyCanaryPolicy(result.verdict, inputs.policy);
  await logGroup('Verdict', async () => {
    for (const sourceRun of result.runs) core.info(`${sourceRun.source.name}: ${explainRun(sourceRun)}`);
    core.info(outcome.reason);
  });

  for (const [name, value] of Object.entries(gateOutputs(result, outcome))) core.setOutput(name, value);
  core.setOutput('report', JSON.stringify(buildReport(result, outcome, inputs)));
  const sentence = gateExplanation(result, outcome);
  core.info(sentence);
  await writeSummary(renderSummary(result, outcome));

  const title = `Canary gate: ${outcome.decision}`;
  if (outcome.stepFails) {
    // One annotation, titled with the decision (core.setFailed cannot title it); the exit code fails the step.
    core.error(sentence, { title });
    process.exitCode = 1;
  } else if (outcome.decision === 'promote') {
    core.notice(sentence, { title });
  } else {
    core.warning(sentence, { title });
  }
}

function createSources(inputs: CanaryGateInputs): CanarySource[] {
  const sources: CanarySource[] = [];
  const { http, prometheus } = inputs;
  if (http !== undefined) {
    const prober = createHttpProber({
      timeoutMs: inputs.timeoutMs,
      headers: http.headers.map(({ name, value }) => [name, value] as const),
      expectation: http.expectation,
    });
    const { expectation } = http;
    sources.push(
      createHttpSource({
        prober,
        canaryUrls: http.canaryUrls,
        baselineUrls: http.baselineUrls,
        requestsPerInterval: http.requestsPerInterval,
        concurrency: http.concurrency,
        checks: {
          expectStatus: formatStatusRanges(expectation.statuses),
          ...(expectation.latencyThresholdMs !== undefined
            ? { latencyThresholdMs: expectation.latencyThresholdMs }
            : {}),
          ...(expectation.bodyContains !== undefined ? { bodyContains: expectation.bodyContains } : {}),
          ...(expectation.json !== undefined
            ? {
                jsonPath: expectation.json.path,
                ...('expected' in expectation.json ? { jsonExpect: expectation.json.expected } : {}),
              }
            : {}),
          headers: http.headers.map(({ name }) => name),
        },
      }),
    );
  }
  if (prometheus !== undefined) {
    const client = createPrometheusClient({
      url: prometheus.url,
      authHeader: prometheus.authHeader,
      timeoutMs: inputs.timeoutMs,
    });
    sources.push(createPrometheusSource({ client, canary: prometheus.canary, baseline: prometheus.baseline }));
  }
  return sources;
}

function describeAnalysis(state: CanaryAnalysisState): string {
  const unlimited = (value: number) => (value === Infinity ? 'unlimited' : value.toLocaleString('en-US'));
  switch (state.method) {
    case 'sprt':
    case 'baseline': {
      const { p0, p1, alpha, beta, minSamples, maxSamples, noDataLimit } = state.config;
      const what =
        state.method === 'sprt'
          ? `SPRT, p0 ${p0} against p1 ${p1}`
          : `SPRT against the baseline, a canary ${Number(state.degradation.toFixed(3))}× as error-prone counts as a regression`;
      return (
        `${what}, α ${alpha}, β ${beta}: abort at LLR ≥ ${state.boundaries.abort.toFixed(3)}, promote at ` +
        `≤ ${state.boundaries.promote.toFixed(3)}; min-samples ${minSamples}, max-samples ${unlimited(maxSamples)}, ` +
        `no-data-limit ${noDataLimit}`
      );
    }
    case 'threshold': {
      const c = state.config;
      return (
        `threshold rule: an interval passes at an error rate ≤ ${c.maxErrorRate}; promote after ${c.consecutiveSuccesses} ` +
        `in a row, abort after more than ${c.failureLimit} failed, min-requests ${c.minRequests}, ` +
        `inconclusive-limit ${c.inconclusiveLimit}, no-data-limit ${c.noDataLimit}`
      );
    }
  }
}

function logConfiguration(inputs: CanaryGateInputs, sources: readonly CanarySource[]): void {
  for (const source of sources) {
    core.info(`${source.name}: ${describeAnalysis(startAnalysis(inputs, source.hasBaseline))}.`);
    core.info(`${source.name} target: ${JSON.stringify(source.describe())}`);
  }
  const { policy } = inputs;
  core.info(
    `Interval ${formatDuration(inputs.intervalMs)}, duration ${formatDuration(inputs.durationMs)}, timeout ` +
      `${formatDuration(inputs.timeoutMs)}; no-data: ${policy.noData}, on-inconclusive: ${policy.onInconclusive}, ` +
      `fail-on-abort: ${policy.failOnAbort}.`,
  );
}
