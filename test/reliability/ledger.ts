// The campaign's figures: each metric is printed as one line when it is measured, and the whole
// set as one table at the end, so a run of `npm test` shows the reliability figures of this commit.
import { markdownTable } from '@hotfix-actions/core';
import { FULL } from './support.js';

/** One measured figure of the campaign. */
export interface Figure {
  /** R1 … R4. */
  id: string;
  metric: string;
  measured: string;
  goal: string;
  pass: boolean;
}

const figures: Figure[] = [];
const findings: string[] = [];

/** Records a figure and prints its summary line (`R1 re-runs: 8 actions, 0 extra mutating calls`). */
export function recordFigure(figure: Figure): void {
  figures.push(figure);
  console.log(`${figure.id} ${figure.metric}: ${figure.measured}${figure.pass ? '' : `  ✗ (goal: ${figure.goal})`}`);
}

/** Records a defect the campaign found in an action, to list under the table. */
export function recordFinding(text: string): void {
  if (!findings.includes(text)) findings.push(text);
}

/** The defects recorded so far. */
export function recordedFindings(): readonly string[] {
  return findings;
}

/** The final table (and the findings), as printed by the campaign's afterAll. */
export function formatLedger(elapsedMs: number): string {
  const rows = figures.map((f) => [f.id, f.metric, f.measured, f.goal, f.pass ? '✓' : '✗']);
  const lines = [
    `Reliability campaign (${FULL ? 'full' : 'fast'} mode, ${(elapsedMs / 1000).toFixed(1)} s)`,
    markdownTable(['', 'metric', 'measured', 'goal', ''], rows),
  ];
  if (findings.length > 0) lines.push('', 'Findings:', ...findings.map((finding) => `- ${finding}`));
  return lines.join('\n');
}
