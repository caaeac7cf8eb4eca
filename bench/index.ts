// `npm run bench`: every benchmark in one process, side by side, then one table of ratios with the
// targets beside them. Writes .bench/report.json (for trend lines), .bench/report.md and
// .bench/report.html (tables and plots, bench/report.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatBackmergeBench, runBackmergeBench } from './backmerge.js';
import { formatBeadsBench, runBeadsBench } from './beads.js';
import { formatCanaryBench, runCanaryBench } from './canary.js';
import { formatColdStartBench, runColdStartBench } from './cold-start.js';
import { runReliabilityBench } from './reliability.js';
import { formatVersionBumpBench, runVersionBumpBench } from './version-bump.js';
import { markdownTable } from '../packages/core/src/summary.js';
import { writeBenchReport, type BenchSectionResult } from './report.js';
import type { BenchRatio, BenchSection } from './types.js';

const root = resolve(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');
const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));

const sections: BenchSection[] = [
  {
    // First: start-up times are the figures most sensitive to what earlier sections leave behind
    // (background git maintenance, a large heap in this process).
    name: 'cold-start',
    async run() {
      const result = await runColdStartBench({ repeats: quick ? 7 : 15, shared: true });
      return { text: formatColdStartBench(result), ratios: result.ratios, json: result };
    },
  },
  {
    name: 'version-bump',
    async run() {
      const result = await runVersionBumpBench({ repeats: quick ? 3 : 5 });
      return { text: formatVersionBumpBench(result), ratios: [...result.ratios], json: result };
    },
  },
  {
    name: 'canary-gate',
    async run() {
      const result = runCanaryBench({ runs: quick ? 2_000 : 10_000 });
      return {
        text: formatCanaryBench(result),
        ratios: result.targets.map((target) => ({
          name: `canary: ${target.name}`,
          value: target.measured,
          unit: target.unit,
          target: target.target,
          pass: target.pass,
        })),
        json: result,
      };
    },
  },
  {
    name: 'beads-sync',
    async run() {
      const result = await runBeadsBench({ issues: 50_000, repeats: quick ? 5 : 9 });
      return {
        text: formatBeadsBench(result),
        ratios: [
          {
            name: 'beads: one transition on 50,000 issues vs cp',
            value: result.ratio,
            unit: 'ratio',
            target: '≤ 3×',
            pass: result.ratio <= 3,
          },
          {
            name: 'beads: peak memory added vs file size',
            value: result.memoryRatio,
            unit: 'ratio',
            target: '≤ 2×',
            pass: result.memoryRatio <= 2,
          },
        ],
        json: result,
      };
    },
  },
  {
    name: 'backmerge-pr',
    async run() {
      const result = await runBackmergeBench({ seed: 1, repeats: quick ? 3 : 5 });
      return { text: formatBackmergeBench(result), ratios: [...result.ratios], json: result };
    },
  },
  {
    // The R1–R4 campaign's figures beside the ratios: the fast sample, or issue 11's sizes with --full.
    name: 'reliability',
    run: () => runReliabilityBench({ full: process.argv.includes('--full') }),
  },
];

const ratios: BenchRatio[] = [];
const report: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, quick };
const results: BenchSectionResult[] = [];
for (const section of sections) {
  if (only.length > 0 && !only.includes(section.name)) continue;
  const started = performance.now();
  console.log(`\n== ${section.name}`);
  const result = await section.run();
  console.log(result.text);
  const seconds = (performance.now() - started) / 1000;
  console.log(`(${seconds.toFixed(1)} s)`);
  ratios.push(...result.ratios);
  report[section.name] = result.json;
  results.push({ name: section.name, text: result.text, seconds, json: result.json, ratios: result.ratios });
}

const format = (ratio: BenchRatio): string =>
  ratio.unit === 'rate'
    ? `${(ratio.value * 100).toFixed(2)} %`
    : ratio.unit === 'ratio'
      ? `${ratio.value.toFixed(2)}×`
      : String(Number(ratio.value.toPrecision(3)));
const table = markdownTable(
  ['measure', 'measured', 'target', 'pass'],
  ratios.map((ratio) => [ratio.name, format(ratio), ratio.target, ratio.pass ? 'yes' : 'NO']),
);
console.log(`\n== summary\n${table}`);
mkdirSync(join(root, '.bench'), { recursive: true });
writeFileSync(join(root, '.bench', 'report.json'), JSON.stringify({ ...report, ratios }, null, 2));
const written = writeBenchReport(join(root, '.bench'), {
  date: report.date as string,
  node: process.version,
  quick,
  ratios,
  sections: results,
});
console.log(`\nWrote ${join(root, '.bench', 'report.json')}\n      ${written.markdown}\n      ${written.html}`);
