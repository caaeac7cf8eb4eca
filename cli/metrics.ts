// `hotfix metrics`: the metrics of hotfix-rules VIII for one repository, read through the GitHub API
// (pull requests, deployments with their statuses, tags, the Beads file), computed by the pure
// functions of packages/core/src/metrics.ts, printed as a table or JSON, SLA breaches flagged.
import {
  DEFAULT_REWORK_DAYS,
  HOTFIX_METRIC_DEFINITIONS,
  changedTestFiles,
  closedIssueNumbers,
  compareHotfixVersions,
  computeHotfixMetrics,
  createGitHubClient,
  deploymentVersionTag,
  formatMetricsDuration,
  forwardPortCandidates,
  hotfixCarriers,
  hotfixTicketFacts,
  isBackmergePullRequest,
  isConfigurationError,
  isHotfixPullRequest,
  isHttpStatus,
  metricsTicketFromBeads,
  parseBeadsJsonl,
  parseHolidayDates,
  parseMetricsSince,
  parseUtcOffset,
  parseVersionTag,
  pullNamesTicket,
  pullRequestTicketIds,
  runCommand,
  shippingCandidates,
  validateTagPrefix,
  validateTicketPrefixes,
  type BeadsJsonlDocument,
  type BusinessCalendar,
  type ForwardPortFacts,
  type GitHubClient,
  type HotfixFacts,
  type HotfixMetricsReport,
  type HotfixMetricsRow,
  type HotfixRecognitionOptions,
  type HotfixShipment,
  type MetricsDeployment,
  type MetricsPullRequest,
  type MetricsTicket,
} from '@hotfix-actions/core';
import { githubRepoOfRemote } from './check.js';
import type { CliOutput } from './index.js';
import {
  asUsage,
  CommandFailure,
  EXIT_FAILURE,
  EXIT_OK,
  optionText,
  parseCommandLine,
  parseIntegerOption,
  UsageError,
} from './usage.js';

const definitions = Object.entries(HOTFIX_METRIC_DEFINITIONS)
  .map(([name, text]) => `  ${name}\n${wrap(text, 76, '      ')}`)
  .join('\n');

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines.join('\n');
}

/** `hotfix metrics --help`. */
export const METRICS_HELP = `Measures a repository's hotfixes (hotfix-rules VIII) from its pull requests, deployments and tickets.

Usage: hotfix metrics [options]

A hotfix is a merged pull request from a hotfix/ branch (or labelled hotfix). Its ticket is the
first Beads id its branch, title or body names (read from .beads/issues.jsonl on the trunk), and a
GitHub issue it closes (Fixes #12) is a linked ticket too. Severity: the most severe of the pull
request's labels (P0, sev1, priority:1, critical, …), the tickets' priorities and their labels.

Metrics:
${definitions}

SLA breaches flagged: P0 over 2 h and P1 over 24 h to deployment, forward-port lag over 1 business
day, a hotfix that changes no test file.

Options:
  --repo <owner/name>        the repository (default GITHUB_REPOSITORY, else the origin remote of
                             the current directory)
  --api-url <url>            REST API root (default GITHUB_API_URL, else https://api.github.com;
                             GitHub Enterprise Server: https://HOST/api/v3)
  --token-env <NAME>         environment variable holding the token (default GITHUB_TOKEN, then
                             GH_TOKEN); read access to contents, pull requests, issues, deployments
  --since <90d|date>         hotfixes merged since: 90d, 12w, 36h or 2024-01-01 (default 90d)
  --as-of <time>             measure as of this time (default now); running lags end here
  --trunk <branch>           the trunk (default: the repository's default branch)
  --environment <name>       production environment(s) (default production; repeatable)
  --rework-days <n>          rework window in days (default ${DEFAULT_REWORK_DAYS})
  --utc-offset <±hh:mm>      the team's time zone, where business days start (default Z)
  --holiday <YYYY-MM-DD>     a day that is not a business day (repeatable or comma-separated)
  --branch-prefix <prefix>   head branch prefix of hotfixes (default hotfix/)
  --hotfix-label <label>     label that marks a hotfix pull request (default hotfix)
  --conflict-label <label>   label backmerge-pr puts on conflicting back-merges (default backmerge-conflict)
  --ticket-prefix <prefix>   Beads ticket prefixes (default bd; repeatable or comma-separated)
  --tag-prefix <prefix>      prefix of version tags (default v)
  --beads-file <path>        the Beads file in the repository (default .beads/issues.jsonl)
  --fail-on-breach           exit 1 when an SLA is breached
  --json                     print the figures as JSON
  -h, --help                 this help

Exit status: 0 with the figures (also when SLAs are breached, unless --fail-on-breach), 1 when the
repository cannot be read (or an SLA is breached with --fail-on-breach), 2 for a bad command line.
`;

