import { tmpdir } from 'node:os';
import * as core from '@actions/core';
import {
  BEADS_CORE_ISSUE_TYPES,
  ConfigurationError,
  beadsDoltRefusalMessage,
  beadsTimestamp,
  errorMessage,
  isBeadsIssueType,
  isConfigurationError,
  logGroup,
  refNameProblem,
  validateTicketPrefixes,
  writeSummary,
  type HotfixContext,
  readRunnerEvent,
} from '@hotfix-actions/core';
import { findOnPath, syncWithBd } from './bd.js';
import {
  deriveAutoTransition,
  ticketSources,
  ticketsFromSources,
  type BeadsSyncEvent,
  type TicketSource,
} from './event.js';
import { readInputs, type BeadsSyncInputs, type BeadsSyncTransition } from './inputs.js';
import { syncJsonl } from './jsonl.js';
import {
  planJsonlEdits,
  type CreateRequest,
  type JsonlPlan,
  type PlanSettings,
  type TransitionRequest,
} from './plan.js';
import { inspectRepository, type BeadsRepository } from './repository.js';
import { oneLine, renderSummary, ticketsOutput, type BeadsSyncOutcome } from './summary.js';

interface RunnerEvent extends BeadsSyncEvent {
  repository?: { default_branch?: string };
}

/** The action: move the hotfix's tickets (or create one), commit and push, report. */
export async function run(): Promise<void> {
  const inputs = readInputs();
  const eventName = process.env.GITHUB_EVENT_NAME ?? '';
  const event = readRunnerEvent<RunnerEvent>();
  let transition: BeadsSyncTransition | undefined;
  let markDeployed = false;
  let why: string;
  if (inputs.transition === 'auto') {
    const auto = deriveAutoTransition(eventName, event, inputs.hotfixBranchPrefix);
    ({ transition, markDeployed, why } = auto);
  } else {
    transition = inputs.transition;
    why = `transition ${transition} was asked for`;
  }

  const outcome: BeadsSyncOutcome = {
    transition,
    why,
    backend: undefined,
    changes: [],
    created: undefined,
    changed: false,
    commit: undefined,
    branch: undefined,
    attempts: 0,
    dryRun: inputs.dryRun,
    skipped: [],
    problem: undefined,
    notes: [],
  };

  if (transition !== undefined) {
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
    let repo: BeadsRepository | undefined;
    try {
      repo = await logGroup('Tracker', async () => {
        const found = await inspectRepository(workspace, inputs.path);
        core.info(found.detection.reason);
        return found;
      });
    } catch (error) {
      reportProblem(inputs, outcome, error);
    }
    if (repo) {
      // A value the repository's own settings refuse is the workflow's mistake, not a tracker problem.
      checkAgainstSettings(inputs, transition, repo);
      try {
        await logGroup(`Beads ${transition}`, () =>
          sync(inputs, transition!, markDeployed, eventName, event, repo!, outcome),
        );
      } catch (error) {
        reportProblem(inputs, outcome, error);
      }
    }
  } else {
    core.info(`Nothing to do: ${why}.`);
  }

  core.setOutput('tickets', ticketsOutput(outcome.changes));
  core.setOutput('created', outcome.created ?? '');
  core.setOutput('changed', String(outcome.changed));
  core.setOutput('commit', outcome.commit ?? '');
  core.setOutput('backend', outcome.backend ?? '');
  core.setOutput('transition', outcome.transition ?? 'none');
  await writeSummary(renderSummary(outcome));
  if (outcome.problem !== undefined && inputs.failOnError) process.exitCode = 1;
}

/**
 * A tracker problem never blocks a release: it becomes a warning (and the outputs say nothing
 * changed), unless fail-on-error asks for a failure.
 */
function reportProblem(inputs: BeadsSyncInputs, outcome: BeadsSyncOutcome, error: unknown): void {
  const message = errorMessage(error);
  outcome.problem = message;
  outcome.changed = false;
  outcome.commit = undefined;
  outcome.changes = outcome.changes.map((change) => ({
    ...change,
    changed: false,
    after: change.before ?? change.after,
  }));
  outcome.created = undefined;
  if (!isConfigurationError(error) && error instanceof Error && error.stack) core.debug(error.stack);
  if (inputs.failOnError) {
    core.error(message, { title: 'beads-sync: tracker not updated' });
  } else {
    core.warning(`${message} (The release goes on; set fail-on-error: true to fail the step instead.)`, {
      title: 'beads-sync: tracker not updated',
    });
  }
}

function checkAgainstSettings(inputs: BeadsSyncInputs, transition: BeadsSyncTransition, repo: BeadsRepository): void {
  if (transition !== 'create') return;
  const type = inputs.type ?? 'task';
  if (!isBeadsIssueType(type, repo.config.customTypes)) {
    throw new ConfigurationError(
      `Input "type" is ${JSON.stringify(type)}, which this tracker does not accept: use one of ` +
        `${[...BEADS_CORE_ISSUE_TYPES, ...repo.config.customTypes].join(', ')}, or add it to types.custom in .beads/config.yaml.`,
      'type',
    );
  }
}

