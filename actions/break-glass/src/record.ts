import { createHash } from 'node:crypto';
import {
  encodeBeadsJson,
  isTicketId,
  markdownCodeBlock,
  markdownHeading,
  markdownInlineCode,
  markdownTable,
} from '@hotfix-actions/core';
import type { AccessCheck } from './policy.js';

/** The version tag of the audit record's shape, written into every record. */
export const AUDIT_SCHEMA = 'hotfix-actions/break-glass@1';

/** The marker that opens every audit comment, so tools can find them among other comments. */
export const AUDIT_COMMENT_MARKER = '<!-- hotfix-actions:break-glass-audit -->';

/**
 * The hidden key of one audit comment: the run attempt and job that wrote it, and a digest of the
 * record (so a correction, or a second step in the same job, has a key of its own). A write whose
 * answer was lost is found again by this key instead of being posted twice.
 */
export function auditCommentKey(record: AuditRecord): string {
  const safe = (text: string) => text.replace(/[^\w.-]/g, '_') || '_';
  const digest = createHash('sha256').update(auditLine(record)).digest('hex').slice(0, 16);
  return (
    `<!-- hotfix-actions:break-glass run=${safe(record.run_id)} attempt=${safe(record.run_attempt)} ` +
    `job=${safe(record.job)} record=${digest} -->`
  );
}

/** Facts about the run, from the runner's environment. */
export interface RunFacts {
  /** Who started the workflow run (`GITHUB_ACTOR`). */
  actor: string;
  /** Who started this attempt (`GITHUB_TRIGGERING_ACTOR`; differs from `actor` on a re-run by someone else). */
  triggeringActor: string;
  repository: string;
  ref: string;
  sha: string;
  event: string;
  workflow: string;
  job: string;
  runId: string;
  runAttempt: string;
  /** The run attempt's page. */
  runUrl: string;
  /** `GITHUB_SERVER_URL`. */
  serverUrl: string;
}

/** Reads the run's facts from the runner's environment variables. */
export function runFactsFromEnv(env: NodeJS.ProcessEnv = process.env): RunFacts {
  const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const repository = env.GITHUB_REPOSITORY ?? '';
  const runId = env.GITHUB_RUN_ID ?? '';
  const runAttempt = env.GITHUB_RUN_ATTEMPT || '1';
  const actor = env.GITHUB_ACTOR ?? '';
  return {
    actor,
    triggeringActor: env.GITHUB_TRIGGERING_ACTOR || actor,
    repository,
    ref: env.GITHUB_REF ?? '',
    sha: env.GITHUB_SHA ?? '',
    event: env.GITHUB_EVENT_NAME ?? '',
    workflow: env.GITHUB_WORKFLOW ?? '',
    job: env.GITHUB_JOB ?? '',
    runId,
    runAttempt,
    runUrl: runId && repository ? `${serverUrl}/${repository}/actions/runs/${runId}/attempts/${runAttempt}` : '',
    serverUrl,
  };
}

/** One break-glass attempt, as written to every audit target: one line of JSON. */
export interface AuditRecord {
  schema: typeof AUDIT_SCHEMA;
  /** When the attempt was decided (ISO 8601, UTC). */
  time: string;
  decision: 'allowed' | 'denied';
  /** The validated incident id; null when it was missing or refused. */
  incident_id: string | null;
  /** What was given as incident id when it was refused (cut at 200 characters), so the attempt stays traceable. */
  incident_id_given?: string;
  /** The reason given by the person breaking the glass. */
  reason: string | null;
  /** Why the attempt was denied; null when allowed. */
  denial: string | null;
  /** Who is breaking the glass: the actor of this attempt. */
  actor: string;
  /** Who started the workflow run, when someone else re-ran it. */
  run_actor?: string;
  /** The gates this run skips (empty when denied). */
  skip_gates: string[];
  /** Gates that are never skipped, recorded so a reader of the audit need not guess. */
  never_skipped: string[];
  repository: string;
  ref: string;
  sha: string;
  event: string;
  workflow: string;
  job: string;
  run_id: string;
  run_attempt: string;
  run_url: string;
  /** Each rule's outcome. */
  checks: AccessCheck[];
}

/** What {@link buildAuditRecord} needs. */
export interface AuditRecordInput {
  time: Date;
  allowed: boolean;
  incidentId: string | undefined;
  /** The raw incident-id input, recorded only when it was refused. */
  incidentGiven: string | undefined;
  reason: string | undefined;
  denial: string | undefined;
  skipGates: readonly string[];
  checks: readonly AccessCheck[];
  run: RunFacts;
}

/** Builds the audit record of one attempt. */
export function buildAuditRecord(input: AuditRecordInput): AuditRecord {
  const { run } = input;
  const record: AuditRecord = {
    schema: AUDIT_SCHEMA,
    time: input.time.toISOString(),
    decision: input.allowed ? 'allowed' : 'denied',
    incident_id: input.incidentId ?? null,
    ...(input.incidentId === undefined && input.incidentGiven
      ? { incident_id_given: input.incidentGiven.slice(0, 200) }
      : {}),
    reason: input.reason ?? null,
    denial: input.allowed ? null : (input.denial ?? 'denied'),
    actor: run.triggeringActor,
    ...(run.actor !== run.triggeringActor ? { run_actor: run.actor } : {}),
    skip_gates: input.allowed ? [...input.skipGates] : [],
    never_skipped: ['health-checks', 'tests'],
    repository: run.repository,
    ref: run.ref,
    sha: run.sha,
    event: run.event,
    workflow: run.workflow,
    job: run.job,
    run_id: run.runId,
    run_attempt: run.runAttempt,
    run_url: run.runUrl,
    checks: [...input.checks],
  };
  return record;
}

