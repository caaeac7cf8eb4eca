// The demo's HTML report: one self-contained file (inline CSS and SVG, no script, nothing fetched)
// with the outcome, the nine-stage pipeline as each hotfix went through it, the timeline, the
// canaries' log-likelihood charts, the end state and every action's job summary.
import { DEMO_RELEASE_BRANCH } from './repository.js';
import type { DemoSummary } from './run.js';
import type { CanaryReport, HotfixState } from './stages.js';
import { formatSeconds, type TimelineEntry } from './timeline.js';
import type { DemoActionRun } from './world.js';

/** What the report is made of. */
export interface DemoReportInput {
  summary: DemoSummary;
  entries: readonly TimelineEntry[];
  runs: readonly DemoActionRun[];
  hotfixes: readonly HotfixState[];
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** How a pipeline stage ended for one hotfix. */
export type PipelineStageStatus = 'passed' | 'stopped' | 'rescue' | 'skipped';

/** The nine required stages (hotfix-rules IX), as the timeline names them. */
export const PIPELINE_STAGES: readonly { number: number; stage: string; label: string }[] = [
  { number: 1, stage: '1 tests', label: 'tests' },
  { number: 2, stage: '2 version bump', label: 'version bump' },
  { number: 3, stage: '3 build', label: 'build' },
  { number: 4, stage: '4 staging deploy', label: 'staging deploy' },
  { number: 5, stage: '5 staging health', label: 'staging health' },
  { number: 6, stage: '6 canary', label: 'canary + gate' },
  { number: 7, stage: '7 production health', label: 'production health' },
  { number: 8, stage: '8 rollback', label: 'rollback' },
  { number: 9, stage: '9 back-merge', label: 'back-merge PR' },
];

/** Each pipeline stage's status for one scenario, from its timeline entries. */
export function pipelineStatuses(
  entries: readonly TimelineEntry[],
  scenario: string,
): Map<number, PipelineStageStatus> {
  const statuses = new Map<number, PipelineStageStatus>();
  for (const { number, stage } of PIPELINE_STAGES) {
    const entry = entries.find((e) => e.scenario === scenario && e.stage === stage);
    if (entry === undefined) statuses.set(number, 'skipped');
    else if (number === 8) statuses.set(number, 'rescue');
    else if (entry.decision === 'abort' || entry.decision === 'error' || entry.decision === 'failed')
      statuses.set(number, 'stopped');
    else statuses.set(number, 'passed');
  }
  return statuses;
}

const STATUS_STYLE: Record<PipelineStageStatus, { fill: string; stroke: string; text: string; word: string }> = {
  passed: { fill: '#dcfce7', stroke: '#15803d', text: '#14532d', word: 'passed' },
  stopped: { fill: '#fee2e2', stroke: '#b91c1c', text: '#7f1d1d', word: 'stopped' },
  rescue: { fill: '#fef3c7', stroke: '#b45309', text: '#78350f', word: 'ran' },
  skipped: { fill: '#f3f4f6', stroke: '#9ca3af', text: '#6b7280', word: 'skipped' },
};

/** The nine-stage pipeline as an SVG: the main line 1→…→7→9, the rollback (8) below, fed by stages 4–7. */
export function pipelineSvg(statuses: ReadonlyMap<number, PipelineStageStatus>, title: string): string {
  const box = { w: 104, h: 50 };
  const gap = 18;
  const left = 12;
  const top = 34;
  const main = [1, 2, 3, 4, 5, 6, 7, 9];
  const x = (index: number) => left + index * (box.w + gap);
  const width = x(main.length) - gap + left;
  const rollbackX = (x(4) + x(5)) / 2;
  const rollbackY = top + box.h + 58;
  const height = rollbackY + box.h + 14;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<title>${escapeHtml(title)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#6b7280"/></marker></defs>',
    `<text x="${left}" y="20" font-size="14" font-weight="600" fill="#111827">${escapeHtml(title)}</text>`,
  ];
  const drawBox = (number: number, bx: number, by: number) => {
    const stage = PIPELINE_STAGES.find((s) => s.number === number)!;
    const status = statuses.get(number) ?? 'skipped';
    const style = STATUS_STYLE[status];
    parts.push(
      `<g><title>${stage.number} ${escapeHtml(stage.label)}: ${style.word}</title>`,
      `<rect x="${bx}" y="${by}" width="${box.w}" height="${box.h}" rx="8" fill="${style.fill}" stroke="${style.stroke}" stroke-width="${status === 'skipped' ? 1 : 2}"${status === 'skipped' ? ' stroke-dasharray="4 3"' : ''}/>`,
      `<text x="${bx + box.w / 2}" y="${by + 21}" text-anchor="middle" font-size="12" font-weight="600" fill="${style.text}">${stage.number} ${escapeHtml(stage.label)}</text>`,
      `<text x="${bx + box.w / 2}" y="${by + 38}" text-anchor="middle" font-size="11" fill="${style.text}">${style.word}</text></g>`,
    );
  };
  main.forEach((number, index) => {
    if (index > 0) {
      parts.push(
        `<line x1="${x(index) - gap + 1}" y1="${top + box.h / 2}" x2="${x(index) - 2}" y2="${top + box.h / 2}" stroke="#6b7280" stroke-width="1.5" marker-end="url(#arrow)"/>`,
      );
    }
    drawBox(number, x(index), top);
  });
  for (const number of [4, 5, 6, 7]) {
    const index = main.indexOf(number);
    const from = { x: x(index) + box.w / 2, y: top + box.h };
    const to = { x: rollbackX + box.w / 2 + (index - 4.5) * 18, y: rollbackY - 2 };
    parts.push(
      `<line x1="${from.x}" y1="${from.y}" x2="${to.x}" y2="${to.y}" stroke="#b45309" stroke-width="1.2" stroke-dasharray="5 4" marker-end="url(#arrow)"/>`,
    );
  }
  parts.push(
    `<text x="${rollbackX + box.w + 12}" y="${rollbackY + box.h / 2 + 4}" font-size="11" fill="#78350f">on failure or abort of 4–7</text>`,
  );
  drawBox(8, rollbackX, rollbackY);
  parts.push('</svg>');
  return parts.join('\n');
}

function niceStep(range: number, ticks: number): number {
  const raw = range / Math.max(1, ticks);
  const power = 10 ** Math.floor(Math.log10(raw));
  const factor = [1, 2, 5, 10].find((f) => f * power >= raw) ?? 10;
  return factor * power;
}

/**
 * The canary's sequential test as an SVG line chart: the log-likelihood ratio after each
 * measurement against the number of canary requests, with the abort and promote boundaries.
 */
export function llrChartSvg(report: CanaryReport, title: string): string | undefined {
  const source = report.sources[0];
  if (!source?.boundaries) return undefined;
  const points = [{ samples: 0, llr: 0 }].concat(
    source.batches.filter((b) => b.llr !== undefined).map((b) => ({ samples: b.samples, llr: b.llr! })),
  );
  if (points.length < 2) return undefined;
  const { abort, promote } = source.boundaries;
  const width = 640;
  const height = 280;
  const margin = { left: 56, right: 120, top: 36, bottom: 44 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const maxX = Math.max(...points.map((p) => p.samples), 1);
  const lo = Math.min(promote, ...points.map((p) => p.llr)) - 0.6;
  const hi = Math.max(abort, ...points.map((p) => p.llr)) + 0.6;
  const sx = (v: number) => margin.left + (v / maxX) * plotW;
  const sy = (v: number) => margin.top + ((hi - v) / (hi - lo)) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<text x="${margin.left}" y="20" font-size="14" font-weight="600" fill="#111827">${escapeHtml(title)}</text>`,
  ];
  const yStep = niceStep(hi - lo, 6);
  for (let v = Math.ceil(lo / yStep) * yStep; v <= hi; v += yStep) {
    const y = sy(v);
    parts.push(
      `<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotW}" y2="${y}" stroke="#e5e7eb"/>`,
      `<text x="${margin.left - 8}" y="${y + 4}" text-anchor="end" font-size="11" fill="#6b7280">${Number(v.toFixed(2))}</text>`,
    );
  }
  const xStep = niceStep(maxX, 6);
  for (let v = 0; v <= maxX; v += xStep) {
    const xv = sx(v);
    parts.push(
      `<line x1="${xv}" y1="${margin.top}" x2="${xv}" y2="${margin.top + plotH}" stroke="#f3f4f6"/>`,
      `<text x="${xv}" y="${margin.top + plotH + 16}" text-anchor="middle" font-size="11" fill="#6b7280">${v}</text>`,
    );
  }
  parts.push(
    `<text x="${margin.left + plotW / 2}" y="${height - 8}" text-anchor="middle" font-size="12" fill="#374151">canary requests</text>`,
    `<text x="14" y="${margin.top + plotH / 2}" text-anchor="middle" font-size="12" fill="#374151" transform="rotate(-90 14 ${margin.top + plotH / 2})">log-likelihood ratio</text>`,
    `<line x1="${margin.left}" y1="${sy(0)}" x2="${margin.left + plotW}" y2="${sy(0)}" stroke="#9ca3af"/>`,
  );
  for (const [value, color, label] of [
    [abort, '#b91c1c', `abort ≥ ${abort.toFixed(2)}`],
    [promote, '#15803d', `promote ≤ ${promote.toFixed(2)}`],
  ] as const) {
    parts.push(
      `<line x1="${margin.left}" y1="${sy(value)}" x2="${margin.left + plotW}" y2="${sy(value)}" stroke="${color}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      `<text x="${margin.left + plotW + 8}" y="${sy(value) + 4}" font-size="12" fill="${color}">${label}</text>`,
    );
  }
  const path = points.map((p) => `${sx(p.samples).toFixed(1)},${sy(p.llr).toFixed(1)}`).join(' ');
  const last = points.at(-1)!;
  const color = report.decision === 'promote' ? '#15803d' : report.decision === 'abort' ? '#b91c1c' : '#b45309';
  parts.push(
    `<polyline points="${path}" fill="none" stroke="#1d4ed8" stroke-width="2" stroke-linejoin="round"/>`,
    ...points
      .slice(1)
      .map(
        (p) =>
          `<circle cx="${sx(p.samples).toFixed(1)}" cy="${sy(p.llr).toFixed(1)}" r="2.5" fill="#1d4ed8"><title>${p.samples} requests: LLR ${p.llr.toFixed(3)}</title></circle>`,
      ),
    `<circle cx="${sx(last.samples)}" cy="${sy(last.llr)}" r="5" fill="${color}"/>`,
    `<text x="${Math.min(sx(last.samples) + 8, margin.left + plotW - 4)}" y="${sy(last.llr) + (last.llr > 0 ? 16 : -8)}" text-anchor="${sx(last.samples) + 80 > margin.left + plotW ? 'end' : 'start'}" font-size="12" font-weight="600" fill="${color}">${escapeHtml(report.decision)} after ${last.samples}</text>`,
    '</svg>',
  );
  return parts.join('\n');
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    '<table><thead><tr>',
    ...headers.map((h) => `<th>${escapeHtml(h)}</th>`),
    '</tr></thead><tbody>',
    ...rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ].join('');
}

const CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111827; margin: 0; background: #f9fafb; }
main { max-width: 1120px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 10px; } h3 { font-size: 15px; margin: 18px 0 8px; }
.meta { color: #4b5563; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 600; }
.ok { background: #dcfce7; color: #14532d; } .bad { background: #fee2e2; color: #7f1d1d; }
section { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 16px 18px; margin: 14px 0; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #f3f4f6; vertical-align: top; }
th { color: #4b5563; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.tone-good { color: #15803d; font-weight: 600; } .tone-alert { color: #b45309; font-weight: 600; }
.tone-bad { color: #b91c1c; font-weight: 600; } .tone-info { color: #1d4ed8; font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
pre { white-space: pre-wrap; background: #f3f4f6; padding: 10px; border-radius: 6px; font-size: 12px; }
details { margin: 6px 0; } summary { cursor: pointer; }
code { font-size: 12px; }
`;

/** The whole report as one HTML document. */
export function renderDemoReport(input: DemoReportInput): string {
  const { summary, entries, runs, hotfixes } = input;
  const state = summary.state;
  const scenarioTitle: Record<string, string> = {
    setup: 'Setup',
    A: 'Hotfix A — the good fix',
    B: 'Hotfix B — the fix that fails in production',
  };
  const timelineRows = entries.map((e) => [
    `<span class="num">${formatSeconds(e.atMs)}</span>`,
    escapeHtml(scenarioTitle[e.scenario]?.split(' — ')[0] ?? e.scenario),
    escapeHtml(e.stage),
    `<code>${escapeHtml(e.step)}</code>`,
    `<span class="tone-${e.ok ? e.tone : 'bad'}">${escapeHtml(e.decision)}</span>`,
    escapeHtml(e.figures),
  ]);
  const pipelines = ['A', 'B']
    .filter((scenario) => entries.some((e) => e.scenario === scenario))
    .map((scenario) => pipelineSvg(pipelineStatuses(entries, scenario), scenarioTitle[scenario] ?? scenario))
    .join('\n');
  const charts = hotfixes
    .map((hotfix) =>
      hotfix.canary?.report
        ? llrChartSvg(
            hotfix.canary.report,
            `Canary of ${hotfix.tag ?? '?'} (hotfix ${hotfix.scenario}): ${hotfix.canary.decision}`,
          )
        : undefined,
    )
    .filter((svg): svg is string => svg !== undefined);
  const explanations = hotfixes
    .filter((h) => h.canary)
    .map((h) => `<p><b>${escapeHtml(h.tag ?? '')}</b>: ${escapeHtml(h.canary!.explanation)}</p>`)
    .join('');

  const endState = state
    ? [
        '<h3>Tags</h3>',
        table(
          ['tag', 'commit', `on ${DEMO_RELEASE_BRANCH}`],
          state.tags.map((t) => [
            escapeHtml(t.name),
            `<code>${t.sha.slice(0, 7)}</code>`,
            t.onReleaseBranch ? 'yes' : 'no',
          ]),
        ),
        '<h3>Pull requests</h3>',
        table(
          ['#', 'title', 'head → base', 'state'],
          state.pulls.map((p) => [
            String(p.number),
            escapeHtml(p.title),
            `<code>${escapeHtml(p.head)}</code> → <code>${escapeHtml(p.base)}</code>`,
            p.merged ? 'merged' : escapeHtml(p.state),
          ]),
        ),
        '<h3>Tickets (Beads)</h3>',
        table(
          ['id', 'title', 'status', 'priority', 'labels', 'depends on', 'close reason'],
          state.tickets.map((t) => [
            `<code>${escapeHtml(t.id)}</code>`,
            escapeHtml(t.title),
            escapeHtml(t.status),
            `P${t.priority}`,
            escapeHtml(t.labels.join(', ')),
            escapeHtml(t.dependencies.map((d) => `${d.type} ${d.dependsOn}`).join(', ')),
            escapeHtml(t.closeReason ?? ''),
          ]),
        ),
        '<h3>Deployments</h3>',
        table(
          ['id', 'environment', 'ref', 'task', 'description', 'statuses'],
          state.deployments.map((d) => [
            String(d.id),
            escapeHtml(d.environment),
            `<code>${escapeHtml(d.ref)}</code>`,
            escapeHtml(d.task),
            escapeHtml(d.description),
            escapeHtml(d.states.join(' → ')),
          ]),
        ),
        '<h3>Notifications</h3>',
        table(
          ['channel', 'headline'],
          state.notifications.map((n) => [escapeHtml(n.channel), escapeHtml(n.text)]),
        ),
      ].join('\n')
    : '<p>The demo stopped before its end state could be read.</p>';

  const checks = summary.checks
    .map((c) => `<li>${c.ok ? '✅' : '❌'} ${escapeHtml(c.name)}${c.ok ? '' : ` — ${escapeHtml(c.detail)}`}</li>`)
    .join('');
  const actionRuns = runs
    .map(
      (run) =>
        `<details><summary><b>${escapeHtml(run.action)}</b> · ${escapeHtml(run.purpose)} · hotfix ${escapeHtml(run.scenario)} · exit ${run.exitCode} · ${formatSeconds(run.durationMs)}</summary>` +
        `<pre>${escapeHtml(run.summary || '(no job summary)')}</pre>` +
        (Object.keys(run.outputs).length > 0
          ? `<pre>${escapeHtml(
              Object.entries(run.outputs)
                .filter(([name]) => name !== 'report' && name !== 'plan')
                .map(([name, value]) => `${name}: ${value.length > 300 ? `${value.slice(0, 300)}…` : value}`)
                .join('\n'),
            )}</pre>`
          : '') +
        '</details>',
    )
    .join('\n');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hotfix-actions demo · seed ${summary.seed}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>hotfix-actions demo</h1>
<p class="meta"><span class="badge ${summary.ok ? 'ok' : 'bad'}">${summary.ok ? 'both hotfixes ended as expected' : 'not as expected'}</span>
 seed ${summary.seed}${summary.fast ? ' · fast mode' : ''} · ${formatSeconds(summary.durationMs)} · ${escapeHtml(summary.metrics)}</p>
${summary.error ? `<p class="tone-bad">The demo stopped: ${escapeHtml(summary.error)}</p>` : ''}
<section>
<h2>The nine-stage pipeline, as each hotfix went through it</h2>
${pipelines}
</section>
<section>
<h2>Canary analysis (sequential probability ratio test)</h2>
<p>Each error pushes the log-likelihood ratio up by ln(p1/p0), each success down by ln((1−p1)/(1−p0)); the gate
promotes at the lower boundary and aborts at the upper one (p0 = 1 %, p1 = 5 %, α = β = 5 %).</p>
<div class="charts">${charts.join('\n')}</div>
${explanations}
</section>
<section>
<h2>Timeline</h2>
${table(['elapsed', 'hotfix', 'stage', 'action', 'decision', 'figures'], timelineRows)}
</section>
<section>
<h2>Checks</h2>
<ul>${checks}</ul>
</section>
<section>
<h2>End state</h2>
${endState}
</section>
<section>
<h2>Action runs and their job summaries</h2>
${actionRuns}
</section>
</main>
</body>
</html>
`;
}