/** What `hotfix metrics` was asked. */
export interface MetricsCommandOptions {
  owner: string;
  repo: string;
  apiUrl: string;
  tokenEnv: string;
  since: Date;
  /** The text given to --since, for the report. */
  sinceText: string;
  asOf: Date;
  trunk?: string;
  environments: string[];
  reworkDays: number;
  calendar: BusinessCalendar;
  recognition: HotfixRecognitionOptions & { tickets: { prefixes: string[] } };
  tagPrefix: string;
  beadsFile: string;
  failOnBreach: boolean;
  json: boolean;
}

const REPO_SHAPE = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+)$/;

function listOption(value: unknown): string[] {
  const items = Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
  return items
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter(Boolean);
}

/** The origin remote's GitHub repository of the current directory, if it has one. */
async function repoOfCurrentDirectory(): Promise<string | undefined> {
  const result = await runCommand('git', ['remote', 'get-url', 'origin'], { env: { LC_ALL: 'C' } }).catch(
    () => undefined,
  );
  return result?.exitCode === 0 ? githubRepoOfRemote(result.stdout) : undefined;
}

/** Parses `hotfix metrics`'s options; `undefined` when help was asked for. */
export async function parseMetricsArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  now: Date = new Date(),
): Promise<MetricsCommandOptions | undefined> {
  const { values } = parseCommandLine(
    argv,
    {
      repo: { type: 'string' },
      'api-url': { type: 'string' },
      'token-env': { type: 'string' },
      since: { type: 'string' },
      'as-of': { type: 'string' },
      trunk: { type: 'string' },
      environment: { type: 'string', multiple: true },
      'rework-days': { type: 'string' },
      'utc-offset': { type: 'string' },
      holiday: { type: 'string', multiple: true },
      'branch-prefix': { type: 'string' },
      'hotfix-label': { type: 'string' },
      'conflict-label': { type: 'string' },
      'ticket-prefix': { type: 'string', multiple: true },
      'tag-prefix': { type: 'string' },
      'beads-file': { type: 'string' },
      'fail-on-breach': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    'metrics',
  );
  if (values.help) return undefined;
  const text = (name: string): string | undefined => optionText(values, name);
  const usage = <T>(fn: () => T): T => asUsage('metrics', fn);

  const repoText = text('repo') ?? (env.GITHUB_REPOSITORY || undefined) ?? (await repoOfCurrentDirectory());
  if (repoText === undefined) {
    throw new UsageError(
      'Which repository? Give --repo owner/name (or set GITHUB_REPOSITORY, or run inside a clone whose origin is on GitHub).',
      'metrics',
    );
  }
  const repoMatch = REPO_SHAPE.exec(repoText);
  if (!repoMatch) throw new UsageError(`--repo takes owner/name (acme/shop); got "${repoText}".`, 'metrics');

  const apiUrl = (text('api-url') ?? (env.GITHUB_API_URL || 'https://api.github.com')).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+/.test(apiUrl)) {
    throw new UsageError(
      `--api-url takes the REST API's root URL (https://api.github.com); got "${apiUrl}".`,
      'metrics',
    );
  }
  const tokenEnv = text('token-env') ?? 'GITHUB_TOKEN';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv)) {
    throw new UsageError(
      `--token-env takes the name of an environment variable (GITHUB_TOKEN); got "${tokenEnv}".`,
      'metrics',
    );
  }
  const asOfText = text('as-of');
  const asOf = asOfText === undefined ? now : parseAsOf(asOfText, now);
  const sinceText = text('since') ?? '90d';
  const since = usage(() => parseMetricsSince(sinceText, asOf, 'since'));
  if (since.getTime() > asOf.getTime()) {
    throw new UsageError(
      `--since ${sinceText} is after --as-of ${asOf.toISOString()}: give an earlier start.`,
      'metrics',
    );
  }
  const reworkText = text('rework-days');
  const offsetText = text('utc-offset');
  const prefixes = listOption(values['ticket-prefix']);
  const environments = listOption(values.environment);
  return {
    owner: repoMatch[1]!,
    repo: repoMatch[2]!,
    apiUrl,
    tokenEnv,
    since,
    sinceText,
    asOf,
    ...(text('trunk') ? { trunk: text('trunk') } : {}),
    environments: environments.length > 0 ? environments : ['production'],
    reworkDays:
      reworkText === undefined ? DEFAULT_REWORK_DAYS : parseIntegerOption(reworkText, '--rework-days', 'metrics', 1),
    calendar: {
      utcOffsetMinutes: offsetText === undefined ? 0 : usage(() => parseUtcOffset(offsetText, 'utc-offset')),
      holidays: usage(() => parseHolidayDates(listOption(values.holiday), 'holiday')),
    },
    recognition: {
      branchPrefix: text('branch-prefix') ?? 'hotfix/',
      hotfixLabel: text('hotfix-label') ?? 'hotfix',
      conflictLabel: text('conflict-label') ?? 'backmerge-conflict',
      tickets: {
        prefixes: usage(() => validateTicketPrefixes(prefixes.length > 0 ? prefixes : ['bd'], 'ticket-prefix')),
      },
    },
    tagPrefix: usage(() =>
      validateTagPrefix(typeof values['tag-prefix'] === 'string' ? values['tag-prefix'] : 'v', 'tag-prefix'),
    ),
    beadsFile: (text('beads-file') ?? '.beads/issues.jsonl').replace(/^\/+/, ''),
    failOnBreach: values['fail-on-breach'] === true,
    json: values.json === true,
  };
}

