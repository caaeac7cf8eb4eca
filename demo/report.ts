import type { DemoSummary } from './run.js';
import type { HotfixState } from './stages.js';
import type { TimelineEntry } from './timeline.js';
import type { DemoActionRun } from './world.js';

export interface DemoReportInput {
  summary: DemoSummary;
  entries: readonly TimelineEntry[];
  runs: readonly DemoActionRun[];
  hotfixes: readonly HotfixState[];
}

export function renderDemoReport(input: DemoReportInput): string {
  return `<pre>${JSON.stringify(input.summary, null, 2)}</pre>`;
}
