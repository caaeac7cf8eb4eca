// The demo from start to end: build the world, run both hotfixes, check the end state, write the
// report and the summary. Used by `npm run demo` (demo/index.ts) and `hotfix demo`.
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DemoOptions } from './options.js';
import { DEMO_RELEASE_BRANCH, DEMO_RUNNING_TAG } from './repository.js';
import { renderDemoReport } from './report.js';
import { TICKET_A, TICKET_B, hotfixA, hotfixB, seedProduction } from './scenarios.js';
import type { HotfixState } from './stages.js';
import { Timeline, formatSeconds } from './timeline.js';
import { collectDemoState, demoExpectations, type DemoCheck, type DemoEndState } from './verify.js';
import { createDemoWorld, type DemoActionRun, type DemoWorld } from './world.js';

/** The machine-readable summary of a run (`--json`). */
export interface DemoSummary {
  ok: boolean;
  seed: number;
  fast: boolean;
  durationMs: number;
  /** How the canary was measured. */
  metrics: string;
  sandbox: string | null;
  report: string | null;
  timeline: {
    scenario: string;
    stage: string;
    step: string;
    decision: string;
    figures: string;
    ok: boolean;
    atMs: number;
    tookMs: number;
  }[];
  state: DemoEndState | null;
  checks: DemoCheck[];
  actions: { scenario: string; action: string; purpose: string; exitCode: number; durationMs: number }[];
  error?: string;
}

/** The error of a stage, as one line. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs the demo; `write` prints a line. Never throws for a failed scenario: `ok` says how it ended.
 * An interrupt (Ctrl-C) stops the services and removes the sandbox before the process ends.
 */
export async function runDemo(options: DemoOptions, write: (line: string) => void): Promise<DemoSummary> {
  const timeline = new Timeline(write, options.color);
  const started = Date.now();
  const hotfixes: HotfixState[] = [];
  let world: DemoWorld | undefined;
  let error: string | undefined;
  let state: DemoEndState | null = null;
  let checks: DemoCheck[] = [];
  let metrics = '';

  const interrupted = () => {
    write(timeline.paint('Interrupted: stopping the services and removing the sandbox.', 'alert'));
    void (world?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);

  write(timeline.paint(`hotfix-actions demo · seed ${options.seed}${options.fast ? ' · fast' : ''}`, 'bold'));
  try {
    timeline.heading('Setup');
    timeline.header();
    // Kept in an object: the stage's callback assigns it, which plain `let` narrowing would not see.
    const made: { world?: DemoWorld } = {};
    await timeline.stage('setup', 'sandbox', 'git', async () => {
      const created = await createDemoWorld(options, timeline);
      made.world = created;
      const { repo } = created;
      return {
        decision: 'ready',
        figures:
          `main with ${repo.unreleased} unreleased commits, ${DEMO_RELEASE_BRANCH} tagged ` +
          `${repo.tags[0]}…${repo.tags.at(-1)}, GitHub API stand-in ${created.api.url}`,
        tone: 'info',
      };
    });
    const built = made.world!;
    world = built;
    await timeline.stage('setup', 'production', 'deploy', async () => {
      await seedProduction(built);
      return {
        decision: DEMO_RUNNING_TAG,
        figures: `staging and production run ${DEMO_RUNNING_TAG}, recorded as successful deployments`,
        tone: 'info',
      };
    });
    timeline.note(
      built.prometheusBinary
        ? `Prometheus (${built.prometheusBinary}) starts in the background and scrapes every environment each second`
        : await built.metricsNote(),
    );

    timeline.heading(`Hotfix A · ${TICKET_A}: checkout total is NaN for a cart line without quantity`);
    await hotfixA(built, hotfixes);
    timeline.heading(
      `Hotfix B · ${TICKET_B}: discount applied twice on a retried payment — the fix fails in production`,
    );
    await hotfixB(built, hotfixes);
  } catch (caught) {
    error = messageOf(caught);
  }

  if (world) {
    try {
      metrics = await world.metricsNote();
      state = await collectDemoState(world);
      checks = demoExpectations(state, timeline.entries);
    } catch (caught) {
      error ??= messageOf(caught);
    }
  }
  const ok = error === undefined && checks.length > 0 && checks.every((check) => check.ok);
  const durationMs = Date.now() - started;
  // The sandbox goes away at the end unless kept: the report then lives in the temp dir beside it.
  const reportPath = world
    ? resolve(
        options.report ??
          (options.keep
            ? join(world.root, 'report.html')
            : join(tmpdir(), `hotfix-demo-report-seed-${options.seed}.html`)),
      )
    : null;
  const runs: readonly DemoActionRun[] = world?.runs ?? [];
  const summary: DemoSummary = {
    ok,
    seed: options.seed,
    fast: options.fast,
    durationMs,
    metrics,
    sandbox: world && options.keep ? world.root : null,
    report: reportPath,
    timeline: timeline.entries.map(({ scenario, stage, step, decision, figures, ok: fine, atMs, tookMs }) => ({
      scenario,
      stage,
      step,
      decision,
      figures,
      ok: fine,
      atMs,
      tookMs,
    })),
    state,
    checks,
    actions: runs.map(({ scenario, action, purpose, exitCode, durationMs: took }) => ({
      scenario,
      action,
      purpose,
      exitCode,
      durationMs: took,
    })),
    ...(error !== undefined ? { error } : {}),
  };
  if (reportPath) {
    await writeFile(reportPath, renderDemoReport({ summary, entries: timeline.entries, runs, hotfixes }));
  }
  await world?.close();
  process.removeListener('SIGINT', interrupted);

  write('');
  write(timeline.paint('Checks', 'bold'));
  for (const check of checks) {
    const mark = check.ok ? timeline.paint('✓', 'good') : timeline.paint('✗', 'bad');
    write(`  ${mark} ${check.name}${check.ok ? '' : ` — ${check.detail}`}`);
  }
  if (error !== undefined) write(timeline.paint(`The demo stopped: ${error}`, 'bad'));
  write('');
  const verdict = ok
    ? timeline.paint('Both hotfixes ended as expected', 'good')
    : timeline.paint('The demo did not end as expected', 'bad');
  write(`${verdict} in ${formatSeconds(durationMs)}.`);
  if (reportPath) write(`Report: ${reportPath}`);
  if (world && options.keep) write(`Sandbox kept: ${world.root}`);
  return summary;
}