function parseAsOf(text: string, now: Date): Date {
  const problem = new UsageError(
    `--as-of takes a date or time (2024-03-13, 2024-03-13T12:00:00Z); got "${text}".`,
    'metrics',
  );
  if (/^\d+\s*[hdw]$/i.test(text)) throw problem;
  try {
    return parseMetricsSince(text, now, 'as-of');
  } catch (error) {
    if (isConfigurationError(error)) throw problem;
    throw error;
  }
}

/** The REST client for the command line: retries and throttling as in the actions, warnings on stderr. */
function metricsClient(token: string, baseUrl: string, io: CliOutput, env: NodeJS.ProcessEnv): Promise<GitHubClient> {
  const options = {
    token,
    baseUrl,
    userAgent: 'hotfix-actions-cli',
    log: { debug: () => undefined, warning: (message: string) => io.err(`hotfix: ${message}\n`) },
  };
  return createGitHubClient({ ...options, mask: env.GITHUB_ACTIONS === 'true' });
}

interface ApiPull {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  labels: ({ name?: string } | string)[];
  draft?: boolean;
  created_at: string;
  updated_at: string;
  merged_at: string | null;
  merge_commit_sha: string | null;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
}

function labelNames(labels: readonly ({ name?: string } | string)[]): string[] {
  return labels.map((label) => (typeof label === 'string' ? label : (label.name ?? ''))).filter((name) => name !== '');
}

function pullRecord(pull: ApiPull): MetricsPullRequest {
  return {
    number: pull.number,
    title: pull.title,
    body: pull.body ?? '',
    head: pull.head.ref,
    headSha: pull.head.sha,
    base: pull.base.ref,
    baseSha: pull.base.sha,
    labels: labelNames(pull.labels),
    draft: pull.draft === true,
    state: pull.state === 'open' ? 'open' : 'closed',
    createdAt: pull.created_at,
    mergedAt: pull.merged_at,
    mergeCommitSha: pull.merge_commit_sha,
  };
}

