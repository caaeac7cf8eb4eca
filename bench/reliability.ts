// The reliability campaign (test/reliability) outside vitest, as a report: `npx tsx bench/reliability.ts`
// runs the fast sample, `--full` the sizes of issue 11 (200 fault runs, 500 fuzzed inputs per action).
// Prints the figures and findings and writes .bench/reliability.json (every outcome, for trend lines).
// `runReliabilityBench` has the shape of a section of bench/index.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { markdownTable } from '@hotfix-actions/core';
import type { BenchRatio } from './types.js';

/** The campaign's figures as a benchmark section: text, ratios with targets, and the raw outcomes. */
export async function runReliabilityBench(
  options: { full?: boolean } = {},
): Promise<{ text: string; ratios: BenchRatio[]; json: unknown }> {
  // The campaign reads its sizes when it is first loaded.
  if (options.full) process.env.HOTFIX_RELIABILITY = 'full';
  const campaign = await import('../test/reliability/campaign.js');
  const { cleanupTemplates } = await import('../test/reliability/worlds.js');
  const { removeSentinelDir } = await import('../test/reliability/r4-fuzz.js');
  const started = Date.now();
  try {
    const reruns = await campaign.rerunPart();
    const tags = await campaign.tagRacePart();
    const trackers = await campaign.trackerRacePart();
    const faults = [];
    for (const { plan, runs, seed, title } of campaign.FAULT_PLANS) {
      faults.push({ plan, result: await campaign.faultPart(plan, runs, seed, title) });
    }
    const fuzz = await campaign.fuzzPart();
    const parts = [reruns, tags, trackers, ...faults.map((f) => f.result), fuzz];

    const count = (name: string, value: number, target = '0'): BenchRatio => ({
      name,
      value,
      unit: 'count',
      target,
      pass: value === 0,
    });
    const rerunData = reruns.data as { extraWrites: number; extraPushes: number }[];
    const tagData = tags.data as { method: string; lost: number; duplicates: number }[];
    const trackerData = trackers.data as { maxAttempts: string; lost: number }[];
    const ratios: BenchRatio[] = [
      count(
        'R1 extra writes and pushes on re-runs',
        rerunData.reduce((n, r) => n + r.extraWrites + r.extraPushes, 0),
      ),
      ...(['api', 'git'] as const).map((method) =>
        count(
          `R2 version-bump (${method}) tags lost or duplicated`,
          tagData.filter((r) => r.method === method).reduce((n, r) => n + r.lost + r.duplicates, 0),
        ),
      ),
      count(
        'R2 beads transitions lost (max-attempts ≥ writers)',
        trackerData.filter((r) => r.maxAttempts !== '').reduce((n, r) => n + r.lost, 0),
      ),
      count(
        'R2 beads transitions lost (default max-attempts)',
        trackerData.filter((r) => r.maxAttempts === '').reduce((n, r) => n + r.lost, 0),
      ),
      ...faults.map(({ plan, result }) => {
        const outcomes = result.data as { first: string; healed?: boolean; problems: string[] }[];
        const failed = outcomes.filter((o) => o.first !== 'ok');
        const healed = failed.filter((o) => o.healed === true).length;
        const rate = failed.length === 0 ? 1 : healed / failed.length;
        return {
          name: `R3 ${plan}: failed runs healed by a re-run`,
          value: rate,
          unit: 'rate' as const,
          target: '100 %',
          pass: outcomes.every((o) => o.problems.length === 0),
        };
      }),
      count(
        'R4 defects (fuzzed inputs)',
        (fuzz.data as { verdict: string }[]).filter((r) => r.verdict === 'defect').length,
      ),
    ];

    const figures = parts.flatMap((part) => part.figures);
    const findings = parts.flatMap((part) => part.findings);
    const text = [
      ...parts.flatMap((part) => part.details),
      '',
      markdownTable(
        ['', 'metric', 'measured', 'goal', ''],
        figures.map((f) => [f.id, f.metric, f.measured, f.goal, f.pass ? '✓' : '✗']),
      ),
      ...(findings.length > 0 ? ['Findings:', ...findings.map((finding) => `- ${finding}`)] : []),
      `(${((Date.now() - started) / 1000).toFixed(1)} s)`,
    ].join('\n');
    const json = {
      mode: options.full || process.env.HOTFIX_RELIABILITY === 'full' ? 'full' : 'fast',
      figures,
      findings,
      parts: {
        reruns: reruns.data,
        tagRaces: tags.data,
        trackerRaces: trackers.data,
        faults: Object.fromEntries(faults.map(({ plan, result }) => [plan, result.data])),
        fuzz: fuzz.data,
      },
    };
    return { text, ratios, json };
  } finally {
    await cleanupTemplates();
    removeSentinelDir();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(import.meta.dirname, '..');
  const result = await runReliabilityBench({ full: process.argv.includes('--full') });
  console.log(result.text);
  mkdirSync(join(root, '.bench'), { recursive: true });
  writeFileSync(
    join(root, '.bench', 'reliability.json'),
    JSON.stringify({ ...(result.json as object), ratios: result.ratios }, null, 2),
  );
  console.log('Wrote .bench/reliability.json');
}
