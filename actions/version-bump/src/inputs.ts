import {
  ConfigurationError,
  DEFAULT_RELEASE_BRANCH_PATTERN,
  VERSION_SCHEMES,
  assertRefName,
  getBooleanInput,
  getEnumInput,
  getIntegerInput,
  getListInput,
  getStringInput,
  inputEnvName,
  parseReleaseLine,
  parseReleaseLineText,
  validateReleaseBranchPattern,
  validateTagPrefix,
  validateTicketPrefixes,
  type ReleaseLine,
  type VersionScheme,
  readRunnerEvent,
} from '@hotfix-actions/core';

/** Everything the action was asked to do, validated. */
export interface VersionBumpInputs {
  token: string | undefined;
  branch: string;
  sha: string;
  /** The release line, or undefined when the branch is the trunk. */
  line: ReleaseLine | undefined;
  tagPrefix: string;
  scheme: VersionScheme;
  method: 'api' | 'git';
  annotated: boolean;
  createRelease: boolean;
  ticketPrefixes: string[];
  maxAttempts: number;
  dryRun: boolean;
  /** Text of the triggering event (PR title/body, commit messages) to find tickets in. */
  eventText: string;
}

interface RunnerEvent {
  pull_request?: {
    merged?: boolean;
    merge_commit_sha?: string | null;
    title?: string;
    body?: string | null;
    head?: { ref?: string };
  };
  head_commit?: { message?: string } | null;
  commits?: { message?: string }[];
}

/** Reads and validates the inputs; a mistake throws a ConfigurationError naming the input. */
export function readInputs(): VersionBumpInputs {
  const event = readRunnerEvent<RunnerEvent>();
  const pr = event.pull_request;
  // On a merged pull request the run's ref is refs/pull/N/merge: the branch is the PR's base
  // and the commit is the merge commit.
  const defaultBranch = pr ? process.env.GITHUB_BASE_REF : process.env.GITHUB_REF_NAME;
  const defaultSha = pr?.merged && pr.merge_commit_sha ? pr.merge_commit_sha : process.env.GITHUB_SHA;

  const branch = getStringInput('branch') ?? defaultBranch;
  if (!branch) {
    throw new ConfigurationError(
      'Input "branch" is required when the run has no ref name: set it to a branch such as release/v1.2.',
      'branch',
    );
  }
  assertRefName(branch, 'branch');

  const sha = (getStringInput('sha') ?? defaultSha ?? '').toLowerCase();
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(sha)) {
    throw new ConfigurationError(
      `Input "sha" must be a full commit SHA (40 hexadecimal characters), but got ${JSON.stringify(sha)}. ` +
        "Leave it empty to use the run's commit.",
      'sha',
    );
  }

  const pattern = validateReleaseBranchPattern(
    getStringInput('release-branch-pattern', { default: DEFAULT_RELEASE_BRANCH_PATTERN }),
  );
  const lineText = getStringInput('line');
  const line = lineText !== undefined ? parseReleaseLineText(lineText, 'line') : parseReleaseLine(branch, pattern);
  const method = getEnumInput('method', ['api', 'git'] as const, { default: 'api' });
  const createRelease = getBooleanInput('create-release', { default: false });
  const token = getStringInput('token');
  if ((method === 'api' || createRelease) && token === undefined) {
    throw new ConfigurationError(
      `Input "token" is required with method "api" or create-release: keep the default \${{ github.token }} ` +
        'and grant the job `permissions: contents: write`.',
      'token',
    );
  }
  const eventText = [
    pr?.title,
    pr?.body,
    pr?.head?.ref,
    event.head_commit?.message,
    ...(event.commits ?? []).map((c) => c.message),
  ]
    .filter((text): text is string => typeof text === 'string')
    .join('\n');

  return {
    token,
    branch,
    sha,
    line,
    // An explicitly empty tag-prefix means tags without a prefix (1.2.4), so blank is not "unset" here.
    tagPrefix: validateTagPrefix((process.env[inputEnvName('tag-prefix')] ?? 'v').trim()),
    scheme: getEnumInput('scheme', VERSION_SCHEMES, { default: 'patch' }),
    method,
    annotated: getBooleanInput('annotated', { default: true }),
    createRelease,
    ticketPrefixes: validateTicketPrefixes(getListInput('ticket-prefix', { default: ['bd'] }), 'ticket-prefix'),
    maxAttempts: getIntegerInput('max-attempts', { default: 10, min: 1, max: 100 }),
    dryRun: getBooleanInput('dry-run', { default: false }),
    eventText,
  };
}