function defaultCloseReason(context: HotfixContext, event: RunnerEvent): string | undefined {
  const release = context.tag ?? context.version;
  const deployment = event.deployment;
  const environment = event.deployment_status?.environment ?? deployment?.environment;
  if (release && environment) return `Fixed in ${release}, deployed to ${environment}`;
  if (release) return `Fixed in ${release}`;
  if (deployment && environment)
    return `Deployed ${deployment.ref ?? deployment.sha ?? ''} to ${environment}`.replace('  ', ' ');
  return undefined;
}

/** The branch the tracker commit goes to: sync-branch, else `sync.branch`, else the checked-out (or event's) branch. */
function targetBranch(inputs: BeadsSyncInputs, repo: BeadsRepository, event: RunnerEvent): string {
  if (inputs.syncBranch) return inputs.syncBranch;
  const configured = repo.config.syncBranch;
  if (configured !== undefined) {
    const problem = refNameProblem(configured);
    if (problem !== undefined) {
      throw new ConfigurationError(
        `sync.branch "${configured}" in .beads/config.yaml is not a valid branch name (${problem}).`,
        'sync-branch',
      );
    }
    return configured;
  }
  const candidates = [
    repo.currentBranch,
    event.pull_request?.base?.ref,
    process.env.GITHUB_BASE_REF,
    process.env.GITHUB_REF_TYPE === 'branch' ? process.env.GITHUB_REF_NAME : undefined,
    event.repository?.default_branch,
  ];
  const branch = candidates.find((name) => name !== undefined && name !== '' && refNameProblem(name) === undefined);
  if (branch === undefined) {
    throw new ConfigurationError(
      'Cannot tell which branch the tracker lives on (the checkout is on a detached HEAD): set sync-branch.',
      'sync-branch',
    );
  }
  return branch;
}

async function commitMessageOf(sha: string | undefined, repo: BeadsRepository): Promise<string> {
  if (!sha || !/^[0-9a-f]{40}$/.test(sha)) return '';
  const log = await repo.git.raw(['log', '-1', '--format=%B', sha], { okExitCodes: [0, 128] }).catch(() => undefined);
  return log?.exitCode === 0 ? log.stdout : '';
}

