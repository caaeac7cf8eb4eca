import semver from 'semver';
import type { SemVer } from 'semver';
import { ConfigurationError } from './errors.js';
import { refNameProblem } from './refname.js';
import {
  compareHotfixVersions,
  formatVersionTag,
  isReleaseVersion,
  isVersionOfLine,
  parseVersionTag,
  type ReleaseLine,
  type VersionTag,
} from './versions.js';

/** The `task` of the deployments a rollback creates, so that later runs can tell them apart. */
export const ROLLBACK_TASK = 'rollback';

/** The longest description GitHub accepts on a deployment or deployment status. */
export const DEPLOYMENT_DESCRIPTION_LIMIT = 140;

/** A deployment as the rollback decisions see it (the fields of GitHub's deployment object they use). */
export interface RollbackDeploymentRecord {
  /** GitHub's deployment id; ids grow with time, so a higher id is a newer deployment. */
  id: number;
  /** The ref that was deployed: a tag (`v1.5.0`), a branch or a SHA. */
  ref: string;
  /** The commit GitHub resolved the ref to when the deployment was created. */
  sha: string;
  /** `deploy` for ordinary deployments, {@link ROLLBACK_TASK} for those a rollback made. */
  task: string;
  /** ISO 8601 creation time. */
  createdAt: string;
  /** The deployment's payload (an object, a JSON string or nothing). */
  payload?: unknown;
  /** The states of its statuses, newest first; undefined when they were not read. */
  states?: readonly string[];
}

/**
 * What a deployment's statuses say about the version it deployed: `good` (verified: it reached
 * `success`), `bad` (`failure` or `error`), `pending` (queued, pending or in progress) or `unknown`
 * (no status, or statuses not read).
 */
export type DeploymentVerdict = 'good' | 'bad' | 'pending' | 'unknown';

/**
 * Judges a deployment from its status states, newest first. The newest state decides, except that
 * `inactive` is skipped: GitHub's `auto_inactive` marks a superseded *successful* deployment of a
 * non-production environment inactive, so `inactive` after `success` still means verified good.
 */
export function deploymentVerdict(statesNewestFirst: readonly string[] | undefined): DeploymentVerdict {
  if (statesNewestFirst === undefined) return 'unknown';
  const decisive = statesNewestFirst.find((state) => state !== 'inactive');
  switch (decisive) {
    case 'success':
      return 'good';
    case 'failure':
    case 'error':
      return 'bad';
    case 'queued':
    case 'pending':
    case 'in_progress':
      return 'pending';
    default:
      return 'unknown';
  }
}

