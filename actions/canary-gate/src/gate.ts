// The sampling loop: measure every source once per interval, feed the analyses, stop at the first
// verdict that settles the outcome or at the wall-clock limit. Sources and the clock are passed in, so
// the loop runs the same against real services and in unit tests.
import {
  baselineSprtFinish,
  baselineSprtStart,
  baselineSprtUpdate,
  sprtFinish,
  sprtStart,
  sprtUpdate,
  thresholdFinish,
  thresholdStart,
  thresholdUpdate,
  type CanaryAnalysisState,
  type CanaryLlrPoint,
  type CanaryMeasurement,
  type CanaryStatus,
  type CanaryVerdict,
  type SprtConfig,
  type ThresholdConfig,
} from '@hotfix-actions/core';

/** One measurement of a source: the canary's, the baseline's when there is one, and details for the report. */
export interface SourceSample {
  readonly canary: CanaryMeasurement;
  readonly baseline?: CanaryMeasurement | undefined;
  /** What was seen (HTTP statuses and reasons, Prometheus values and evaluation time). */
  readonly detail: Record<string, unknown>;
}

/** Something that can measure the canary: HTTP probes or Prometheus counters. */
export interface CanarySource {
  readonly kind: 'http' | 'prometheus';
  /** `HTTP` or `Prometheus`, for logs and the summary. */
  readonly name: string;
  readonly hasBaseline: boolean;
  /**
   * The first step when the gate starts: HTTP sends its first batch; Prometheus takes the readings the
   * increases are measured from, and returns a sample only when they had no data.
   */
  start(): Promise<SourceSample | undefined>;
  /** One measurement, after an interval. */
  sample(): Promise<SourceSample>;
  /** What the source sends (URLs, the query endpoint and queries), for the report. */
  describe(): Record<string, unknown>;
}

/** Which analysis to run and its settings. */
export interface AnalysisSettings {
  readonly analysis: 'sprt' | 'threshold';
  readonly sprt: SprtConfig;
  readonly threshold: ThresholdConfig;
}

/** One measurement as the report keeps it, with the analysis' state after it. */
export interface BatchRecord {
  /** 0 for the measurement at the start. */
  readonly index: number;
  /** When the measurement started, in milliseconds after the gate started. */
  readonly atMs: number;
  readonly tookMs: number;
  readonly canary: CanaryMeasurement;
  readonly baseline?: CanaryMeasurement | undefined;
  /** Canary requests counted so far. */
  readonly samples: number;
  /** Canary errors so far. */
  readonly errors: number;
  /** The log-likelihood ratio after the measurement (SPRT analyses). */
  readonly llr?: number | undefined;
  readonly status: CanaryStatus;
  readonly detail: Record<string, unknown>;
}

/** One source's analysis over the whole run. */
export interface SourceRun {
  readonly source: CanarySource;
  state: CanaryAnalysisState;
  /** The log-likelihood path (requests, ratio), starting at (0, 0); SPRT analyses only. */
  readonly path: CanaryLlrPoint[];
  readonly batches: BatchRecord[];
  /** True when this analysis was still running when another source's abort ended the gate. */
  stoppedEarly: boolean;
}

/** The outcome of {@link runGate}. */
export interface GateResult {
  readonly runs: readonly SourceRun[];
  /** The combined verdict of all sources ({@link combineVerdicts}). */
  readonly verdict: CanaryVerdict;
  /** The source whose verdict is the combined one (the first such). */
  readonly deciding: SourceRun;
  readonly startedAt: Date;
  readonly elapsedMs: number;
}

/** Time, injectable for tests. */
export interface GateClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: GateClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A fresh analysis of the chosen kind; a source with a baseline gets the canary-versus-baseline SPRT. */
export function startAnalysis(settings: AnalysisSettings, withBaseline: boolean): CanaryAnalysisState {
  if (settings.analysis === 'threshold') return thresholdStart(settings.threshold);
  return withBaseline ? baselineSprtStart(settings.sprt) : sprtStart(settings.sprt);
}

/** The analysis after one sample (pure). */
export function updateAnalysis(state: CanaryAnalysisState, sample: SourceSample): CanaryAnalysisState {
  switch (state.method) {
    case 'sprt':
      return sprtUpdate(state, sample.canary);
    case 'threshold':
      return thresholdUpdate(state, sample.canary);
    case 'baseline':
      return baselineSprtUpdate(state, {
        canary: sample.canary,
        baseline: sample.baseline ?? { noData: 'no baseline measurement' },
      });
  }
}

