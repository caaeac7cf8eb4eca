// The demo's timeline: one line per stage (elapsed time, stage, decision, key figures), printed as
// it happens and kept for the HTML report and the JSON summary.

/** Which part of the demo a stage belongs to. */
export type DemoScenario = 'setup' | 'A' | 'B';

/** How a stage ended, for the reader: expected and fine, expected but alarming (an abort), or wrong. */
export type DemoTone = 'good' | 'alert' | 'bad' | 'info';

/** One stage as it happened. */
export interface TimelineEntry {
  scenario: DemoScenario;
  /** The stage, e.g. `2 version bump` (numbered stages are the pipeline's nine). */
  stage: string;
  /** What ran: an action bundle (`version-bump`) or a step of the demo (`git merge`). */
  step: string;
  /** The outcome in a word or two: `release-first`, `v1.2.4`, `promote`, `abort`. */
  decision: string;
  /** The figures behind it, short. */
  figures: string;
  /** True when the stage ended as the scenario expects. */
  ok: boolean;
  tone: DemoTone;
  /** Milliseconds since the demo started, when the stage ended. */
  atMs: number;
  tookMs: number;
  /** Anything the report or the tests want (outputs of the action, ids). */
  data?: Record<string, unknown>;
}

/** What a stage function returns. */
export interface StageOutcome {
  decision: string;
  figures: string;
  /** Default true. */
  ok?: boolean;
  /** Default: good when ok, bad otherwise. */
  tone?: DemoTone;
  data?: Record<string, unknown>;
}

const ANSI: Record<DemoTone | 'dim' | 'bold' | 'reset', string> = {
  good: '\u001b[32m',
  alert: '\u001b[33m',
  bad: '\u001b[31m',
  info: '\u001b[36m',
  dim: '\u001b[2m',
  bold: '\u001b[1m',
  reset: '\u001b[0m',
};

/** Formats milliseconds as the timeline shows them: `0.4 s`, `12.3 s`. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

const WIDTH = { at: 7, stage: 22, step: 20, decision: 16 };

function pad(text: string, width: number): string {
  return text.length >= width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/** The timeline: records stages, prints each as it ends. */
export class Timeline {
  readonly entries: TimelineEntry[] = [];
  private readonly started = Date.now();

  constructor(
    private readonly write: (line: string) => void,
    private readonly color: boolean,
  ) {}

  /** Milliseconds since the demo started. */
  elapsed(): number {
    return Date.now() - this.started;
  }

  /** Wraps text in a colour when colours are on. */
  paint(text: string, tone: keyof typeof ANSI): string {
    return this.color ? `${ANSI[tone]}${text}${ANSI.reset}` : text;
  }

  /** Prints a heading line (a scenario's title). */
  heading(text: string): void {
    this.write('');
    this.write(this.paint(text, 'bold'));
  }

  /** Prints a note under the current heading. */
  note(text: string): void {
    this.write(`${' '.repeat(WIDTH.at + 2)}${this.paint(text, 'dim')}`);
  }

  /** Prints the column titles. */
  header(): void {
    const line = `${'elapsed'.padStart(WIDTH.at)}  ${pad('stage', WIDTH.stage)}${pad('action', WIDTH.step)}${pad('decision', WIDTH.decision)}figures`;
    this.write(this.paint(line, 'dim'));
  }

  /**
   * Runs one stage, records it and prints its line. A stage that throws is recorded as failed
   * (decision `error`, the message as figures) and the error is thrown on.
   */
  async stage(
    scenario: DemoScenario,
    stage: string,
    step: string,
    run: () => Promise<StageOutcome>,
  ): Promise<TimelineEntry> {
    const begin = Date.now();
    let outcome: StageOutcome;
    let failure: unknown;
    try {
      outcome = await run();
    } catch (error) {
      failure = error;
      const message = error instanceof Error ? error.message : String(error);
      outcome = { decision: 'error', figures: message.split('\n')[0] ?? message, ok: false };
    }
    const ok = outcome.ok ?? true;
    const entry: TimelineEntry = {
      scenario,
      stage,
      step,
      decision: outcome.decision,
      figures: outcome.figures,
      ok,
      tone: outcome.tone ?? (ok ? 'good' : 'bad'),
      atMs: this.elapsed(),
      tookMs: Date.now() - begin,
      ...(outcome.data ? { data: outcome.data } : {}),
    };
    this.entries.push(entry);
    this.print(entry);
    if (failure !== undefined) throw failure;
    return entry;
  }

  private print(entry: TimelineEntry): void {
    const mark = entry.ok ? ' ' : this.paint('✗', 'bad');
    const line =
      `${formatSeconds(entry.atMs).padStart(WIDTH.at)} ${mark}` +
      `${pad(entry.stage, WIDTH.stage)}${this.paint(pad(entry.step, WIDTH.step), 'dim')}` +
      `${this.paint(pad(entry.decision, WIDTH.decision), entry.tone)}${entry.figures}`;
    this.write(line);
  }
}
