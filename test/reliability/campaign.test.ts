// The reliability campaign (issue 11): re-runs (R1), concurrent writers (R2), injected API faults
// (R3) and fuzzed hostile inputs (R4), each against the committed bundles run as the runner runs
// them. Every figure is printed as it is measured, and all of them as one table at the end. A fast
// sample runs with `npm test`; `HOTFIX_RELIABILITY=full` runs the sizes the issue asks for.
import { afterAll, describe, expect, it } from 'vitest';
import {
  FAULT_PLANS,
  faultPart,
  fuzzPart,
  rerunPart,
  tagRacePart,
  trackerRacePart,
  type PartResult,
} from './campaign.js';
import { formatLedger, recordFigure, recordFinding } from './ledger.js';
import { WRITERS } from './r2-concurrency.js';
import { removeSentinelDir } from './r4-fuzz.js';
import { SIZES, TEST_TIMEOUT_MS } from './support.js';
import { cleanupTemplates } from './worlds.js';

const started = Date.now();

afterAll(async () => {
  console.log(formatLedger(Date.now() - started));
  await cleanupTemplates();
  removeSentinelDir();
});

/** Prints and records what a part measured, then holds it to its goals. */
function report(result: PartResult): void {
  if (result.details.length > 0) console.log(result.details.map((line) => `  ${line}`).join('\n'));
  for (const figure of result.figures) recordFigure(figure);
  for (const finding of result.findings) recordFinding(finding);
  expect(result.problems).toEqual([]);
}

describe('R1: every action re-run on the same state', () => {
  it(
    'changes nothing beyond what the action is designed to repeat',
    async () => report(await rerunPart()),
    TEST_TIMEOUT_MS,
  );
});

describe('R2: concurrent writers', () => {
  it(
    `${WRITERS} parallel version-bumps on one line: distinct tags, none duplicated, lost or moved`,
    async () => report(await tagRacePart()),
    TEST_TIMEOUT_MS,
  );
  it(
    `${WRITERS} parallel beads-sync writers on one remote: every change lands, every other line byte-identical`,
    async () => report(await trackerRacePart()),
    TEST_TIMEOUT_MS,
  );
});

describe('R3: injected API faults', () => {
  for (const { plan, runs, seed, title } of FAULT_PLANS) {
    it(
      `${title}: each run ends correct or fails clearly, and a re-run heals it`,
      async () => report(await faultPart(plan, runs, seed, title)),
      TEST_TIMEOUT_MS,
    );
  }
});

describe('R4: fuzzed hostile inputs through every bundle', () => {
  it(
    `${SIZES.fuzzPerAction} cases per action: a valid result or one configuration error naming an input, never a mutation or a shell`,
    async () => report(await fuzzPart()),
    TEST_TIMEOUT_MS,
  );
});