async function sync(
  inputs: BeadsSyncInputs,
  transition: BeadsSyncTransition,
  markDeployed: boolean,
  eventName: string,
  event: RunnerEvent,
  repo: BeadsRepository,
  outcome: BeadsSyncOutcome,
): Promise<void> {
  const { detection, config } = repo;
  const bdPath = inputs.backend === 'jsonl' ? undefined : await findOnPath('bd');
  let backend: 'jsonl' | 'bd';
  if (detection.mode === 'dolt') {
    if (bdPath === undefined) throw new ConfigurationError(beadsDoltRefusalMessage(detection), 'backend');
    backend = 'bd';
  } else if (inputs.backend === 'bd') {
    if (bdPath === undefined) {
      throw new ConfigurationError(
        'Input "backend" is bd, but there is no bd executable on PATH: install bd in an earlier step.',
        'backend',
      );
    }
    backend = 'bd';
  } else if (detection.mode === 'none') {
    throw new ConfigurationError(
      `${detection.reason} Point path at the tracker file (default .beads/issues.jsonl).`,
      'path',
    );
  } else {
    backend = 'jsonl';
  }
  outcome.backend = backend;

  // Tickets: the ones named, else those of the hotfix context and the event.
  let explicit: string[] = [];
  let candidates: string[] = [];
  if (transition !== 'create') {
    if (inputs.tickets.length > 0) {
      explicit = inputs.tickets;
    } else {
      const prefix = config.issuePrefix ?? 'bd';
      let prefixes: string[];
      try {
        prefixes = validateTicketPrefixes([prefix]);
      } catch {
        throw new ConfigurationError(
          `issue-prefix "${prefix}" in .beads/config.yaml cannot start a ticket id in a branch name: set ticket instead.`,
          'ticket',
        );
      }
      const sources: TicketSource[] = [
        ...inputs.context.tickets.map((id): TicketSource => ({ what: 'hotfix context', text: id, mentions: 'all' })),
        ...ticketSources(eventName, event, process.env),
      ];
      const commits = new Set([process.env.GITHUB_SHA, event.deployment?.sha]);
      for (const sha of commits) {
        const message = await commitMessageOf(sha, repo);
        if (message) sources.push({ what: 'commit', text: message, mentions: 'closing' });
      }
      candidates = ticketsFromSources(sources, { prefixes });
      core.info(
        candidates.length > 0 ? `Tickets named by the event: ${candidates.join(', ')}` : 'The event names no ticket.',
      );
    }
    if (explicit.length === 0 && candidates.length === 0) {
      if (inputs.transition === 'auto') {
        outcome.notes.push('the event names no ticket (set ticket to name one)');
        core.notice(
          `No ticket id in the ${eventName} event (branch, pull request title, closing keywords): nothing to do.`,
        );
        return;
      }
      throw new ConfigurationError(
        `No ticket to ${transition}: set ticket, or name the ticket in the branch (hotfix/bd-a1b2-…) or the pull request title.`,
        'ticket',
      );
    }
  }

  const settings: PlanSettings = {
    customStatuses: config.customStatuses,
    customTypes: config.customTypes,
    ...(config.issuePrefix ? { issuePrefix: config.issuePrefix } : {}),
    now: beadsTimestamp(new Date()),
    actor: process.env.GITHUB_ACTOR || 'github-actions[bot]',
  };
  const transitionRequest: TransitionRequest | undefined =
    transition === 'create'
      ? undefined
      : {
          transition,
          markDeployed,
          reason: inputs.reason ?? (transition === 'close' ? defaultCloseReason(inputs.context, event) : undefined),
          labels: inputs.labels,
          priority: inputs.priority,
          dependsOn: inputs.dependsOn,
          notes: inputs.notes,
        };
  const createRequest: CreateRequest | undefined =
    transition === 'create'
      ? {
          title: inputs.title!,
          description: inputs.description,
          type: inputs.type ?? 'task',
          priority: inputs.priority ?? 2,
          labels: inputs.labels,
          externalRef: inputs.externalRef,
          dependsOn: inputs.dependsOn,
          notes: inputs.notes,
        }
      : undefined;

  if (backend === 'bd') {
    const result = await syncWithBd({
      bd: bdPath!,
      cwd: repo.root,
      explicit,
      candidates,
      transition: transitionRequest,
      create: createRequest,
      settings,
      push: inputs.push,
      dryRun: inputs.dryRun,
      log: (message) => core.info(message),
    });
    outcome.changes = result.changes;
    outcome.created = result.created;
    outcome.changed = result.changed;
    outcome.skipped = result.skipped;
    outcome.attempts = 1;
    outcome.notes.push(`bd ${result.version}`);
    if (result.pushedWith) outcome.notes.push(`published with ${result.pushedWith}`);
    return;
  }

  const branch = inputs.push ? targetBranch(inputs, repo, event) : undefined;
  const result = await syncJsonl({
    repo,
    branch,
    push: inputs.push,
    dryRun: inputs.dryRun,
    maxAttempts: inputs.maxAttempts,
    plan: (doc) =>
      planJsonlEdits(doc, { explicit, candidates, transition: transitionRequest, create: createRequest, settings }),
    commitMessage: (plan) => commitMessage(transition, plan, eventName, outcome.why),
    tempRoot: process.env.RUNNER_TEMP || tmpdir(),
    log: (message) => core.info(message),
  });
  for (const change of result.plan.changes) {
    core.info(`${change.id}: ${change.changed ? change.details.join('; ') : 'already up to date'}.`);
  }
  outcome.changes = result.plan.changes;
  outcome.created = result.plan.created;
  outcome.changed = result.changed;
  outcome.commit = result.commit;
  outcome.branch = branch;
  outcome.attempts = result.attempts;
  outcome.skipped = result.plan.skipped;
  if (result.createdBranch && result.commit) outcome.notes.push(`created branch ${branch} from the checked-out commit`);
  if (result.checkoutUpdated) outcome.notes.push('the checkout was moved to the new commit');
  if (result.editedInPlace)
    outcome.notes.push(`${repo.relPath} edited in the checkout; push is false, so committing it is up to you`);
}

/** The tracker commit's message: the transition and tickets in the subject, each ticket's change below. */
export function commitMessage(transition: string, plan: JsonlPlan, eventName: string, why: string): string {
  const changed = plan.changes.filter((change) => change.changed);
  const ids = changed.map((change) => change.id);
  const shown = ids.length > 3 ? `${ids.slice(0, 3).join(', ')} and ${ids.length - 3} more` : ids.join(', ');
  const lines = [`beads: ${transition} ${shown}`, ''];
  for (const change of changed) {
    const title = change.title ? ` "${oneLine(change.title, 72)}"` : '';
    lines.push(`${change.id}${title}: ${change.before ?? 'new'} → ${change.after}`);
    for (const detail of change.details) lines.push(`  - ${oneLine(detail, 200)}`);
  }
  lines.push('', `Event: ${eventName || 'manual'} (${oneLine(why, 200)})`);
  const server = process.env.GITHUB_SERVER_URL;
  const repository = process.env.GITHUB_REPOSITORY;
  const runId = process.env.GITHUB_RUN_ID;
  if (server && repository && runId) lines.push(`Run: ${server}/${repository}/actions/runs/${runId}`);
  return `${lines.join('\n')}\n`;
}
