// The hotfix metrics of hotfix-rules VIII, computed from plain records of pull requests, deployments
// and tickets: time to deploy, forward-port lag, rework rate, tests per hotfix and automation success
// rate, with the target SLAs (P0 < 2 h, P1 < 24 h to deployment, forward-port lag < 1 business day,
// every hotfix with a test). Reading the records (the GitHub API, a Beads file) happens elsewhere.
import { ConfigurationError } from './errors.js';
import {
  DEFAULT_TEST_FILE_PATTERNS,
  hotfixFileMatcher,
  hotfixSeverityFromLabels,
  type HotfixChangedFile,
  type HotfixSeverity,
} from './plan.js';
import { ROLLBACK_TASK, rolledBackDeploymentId } from './rollback.js';
import { extractTicketIds, type TicketIdOptions } from './tickets.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Time: windows, durations and the business calendar

/** Targets of hotfix-rules VIII: the longest time to deployment per severity, in milliseconds. */
export const HOTFIX_TIME_TO_DEPLOY_SLA_MS: Readonly<Partial<Record<HotfixSeverity, number>>> = {
  P0: 2 * HOUR_MS,
  P1: 24 * HOUR_MS,
};

/** Target of hotfix-rules VIII: the longest forward-port lag, in business days. */
export const FORWARD_PORT_LAG_SLA_BUSINESS_DAYS = 1;

/** Default of the rework window: a second hotfix, regression or rollback this many days later counts. */
export const DEFAULT_REWORK_DAYS = 14;

/**
 * Reads the start of a metrics window: a length back from `now` (`90d`, `12w`, `36h`) or a date or
 * time (`2024-01-01`, `2024-01-01T09:00:00Z`); anything else is a ConfigurationError naming `input`.
 */
