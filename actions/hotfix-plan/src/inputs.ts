import {
  ConfigurationError,
  DEFAULT_HOTFIX_BRANCH_PREFIX,
  DEFAULT_RELEASE_BRANCH_PATTERN,
  DEFAULT_TEST_FILE_PATTERNS,
  assertHotfixSeverity,
  assertRefName,
  assertTicketId,
  extractTicketIds,
  getBooleanInput,
  getIntegerInput,
  getListInput,
  getStringInput,
  hotfixBranchSlug,
  inputEnvName,
  requireReleaseLine,
  ticketIdFromBranch,
  validateHotfixBranchPrefix,
  validateReleaseBranchPattern,
  validateTagPrefix,
  validateTicketPrefixes,
  type HotfixSeverity,
  readRunnerEvent,
} from '@hotfix-actions/core';

/** Everything the action was asked to do, validated before any request is made. */
export interface HotfixPlanInputs {
  token: string;
  productionDown: boolean | undefined;
  severity: HotfixSeverity | undefined;
  /** Labels given or carried by the event; undefined when neither has any (a checked pull request's own then count). */
  labels: string[] | undefined;
  canWait: boolean | undefined;
  releaseBranch: string | undefined;
  releaseBranchPattern: string;
  trunk: string;
  tagPrefix: string;
  ticket: string | undefined;
  ticketPrefixes: string[];
  description: string | undefined;
  branchPrefix: string;
  check: boolean;
  enforce: boolean;
  /** The pull request to check (policy mode only). */
  pullNumber: number | undefined;
  testPatterns: string[];
}

interface EventLabel {
  name?: string;
}

interface RunnerEvent {
  issue?: { number?: number; title?: string; labels?: (EventLabel | string)[]; pull_request?: unknown };
  pull_request?: {
    number?: number;
    title?: string;
    labels?: (EventLabel | string)[];
    head?: { ref?: string };
  };
}

function labelNames(labels: (EventLabel | string)[] | undefined): string[] | undefined {
  if (!Array.isArray(labels)) return undefined;
  const names = labels
    .map((label) => (typeof label === 'string' ? label : label?.name))
    .filter((name): name is string => typeof name === 'string' && name.trim() !== '');
  return names.length > 0 ? names : undefined;
}

// Control characters have no place in a one-line description and are how log or output injection starts.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/;

function readDescription(): string | undefined {
  const description = getStringInput('description');
  if (description === undefined) return undefined;
  if (CONTROL.test(description)) {
    throw new ConfigurationError(
      'Input "description" must be one line of plain text for the branch name (such as "fix login"), but it ' +
        'contains a line break or another control character.',
      'description',
    );
  }
  if (hotfixBranchSlug(description) === '') {
    throw new ConfigurationError(
      `Input "description" must contain letters or digits (a-z, 0-9) to make a branch name from, such as ` +
        `"fix login", but ${JSON.stringify(description.length > 60 ? `${description.slice(0, 60)}…` : description)} ` +
        'has none. Leave it empty to name the branch after the ticket alone.',
      'description',
    );
  }
  return description;
}

function readOptionalSeverity(): HotfixSeverity | undefined {
  const text = getStringInput('severity');
  return text === undefined ? undefined : assertHotfixSeverity(text, 'severity');
}

/** Reads and validates the inputs; a mistake throws a ConfigurationError naming the input. */
export function readInputs(): HotfixPlanInputs {
  const event = readRunnerEvent<RunnerEvent>();
  const pr = event.pull_request;
  const issue = event.issue;

  const token = getStringInput('token', { required: true, secret: true });
  const productionDown = getBooleanInput('production-down');
  const severity = readOptionalSeverity();
  const canWait = getBooleanInput('can-wait');

  const releaseBranchPattern = validateReleaseBranchPattern(
    getStringInput('release-branch-pattern', { default: DEFAULT_RELEASE_BRANCH_PATTERN }),
  );
  const releaseBranch = getStringInput('release-branch');
  if (releaseBranch !== undefined) requireReleaseLine(releaseBranch, 'release-branch', releaseBranchPattern);
  const trunk = assertRefName(getStringInput('trunk', { default: 'main' }), 'trunk');
  if (releaseBranch !== undefined && releaseBranch === trunk) {
    throw new ConfigurationError(
      `Inputs "release-branch" and "trunk" both name ${trunk}: the release branch is where production versions ` +
        'are fixed (release/v1.2), the trunk where features land (main).',
      'release-branch',
    );
  }
  // An explicitly empty tag-prefix means tags without a prefix (1.2.3), so blank is not "unset" here.
  const tagPrefix = validateTagPrefix((process.env[inputEnvName('tag-prefix')] ?? 'v').trim());
  const ticketPrefixes = validateTicketPrefixes(getListInput('ticket-prefix', { default: ['bd'] }), 'ticket-prefix');
  const ticketOptions = { prefixes: ticketPrefixes };

  const givenTicket = getStringInput('ticket');
  const ticket =
    givenTicket !== undefined
      ? assertTicketId(givenTicket, 'ticket', ticketOptions)
      : ((pr?.head?.ref ? ticketIdFromBranch(pr.head.ref, ticketOptions) : undefined) ??
        extractTicketIds(pr?.title ?? issue?.title ?? '', ticketOptions)[0]);

  let description = readDescription();
  // The issue's title is only a default: when it gives no usable words the branch is named after the ticket.
  if (description === undefined && issue?.title !== undefined && issue.pull_request === undefined) {
    description = hotfixBranchSlug(issue.title) === '' ? undefined : issue.title;
  }

  const check = getBooleanInput('check', { default: false });
  const givenPull = getIntegerInput('pull-request', { min: 1 });
  const eventPull =
    pr?.number ?? (issue?.pull_request !== undefined && issue.number !== undefined ? issue.number : undefined);
  const pullNumber = check ? (givenPull ?? eventPull) : undefined;
  if (check && pullNumber === undefined) {
    throw new ConfigurationError(
      `Input "check" is true, but the run was started by a ${process.env.GITHUB_EVENT_NAME ?? 'non-pull-request'} ` +
        'event without a pull request: run the check on `pull_request` events, or set input "pull-request" to ' +
        'the number of the pull request to check.',
      'check',
    );
  }
  const testPatterns = getListInput('test-patterns', { default: [...DEFAULT_TEST_FILE_PATTERNS] });

  return {
    token,
    productionDown,
    severity,
    labels: getListInput('labels') ?? labelNames(pr?.labels) ?? labelNames(issue?.labels),
    canWait,
    releaseBranch,
    releaseBranchPattern,
    trunk,
    tagPrefix,
    ticket,
    ticketPrefixes,
    description,
    branchPrefix: validateHotfixBranchPrefix(
      getStringInput('branch-prefix', { default: DEFAULT_HOTFIX_BRANCH_PREFIX }),
      'branch-prefix',
    ),
    check,
    enforce: getBooleanInput('enforce', { default: false }),
    pullNumber,
    testPatterns,
  };
}