/** Turns API failures into messages that say what to do. */
function apiFailure(error: unknown, what: string, options: MetricsCommandOptions): CommandFailure {
  const where = `${options.owner}/${options.repo} at ${options.apiUrl}`;
  if (isHttpStatus(error, 401)) {
    return new CommandFailure(
      `${what}: the token in ${options.tokenEnv} was refused (401). Export a valid token, e.g. ${options.tokenEnv}=$(gh auth token).`,
    );
  }
  if (isHttpStatus(error, 403)) {
    return new CommandFailure(
      `${what}: forbidden (403). The token needs read access to contents, pull requests, issues and deployments of ${where}.`,
    );
  }
  if (isHttpStatus(error, 404)) {
    return new CommandFailure(
      `${what}: ${where} was not found (404). Check --repo, --api-url, and that the token in ${options.tokenEnv} can read the repository.`,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CommandFailure(`${what} failed on ${where}: ${message}`);
}

/** Everything read from the API, and the records computed from it. */
export interface CollectedMetrics {
  trunk: string;
  report: HotfixMetricsReport;
  /** Requests sent, for the curious (`--json`). */
  requests: number;
}

/** Reads the repository through the API and computes its hotfix metrics. */
export async function collectHotfixMetrics(
  client: GitHubClient,
  options: MetricsCommandOptions,
): Promise<CollectedMetrics> {
  const { owner, repo } = options;
  let requests = 0;
  client.hook.before('request', () => {
    requests += 1;
  });
  const since = options.since.getTime();
  const asOf = options.asOf.getTime();

  const repository = await client.rest.repos.get({ owner, repo }).catch((error: unknown) => {
    throw apiFailure(error, 'Reading the repository', options);
  });
  const trunk = options.trunk ?? repository.data.default_branch;

  // Newest activity first: a pull request merged (or a back-merge pushed to) inside the window was
  // updated inside it, so the listing stops at the first one updated before the window.
  const pulls: MetricsPullRequest[] = [];
  try {
    listing: for await (const response of client.paginate.iterator(client.rest.pulls.list, {
      owner,
      repo,
      state: 'all',
      sort: 'updated',
      direction: 'desc',
      per_page: 100,
    })) {
      for (const pull of response.data as ApiPull[]) {
        if (Date.parse(pull.updated_at) < since) break listing;
        pulls.push(pullRecord(pull));
      }
    }
  } catch (error) {
    throw apiFailure(error, 'Listing pull requests', options);
  }

  const deployments: MetricsDeployment[] = [];
  try {
    for (const environment of options.environments) {
      listing: for await (const response of client.paginate.iterator(client.rest.repos.listDeployments, {
        owner,
        repo,
        environment,
        per_page: 100,
      })) {
        for (const deployment of response.data) {
          if (Date.parse(deployment.created_at) < since) break listing;
          if (Date.parse(deployment.created_at) > asOf) continue;
          const statuses = await client.paginate(client.rest.repos.listDeploymentStatuses, {
            owner,
            repo,
            deployment_id: deployment.id,
            per_page: 100,
          });
          deployments.push({
            id: deployment.id,
            sha: deployment.sha,
            ref: deployment.ref,
            task: deployment.task,
            environment: deployment.environment,
            createdAt: deployment.created_at,
            payload: deployment.payload,
            statuses: statuses
              .filter((status) => Date.parse(status.created_at) <= asOf)
              .map((status) => ({ state: status.state, createdAt: status.created_at })),
          });
        }
      }
    }
  } catch (error) {
    throw apiFailure(error, 'Listing deployments', options);
  }

  const beads = await readBeadsFile(client, options, trunk);
  const issues = new Map<number, MetricsTicket | undefined>();
  const linkedIssue = async (number: number): Promise<MetricsTicket | undefined> => {
    if (!issues.has(number)) {
      try {
        const { data } = await client.rest.issues.get({ owner, repo, issue_number: number });
        issues.set(number, {
          id: `#${number}`,
          createdAt: data.created_at,
          labels: labelNames(data.labels as ({ name?: string } | string)[]),
          relatedIds: [],
        });
      } catch (error) {
        if (!isHttpStatus(error, 404) && !isHttpStatus(error, 410))
          throw apiFailure(error, `Reading issue #${number}`, options);
        issues.set(number, undefined);
      }
    }
    return issues.get(number);
  };

  const containment = new Map<string, boolean>();
  const contains = async (ancestor: string, commit: string): Promise<boolean> => {
    if (ancestor === commit) return true;
    const key = `${ancestor}...${commit}`;
    const known = containment.get(key);
    if (known !== undefined) return known;
    let answer: boolean;
    try {
      const { data } = await client.rest.repos.compareCommitsWithBasehead({ owner, repo, basehead: key, per_page: 1 });
      answer = data.status === 'ahead' || data.status === 'identical';
    } catch (error) {
      // Unrelated histories or a commit GitHub no longer has: it cannot contain the other.
      if (!isHttpStatus(error, 404) && !isHttpStatus(error, 422)) throw apiFailure(error, `Comparing ${key}`, options);
      answer = false;
    }
    containment.set(key, answer);
    return answer;
  };

  let tagsBySha: Map<string, string> | undefined;
  const versionOf = async (deployment: MetricsDeployment): Promise<string | undefined> => {
    const named = deploymentVersionTag(deployment, options.tagPrefix);
    if (named) return named.tag;
    if (tagsBySha === undefined) {
      tagsBySha = new Map();
      const tags = await client.paginate(client.rest.repos.listTags, { owner, repo, per_page: 100 });
      for (const tag of tags) {
        const version = parseVersionTag(tag.name, options.tagPrefix);
        if (version === undefined) continue;
        const current = tagsBySha.get(tag.commit.sha);
        const currentVersion = current === undefined ? undefined : parseVersionTag(current, options.tagPrefix);
        if (currentVersion === undefined || compareHotfixVersions(version, currentVersion) > 0) {
          tagsBySha.set(tag.commit.sha, tag.name);
        }
      }
    }
    return tagsBySha.get(deployment.sha);
  };

  const hotfixPulls = pulls.filter((pull) => {
    if (!isHotfixPullRequest(pull, options.recognition)) return false;
    const merged = Date.parse(pull.mergedAt!);
    return merged >= since && merged <= asOf;
  });
  // Pull requests merged after the report's time do not exist yet as far as the report goes.
  const seen = pulls.filter((pull) => Date.parse(pull.createdAt) <= asOf).map((pull) => asOfState(pull, asOf));
  const facts: HotfixFacts[] = [];
  for (const pull of hotfixPulls) {
    const linked: MetricsTicket[] = [];
    for (const id of pullRequestTicketIds(pull, options.recognition.tickets)) {
      const line = beads?.findIssue(id);
      const ticket = line ? metricsTicketFromBeads(beads!.recordOf(line)) : undefined;
      if (ticket) linked.push(ticket);
    }
    for (const number of closedIssueNumbers(pull.body)) {
      const issue = await linkedIssue(number);
      if (issue) linked.push(issue);
    }
    const ticketFacts = hotfixTicketFacts(pull, linked, options.recognition.tickets);
    const landing = [
      pull.mergeCommitSha!,
      ...hotfixCarriers(pull, ticketFacts.ticket, seen, options.recognition.tickets).map((one) => one.mergeCommitSha!),
    ];
    let shipment: HotfixShipment | undefined;
    for (const candidate of shippingCandidates(deployments, pull.mergedAt!, options.environments)) {
      let shipped = false;
      for (const sha of landing) if (!shipped && (await contains(sha, candidate.deployment.sha))) shipped = true;
      if (!shipped) continue;
      const version = await versionOf(candidate.deployment);
      shipment = {
        id: candidate.deployment.id,
        sha: candidate.deployment.sha,
        ...(version ? { version } : {}),
        succeededAt: candidate.succeededAt,
      };
      break;
    }
    facts.push({
      ...ticketFacts,
      pull,
      ...(shipment ? { shipment } : {}),
      forwardPort: await forwardPortOf(pull, ticketFacts.ticket, seen, trunk, options, contains),
      ...(await testFilesOf(client, options, pull)),
    });
  }

  const report = computeHotfixMetrics({
    hotfixes: facts,
    backmerges: seen.filter(
      (pull) => isBackmergePullRequest(pull, options.recognition) && Date.parse(pull.createdAt) >= since,
    ),
    deployments,
    asOf: options.asOf,
    reworkDays: options.reworkDays,
    calendar: options.calendar,
    ...(options.recognition.conflictLabel ? { conflictLabel: options.recognition.conflictLabel } : {}),
  });
  return { trunk, report, requests };
}

/** A pull request as it stood at `asOf`: merged or closed later means still open then. */
function asOfState(pull: MetricsPullRequest, asOf: number): MetricsPullRequest {
  if (pull.mergedAt !== null && Date.parse(pull.mergedAt) > asOf) {
    return { ...pull, state: 'open', mergedAt: null, mergeCommitSha: null };
  }
  return pull;
}

async function forwardPortOf(
  hotfix: MetricsPullRequest,
  ticket: string | undefined,
  pulls: readonly MetricsPullRequest[],
  trunk: string,
  options: MetricsCommandOptions,
  contains: (ancestor: string, commit: string) => Promise<boolean>,
): Promise<ForwardPortFacts> {
  if (hotfix.base === trunk) return { kind: 'not-needed' };
  for (const candidate of forwardPortCandidates(hotfix, pulls, trunk, options.recognition)) {
    const carries =
      pullNamesTicket(candidate, ticket, hotfix.mergedAt!) ||
      (await contains(
        hotfix.mergeCommitSha!,
        candidate.mergedAt !== null ? candidate.mergeCommitSha! : candidate.headSha,
      ));
    if (!carries) continue;
    return candidate.mergedAt !== null
      ? { kind: 'merged', pull: candidate.number, mergedAt: candidate.mergedAt }
      : { kind: 'open', pull: candidate.number };
  }
  return (await contains(hotfix.mergeCommitSha!, trunk)) ? { kind: 'direct' } : { kind: 'missing' };
}

/** The test files of a hotfix pull request, from the compare of its base and head (the files of its diff). */
async function testFilesOf(
  client: GitHubClient,
  options: MetricsCommandOptions,
  pull: MetricsPullRequest,
): Promise<{ testFiles?: string[] }> {
  try {
    const { data } = await client.rest.repos.compareCommitsWithBasehead({
      owner: options.owner,
      repo: options.repo,
      basehead: `${pull.baseSha}...${pull.headSha}`,
    });
    return {
      testFiles: changedTestFiles((data.files ?? []).map((file) => ({ filename: file.filename, status: file.status }))),
    };
  } catch (error) {
    // The head commits of an old pull request can be gone (a force-pushed, deleted fork): unknown, not zero.
    if (isHttpStatus(error, 404) || isHttpStatus(error, 422)) return {};
    throw apiFailure(error, `Reading the files of #${pull.number}`, options);
  }
}

async function readBeadsFile(
  client: GitHubClient,
  options: MetricsCommandOptions,
  trunk: string,
): Promise<BeadsJsonlDocument | undefined> {
  const params = { owner: options.owner, repo: options.repo, path: options.beadsFile, ref: trunk };
  let text: string;
  try {
    const { data } = await client.rest.repos.getContent(params);
    if (Array.isArray(data) || data.type !== 'file') return undefined;
    if ('encoding' in data && data.encoding === 'base64' && typeof data.content === 'string' && data.content !== '') {
      text = Buffer.from(data.content, 'base64').toString('utf8');
    } else {
      // Files over 1 MB come without content in JSON; the raw media type returns them whole.
      const raw = await client.rest.repos.getContent({ ...params, mediaType: { format: 'raw' } });
      text = String(raw.data as unknown);
    }
  } catch (error) {
    if (isHttpStatus(error, 404)) return undefined;
    throw apiFailure(error, `Reading ${options.beadsFile}`, options);
  }
  try {
    return parseBeadsJsonl(text, { name: options.beadsFile });
  } catch (error) {
    throw new CommandFailure(
      `${options.beadsFile} on ${trunk} cannot be read: ${error instanceof Error ? error.message : String(error)}. ` +
        'Fix the file, or give --beads-file a path that holds the Beads issues.',
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Output

function percent(value: number | null): string {
  return value === null ? '—' : `${Math.round(value * 1000) / 10} %`;
}

function businessDays(value: number): string {
  return `${value.toFixed(2)} bd`;
}

function alignedTable(rows: readonly (readonly string[])[], rightColumns: ReadonlySet<number> = new Set()): string {
  const widths = (rows[0] ?? []).map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          rightColumns.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function timeToDeployCell(row: HotfixMetricsRow): string {
  const time = formatMetricsDuration(row.timeToDeployMs);
  return row.deployOngoing ? `${time}, not yet` : time;
}

function forwardPortCell(row: HotfixMetricsRow): string {
  const fp = row.forwardPort;
  switch (fp.state) {
    case 'not-needed':
      return '— (trunk-first)';
    case 'direct':
      return 'in trunk, no PR';
    case 'merged':
      return `${businessDays(fp.lagBusinessDays ?? 0)} (#${fp.pull})`;
    case 'open':
      return `${businessDays(fp.lagBusinessDays ?? 0)}, #${fp.pull} open`;
    case 'missing':
      return `${businessDays(fp.lagBusinessDays ?? 0)}, no back-merge`;
  }
}

function slaCell(row: HotfixMetricsRow): string {
  const names = { 'time-to-deploy': 'deploy', 'forward-port-lag': 'lag', 'no-tests': 'tests' };
  return row.breaches.length === 0 ? 'ok' : `BREACH: ${row.breaches.map((breach) => names[breach.kind]).join(', ')}`;
}

function utc(time: Date | string): string {
  return new Date(time)
    .toISOString()
    .replace(/:\d{2}\.\d{3}Z$/, ' UTC')
    .replace('T', ' ');
}

/** The report as a person reads it: one row per hotfix, the aggregates, then breaches and rework. */
export function formatHotfixMetrics(collected: CollectedMetrics, options: MetricsCommandOptions): string {
  const { report } = collected;
  const { summary } = report;
  const lines: string[] = [];
  const header =
    `Hotfix metrics of ${options.owner}/${options.repo}: ${summary.hotfixes} hotfix` +
    `${summary.hotfixes === 1 ? '' : 'es'} merged ${utc(options.since)} – ${utc(report.asOf)} ` +
    `(trunk ${collected.trunk}; deployments to ${options.environments.join(', ')})`;
  lines.push(header, '');
  if (report.rows.length === 0) {
    lines.push(
      `No hotfix pull request was merged in this window (a hotfix: head branch ${options.recognition.branchPrefix}… ` +
        `or label ${options.recognition.hotfixLabel}). Widen it with --since.`,
    );
  } else {
    lines.push(
      alignedTable(
        [
          ['PR', 'ticket', 'sev', 'base', 'version', 'time to deploy', 'forward-port lag', 'tests', 'rework', 'SLA'],
          ...report.rows.map((row) => [
            `#${row.number}`,
            row.ticket ?? '—',
            row.severity ?? '—',
            row.base,
            row.version ?? '—',
            timeToDeployCell(row),
            forwardPortCell(row),
            row.testFiles === undefined ? '?' : String(row.testFiles),
            row.rework.reworked ? 'yes' : 'no',
            slaCell(row),
          ]),
        ],
        new Set([7]),
      ),
      '',
    );
  }
  const ttd = summary.timeToDeploy;
  const lag = summary.forwardPortLag;
  const auto = summary.automationSuccess;
  const tests = summary.testsPerHotfix;
  lines.push(
    alignedTable([
      [
        'Time to deploy',
        ttd
          ? `median ${formatMetricsDuration(ttd.median)}, p90 ${formatMetricsDuration(ttd.p90)}, mean ` +
            `${formatMetricsDuration(ttd.mean)} (${ttd.count} deployed, ${summary.notDeployed} not yet)`
          : `— (none deployed; ${summary.notDeployed} not yet)`,
      ],
      [
        'Forward-port lag',
        (lag
          ? `median ${lag.median.toFixed(2)} business days, max ${lag.max.toFixed(2)} (${lag.count} back-merged)`
          : '— (no back-merge finished)') + `, ${summary.forwardPortOngoing} ongoing`,
      ],
      [
        'Rework rate',
        `${percent(summary.reworkRate.rate)} (${summary.reworkRate.reworked} of ${summary.reworkRate.of} within ` +
          `${options.reworkDays} days)`,
      ],
      [
        'Tests per hotfix',
        tests.mean === null
          ? '—'
          : `${tests.mean.toFixed(2)} test files (${tests.withTests} of ${tests.of} hotfixes change a test: ` +
            `${percent(tests.share)})`,
      ],
      [
        'Automation success rate',
        `${percent(auto.rate)} (${auto.clean} of ${auto.clean + auto.conflict + auto.abandoned} automated ` +
          `back-merges merged without conflict resolution; ${auto.conflict} conflicted, ${auto.abandoned} ` +
          `closed unmerged, ${auto.open} open)`,
      ],
    ]),
  );
  const reworked = report.rows.filter((row) => row.rework.reworked);
  if (reworked.length > 0) {
    lines.push('', 'Rework:');
    for (const row of reworked) lines.push(`  #${row.number}: ${row.rework.reasons.join('; ')}`);
  }
  lines.push('');
  if (report.breaches.length === 0) {
    lines.push('SLA breaches: none.');
  } else {
    lines.push(`SLA breaches (${report.breaches.length}):`);
    for (const breach of report.breaches) lines.push(`  ${breach.message}${breach.ongoing ? ' (still running)' : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The report as JSON: the window, the definitions, the aggregates, every hotfix and every breach. */
export function hotfixMetricsJson(collected: CollectedMetrics, options: MetricsCommandOptions): unknown {
  return {
    repository: `${options.owner}/${options.repo}`,
    trunk: collected.trunk,
    environments: options.environments,
    since: options.since.toISOString(),
    asOf: collected.report.asOf,
    reworkDays: options.reworkDays,
    definitions: HOTFIX_METRIC_DEFINITIONS,
    summary: collected.report.summary,
    hotfixes: collected.report.rows,
    breaches: collected.report.breaches,
    apiRequests: collected.requests,
  };
}

/** Runs `hotfix metrics` with `argv` and returns the exit code. */
export async function metricsCommand(
  argv: readonly string[],
  io: CliOutput,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const options = await parseMetricsArgs(argv, env);
  if (options === undefined) {
    io.out(METRICS_HELP);
    return EXIT_OK;
  }
  const tokenName =
    options.tokenEnv === 'GITHUB_TOKEN' && !env.GITHUB_TOKEN?.trim() && env.GH_TOKEN?.trim()
      ? 'GH_TOKEN'
      : options.tokenEnv;
  const token = env[tokenName]?.trim();
  if (!token) {
    throw new CommandFailure(
      `No token: ${options.tokenEnv} is not set. Export a token that can read ${options.owner}/${options.repo} ` +
        `(e.g. export ${options.tokenEnv}=$(gh auth token)), or name the variable that holds one with --token-env.`,
    );
  }
  const client = await metricsClient(token, options.apiUrl, io, env);
  const collected = await collectHotfixMetrics(client, options);
  io.out(
    options.json
      ? `${JSON.stringify(hotfixMetricsJson(collected, options), null, 2)}\n`
      : formatHotfixMetrics(collected, options),
  );
  return options.failOnBreach && collected.report.breaches.length > 0 ? EXIT_FAILURE : EXIT_OK;
}