export function parseMetricsSince(text: string, now: Date, input = 'since'): Date {
  const value = text.trim();
  const relative = /^(\d{1,5})\s*([hdw])$/i.exec(value);
  if (relative) {
    const unit = { h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS }[relative[2]!.toLowerCase() as 'h' | 'd' | 'w'];
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  if (/^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    const date = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
    if (Number.isFinite(date.getTime())) return date;
  }
  throw new ConfigurationError(
    `Input "${input}" must be a length of time back from now (90d, 12w, 36h) or a date (2024-01-01, ` +
      `2024-01-01T09:00:00Z), but got ${JSON.stringify(text)}.`,
    input,
  );
}

/** A duration as a person reads it: `45m`, `3h 10m`, `2d 4h` (whole hours past a day; `0m` under a minute). */
export function formatMetricsDuration(ms: number): string {
  const minutes = Math.round(Math.max(0, ms) / 60_000);
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 24 * 60) {
    const hours = Math.floor(minutes / 60);
    return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
  }
  // Past a day, minutes are noise: whole hours, rounded.
  const hours = Math.round(minutes / 60);
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days}d` : `${days}d ${hours % 24}h`;
}

/** The working calendar forward-port lag is counted on. */
export interface BusinessCalendar {
  /** The team's time zone as minutes east of UTC (default 0): where its days start and end. */
  utcOffsetMinutes?: number;
  /** Local dates (`YYYY-MM-DD`) that are not business days. */
  holidays?: Iterable<string>;
  /** Days of the week that are not business days, 0 = Sunday … 6 = Saturday (default Saturday and Sunday). */
  weekend?: readonly number[];
}

interface Calendar {
  offsetMs: number;
  holidays: ReadonlySet<string>;
  weekend: ReadonlySet<number>;
}

function normaliseCalendar(calendar: BusinessCalendar = {}): Calendar {
  const weekend = new Set(calendar.weekend ?? [0, 6]);
  if ([...weekend].some((day) => !Number.isInteger(day) || day < 0 || day > 6) || weekend.size > 6) {
    throw new ConfigurationError(
      'Input "weekend" must list days of the week as 0 (Sunday) to 6 (Saturday), leaving at least one business day.',
      'weekend',
    );
  }
  const offset = calendar.utcOffsetMinutes ?? 0;
  if (!Number.isInteger(offset) || Math.abs(offset) > 14 * 60) {
    throw new ConfigurationError('Input "utc-offset" must be between -14:00 and +14:00.', 'utc-offset');
  }
  return { offsetMs: offset * 60_000, holidays: new Set(calendar.holidays ?? []), weekend };
}

function isBusinessDayAt(localDayStart: number, calendar: Calendar): boolean {
  const day = new Date(localDayStart);
  return !calendar.weekend.has(day.getUTCDay()) && !calendar.holidays.has(day.toISOString().slice(0, 10));
}

function timeOf(value: Date | string | number): number {
  const time = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(time)) throw new RangeError(`Not a time: ${String(value)}`);
  return time;
}

/** True when the local date `YYYY-MM-DD` is a business day of `calendar` (not a weekend day or a holiday). */
export function isBusinessDay(date: string, calendar: BusinessCalendar = {}): boolean {
  const start = Date.parse(`${date}T00:00:00Z`);
  if (!Number.isFinite(start)) throw new RangeError(`Not a date: ${date}`);
  return isBusinessDayAt(start, normaliseCalendar(calendar));
}

/**
 * Business time between two instants, in milliseconds: the part of [start, end) that falls on business
 * days of the calendar, each business day counting its whole 24 hours in the team's time zone. Friday
 * 16:00 to Monday 10:00 is 18 hours; Saturday to Sunday is nothing. 0 when end is not after start.
 */
export function businessMillisBetween(
  start: Date | string | number,
  end: Date | string | number,
  calendar: BusinessCalendar = {},
): number {
  const cal = normaliseCalendar(calendar);
  const from = timeOf(start) + cal.offsetMs;
  const to = timeOf(end) + cal.offsetMs;
  let total = 0;
  for (let day = Math.floor(from / DAY_MS) * DAY_MS; day < to; day += DAY_MS) {
    if (isBusinessDayAt(day, cal)) total += Math.min(to, day + DAY_MS) - Math.max(from, day);
  }
  return total;
}

/** Business days between two instants (business milliseconds / 24 h), see {@link businessMillisBetween}. */
export function businessDaysBetween(
  start: Date | string | number,
  end: Date | string | number,
  calendar: BusinessCalendar = {},
): number {
  return businessMillisBetween(start, end, calendar) / DAY_MS;
}

/**
 * The instant `days` business days after `start` (fractions allowed): the deadline of a lag target.
 * Time on weekends and holidays does not count, so 1 business day after Friday 16:00 is Monday 16:00.
 */
export function addBusinessDays(start: Date | string | number, days: number, calendar: BusinessCalendar = {}): Date {
  const cal = normaliseCalendar(calendar);
  let remaining = Math.max(0, days) * DAY_MS;
  let cursor = timeOf(start) + cal.offsetMs;
  for (;;) {
    const dayEnd = Math.floor(cursor / DAY_MS) * DAY_MS + DAY_MS;
    if (isBusinessDayAt(dayEnd - DAY_MS, cal)) {
      if (remaining <= dayEnd - cursor) return new Date(cursor + remaining - cal.offsetMs);
      remaining -= dayEnd - cursor;
    }
    cursor = dayEnd;
  }
}

/** Reads a UTC offset (`+02:00`, `-0530`, `+1`, `Z`, `UTC`) as minutes east of UTC, or throws naming `input`. */
export function parseUtcOffset(text: string, input = 'utc-offset'): number {
  const value = text.trim();
  if (/^(?:z|utc|gmt)$/i.test(value)) return 0;
  const match = /^(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(value);
  const hours = Number(match?.[2]);
  const minutes = Number(match?.[3] ?? 0);
  if (!match || hours > 14 || minutes > 59 || hours * 60 + minutes > 14 * 60) {
    throw new ConfigurationError(
      `Input "${input}" must be an offset from UTC such as +02:00, -05:30 or Z, but got ${JSON.stringify(text)}.`,
      input,
    );
  }
  return (match[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/** Reads holiday dates (`2024-12-25`, comma- or space-separated), checking each is a real date; throws naming `input`. */
export function parseHolidayDates(texts: readonly string[], input = 'holiday'): string[] {
  const dates = texts.flatMap((text) => text.split(/[\s,]+/)).filter(Boolean);
  for (const date of dates) {
    const parsed = /^\d{4}-\d{2}-\d{2}$/.test(date) ? new Date(`${date}T00:00:00Z`) : undefined;
    if (!parsed || !Number.isFinite(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
      throw new ConfigurationError(
        `Input "${input}" takes dates as YYYY-MM-DD (2024-12-25), but got ${JSON.stringify(date)}.`,
        input,
      );
    }
  }
  return [...new Set(dates)].sort();
}

// ---------------------------------------------------------------------------------------------
// Records

/** A pull request as the metrics read it (the fields of GitHub's pull request object they use). */
export interface MetricsPullRequest {
  number: number;
  title: string;
  body: string;
  /** Head branch (`hotfix/bd-a1b2-fix-login`). */
  head: string;
  headSha: string;
  /** Base branch (`release/v1.2`). */
  base: string;
  baseSha: string;
  labels: readonly string[];
  draft: boolean;
  state: 'open' | 'closed';
  /** ISO 8601 times. */
  createdAt: string;
  mergedAt: string | null;
  mergeCommitSha: string | null;
}

/** One status of a deployment. */
export interface MetricsDeploymentStatus {
  state: string;
  createdAt: string;
}

/** A deployment with its statuses (any order). */
export interface MetricsDeployment {
  id: number;
  sha: string;
  ref: string;
  /** `deploy`, or `rollback` for those the rollback action made. */
  task: string;
  environment: string;
  createdAt: string;
  payload?: unknown;
  statuses: readonly MetricsDeploymentStatus[];
}

/** A ticket linked to a hotfix: a Beads issue or a GitHub issue. */
export interface MetricsTicket {
  /** `bd-a1b2`, or `#12` for a GitHub issue. */
  id: string;
  /** When it was opened: when the incident was detected. */
  createdAt?: string;
  /** Its own severity (a Beads priority); labels are read as well. */
  severity?: HotfixSeverity;
  labels: readonly string[];
  /** Tickets it names as its origin (Beads dependencies: the fix a regression ticket blocks or came from). */
  relatedIds: readonly string[];
}

