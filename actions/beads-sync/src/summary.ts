import { escapeTableCell, markdownHeading, markdownInlineCode, markdownTable } from '@hotfix-actions/core';
import type { TicketChange } from './plan.js';

/** What the run did, for the job summary and the outputs. */
export interface BeadsSyncOutcome {
  /** The transition that ran, or undefined when the event called for none. */
  transition: string | undefined;
  /** Why (the event's meaning, for `auto`). */
  why: string;
  backend: 'jsonl' | 'bd' | undefined;
  changes: TicketChange[];
  created: string | undefined;
  changed: boolean;
  commit: string | undefined;
  branch: string | undefined;
  attempts: number;
  dryRun: boolean;
  /** Ids found in the event that the tracker does not know. */
  skipped: string[];
  /** Why the tracker was not updated (a warning), when it was not. */
  problem: string | undefined;
  /** Other facts worth a line (`created branch beads-sync`, `published with bd dolt push`). */
  notes: string[];
}

/** One line of text (tracker data may hold anything), for tables and the log. */
export function oneLine(text: string, max = 120): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The `tickets` output: `[{"id","title","before","after","changed"}]`. */
export function ticketsOutput(changes: readonly TicketChange[]): string {
  return JSON.stringify(
    changes.map((change) => ({
      id: change.id,
      title: change.title ?? null,
      before: change.before,
      after: change.after,
      changed: change.changed,
    })),
  );
}

/** The job summary: a heading, a table of tickets before → after, and the facts of the run. */
export function renderSummary(outcome: BeadsSyncOutcome): string {
  const parts: string[] = [];
  const changedCount = outcome.changes.filter((change) => change.changed).length;
  let title: string;
  if (outcome.problem !== undefined) title = 'Beads: tracker not updated';
  else if (outcome.transition === undefined) title = 'Beads: nothing to do';
  else if (outcome.dryRun) title = `Beads dry run: ${outcome.transition} would change ${changedCount} ticket(s)`;
  else if (changedCount === 0) title = `Beads: ${outcome.transition} — already up to date`;
  else title = `Beads: ${outcome.transition} — ${changedCount} ticket(s) updated`;
  parts.push(markdownHeading(title, 3));
  if (outcome.problem !== undefined) parts.push(`> [!WARNING]\n> ${escapeTableCell(oneLine(outcome.problem, 2000))}\n`);
  if (outcome.changes.length > 0) {
    const rows = outcome.changes.map((change) => [
      markdownInlineCode(change.id),
      oneLine(change.title ?? ''),
      change.before ?? '—',
      change.after,
      change.changed ? change.details.map((detail) => oneLine(detail)).join('; ') : 'unchanged',
    ]);
    parts.push(markdownTable(['ticket', 'title', 'before', 'after', 'change'], rows));
  }
  const facts: string[] = [`- why: ${oneLine(outcome.why, 300)}`];
  if (outcome.backend) facts.push(`- backend: ${outcome.backend}`);
  if (outcome.branch) facts.push(`- branch: ${markdownInlineCode(outcome.branch)}`);
  if (outcome.commit) facts.push(`- commit: ${markdownInlineCode(outcome.commit)}`);
  if (outcome.attempts > 1) facts.push(`- attempts: ${outcome.attempts} (other pushes came first)`);
  if (outcome.skipped.length > 0) facts.push(`- not in the tracker, skipped: ${outcome.skipped.join(', ')}`);
  for (const note of outcome.notes) facts.push(`- ${oneLine(note, 300)}`);
  parts.push(facts.join('\n'));
  return `${parts.join('\n')}\n`;
}