/** The record as one JSONL line (no trailing newline); `<`, `>`, `&`, U+2028/9 escaped so it is inert in HTML. */
export function auditLine(record: AuditRecord): string {
  return encodeBeadsJson(record);
}

/** The same record, denied for `denial`, at `time`: the correction written when an audit target failed. */
export function denyRecord(record: AuditRecord, denial: string, time: Date): AuditRecord {
  return { ...record, time: time.toISOString(), decision: 'denied', denial, skip_gates: [] };
}

/** A short title: `Break-glass allowed: INC-1234 by alice`. */
export function auditTitle(record: AuditRecord): string {
  const incident = record.incident_id ?? '(no valid incident id)';
  return `Break-glass ${record.decision}: ${incident} by ${record.actor || '(unknown actor)'}`;
}

/**
 * The record as a Markdown table. Every value that comes from the run, the user or a server is in
 * inline code, where Markdown links, HTML and @-mentions stay inert.
 */
export function auditTable(record: AuditRecord): string {
  const code = (text: string | null | undefined) => (text ? markdownInlineCode(text) : '');
  const rows: [string, string][] = [
    ['decision', `**${record.decision}**`],
    [
      'incident',
      record.incident_id
        ? code(record.incident_id)
        : `refused: ${code(JSON.stringify(record.incident_id_given ?? ''))}`,
    ],
    ['actor', code(record.actor)],
  ];
  if (record.run_actor) rows.push(['run started by', code(record.run_actor)]);
  rows.push(['reason', record.reason ? code(record.reason) : '(none given)']);
  if (record.denial) rows.push(['denied because', code(record.denial)]);
  rows.push(
    ['gates skipped', record.skip_gates.length > 0 ? record.skip_gates.map(code).join(', ') : 'none'],
    ['never skipped', record.never_skipped.map(code).join(', ')],
    ['time', code(record.time)],
    ['commit', code(record.sha)],
    ['ref', code(record.ref)],
    [
      'run',
      record.run_url ? `[${record.run_id} attempt ${record.run_attempt}](${record.run_url})` : code(record.run_id),
    ],
  );
  return markdownTable(['', 'value'], rows);
}

/** The checks as a Markdown table. */
export function checksTable(checks: readonly AccessCheck[]): string {
  if (checks.length === 0) return '';
  return markdownTable(
    ['rule', 'outcome', 'detail'],
    checks.map((check) => [markdownInlineCode(check.rule), check.outcome, markdownInlineCode(check.detail)]),
  );
}

/** The body of an audit issue comment: a marker, a title, the table and the JSON line. */
export function auditComment(record: AuditRecord): string {
  const icon = record.decision === 'allowed' ? '🔓' : '🔒';
  return [
    AUDIT_COMMENT_MARKER,
    auditCommentKey(record),
    markdownHeading(`${icon} ${auditTitle(record)}`, 3),
    auditTable(record),
    checksTable(record.checks),
    markdownCodeBlock(auditLine(record), 'json'),
  ]
    .filter(Boolean)
    .join('\n');
}

/** The commit message of an audit line on the audit branch. */
export function auditCommitMessage(record: AuditRecord): string {
  return `${auditTitle(record)}\n\nRun: ${record.run_url || record.run_id}\nCommit: ${record.sha}\n`;
}

/** The beads-sync inputs for the post-incident review ticket. */
export interface ReviewTicket {
  title: string;
  description: string;
  /** `discovered-from:<ticket>`, or empty when the incident has no Beads ticket. */
  dependsOn: string;
  /** The incident id when it is not the Beads ticket (an INC-1234 from an incident tool), else empty. */
  externalRef: string;
}

/**
 * The post-incident review ticket of an allowed attempt. It is discovered from `ticket` when given,
 * else from the incident id when that is a Beads id; an external incident id becomes the external ref.
 */
export function reviewTicket(
  record: AuditRecord,
  options: { ticket?: string; ticketPrefixes: readonly string[]; auditUrl?: string },
): ReviewTicket {
  const incident = record.incident_id ?? '';
  const beadsIncident = isTicketId(incident, { prefixes: options.ticketPrefixes }) ? incident : undefined;
  const ticket = options.ticket ?? beadsIncident;
  const description = [
    `Break-glass was used for ${incident} by ${record.actor} at ${record.time}.`,
    `Reason: ${record.reason ?? '(none given)'}`,
    `Gates skipped: ${record.skip_gates.join(', ') || 'none'} (health checks and tests were not skipped).`,
    `Run: ${record.run_url || record.run_id}`,
    `Commit: ${record.sha}`,
    ...(options.auditUrl ? [`Audit record: ${options.auditUrl}`] : []),
    '',
    'Review why the override was needed, whether the skipped gates would have caught anything, and the follow-ups.',
  ].join('\n');
  return {
    title: `Post-incident review: ${incident} (break-glass by ${record.actor})`,
    description,
    dependsOn: ticket ? `discovered-from:${ticket}` : '',
    externalRef: ticket === incident ? '' : incident,
  };
}
