import {
  ConfigurationError,
  DEFAULT_RELEASE_BRANCH_PATTERN,
  assertRefName,
  assertTicketId,
  getBooleanInput,
  getEnumInput,
  getListInput,
  getStringInput,
  refNameProblem,
  validateReleaseBranchPattern,
  validateTicketPrefixes,
  readRunnerEvent,
} from '@hotfix-actions/core';

/** How the fix reaches each target. */
export type BackmergeStrategy = 'merge' | 'cherry-pick';

/** The strategies, for the enum input. */
export const BACKMERGE_STRATEGIES: readonly BackmergeStrategy[] = ['merge', 'cherry-pick'];

/** Who is asked to review a back-merge pull request. */
export interface ReviewerRequest {
  /** User logins. */
  users: string[];
  /** Team slugs of the repository's organisation. */
  teams: string[];
}

/** Everything the action was asked to do, validated. */
export interface BackmergeInputs {
  token: string;
  /** The branch the fix landed on. */
  source: string;
  /** Target branches as given; undefined means "every newer release line, then the trunk". */
  targets: string[] | undefined;
  trunk: string;
  releaseBranchPattern: string;
  strategy: BackmergeStrategy;
  /** Commits to cherry-pick as given (full SHAs); undefined means "the triggering pull request's". */
  commits: string[] | undefined;
  /** The ticket given; undefined means "found in the event or the commits". */
  ticket: string | undefined;
  ticketPrefixes: string[];
  branchPrefix: string;
  labels: string[];
  reviewers: ReviewerRequest;
  conflictLabel: string;
  draftOnConflict: boolean;
  autoMerge: boolean;
  directPush: boolean;
  failOnConflict: boolean;
  dryRun: boolean;
  /** Text of the triggering event (PR title, body, head branch, commit messages) to find the ticket in. */
  eventText: string;
  /** The triggering pull request's number, when the run was started by one. */
  pullNumber: number | undefined;
  /** Commits of a triggering push (oldest first), for the cherry-pick default outside pull requests. */
  pushedCommits: string[];
}