function payloadObject(payload: unknown): Record<string, unknown> | undefined {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * The version tag a deployment shipped: its ref when that is a version tag (`v1.5.0`,
 * `refs/tags/v1.5.0`), else the payload's `tag`, else the payload's `version` with `prefix`.
 * Undefined for a deployment of a branch or a bare SHA: it says nothing about a version.
 */
export function deploymentVersionTag(deployment: RollbackDeploymentRecord, prefix: string): VersionTag | undefined {
  const fromRef = parseVersionTag(deployment.ref, prefix);
  if (fromRef !== undefined) return { tag: deployment.ref.replace(/^refs\/tags\//, ''), version: fromRef };
  const payload = payloadObject(deployment.payload);
  const tag = payload?.tag;
  if (typeof tag === 'string') {
    const version = parseVersionTag(tag, prefix);
    if (version !== undefined) return { tag: tag.replace(/^refs\/tags\//, ''), version };
  }
  const text = payload?.version;
  if (typeof text === 'string') {
    const version = semver.parse(text.trim());
    if (version !== null && /^\d/.test(text.trim())) return { tag: formatVersionTag(version, prefix), version };
  }
  return undefined;
}

/** The id of the deployment a rollback deployment rolled back from (its payload's `rollback_of`), if any. */
export function rolledBackDeploymentId(deployment: RollbackDeploymentRecord): number | undefined {
  const value = payloadObject(deployment.payload)?.rollback_of;
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** The workflow run a rollback deployment is made by, as the runner names it. */
export interface RollbackRunIdentity {
  /** `GITHUB_RUN_ID`. */
  runId?: string | undefined;
  /** `GITHUB_RUN_ATTEMPT`. */
  runAttempt?: string | undefined;
  /** `GITHUB_JOB`. */
  job?: string | undefined;
}

/**
 * The idempotency key of the rollback deployment one job attempt makes to `tag`, stored in the
 * deployment's payload as `rollback_key`; undefined outside a workflow run (no run id).
 */
export function rollbackDeploymentKey(run: RollbackRunIdentity, tag: string): string | undefined {
  if (!run.runId) return undefined;
  return `${run.runId}/${run.runAttempt || '1'}/${run.job ?? ''}/${tag}`;
}

/** The newest deployment whose payload carries `rollback_key` equal to `key`, if any. */
export function findDeploymentByKey(
  deployments: readonly RollbackDeploymentRecord[],
  key: string,
): RollbackDeploymentRecord | undefined {
  return newestFirst(deployments).find((deployment) => payloadObject(deployment.payload)?.rollback_key === key);
}

function newestFirst(deployments: readonly RollbackDeploymentRecord[]): RollbackDeploymentRecord[] {
  return [...deployments].sort((a, b) => b.id - a.id);
}

function sameVersion(a: SemVer, b: SemVer): boolean {
  return compareHotfixVersions(a, b) === 0;
}

/** How {@link findFailingDeployment} identifies the failing deployment. */
export interface FailingDeploymentQuery {
  /** An explicit deployment id (the `from-deployment` input). */
  id?: number;
  /** An explicit failing tag (the `from` input): its newest deployment. */
  fromTag?: VersionTag;
  /**
   * The version running now is broken too (the seed's escalation): a successful rollback
   * deployment counts as failing instead of being read as an earlier rollback being re-run.
   */
  escalate?: boolean;
  prefix: string;
}

/** The failing deployment and how it was found. */
export interface FailingDeploymentChoice {
  deployment: RollbackDeploymentRecord | undefined;
  /**
   * `id` / `from`: as asked; `current`: the environment's newest deployment; `rolled-back-from`: the
   * newest deployment is a rollback, so this run repeats it and the failing one is what it rolled back.
   */
  reason: 'id' | 'from' | 'current' | 'rolled-back-from' | 'none';
}

/**
 * Finds the deployment being rolled back. Explicit `id` or `fromTag` win. Otherwise it is the
 * environment's newest deployment — unless that is itself a rollback (task {@link ROLLBACK_TASK})
 * and `escalate` is off: then this run repeats that rollback (a re-run of the job), and the failing
 * deployment is the one it rolled back, so that a re-run after success finds itself already there.
 */
export function findFailingDeployment(
  deployments: readonly RollbackDeploymentRecord[],
  query: FailingDeploymentQuery,
): FailingDeploymentChoice {
  const ordered = newestFirst(deployments);
  if (query.id !== undefined) {
    return { deployment: ordered.find((deployment) => deployment.id === query.id), reason: 'id' };
  }
  if (query.fromTag !== undefined) {
    const wanted = query.fromTag.version;
    const deployment = ordered.find((one) => {
      const shipped = deploymentVersionTag(one, query.prefix);
      return shipped !== undefined && sameVersion(shipped.version, wanted);
    });
    return { deployment, reason: 'from' };
  }
  const current = ordered[0];
  if (current === undefined) return { deployment: undefined, reason: 'none' };
  if (current.task !== ROLLBACK_TASK || query.escalate === true) return { deployment: current, reason: 'current' };
  const origin = rolledBackDeploymentId(current);
  const rolledBack =
    (origin !== undefined ? ordered.find((deployment) => deployment.id === origin) : undefined) ??
    ordered.find((deployment) => deployment.id < current.id && deployment.task !== ROLLBACK_TASK);
  return rolledBack
    ? { deployment: rolledBack, reason: 'rolled-back-from' }
    : { deployment: current, reason: 'current' };
}

/** What rules out a version as a rollback target. */
export interface RollbackExclusions {
  /** The failing deployment: only older deployments are candidates, and never its commit. */
  failing?: RollbackDeploymentRecord;
  /** The failing version: never a target. */
  failingVersion?: SemVer;
  /** Versions known to be bad (the `skip` input). */
  skip?: readonly SemVer[];
  /** Only versions of this release line (the `line` input). */
  line?: ReleaseLine;
  prefix: string;
}

/** A deployment that may be rolled back to, once its statuses show it was verified good. */
export interface DeploymentCandidate {
  deployment: RollbackDeploymentRecord;
  tag: VersionTag;
}

function excluded(version: SemVer, exclusions: RollbackExclusions): boolean {
  if (!isReleaseVersion(version)) return true;
  if (exclusions.failingVersion !== undefined && sameVersion(version, exclusions.failingVersion)) return true;
  if (exclusions.skip?.some((skipped) => sameVersion(skipped, version))) return true;
  if (exclusions.line !== undefined && !isVersionOfLine(version, exclusions.line)) return true;
  return false;
}

/**
 * The deployments that could be the last good version, newest first, judged on what the listing
 * says (statuses are checked afterwards, see {@link deploymentVerdict}): older than the failing
 * deployment, of a known release version, not the failing version or its commit, not skipped, and
 * of `line` when one is given.
 */
export function deploymentCandidates(
  deployments: readonly RollbackDeploymentRecord[],
  exclusions: RollbackExclusions,
): DeploymentCandidate[] {
  const { failing } = exclusions;
  const candidates: DeploymentCandidate[] = [];
  for (const deployment of newestFirst(deployments)) {
    if (failing !== undefined && (deployment.id >= failing.id || deployment.sha === failing.sha)) continue;
    const tag = deploymentVersionTag(deployment, exclusions.prefix);
    if (tag === undefined || excluded(tag.version, exclusions)) continue;
    candidates.push({ deployment, tag });
  }
  return candidates;
}

/**
 * The fallback when no deployment was verified good: release tags below the failing version
 * (the previous tag first), without skipped versions and, when `line` is given, of that line only.
 * Without a failing version there is no "previous" and the list is empty.
 */
export function previousVersionTags(tags: Iterable<string>, exclusions: RollbackExclusions): VersionTag[] {
  const below = exclusions.failingVersion;
  if (below === undefined) return [];
  const found: VersionTag[] = [];
  for (const name of tags) {
    const version = parseVersionTag(name, exclusions.prefix);
    if (version === undefined || excluded(version, exclusions)) continue;
    if (compareHotfixVersions(version, below) >= 0) continue;
    found.push({ tag: name.replace(/^refs\/tags\//, ''), version });
  }
  return found.sort((a, b) => compareHotfixVersions(b.version, a.version));
}

/** Where a rollback target came from, for outputs and the summary. */
export type RollbackTargetSource = 'explicit' | 'deployment' | 'previous-tag' | 'revert';

/** A version to roll back to. */
export interface RollbackTarget {
  tag: string;
  version: SemVer;
  source: RollbackTargetSource;
  /** For `deployment`: the deployment that verified it. */
  deploymentId?: number;
  /** For `deployment`: the commit that deployment shipped. */
  sha?: string;
}

/** What {@link chooseRollbackTarget} decides between. */
export interface RollbackChoiceInput {
  /** An explicit target (the `to` input): it wins. */
  explicit?: VersionTag;
  /** Deployments verified good, newest first (see {@link deploymentCandidates} and {@link deploymentVerdict}). */
  verified: readonly DeploymentCandidate[];
  /** Previous tags, highest first (see {@link previousVersionTags}). */
  previousTags: readonly VersionTag[];
}

/** The target and, for the summary, where to go if the target turns out broken too. */
export interface RollbackChoice {
  target: RollbackTarget | undefined;
  /** The seed's escalation: the version before the target (v1.4.0 when v1.5.0 is broken too). */
  escalation: RollbackTarget | undefined;
}

/**
 * Chooses the rollback target: an explicit one wins; otherwise the newest deployment verified good;
 * otherwise the previous tag. Tags that no deployment verified only come after every verified
 * version, and only when lower than all of them. The escalation is the next distinct version after
 * the target in that same order (for an explicit target: the first lower one).
 */
export function chooseRollbackTarget(input: RollbackChoiceInput): RollbackChoice {
  const ordered: RollbackTarget[] = [];
  const seen = (version: SemVer) => ordered.some((entry) => sameVersion(entry.version, version));
  for (const { deployment, tag } of input.verified) {
    if (seen(tag.version)) continue;
    ordered.push({
      tag: tag.tag,
      version: tag.version,
      source: 'deployment',
      deploymentId: deployment.id,
      sha: deployment.sha,
    });
  }
  const lowestVerified = ordered.reduce<SemVer | undefined>(
    (lowest, entry) =>
      lowest === undefined || compareHotfixVersions(entry.version, lowest) < 0 ? entry.version : lowest,
    undefined,
  );
  for (const tag of input.previousTags) {
    if (seen(tag.version)) continue;
    if (lowestVerified !== undefined && compareHotfixVersions(tag.version, lowestVerified) >= 0) continue;
    ordered.push({ tag: tag.tag, version: tag.version, source: 'previous-tag' });
  }
  if (input.explicit !== undefined) {
    const explicit = input.explicit;
    return {
      target: { tag: explicit.tag, version: explicit.version, source: 'explicit' },
      escalation: ordered.find((entry) => compareHotfixVersions(entry.version, explicit.version) < 0),
    };
  }
  return { target: ordered[0], escalation: ordered[1] };
}

/**
 * The deployment showing the environment already runs the target, if any: the newest deployment
 * newer than the failing one (any deployment when none failed) that was verified good and shipped
 * the target version. A re-run after a successful rollback finds it and changes nothing.
 */
export function findAlreadyDeployed(
  deployments: readonly RollbackDeploymentRecord[],
  failing: RollbackDeploymentRecord | undefined,
  target: SemVer,
  prefix: string,
): RollbackDeploymentRecord | undefined {
  const newest = newestFirst(deployments).find((deployment) => failing === undefined || deployment.id > failing.id);
  if (newest === undefined || deploymentVerdict(newest.states) !== 'good') return undefined;
  const shipped = deploymentVersionTag(newest, prefix);
  return shipped !== undefined && sameVersion(shipped.version, target) ? newest : undefined;
}

/**
 * Reads a version tag given in an input (`to`, `from`, an item of `skip`): a tag such as `v1.5.0`,
 * or a bare version `1.5.0` to which `prefix` is added. Throws a ConfigurationError naming `input`.
 */
export function parseRollbackVersionTag(text: string, prefix: string, input: string): VersionTag {
  const trimmed = text.trim().replace(/^refs\/tags\//, '');
  const asTag = parseVersionTag(trimmed, prefix);
  if (asTag !== undefined && refNameProblem(trimmed) === undefined) return { tag: trimmed, version: asTag };
  const bare = /^\d/.test(trimmed) ? semver.parse(trimmed) : null;
  if (bare !== null && bare.version === trimmed) return { tag: formatVersionTag(bare, prefix), version: bare };
  throw new ConfigurationError(
    `Input "${input}" must be a version tag such as ${prefix}1.5.0 (or the bare version 1.5.0), ` +
      `but got ${JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text)}.`,
    input,
  );
}

/** Cuts a deployment (status) description to GitHub's 140 characters, marking the cut. */
export function deploymentDescription(text: string): string {
  const single = text.replace(/\s+/g, ' ').trim();
  return single.length <= DEPLOYMENT_DESCRIPTION_LIMIT
    ? single
    : `${single.slice(0, DEPLOYMENT_DESCRIPTION_LIMIT - 1).trimEnd()}…`;
}

/** The facts {@link rollbackNextSteps} advises on. */
export interface RollbackAdviceInput {
  outcome: 'rolled-back' | 'already-there' | 'failed' | 'dry-run';
  environment: string;
  fromTag?: string;
  toTag?: string;
  /** The version to escalate to when the target is broken too. */
  escalationTag?: string;
  /** True when the target was created by reverting the failing change (mode revert). */
  reverted?: boolean;
}

/** What to do next: a lead sentence and the options, as Markdown. */
export interface RollbackAdvice {
  lead: string;
  steps: string[];
}

/**
 * What a person should do next, following the seed's rollback decision tree: once stable, revert the
 * bad merge, fix it with a hotfix or wait for the next release; when the rollback itself failed,
 * escalate to the version before the target.
 */
export function rollbackNextSteps(input: RollbackAdviceInput): RollbackAdvice {
  const from = input.fromTag ?? 'the failing version';
  const to = input.toTag ?? 'the target';
  if (input.outcome === 'failed') {
    let escalate: string;
    if (input.reverted) {
      escalate =
        input.escalationTag !== undefined
          ? `Deploy the last version verified good instead: run the rollback with \`mode: redeploy\` (goes to ${input.escalationTag}).`
          : 'Deploy a version you trust instead: run the rollback with `mode: redeploy` and `to:` set to its tag.';
    } else if (input.escalationTag !== undefined) {
      escalate = `Escalate: run the rollback again with \`escalate: true\` (or \`skip: ${to}\`), which goes to ${input.escalationTag}, the version before ${to}.`;
    } else {
      escalate = 'No older verified version is known: run the rollback again with `to:` set to a tag you trust.';
    }
    return {
      lead: `${to} did not come back healthy in ${input.environment}: it is not stable yet.`,
      steps: [
        escalate,
        'If the deploy command itself broke (credentials, network), fix that and re-run: a re-run repeats this rollback.',
      ],
    };
  }
  if (input.outcome === 'dry-run') {
    return {
      lead: 'Nothing was changed.',
      steps: [`Run without \`dry-run\` to deploy ${to} to ${input.environment}.`],
    };
  }
  const steps: string[] = [];
  if (!input.reverted) {
    steps.push(
      `Remove ${from} from its branch: run this action with \`mode: revert\` (reverts the merge with -m 1, tags the next patch and deploys it).`,
    );
  }
  steps.push(
    `Fix it properly with a hotfix (${to}-hotfix.1 from ${to}${input.fromTag !== undefined ? `, or ${input.fromTag}-hotfix.1` : ''}), with tests, and deploy that.`,
    `Or stay on ${to} and ship the fix with the next release.`,
  );
  return {
    lead: `${input.environment} is stable on ${to}: rollback first, fix properly second. Pick one:`,
    steps,
  };
}

/** The title of the P0 regression ticket (hotfix-rules V.B: "P0: Hotfix regression - [description]"). */
export function regressionTicketTitle(fromTag: string | undefined, toTag: string, environment: string): string {
  const from = fromTag ?? 'the last deployment';
  return `P0: Hotfix regression - ${from} rolled back to ${toTag} in ${environment}`;
}