/** How hotfix and back-merge pull requests are recognised. */
export interface HotfixRecognitionOptions {
  /** Head branch prefix of hotfixes (default `hotfix/`). */
  branchPrefix?: string;
  /** A label that makes any merged pull request a hotfix (default `hotfix`). */
  hotfixLabel?: string;
  /** Head branch prefixes of back-merges (default `backmerge/`, `forward-port/`). */
  backmergePrefixes?: readonly string[];
  /** The label backmerge-pr puts on conflicting back-merges (default `backmerge-conflict`). */
  conflictLabel?: string;
  /** Ticket ids to look for (default Beads `bd-…`). */
  tickets?: TicketIdOptions;
}

const DEFAULT_BACKMERGE_PREFIXES = ['backmerge/', 'forward-port/'];
const BACKMERGE_TITLE = /^(?:back-?merge|forward-?port)\b/i;
const BACKMERGE_MARKER =
  /<!-- hotfix-actions:backmerge source=(\S+) target=(\S+) strategy=(merge|cherry-pick) sha=([0-9a-f]{40,64}) -->/;
const REGRESSION_LABEL = /^(?:type[:/ -]?)?regression$/i;

function hasLabel(labels: readonly string[], wanted: string): boolean {
  return labels.some((label) => label.trim().toLowerCase() === wanted.trim().toLowerCase());
}

/** What backmerge-pr records in the hidden marker of the pull requests it opens. */
export interface BackmergePullMarker {
  source: string;
  target: string;
  strategy: 'merge' | 'cherry-pick';
  sha: string;
}

/** The backmerge-pr marker of a pull request body (`<!-- hotfix-actions:backmerge … -->`), if any. */
export function parseBackmergePullMarker(body: string | null | undefined): BackmergePullMarker | undefined {
  const match = BACKMERGE_MARKER.exec(body ?? '');
  if (!match) return undefined;
  return { source: match[1]!, target: match[2]!, strategy: match[3] as 'merge' | 'cherry-pick', sha: match[4]! };
}

/** True for a back-merge pull request: backmerge-pr's marker, a `backmerge/` or `forward-port/` head, or a "Back-merge …" title. */
export function isBackmergePullRequest(pull: MetricsPullRequest, options: HotfixRecognitionOptions = {}): boolean {
  const prefixes = options.backmergePrefixes ?? DEFAULT_BACKMERGE_PREFIXES;
  return (
    parseBackmergePullMarker(pull.body) !== undefined ||
    prefixes.some((prefix) => pull.head.startsWith(prefix)) ||
    BACKMERGE_TITLE.test(pull.title.trim())
  );
}

/** True for a merged hotfix pull request: from a `hotfix/` branch or labelled `hotfix`, and not a back-merge. */
export function isHotfixPullRequest(pull: MetricsPullRequest, options: HotfixRecognitionOptions = {}): boolean {
  if (pull.mergedAt === null || isBackmergePullRequest(pull, options)) return false;
  return (
    pull.head.startsWith(options.branchPrefix ?? 'hotfix/') || hasLabel(pull.labels, options.hotfixLabel ?? 'hotfix')
  );
}

/** The tickets a pull request names, its head branch first, then title and body. */
export function pullRequestTicketIds(pull: MetricsPullRequest, options: TicketIdOptions = {}): string[] {
  return extractTicketIds(`${pull.head}\n${pull.title}\n${pull.body}`, options);
}