/** Ends an undecided analysis at the time limit (pure). */
export function finishAnalysis(state: CanaryAnalysisState): CanaryAnalysisState {
  switch (state.method) {
    case 'sprt':
      return sprtFinish(state);
    case 'threshold':
      return thresholdFinish(state);
    case 'baseline':
      return baselineSprtFinish(state);
  }
}

/** The log-likelihood ratio of an SPRT analysis; undefined for the threshold rule. */
export function analysisLlr(state: CanaryAnalysisState): number | undefined {
  return state.method === 'threshold' ? undefined : state.llr;
}

const SEVERITY: readonly CanaryVerdict[] = ['abort', 'no-data', 'inconclusive', 'promote'];

/**
 * The verdict of several sources together: promote only when every source promotes; otherwise the
 * most severe verdict (abort, then no data, then inconclusive). A running analysis counts as inconclusive.
 */
export function combineVerdicts(statuses: readonly CanaryStatus[]): CanaryVerdict {
  const verdicts = statuses.map((status): CanaryVerdict => (status === 'continue' ? 'inconclusive' : status));
  return SEVERITY.find((verdict) => verdicts.includes(verdict)) ?? 'inconclusive';
}

/** Options of {@link runGate}. */
export interface RunGateOptions {
  readonly sources: readonly CanarySource[];
  readonly settings: AnalysisSettings;
  /** Time from the start of one measurement to the start of the next; 0 = back to back. */
  readonly intervalMs: number;
  /** Wall-clock limit: no measurement starts after it. */
  readonly durationMs: number;
  readonly clock?: GateClock;
  /** Called after every measurement, e.g. to log it. */
  readonly onBatch?: (run: SourceRun, batch: BatchRecord) => void;
}

/**
 * Samples every source until each analysis has a verdict, one of them aborts (nothing can undo an
 * abort, so the others need not go on), or the next measurement would start after `durationMs`;
 * undecided analyses then end at the time limit.
 */
export async function runGate(options: RunGateOptions): Promise<GateResult> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const deadline = started + options.durationMs;
  const runs: SourceRun[] = options.sources.map((source) => ({
    source,
    state: startAnalysis(options.settings, source.hasBaseline),
    path: [{ samples: 0, llr: 0 }],
    batches: [],
    stoppedEarly: false,
  }));

  const feed = (run: SourceRun, sample: SourceSample, at: number): void => {
    const before = run.state;
    run.state = updateAnalysis(run.state, sample);
    const llr = analysisLlr(run.state);
    if (llr !== undefined && (run.state.samples !== before.samples || llr !== analysisLlr(before))) {
      run.path.push({ samples: run.state.samples, llr });
    }
    const batch: BatchRecord = {
      index: run.batches.length,
      atMs: at - started,
      tookMs: clock.now() - at,
      canary: sample.canary,
      ...(sample.baseline !== undefined ? { baseline: sample.baseline } : {}),
      samples: run.state.samples,
      errors: run.state.errors,
      ...(llr !== undefined ? { llr } : {}),
      status: run.state.status,
      detail: sample.detail,
    };
    run.batches.push(batch);
    options.onBatch?.(run, batch);
  };

  await Promise.all(
    runs.map(async (run) => {
      const at = clock.now();
      const sample = await run.source.start();
      if (sample !== undefined) feed(run, sample, at);
    }),
  );

  let lastStart = started;
  for (;;) {
    const active = runs.filter((run) => run.state.status === 'continue');
    if (active.length === 0 || runs.some((run) => run.state.status === 'abort')) break;
    const nextStart = Math.max(lastStart + options.intervalMs, clock.now());
    if (nextStart >= deadline) break;
    const wait = nextStart - clock.now();
    if (wait > 0) await clock.sleep(wait);
    lastStart = clock.now();
    const at = lastStart;
    await Promise.all(active.map(async (run) => feed(run, await run.source.sample(), at)));
  }

  const aborted = runs.some((run) => run.state.status === 'abort');
  for (const run of runs) {
    if (run.state.status !== 'continue') continue;
    if (aborted) run.stoppedEarly = true;
    else run.state = finishAnalysis(run.state);
  }
  const verdict = combineVerdicts(runs.map((run) => run.state.status));
  const deciding = runs.find((run) => combineVerdicts([run.state.status]) === verdict) ?? (runs[0] as SourceRun);
  return { runs, verdict, deciding, startedAt: new Date(started), elapsedMs: clock.now() - started };
}