interface RunnerEvent {
  number?: number;
  pull_request?: {
    number?: number;
    title?: string;
    body?: string | null;
    head?: { ref?: string };
  };
  head_commit?: { id?: string; message?: string } | null;
  commits?: { id?: string; message?: string }[];
}

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const LOGIN = /^@?[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const TEAM = /^@?([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})\/([A-Za-z0-9][A-Za-z0-9._-]{0,99})$/;
// GitHub refuses label names over 50 characters; control characters have no business in one.
// eslint-disable-next-line no-control-regex
const LABEL_BAD = /[\u0000-\u001f\u007f]/;

function stripHeads(branch: string): string {
  return branch.startsWith('refs/heads/') ? branch.slice('refs/heads/'.length) : branch;
}

/** A branch input: `refs/heads/` is tolerated, tags and other refs are not. */
function branchInput(value: string, input: string): string {
  if (value.startsWith('refs/') && !value.startsWith('refs/heads/')) {
    throw new ConfigurationError(
      `Input "${input}" must be a branch, but ${JSON.stringify(value)} is another kind of ref. ` +
        'Give a branch name such as release/v1.2 or main.',
      input,
    );
  }
  return assertRefName(stripHeads(value), input);
}

function validateLabel(label: string, input: string): string {
  if (label.length > 50 || LABEL_BAD.test(label)) {
    throw new ConfigurationError(
      `Input "${input}" must name labels of at most 50 characters without control characters, ` +
        `but got ${JSON.stringify(label.slice(0, 60))}.`,
      input,
    );
  }
  return label;
}

function parseReviewers(items: string[]): ReviewerRequest {
  const users: string[] = [];
  const teams: string[] = [];
  for (const item of items) {
    const team = TEAM.exec(item);
    if (team) {
      teams.push(team[2]!);
    } else if (LOGIN.test(item)) {
      users.push(item.replace(/^@/, ''));
    } else {
      throw new ConfigurationError(
        `Input "reviewers" must list GitHub logins (octocat) or teams (my-org/release-team), ` +
          `but ${JSON.stringify(item.slice(0, 60))} is neither.`,
        'reviewers',
      );
    }
  }
  return { users: [...new Set(users)], teams: [...new Set(teams)] };
}

function validateBranchPrefix(prefix: string): string {
  const problem = prefix.includes('*') ? 'it contains "*"' : refNameProblem(`${prefix}bd-a1b2-to-main`);
  if (problem !== undefined) {
    throw new ConfigurationError(
      `Input "branch-prefix" must start valid branch names, such as "backmerge/" or "forward-port-", ` +
        `but ${JSON.stringify(prefix)} does not: ${problem}.`,
      'branch-prefix',
    );
  }
  return prefix;
}

/** The branch the run is about: a pull request's base, else the pushed branch; undefined for tags. */
function defaultSource(event: RunnerEvent): string | undefined {
  if (event.pull_request && process.env.GITHUB_BASE_REF) return process.env.GITHUB_BASE_REF;
  const ref = process.env.GITHUB_REF ?? '';
  if (ref.startsWith('refs/heads/')) return ref.slice('refs/heads/'.length);
  if (ref === '' && process.env.GITHUB_REF_NAME) return process.env.GITHUB_REF_NAME;
  return undefined;
}

/** Reads and validates the inputs; a mistake throws a ConfigurationError naming the input. */
export function readInputs(): BackmergeInputs {
  const event = readRunnerEvent<RunnerEvent>();
  const token = getStringInput('token', { secret: true });
  if (token === undefined) {
    throw new ConfigurationError(
      'Input "token" is required: keep the default ${{ github.token }} and grant the job ' +
        '`permissions: contents: write, pull-requests: write`.',
      'token',
    );
  }

  const sourceText = getStringInput('source') ?? defaultSource(event);
  if (sourceText === undefined) {
    throw new ConfigurationError(
      'Input "source" is required when the run is not on a branch (a tag or a detached ref): set it to the ' +
        'branch the hotfix landed on, such as release/v1.2.',
      'source',
    );
  }
  const source = branchInput(sourceText, 'source');
  const trunk = branchInput(getStringInput('trunk', { default: 'main' }), 'trunk');
  const releaseBranchPattern = validateReleaseBranchPattern(
    getStringInput('release-branch-pattern', { default: DEFAULT_RELEASE_BRANCH_PATTERN }),
  );

  const targetList = getListInput('targets', { unique: true });
  const targets = targetList?.map((target) => branchInput(target, 'targets'));
  if (targets?.includes(source)) {
    throw new ConfigurationError(
      `Input "targets" lists the source branch ${source} itself; list only the branches the fix must reach.`,
      'targets',
    );
  }

  const strategy = getEnumInput('strategy', BACKMERGE_STRATEGIES, { default: 'merge' });
  const commitList = getListInput('commits', { unique: true });
  const commits = commitList?.map((commit) => {
    const sha = commit.toLowerCase();
    if (!SHA.test(sha)) {
      throw new ConfigurationError(
        `Input "commits" must list full commit SHAs (40 hexadecimal characters), but ` +
          `${JSON.stringify(commit.slice(0, 80))} is not one.`,
        'commits',
      );
    }
    return sha;
  });
  if (commits !== undefined && strategy !== 'cherry-pick') {
    throw new ConfigurationError(
      'Input "commits" is only used with `strategy: cherry-pick`; the merge strategy merges the whole source ' +
        'branch. Remove it, or set strategy to cherry-pick.',
      'commits',
    );
  }

  const ticketPrefixes = validateTicketPrefixes(getListInput('ticket-prefix', { default: ['bd'] }), 'ticket-prefix');
  const ticketText = getStringInput('ticket');
  const ticket =
    ticketText === undefined ? undefined : assertTicketId(ticketText, 'ticket', { prefixes: ticketPrefixes });

  const labels = (getListInput('labels', { unique: true }) ?? []).map((label) => validateLabel(label, 'labels'));
  const conflictLabel = validateLabel(
    getStringInput('conflict-label', { default: 'backmerge-conflict' }),
    'conflict-label',
  );
  const reviewers = parseReviewers(getListInput('reviewers', { unique: true }) ?? []);

  const pr = event.pull_request;
  const pullNumber = pr?.number ?? (pr ? event.number : undefined);
  const eventText = [
    pr?.title,
    pr?.body,
    pr?.head?.ref,
    event.head_commit?.message,
    ...(event.commits ?? []).map((commit) => commit.message),
  ]
    .filter((text): text is string => typeof text === 'string')
    .join('\n');
  const pushedCommits = (event.commits ?? [])
    .map((commit) => (typeof commit.id === 'string' ? commit.id.toLowerCase() : ''))
    .filter((id) => SHA.test(id));

  return {
    token,
    source,
    targets,
    trunk,
    releaseBranchPattern,
    strategy,
    commits,
    ticket,
    ticketPrefixes,
    branchPrefix: validateBranchPrefix(getStringInput('branch-prefix', { default: 'backmerge/' })),
    labels,
    reviewers,
    conflictLabel,
    draftOnConflict: getBooleanInput('draft-on-conflict', { default: true }),
    autoMerge: getBooleanInput('auto-merge', { default: false }),
    directPush: getBooleanInput('direct-push', { default: false }),
    failOnConflict: getBooleanInput('fail-on-conflict', { default: false }),
    dryRun: getBooleanInput('dry-run', { default: false }),
    eventText,
    pullNumber: typeof pullNumber === 'number' && Number.isSafeInteger(pullNumber) ? pullNumber : undefined,
    pushedCommits,
  };
}