/** The GitHub issues a pull request body closes (`Fixes #12`, `resolves #7`), as GitHub links them. */
export function closedIssueNumbers(body: string): number[] {
  const numbers = [...body.matchAll(/\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+#(\d{1,9})\b/gi)].map((m) =>
    Number(m[1]),
  );
  return [...new Set(numbers)];
}

/** A ticket as a Beads record gives it: creation time, priority (0 → P0 …), labels and dependencies. */
export function metricsTicketFromBeads(record: Readonly<Record<string, unknown>>): MetricsTicket | undefined {
  const id = record.id;
  if (typeof id !== 'string' || id === '') return undefined;
  const priority = record.priority;
  const labels = Array.isArray(record.labels) ? record.labels.filter((l): l is string => typeof l === 'string') : [];
  const relatedIds = Array.isArray(record.dependencies)
    ? record.dependencies
        .map((dependency) => (dependency as { depends_on_id?: unknown } | null)?.depends_on_id)
        .filter((other): other is string => typeof other === 'string' && other !== id)
    : [];
  return {
    id,
    ...(typeof record.created_at === 'string' ? { createdAt: record.created_at } : {}),
    ...(typeof priority === 'number' && Number.isInteger(priority) && priority >= 0 && priority <= 4
      ? { severity: `P${priority}` as HotfixSeverity }
      : {}),
    labels,
    relatedIds,
  };
}

/** What the tickets and labels say about a hotfix: its ticket, severity, incident time and what it regresses. */
export interface HotfixTicketFacts {
  /** The hotfix's own ticket (the first one its branch, title or body names). */
  ticket?: string;
  severity?: HotfixSeverity;
  /** Where the severity came from (`label P0`, `bd-a1b2 priority`, `#12 label sev1`). */
  severitySource?: string;
  /** The earliest creation time of a linked ticket: when the incident was detected. */
  incidentAt?: string;
  /** The ticket that gave {@link incidentAt}. */
  incidentSource?: string;
  /** True when the pull request or a linked ticket is labelled `regression`. */
  regression: boolean;
  /** Tickets (`bd-…`) and pull requests (`#N`) a regression fix names as the change it repairs. */
  regressionOf: readonly string[];
}

/**
 * Joins a hotfix pull request with its linked tickets (`linked`: the Beads tickets it names and the
 * GitHub issues it closes). The severity is the most severe of the pull request's labels, each
 * ticket's own priority and each ticket's labels.
 */
export function hotfixTicketFacts(
  pull: MetricsPullRequest,
  linked: readonly MetricsTicket[],
  options: TicketIdOptions = {},
): HotfixTicketFacts {
  const ids = pullRequestTicketIds(pull, options);
  const ticket = ids[0];
  const candidates: { severity: HotfixSeverity; source: string }[] = [];
  const fromLabels = hotfixSeverityFromLabels(pull.labels);
  if (fromLabels) candidates.push({ severity: fromLabels.severity, source: `label ${fromLabels.label}` });
  let incidentAt: string | undefined;
  let incidentSource: string | undefined;
  for (const one of linked) {
    if (one.severity) candidates.push({ severity: one.severity, source: `${one.id} priority` });
    const labelled = hotfixSeverityFromLabels(one.labels);
    if (labelled) candidates.push({ severity: labelled.severity, source: `${one.id} label ${labelled.label}` });
    if (one.createdAt && Number.isFinite(Date.parse(one.createdAt))) {
      if (incidentAt === undefined || Date.parse(one.createdAt) < Date.parse(incidentAt)) {
        incidentAt = one.createdAt;
        incidentSource = one.id;
      }
    }
  }
  candidates.sort((a, b) => (a.severity < b.severity ? -1 : a.severity > b.severity ? 1 : 0));
  const regression =
    pull.labels.some((label) => REGRESSION_LABEL.test(label.trim())) ||
    linked.some((one) => one.labels.some((label) => REGRESSION_LABEL.test(label.trim())));
  const own = new Set([...(ticket ? [ticket] : []), ...linked.map((one) => one.id)]);
  const regressionOf = regression
    ? [
        ...new Set([
          ...linked.flatMap((one) => one.relatedIds),
          ...ids.filter((id) => !own.has(id)),
          ...[...`${pull.title}\n${pull.body}`.matchAll(/(?<![\w&])#(\d{1,9})\b/g)].map((m) => `#${m[1]}`),
        ]),
      ].filter((id) => !own.has(id) && id !== `#${pull.number}`)
    : [];
  return {
    ...(ticket ? { ticket } : {}),
    ...(candidates[0] ? { severity: candidates[0].severity, severitySource: candidates[0].source } : {}),
    ...(incidentAt ? { incidentAt, incidentSource } : {}),
    regression,
    regressionOf,
  };
}

/** The test files among a pull request's changed files (removed files never count), by {@link DEFAULT_TEST_FILE_PATTERNS}. */
export function changedTestFiles(
  files: readonly HotfixChangedFile[],
  patterns: readonly string[] = DEFAULT_TEST_FILE_PATTERNS,
): string[] {
  const isTest = hotfixFileMatcher(patterns);
  return files.filter((file) => file.status !== 'removed' && isTest(file.filename)).map((file) => file.filename);
}

// ---------------------------------------------------------------------------------------------
// Candidates the collector checks by ancestry (which the records alone cannot tell)

/** A deployment that may have shipped a hotfix, with the time it first succeeded. */
export interface ShippingCandidate {
  deployment: MetricsDeployment;
  succeededAt: string;
}

/** When a deployment first reached `success`, if it did. */
export function deploymentSucceededAt(deployment: MetricsDeployment): string | undefined {
  const times = deployment.statuses
    .filter((status) => status.state === 'success')
    .map((status) => status.createdAt)
    .filter((time) => Number.isFinite(Date.parse(time)))
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return times[0];
}

/**
 * The deployments that may have shipped a change merged at `mergedAt`, in the order to check them: not
 * rollbacks, in one of `environments`, first successful at or after the merge, earliest success first.
 * The first whose commit contains the change (or a commit carrying it) shipped it.
 */
export function shippingCandidates(
  deployments: readonly MetricsDeployment[],
  mergedAt: string,
  environments: readonly string[] = ['production'],
): ShippingCandidate[] {
  const merged = Date.parse(mergedAt);
  const wanted = new Set(environments.map((name) => name.toLowerCase()));
  return deployments
    .filter((deployment) => deployment.task !== ROLLBACK_TASK && wanted.has(deployment.environment.toLowerCase()))
    .map((deployment) => ({ deployment, succeededAt: deploymentSucceededAt(deployment) }))
    .filter((one): one is ShippingCandidate => one.succeededAt !== undefined && Date.parse(one.succeededAt) >= merged)
    .sort((a, b) => Date.parse(a.succeededAt) - Date.parse(b.succeededAt) || a.deployment.id - b.deployment.id);
}

/**
 * The pull requests that may carry a hotfix into `trunk`, in the order to check them: back-merges into
 * the trunk merged at or after the hotfix (earliest first), then open ones (oldest first). The first
 * that names the hotfix's ticket or contains its merge commit is its forward-port.
 */
export function forwardPortCandidates(
  hotfix: MetricsPullRequest,
  pulls: readonly MetricsPullRequest[],
  trunk: string,
  options: HotfixRecognitionOptions = {},
): MetricsPullRequest[] {
  const merged = Date.parse(hotfix.mergedAt ?? hotfix.createdAt);
  const eligible = pulls.filter(
    (pull) => pull.number !== hotfix.number && pull.base === trunk && isBackmergePullRequest(pull, options),
  );
  const done = eligible
    .filter((pull) => pull.mergedAt !== null && Date.parse(pull.mergedAt) >= merged)
    .sort((a, b) => Date.parse(a.mergedAt!) - Date.parse(b.mergedAt!) || a.number - b.number);
  const open = eligible
    .filter((pull) => pull.state === 'open')
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.number - b.number);
  return [...done, ...open];
}

/**
 * True when a back-merge pull request says by name that it carries `ticket` (head, title or body),
 * and was opened after the hotfix merged, so an earlier back-merge of the same ticket does not count.
 */
export function pullNamesTicket(pull: MetricsPullRequest, ticket: string | undefined, after: string): boolean {
  if (ticket === undefined || Date.parse(pull.createdAt) < Date.parse(after)) return false;
  return extractTicketIds(`${pull.head}\n${pull.title}\n${pull.body}`, { knownIds: [ticket] }).includes(ticket);
}

/**
 * Merged pull requests that carry a trunk-first hotfix to a release branch (a port naming its ticket into
 * another base, merged after it): a deployment of the release line contains their merge commits, not
 * the hotfix's own.
 */
export function hotfixCarriers(
  hotfix: MetricsPullRequest,
  ticket: string | undefined,
  pulls: readonly MetricsPullRequest[],
  options: TicketIdOptions = {},
): MetricsPullRequest[] {
  if (ticket === undefined || hotfix.mergedAt === null) return [];
  const merged = Date.parse(hotfix.mergedAt);
  return pulls.filter(
    (pull) =>
      pull.number !== hotfix.number &&
      pull.base !== hotfix.base &&
      pull.mergedAt !== null &&
      pull.mergeCommitSha !== null &&
      Date.parse(pull.mergedAt) >= merged &&
      pullRequestTicketIds(pull, options).includes(ticket),
  );
}

// ---------------------------------------------------------------------------------------------
// The metrics

/** Where a hotfix's forward-port to the trunk stands. */
export type ForwardPortFacts =
  /** Merged into the trunk (trunk-first) or nothing to bring forward. */
  | { kind: 'not-needed' }
  /** Its back-merge pull request is merged into the trunk. */
  | { kind: 'merged'; pull: number; mergedAt: string }
  /** Its back-merge pull request is still open: the lag is still running. */
  | { kind: 'open'; pull: number }
  /** The trunk has it, but not through a pull request (a direct merge or push): the lag is unknown. */
  | { kind: 'direct' }
  /** No back-merge and the trunk lacks it: the lag is still running. */
  | { kind: 'missing' };

/** The shipping deployment of a hotfix. */
export interface HotfixShipment {
  id: number;
  sha: string;
  /** The version it deployed (`v1.2.4`), when known. */
  version?: string;
  /** When it first reported `success`. */
  succeededAt: string;
}

/** Everything known about one hotfix pull request, relationships already resolved by the collector. */
export interface HotfixFacts extends HotfixTicketFacts {
  pull: MetricsPullRequest;
  /** The first successful production deployment containing it; undefined when none has yet. */
  shipment?: HotfixShipment;
  forwardPort: ForwardPortFacts;
  /** Test files the pull request adds or changes; undefined when its files could not be read. */
  testFiles?: readonly string[];
}

/** Input of {@link computeHotfixMetrics}. */
export interface HotfixMetricsInput {
  hotfixes: readonly HotfixFacts[];
  /** Back-merge pull requests of the window (for the automation success rate). */
  backmerges: readonly MetricsPullRequest[];
  /** Production deployments of the window (rollbacks make rework). */
  deployments: readonly MetricsDeployment[];
  /** The time the report is made at: running lags and times end here. */
  asOf: Date | string;
  /** Days after a hotfix within which a second hotfix, a regression fix or a rollback makes it rework (default 14). */
  reworkDays?: number;
  calendar?: BusinessCalendar;
  /** The conflict label of backmerge-pr (default `backmerge-conflict`). */
  conflictLabel?: string;
}

/** An SLA of hotfix-rules VIII that a hotfix misses. */
export interface HotfixSlaBreach {
  hotfix: number;
  kind: 'time-to-deploy' | 'forward-port-lag' | 'no-tests';
  /** Hours (time to deploy), business days (forward-port lag) or test files (no tests). */
  measured: number;
  limit: number;
  unit: 'hours' | 'business-days' | 'test-files';
  /** True when the clock is still running (not deployed yet, back-merge still open). */
  ongoing: boolean;
  message: string;
}

/** How an automated back-merge ended: merged as opened, needed a person for conflicts, closed unmerged, or still open. */
export type BackmergeAutomationOutcome = 'clean' | 'conflict' | 'abandoned' | 'open';

/** One hotfix with its figures. */
export interface HotfixMetricsRow {
  number: number;
  title: string;
  ticket?: string;
  severity?: HotfixSeverity;
  severitySource?: string;
  base: string;
  mergedAt: string;
  /** When the clock of time to deploy starts: the incident ticket's creation, else the pull request's. */
  start: { at: string; source: string };
  version?: string;
  deployedAt?: string;
  /** Time to deploy, or the time so far when not deployed (then `deployOngoing`). */
  timeToDeployMs: number;
  deployOngoing: boolean;
  forwardPort: {
    state: ForwardPortFacts['kind'];
    pull?: number;
    /** Business time from the hotfix merge to the back-merge's merge (or so far, when `ongoing`). */
    lagBusinessDays?: number;
    /** The same in wall-clock time. */
    lagMs?: number;
    ongoing: boolean;
    /** When the lag target runs out: 1 business day after the hotfix merge. */
    dueBy?: string;
  };
  /** Test files changed; undefined when unknown. */
  testFiles?: number;
  rework: { reworked: boolean; reasons: string[] };
  breaches: HotfixSlaBreach[];
}

/** Median, mean and 90th percentile (nearest rank) of a list of numbers. */
export interface MetricsStatistics {
  count: number;
  median: number;
  mean: number;
  p90: number;
  max: number;
}

/** The aggregated figures of {@link computeHotfixMetrics}. */
export interface HotfixMetricsSummary {
  hotfixes: number;
  /** Time to deploy of the deployed hotfixes, in milliseconds; undefined when none is deployed. */
  timeToDeploy?: MetricsStatistics;
  notDeployed: number;
  /** Finished forward-port lags in business days; undefined when none has finished. */
  forwardPortLag?: MetricsStatistics;
  forwardPortOngoing: number;
  reworkRate: { rate: number | null; reworked: number; of: number };
  testsPerHotfix: { mean: number | null; withTests: number; of: number; share: number | null };
  automationSuccess: { rate: number | null; clean: number; conflict: number; abandoned: number; open: number };
  breaches: { total: number; timeToDeploy: number; forwardPortLag: number; noTests: number };
}

/** What {@link computeHotfixMetrics} returns. */
export interface HotfixMetricsReport {
  asOf: string;
  rows: HotfixMetricsRow[];
  summary: HotfixMetricsSummary;
  breaches: HotfixSlaBreach[];
}

/**
 * How a back-merge pull request opened by backmerge-pr ended: `conflict` when it carries the conflict
 * label or the "Conflicts" section backmerge-pr writes (a person had to resolve it, merged or not),
 * `clean` when merged without either, `abandoned` when closed unmerged, `open` otherwise.
 */
export function backmergeAutomationOutcome(
  pull: MetricsPullRequest,
  conflictLabel = 'backmerge-conflict',
): BackmergeAutomationOutcome {
  if (hasLabel(pull.labels, conflictLabel) || /^###\s+Conflicts\b/m.test(pull.body)) return 'conflict';
  if (pull.mergedAt !== null) return 'clean';
  return pull.state === 'closed' ? 'abandoned' : 'open';
}

/** Median, mean, p90 (nearest rank) and max of `values`; undefined for an empty list. */
export function metricsStatistics(values: readonly number[]): MetricsStatistics | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const p90 = sorted[Math.max(0, Math.ceil(0.9 * sorted.length) - 1)]!;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return { count: sorted.length, median, mean, p90, max: sorted[sorted.length - 1]! };
}

function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Why a hotfix counts as rework, in words; empty when it does not. */
function reworkReasons(
  facts: HotfixFacts,
  all: readonly HotfixFacts[],
  deployments: readonly MetricsDeployment[],
  windowMs: number,
): string[] {
  const reasons: string[] = [];
  const merged = Date.parse(facts.pull.mergedAt!);
  const within = (time: number, from: number) => time > from && time <= from + windowMs;
  for (const other of all) {
    if (other === facts || other.pull.mergedAt === null) continue;
    const at = Date.parse(other.pull.mergedAt);
    if (!within(at, merged)) continue;
    if (facts.ticket !== undefined && other.ticket === facts.ticket && other.pull.base === facts.pull.base) {
      reasons.push(`second hotfix #${other.pull.number} on ${facts.ticket}`);
    } else if (
      other.regression &&
      ((facts.ticket !== undefined && other.regressionOf.includes(facts.ticket)) ||
        other.regressionOf.includes(`#${facts.pull.number}`))
    ) {
      reasons.push(`regression fixed by #${other.pull.number}`);
    }
  }
  const shipped = facts.shipment;
  if (shipped) {
    const shippedAt = Date.parse(shipped.succeededAt);
    const shippedDeployment = deployments.find((one) => one.id === shipped.id);
    const environment = shippedDeployment?.environment.toLowerCase();
    // The deployment right after the one that shipped the fix, in the same environment: a rollback
    // there undid it even when the rollback does not say which deployment it rolled back.
    const next = deployments
      .filter(
        (one) => one.id > shipped.id && (environment === undefined || one.environment.toLowerCase() === environment),
      )
      .sort((a, b) => a.id - b.id)[0];
    for (const one of deployments) {
      if (one.task !== ROLLBACK_TASK || !within(Date.parse(one.createdAt), shippedAt)) continue;
      const of = rolledBackDeploymentId(one);
      if (of === shipped.id || (of === undefined && next?.id === one.id)) {
        reasons.push(`rolled back by deployment ${one.id}`);
      }
    }
  }
  return [...new Set(reasons)];
}

/**
 * Computes the metrics of hotfix-rules VIII from resolved hotfix records:
 *
 * - time to deploy: from the incident ticket's creation (or the pull request's, when earlier or when
 *   no ticket is linked) to the first successful production deployment containing the fix; a fix not
 *   deployed yet is counted up to `asOf` and reported as ongoing;
 * - forward-port lag: business time from the hotfix merge into its release branch to the merge of its
 *   back-merge into the trunk; an open or missing back-merge counts up to `asOf`;
 * - rework: a second hotfix on the same ticket and branch, a fix labelled regression that names it, or a
 *   rollback of the deployment that shipped it, within `reworkDays`;
 * - tests per hotfix: test files added or changed;
 * - automation success rate: back-merges opened by backmerge-pr that merged without conflict
 *   resolution, of those that ended (merged or closed);
 *
 * and flags the SLA breaches: P0 over 2 h and P1 over 24 h to deployment, forward-port lag over 1
 * business day, a hotfix without a test.
 */
export function computeHotfixMetrics(input: HotfixMetricsInput): HotfixMetricsReport {
  const asOf = new Date(timeOf(input.asOf));
  const calendar = input.calendar ?? {};
  normaliseCalendar(calendar);
  const windowMs = (input.reworkDays ?? DEFAULT_REWORK_DAYS) * DAY_MS;
  const hotfixes = input.hotfixes
    .filter((facts) => facts.pull.mergedAt !== null)
    .sort((a, b) => Date.parse(a.pull.mergedAt!) - Date.parse(b.pull.mergedAt!) || a.pull.number - b.pull.number);
  const rows: HotfixMetricsRow[] = [];
  for (const facts of hotfixes) {
    const pull = facts.pull;
    const mergedAt = pull.mergedAt!;
    const fromTicket =
      facts.incidentAt !== undefined && Date.parse(facts.incidentAt) < Date.parse(pull.createdAt)
        ? { at: facts.incidentAt, source: facts.incidentSource ?? 'ticket' }
        : undefined;
    const start = fromTicket ?? { at: pull.createdAt, source: `#${pull.number}` };
    const end = facts.shipment ? Date.parse(facts.shipment.succeededAt) : asOf.getTime();
    const timeToDeployMs = Math.max(0, end - Date.parse(start.at));
    const breaches: HotfixSlaBreach[] = [];
    const limit = facts.severity ? HOTFIX_TIME_TO_DEPLOY_SLA_MS[facts.severity] : undefined;
    if (limit !== undefined && timeToDeployMs > limit) {
      const ongoing = facts.shipment === undefined;
      breaches.push({
        hotfix: pull.number,
        kind: 'time-to-deploy',
        measured: round(timeToDeployMs / HOUR_MS),
        limit: limit / HOUR_MS,
        unit: 'hours',
        ongoing,
        message: ongoing
          ? `#${pull.number} (${facts.severity}) is not in production after ${formatMetricsDuration(timeToDeployMs)}; ` +
            `the ${facts.severity} target is ${limit / HOUR_MS} h.`
          : `#${pull.number} (${facts.severity}) took ${formatMetricsDuration(timeToDeployMs)} to reach production; ` +
            `the ${facts.severity} target is ${limit / HOUR_MS} h.`,
      });
    }
    const forwardPort = forwardPortRow(facts, asOf, calendar);
    if (forwardPort.lagBusinessDays !== undefined && forwardPort.lagBusinessDays > FORWARD_PORT_LAG_SLA_BUSINESS_DAYS) {
      const days = `${round(forwardPort.lagBusinessDays).toFixed(2)} business days`;
      const what =
        forwardPort.state === 'merged'
          ? `was back-merged into the trunk by #${forwardPort.pull} after ${days}`
          : forwardPort.state === 'open'
            ? `has waited ${days} on back-merge #${forwardPort.pull}`
            : `has had no back-merge into the trunk for ${days}`;
      breaches.push({
        hotfix: pull.number,
        kind: 'forward-port-lag',
        measured: round(forwardPort.lagBusinessDays),
        limit: FORWARD_PORT_LAG_SLA_BUSINESS_DAYS,
        unit: 'business-days',
        ongoing: forwardPort.ongoing,
        message: `#${pull.number} ${what}; the target is ${FORWARD_PORT_LAG_SLA_BUSINESS_DAYS} business day.`,
      });
    }
    if (facts.testFiles !== undefined && facts.testFiles.length === 0) {
      breaches.push({
        hotfix: pull.number,
        kind: 'no-tests',
        measured: 0,
        limit: 1,
        unit: 'test-files',
        ongoing: false,
        message: `#${pull.number} changes no test file; every hotfix adds a regression test.`,
      });
    }
    const reasons = reworkReasons(facts, hotfixes, input.deployments, windowMs);
    rows.push({
      number: pull.number,
      title: pull.title,
      ...(facts.ticket ? { ticket: facts.ticket } : {}),
      ...(facts.severity ? { severity: facts.severity, severitySource: facts.severitySource } : {}),
      base: pull.base,
      mergedAt,
      start,
      ...(facts.shipment?.version ? { version: facts.shipment.version } : {}),
      ...(facts.shipment ? { deployedAt: facts.shipment.succeededAt } : {}),
      timeToDeployMs,
      deployOngoing: facts.shipment === undefined,
      forwardPort,
      ...(facts.testFiles !== undefined ? { testFiles: facts.testFiles.length } : {}),
      rework: { reworked: reasons.length > 0, reasons },
      breaches,
    });
  }
  const breaches = rows.flatMap((row) => row.breaches);
  return { asOf: asOf.toISOString(), rows, breaches, summary: summarise(rows, input) };
}

function forwardPortRow(facts: HotfixFacts, asOf: Date, calendar: BusinessCalendar): HotfixMetricsRow['forwardPort'] {
  const fp = facts.forwardPort;
  const mergedAt = facts.pull.mergedAt!;
  if (fp.kind === 'not-needed' || fp.kind === 'direct') return { state: fp.kind, ongoing: false };
  const dueBy = addBusinessDays(mergedAt, FORWARD_PORT_LAG_SLA_BUSINESS_DAYS, calendar).toISOString();
  const end = fp.kind === 'merged' ? fp.mergedAt : asOf;
  return {
    state: fp.kind,
    ...(fp.kind === 'missing' ? {} : { pull: fp.pull }),
    lagBusinessDays: businessDaysBetween(mergedAt, end, calendar),
    lagMs: Math.max(0, timeOf(end) - Date.parse(mergedAt)),
    ongoing: fp.kind !== 'merged',
    dueBy,
  };
}

function summarise(rows: readonly HotfixMetricsRow[], input: HotfixMetricsInput): HotfixMetricsSummary {
  const deployed = rows.filter((row) => !row.deployOngoing);
  const lags = rows.filter((row) => row.forwardPort.state === 'merged');
  const reworked = rows.filter((row) => row.rework.reworked).length;
  const known = rows.filter((row) => row.testFiles !== undefined);
  const testTotal = known.reduce((sum, row) => sum + (row.testFiles ?? 0), 0);
  const outcomes = { clean: 0, conflict: 0, abandoned: 0, open: 0 };
  for (const pull of input.backmerges) {
    if (parseBackmergePullMarker(pull.body) === undefined) continue;
    outcomes[backmergeAutomationOutcome(pull, input.conflictLabel)] += 1;
  }
  const ended = outcomes.clean + outcomes.conflict + outcomes.abandoned;
  const breaches = rows.flatMap((row) => row.breaches);
  const timeToDeploy = metricsStatistics(deployed.map((row) => row.timeToDeployMs));
  const forwardPortLag = metricsStatistics(lags.map((row) => row.forwardPort.lagBusinessDays ?? 0));
  return {
    hotfixes: rows.length,
    ...(timeToDeploy ? { timeToDeploy } : {}),
    notDeployed: rows.length - deployed.length,
    ...(forwardPortLag ? { forwardPortLag } : {}),
    forwardPortOngoing: rows.filter((row) => row.forwardPort.ongoing).length,
    reworkRate: { rate: rows.length === 0 ? null : reworked / rows.length, reworked, of: rows.length },
    testsPerHotfix: {
      mean: known.length === 0 ? null : testTotal / known.length,
      withTests: known.filter((row) => (row.testFiles ?? 0) > 0).length,
      of: known.length,
      share: known.length === 0 ? null : known.filter((row) => (row.testFiles ?? 0) > 0).length / known.length,
    },
    automationSuccess: { rate: ended === 0 ? null : outcomes.clean / ended, ...outcomes },
    breaches: {
      total: breaches.length,
      timeToDeploy: breaches.filter((breach) => breach.kind === 'time-to-deploy').length,
      forwardPortLag: breaches.filter((breach) => breach.kind === 'forward-port-lag').length,
      noTests: breaches.filter((breach) => breach.kind === 'no-tests').length,
    },
  };
}

/** The definitions of the metrics, as the `hotfix metrics` help and the README give them. */
export const HOTFIX_METRIC_DEFINITIONS: Readonly<Record<string, string>> = {
  'time to deploy':
    'from the incident ticket’s creation (a Beads ticket the pull request names, or a GitHub issue it closes; ' +
    'the pull request’s creation when earlier or when none is linked) to the first successful production ' +
    'deployment whose commit contains the hotfix merge. Not deployed yet: counted up to now, shown as ongoing.',
  'forward-port lag':
    'business time from the hotfix’s merge into its release branch to the merge into the trunk of the ' +
    'back-merge pull request that carries it (names its ticket or contains its merge commit). An open or ' +
    'missing back-merge counts up to now. Weekends and holidays do not count; trunk-first hotfixes have none.',
  'rework rate':
    'share of hotfixes followed, within the rework window, by a second hotfix on the same ticket and branch, ' +
    'a hotfix labelled regression that names its ticket or pull request, or a rollback of the deployment ' +
    'that shipped it.',
  'tests per hotfix': 'test files the hotfix pull request adds or changes (removed ones do not count), on average.',
  'automation success rate':
    'back-merge pull requests opened by backmerge-pr that merged without conflict resolution (no conflict ' +
    'label, no Conflicts section), of those merged or closed; open ones are not counted yet.',
};
