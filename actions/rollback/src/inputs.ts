import {
  ConfigurationError,
  assertRefName,
  compareHotfixVersions,
  getBooleanInput,
  getDurationInput,
  getEnumInput,
  getIntegerInput,
  getListInput,
  getStringInput,
  getUrlInput,
  inputEnvName,
  isBeadsIssueId,
  parseReleaseLineText,
  readRawInput,
  validateTagPrefix,
  type ReleaseLine,
  type VersionTag,
} from '@hotfix-actions/core';
import { parseRollbackVersionTag } from '@hotfix-actions/core';

/** How the rollback reaches the last good version. */
export type RollbackMode = 'redeploy' | 'revert';

/** Everything the plan phase was asked to do, validated. The deploy command itself is never kept. */
export interface RollbackInputs {
  token: string;
  environment: string;
  /** Whether a deploy command was given: the plan only checks that there is one, it never reads it. */
  hasDeployCommand: boolean;
  to: VersionTag | undefined;
  from: VersionTag | undefined;
  fromDeployment: number | undefined;
  line: ReleaseLine | undefined;
  skip: VersionTag[];
  escalate: boolean;
  tagPrefix: string;
  mode: RollbackMode;
  branch: string | undefined;
  revertCommit: string | undefined;
  healthUrl: URL | undefined;
  ticket: string | undefined;
  createRegressionTicket: boolean;
  dryRun: boolean;
}

// GitHub refuses environment names longer than 255 characters; control characters would break logs.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Checks an environment name (as GitHub accepts them: up to 255 characters, one line). */
export function validateEnvironmentName(name: string, input = 'environment'): string {
  if (name.length === 0 || name.length > 255 || CONTROL.test(name)) {
    throw new ConfigurationError(
      `Input "${input}" must be the name of a GitHub environment such as production or staging ` +
        `(one line, at most 255 characters), but got ${JSON.stringify(name.slice(0, 200))}.`,
      input,
    );
  }
  return name;
}

function readCommit(input: string): string | undefined {
  const text = getStringInput(input);
  if (text === undefined) return undefined;
  const sha = text.toLowerCase();
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(sha)) {
    throw new ConfigurationError(
      `Input "${input}" must be a full commit SHA (40 hexadecimal characters), but got ${JSON.stringify(text.slice(0, 100))}.`,
      input,
    );
  }
  return sha;
}

/** Reads and validates the inputs of the plan phase; a mistake throws a ConfigurationError naming the input. */
export function readInputs(): RollbackInputs {
  const token = getStringInput('token', { required: true });
  const environment = validateEnvironmentName(getStringInput('environment', { default: 'production' }));
  // An explicitly empty prefix means tags without one (1.5.0), so blank is not "unset" here.
  const tagPrefix = validateTagPrefix((process.env[inputEnvName('tag-prefix')] ?? 'v').trim());
  const dryRun = getBooleanInput('dry-run', { default: false });
  // Only its presence matters here: the command is run by the composite's own shell step.
  const hasDeployCommand = readRawInput('deploy-command', false) !== undefined;
  if (!hasDeployCommand && !dryRun) {
    throw new ConfigurationError(
      'Input "deploy-command" is required: give the command that deploys a version, for example ' +
        '`./deploy.sh "$ROLLBACK_TAG"` (it gets ROLLBACK_VERSION, ROLLBACK_TAG and ROLLBACK_SHA), or set dry-run.',
      'deploy-command',
    );
  }

  const toText = getStringInput('to');
  const fromText = getStringInput('from');
  const lineText = getStringInput('line');
  const skip = (getListInput('skip', { unique: true }) ?? []).map((item) =>
    parseRollbackVersionTag(item, tagPrefix, 'skip'),
  );
  const to = toText === undefined ? undefined : parseRollbackVersionTag(toText, tagPrefix, 'to');
  if (to !== undefined) assertRefName(to.tag, 'to');
  if (to !== undefined && skip.some((tag) => compareHotfixVersions(tag.version, to.version) === 0)) {
    throw new ConfigurationError(
      `Input "to" names ${to.tag}, which input "skip" lists as bad: change one of them.`,
      'to',
    );
  }

  const mode = getEnumInput('mode', ['redeploy', 'revert'] as const, { default: 'redeploy' });
  const branch = getStringInput('branch');
  if (branch !== undefined) assertRefName(branch, 'branch');
  const revertCommit = readCommit('revert-commit');
  if (mode === 'revert' && to !== undefined) {
    throw new ConfigurationError(
      'Input "to" cannot be used with mode "revert": the target is the new patch tag made on the revert. ' +
        'Use mode "redeploy" to deploy an existing tag.',
      'to',
    );
  }

  const ticket = getStringInput('ticket');
  if (ticket !== undefined && !isBeadsIssueId(ticket)) {
    throw new ConfigurationError(
      `Input "ticket" must be a Beads issue id such as bd-a1b2 (<prefix>-<hash>), but got ${JSON.stringify(ticket.slice(0, 100))}.`,
      'ticket',
    );
  }
  const healthUrl = getUrlInput('health-url');
  // The health check step reads these itself; checking them here stops a typo before anything is deployed.
  getDurationInput('health-interval', { default: 10_000, min: 0, max: 3_600_000 });
  getDurationInput('health-timeout', { default: 300_000, min: 1, max: 6 * 3_600_000 });
  getIntegerInput('health-successes', { default: 3, min: 1, max: 1000 });

  return {
    token,
    environment,
    hasDeployCommand,
    to,
    from: fromText === undefined ? undefined : parseRollbackVersionTag(fromText, tagPrefix, 'from'),
    fromDeployment: getIntegerInput('from-deployment', { min: 1 }),
    line: lineText === undefined ? undefined : parseReleaseLineText(lineText, 'line'),
    skip,
    escalate: getBooleanInput('escalate', { default: false }),
    tagPrefix,
    mode,
    branch,
    revertCommit,
    healthUrl,
    ticket,
    createRegressionTicket: getBooleanInput('create-regression-ticket', { default: true }),
    dryRun,
  };
}
