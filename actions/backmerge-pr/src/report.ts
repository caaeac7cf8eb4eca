// The job summary: a table of targets and a diagram of the cascade.
import { markdownHeading, markdownInlineCode, markdownTable, mermaid } from '@hotfix-actions/core';
import type { BackmergeStrategy } from './inputs.js';
import type { BackmergeStatus, TargetResult } from './plan.js';

/** What the summary reports. */
export interface SummaryInput {
  source: string;
  sourceSha: string;
  strategy: BackmergeStrategy;
  ticket: string | undefined;
  dryRun: boolean;
  results: readonly TargetResult[];
  lagSeconds: number | undefined;
}

const STATUS_TEXT: Record<BackmergeStatus, string> = {
  created: 'pull request opened',
  exists: 'pull request exists',
  'up-to-date': 'up to date',
  conflict: 'conflict: needs a person',
  pushed: 'merged directly',
  failed: 'failed',
};

const DRY_RUN_TEXT: Partial<Record<BackmergeStatus, string>> = {
  created: 'would open a pull request',
  pushed: 'would merge directly',
  conflict: 'would conflict',
};

const STATUS_STYLE: Record<BackmergeStatus, string> = {
  created: 'fill:#dafbe1,stroke:#1a7f37',
  exists: 'fill:#ddf4ff,stroke:#0969da',
  'up-to-date': 'fill:#f6f8fa,stroke:#8c959f',
  conflict: 'fill:#fff8c5,stroke:#9a6700',
  pushed: 'fill:#dafbe1,stroke:#1a7f37',
  failed: 'fill:#ffebe9,stroke:#cf222e',
};

function statusText(status: BackmergeStatus, dryRun: boolean): string {
  return (dryRun ? DRY_RUN_TEXT[status] : undefined) ?? STATUS_TEXT[status];
}

/** Seconds as `3h 12m`, `45s`. */
export function formatLag(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const parts = [days ? `${days}d` : '', hours ? `${hours}h` : '', minutes ? `${minutes}m` : ''].filter(Boolean);
  return parts.length > 0 ? parts.slice(0, 2).join(' ') : `${seconds % 60}s`;
}

/** The cascade as a mermaid flowchart: the source, then each target in order, coloured by status. */
export function cascadeDiagram(input: SummaryInput): string {
  const lines = ['flowchart LR', `  s0["${input.source}<br/>${input.sourceSha.slice(0, 7)}"]`];
  const used = new Set<BackmergeStatus>();
  for (const [index, result] of input.results.entries()) {
    const pull = result.pullNumber !== undefined ? ` · PR ${result.pullNumber}` : '';
    lines.push(`  t${index + 1}["${result.target}<br/>${statusText(result.status, input.dryRun)}${pull}"]`);
  }
  const chain = ['s0', ...input.results.map((_, index) => `t${index + 1}`)];
  lines.push(`  ${chain.join(' --> ')}`);
  for (const [index, result] of input.results.entries()) {
    lines.push(`  class t${index + 1} ${result.status.replace(/-/g, '')}`);
    used.add(result.status);
  }
  for (const status of used) lines.push(`  classDef ${status.replace(/-/g, '')} ${STATUS_STYLE[status]}`);
  return mermaid(lines.join('\n'));
}

/** The whole job summary. */
export function summaryMarkdown(input: SummaryInput): string {
  const title = `${input.dryRun ? 'Dry run: back-merge' : 'Back-merge'} of ${input.source} (${input.sourceSha.slice(0, 7)})`;
  const rows = input.results.map((result, index) => [
    String(index + 1),
    markdownInlineCode(result.target),
    statusText(result.status, input.dryRun) +
      (result.files && result.files.length > 0 ? ` (${result.files.map(markdownInlineCode).join(', ')})` : '') +
      (result.error ? `: ${result.error}` : ''),
    result.pullUrl ? `[#${result.pullNumber}](${result.pullUrl})` : '',
    result.branch ? markdownInlineCode(result.branch) : '',
  ]);
  const facts = [
    `Strategy: ${input.strategy}`,
    input.ticket ? `ticket: ${input.ticket}` : '',
    input.lagSeconds !== undefined ? `forward-port lag: ${formatLag(input.lagSeconds)}` : '',
  ].filter(Boolean);
  return [
    markdownHeading(title, 3),
    facts.join(' · '),
    markdownTable(['#', 'target', 'status', 'pull request', 'branch'], rows),
    cascadeDiagram(input),
  ].join('\n');
}
