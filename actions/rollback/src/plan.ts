import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import * as core from '@actions/core';
import {
  ConfigurationError,
  compareHotfixVersions,
  errorMessage,
  createGitClient,
  createGitHubClient,
  RETRY_BASE_ENV,
  lineOfVersion,
  lineTagPrefix,
  logGroup,
  repoFromEnv,
  type VersionTag,
} from '@hotfix-actions/core';
import {
  ROLLBACK_TASK,
  chooseRollbackTarget,
  deploymentCandidates,
  deploymentDescription,
  deploymentVerdict,
  deploymentVersionTag,
  findAlreadyDeployed,
  findDeploymentByKey,
  findFailingDeployment,
  previousVersionTags,
  regressionTicketTitle,
  rollbackDeploymentKey,
  type DeploymentCandidate,
  type RollbackDeploymentRecord,
  type RollbackExclusions,
  type RollbackTarget,
} from '@hotfix-actions/core';
import {
  getDeploymentRecord,
  listEnvironmentDeployments,
  listTagNames,
  readDeploymentStates,
  resolveTagCommit,
  type RepoRef,
} from './history.js';
import { readInputs, type RollbackInputs } from './inputs.js';
import { revertAndTag, type RevertResult } from './revert.js';
import { serializePlan, type PlanAction, type RollbackPlan } from './state.js';

/** The run's page, linked from every deployment status. */
function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: run } = process.env;
  return server && repository && run ? `${server.replace(/\/+$/, '')}/${repository}/actions/runs/${run}` : undefined;
}

function distinctVersions(candidates: readonly DeploymentCandidate[]): number {
  const versions: DeploymentCandidate[] = [];
  for (const candidate of candidates) {
    if (!versions.some((seen) => compareHotfixVersions(seen.tag.version, candidate.tag.version) === 0)) {
      versions.push(candidate);
    }
  }
  return versions.length;
}

async function statesOf(ref: RepoRef, deployment: RollbackDeploymentRecord): Promise<readonly string[]> {
  deployment.states ??= await readDeploymentStates(ref, deployment.id);
  return deployment.states;
}

/**
 * The plan phase: finds the failing deployment and the last version verified good (or reverts and
 * tags, in mode revert), then — unless it is a dry run or the environment is already there — opens
 * the rollback deployment (in_progress) and marks the failing one failed. The composite's next step
 * runs the deploy command; the finish phase records how it went.
 */
export async function planPhase(): Promise<void> {
  const inputs = readInputs();
  const { owner, repo } = repoFromEnv();
  const ref: RepoRef = { github: await createGitHubClient({ token: inputs.token }), owner, repo };
  const { environment, tagPrefix: prefix } = inputs;
  const notes: string[] = [];

  const { deployments, truncated } = await logGroup(`Deployments of ${environment}`, () =>
    listEnvironmentDeployments(ref, environment),
  );
  if (truncated) notes.push(`Only the newest ${deployments.length} deployments of ${environment} were read.`);
  if (inputs.fromDeployment !== undefined && !deployments.some((one) => one.id === inputs.fromDeployment)) {
    deployments.push(await getDeploymentRecord(ref, inputs.fromDeployment, environment));
    deployments.sort((a, b) => b.id - a.id);
  }
  core.info(`${deployments.length} deployments of ${environment}.`);

  const failingChoice = findFailingDeployment(deployments, {
    ...(inputs.fromDeployment !== undefined ? { id: inputs.fromDeployment } : {}),
    ...(inputs.from !== undefined ? { fromTag: inputs.from } : {}),
    escalate: inputs.escalate,
    prefix,
  });
  const failing = failingChoice.deployment;
  const failingTag: VersionTag | undefined =
    inputs.from ?? (failing !== undefined ? deploymentVersionTag(failing, prefix) : undefined);
  if (failing !== undefined) await statesOf(ref, failing);
  if (inputs.from !== undefined && failing === undefined) {
    notes.push(`No deployment of ${inputs.from.tag} to ${environment} was found; it is taken as the failing version.`);
  }
  if (failing !== undefined && failingTag === undefined) {
    notes.push(
      `The failing deployment ${failing.id} deployed ${failing.ref}, not a version tag: deploy from tags to make ` +
        'rollbacks exact (set input "from" to name the failing version).',
    );
  }
  core.info(
    failing
      ? `Failing deployment: ${failing.id} (${failing.ref}, ${failingChoice.reason}).`
      : `No failing deployment found${failingTag ? `; failing version ${failingTag.tag}` : ''}.`,
  );

  if (inputs.to !== undefined && failingTag !== undefined) {
    if (compareHotfixVersions(inputs.to.version, failingTag.version) === 0) {
      throw new ConfigurationError(
        `Input "to" is ${inputs.to.tag}, the failing version itself: name a version to roll back to.`,
        'to',
      );
    }
  }

  const exclusions: RollbackExclusions = {
    ...(failing !== undefined ? { failing } : {}),
    ...(failingTag !== undefined ? { failingVersion: failingTag.version } : {}),
    skip: inputs.skip.map((tag) => tag.version),
    ...(inputs.line !== undefined ? { line: inputs.line } : {}),
    prefix,
  };
  const verified = await logGroup('Versions verified good', async () => {
    const found: DeploymentCandidate[] = [];
    // Statuses cost a request per deployment: stop once the target and its escalation are known.
    for (const candidate of deploymentCandidates(deployments, exclusions)) {
      const verdict = deploymentVerdict(await statesOf(ref, candidate.deployment));
      core.info(`deployment ${candidate.deployment.id} ${candidate.tag.tag}: ${verdict}`);
      if (verdict !== 'good') continue;
      found.push(candidate);
      if (distinctVersions(found) >= 2) break;
    }
    return found;
  });
  let previousTags: VersionTag[] = [];
  if (distinctVersions(verified) < 2 && failingTag !== undefined) {
    const names = await listTagNames(ref, lineTagPrefix(prefix, inputs.line));
    previousTags = previousVersionTags(names, exclusions);
  }
  const choice = chooseRollbackTarget({
    ...(inputs.to !== undefined ? { explicit: inputs.to } : {}),
    verified,
    previousTags,
  });

  let target: RollbackTarget | undefined = choice.target;
  let escalation = choice.escalation;
  let revert: RevertResult | undefined;
  if (inputs.mode === 'revert') {
    revert = await logGroup('Revert the failing change', () => revertFailing(inputs, failingTag));
    // If the revert is broken too, the last verified good version is where to go.
    escalation = choice.target;
    target = {
      tag: revert.tag,
      version: revert.version,
      source: 'revert',
      ...(revert.sha !== undefined ? { sha: revert.sha } : {}),
    };
  }
  if (target === undefined) {
    throw new ConfigurationError(
      `No version to roll back to: no older deployment of ${environment} was verified good` +
        (failingTag ? ` and no release tag below ${failingTag.tag} is left` : ' and the failing version is unknown') +
        (inputs.skip.length > 0 ? ' (after input "skip")' : '') +
        '. Set input "to" to the tag to deploy' +
        (failingTag ? '.' : ', or "from" to the failing tag.'),
      'to',
    );
  }

  let sha = target.sha;
  if (target.source !== 'revert') {
    const tagCommit = await resolveTagCommit(ref, target.tag);
    if (tagCommit === undefined) {
      throw new ConfigurationError(
        target.source === 'explicit'
          ? `Input "to" is ${target.tag}, but ${owner}/${repo} has no such tag.`
          : `Tag ${target.tag}, ${target.source === 'deployment' ? `verified good by deployment ${target.deploymentId}` : 'the previous tag'}, ` +
              `no longer exists (keep tags for rollback). Restore it or set input "to".`,
        'to',
      );
    }
    if (sha !== undefined && sha !== tagCommit) {
      core.warning(
        `Tag ${target.tag} now points at ${tagCommit}, but deployment ${target.deploymentId} shipped ${sha}: ` +
          'the tag was moved since. Deploying the tag as it is now.',
      );
    }
    sha = tagCommit;
  }

  // Already there when the newest deployment after the failing one shipped the target and was verified good.
  const newestAfter = deployments.find((one) => failing === undefined || one.id > failing.id);
  if (newestAfter !== undefined) await statesOf(ref, newestAfter);
  const already = findAlreadyDeployed(deployments, failing, target.version, prefix);
  if (inputs.dryRun && already !== undefined) {
    notes.push(
      `${environment} already runs ${target.tag} (deployment ${already.id}): a real run would change nothing.`,
    );
  }
  const action: PlanAction = inputs.dryRun ? 'dry-run' : already !== undefined ? 'already-there' : 'deploy';
  const logUrl = runUrl();

  const plan: RollbackPlan = {
    schema: 1,
    action,
    mode: inputs.mode,
    environment,
    from:
      failing !== undefined || failingTag !== undefined
        ? {
            ...(failingTag !== undefined ? { tag: failingTag.tag, version: failingTag.version.version } : {}),
            ...(failing !== undefined ? { deploymentId: failing.id } : {}),
            markedFailure: false,
          }
        : undefined,
    fromFound: failingChoice.reason,
    to: {
      tag: target.tag,
      version: target.version.version,
      sha: sha ?? '',
      source: target.source,
      ...(target.deploymentId !== undefined ? { verifiedBy: target.deploymentId } : {}),
    },
    escalation:
      escalation !== undefined
        ? { tag: escalation.tag, version: escalation.version.version, source: escalation.source }
        : undefined,
    deploymentId: already?.id,
    revert:
      revert !== undefined
        ? { branch: revert.branch, commit: revert.commit, sha: revert.sha, created: revert.created }
        : undefined,
    healthUrl: inputs.healthUrl?.href,
    ticket: inputs.ticket,
    logUrl,
    notes,
  };
  core.info(
    `${plan.from?.tag ?? 'unknown'} → ${target.tag} (${target.source}${target.deploymentId ? ` ${target.deploymentId}` : ''}): ${action}.`,
  );

  if (action === 'deploy') {
    await logGroup(`Open deployment of ${target.tag} to ${environment}`, () =>
      openRollbackDeployment(ref, plan, failing, deployments),
    );
  }
  setPlanOutputs(plan, inputs);
}

async function revertFailing(inputs: RollbackInputs, failingTag: VersionTag | undefined): Promise<RevertResult> {
  if (failingTag === undefined) {
    throw new ConfigurationError(
      'Input "mode" is revert, but the failing version is unknown (the environment has no deployment of a version ' +
        'tag): set input "from" to the failing tag, e.g. v1.5.1.',
      'from',
    );
  }
  const refName = process.env.GITHUB_REF?.startsWith('refs/heads/') ? process.env.GITHUB_REF_NAME : undefined;
  const git = createGitClient({ cwd: process.env.GITHUB_WORKSPACE || process.cwd() });
  const branch = inputs.branch ?? refName ?? (await git.currentBranch());
  if (branch === undefined || branch === '') {
    throw new ConfigurationError(
      'Input "branch" is required with mode revert when the run is not on a branch: name the branch that carries ' +
        `${failingTag.tag}, e.g. release/v1.5 or main.`,
      'branch',
    );
  }
  const result = await revertAndTag({
    git,
    branch,
    commit: inputs.revertCommit,
    failing: failingTag,
    line: inputs.line ?? lineOfVersion(failingTag.version),
    prefix: inputs.tagPrefix,
    dryRun: inputs.dryRun,
  });
  core.info(
    result.sha === undefined
      ? `Would revert ${result.commit} on ${branch} and tag ${result.tag}.`
      : `${result.created ? 'Reverted' : 'Already reverted'} ${result.commit} on ${branch} as ${result.sha}; ` +
          `${result.outcome === 'created' ? 'tagged' : 'tag'} ${result.tag}.`,
  );
  return result;
}

/** How many times the rollback deployment is created when its answer is lost (each after a look for it). */
const CREATE_ATTEMPTS = 3;

/** A network error or a 5xx: the request may or may not have been carried out. */
function mayHaveHappened(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status !== 'number' || status >= 500;
}

/**
 * Creates the rollback deployment exactly once. Its payload carries an idempotency key of this job
 * attempt and tag; the client's retries are off for the create, because a retried POST whose answer
 * was lost makes a second deployment. Instead, after a network error or 5xx, the environment's
 * deployments are searched for the key before creating again. A re-run of the same job attempt
 * takes up the deployment it already made.
 */
async function createRollbackDeployment(
  ref: RepoRef,
  plan: RollbackPlan,
  failing: RollbackDeploymentRecord | undefined,
  known: readonly RollbackDeploymentRecord[],
): Promise<{ id: number; sha: string }> {
  const { github, owner, repo } = ref;
  const { GITHUB_RUN_ID: runId, GITHUB_RUN_ATTEMPT: runAttempt, GITHUB_JOB: job } = process.env;
  // Outside a workflow run a random key still guards this run's own create.
  const key = rollbackDeploymentKey({ runId, runAttempt, job }, plan.to.tag) ?? `${randomUUID()}/${plan.to.tag}`;
  const earlier = findDeploymentByKey(known, key);
  if (earlier !== undefined) {
    core.info(`Deployment ${earlier.id} was already made by this job (${key}): taking it up.`);
    return earlier;
  }
  const from = plan.from?.tag ?? 'the failing deployment';
  const unit = Number(process.env[RETRY_BASE_ENV] || 1000);
  for (let attempt = 1; ; attempt++) {
    try {
      const { data } = await github.rest.repos.createDeployment({
        owner,
        repo,
        ref: plan.to.tag,
        task: ROLLBACK_TASK,
        environment: plan.environment,
        // A rollback deploys exactly the tag: no merging of the default branch, no status checks of old commits.
        auto_merge: false,
        required_contexts: [],
        transient_environment: false,
        production_environment: plan.environment === 'production',
        description: deploymentDescription(`Rollback from ${from} to ${plan.to.tag}`),
        payload: {
          tag: plan.to.tag,
          version: plan.to.version,
          source: plan.to.source,
          ...(plan.from?.tag !== undefined ? { from_tag: plan.from.tag } : {}),
          ...(failing !== undefined ? { rollback_of: failing.id } : {}),
          ...(plan.logUrl !== undefined ? { run_url: plan.logUrl } : {}),
          rollback_key: key,
        },
        request: { retries: 0 },
      });
      if (!('id' in data)) {
        throw new Error(`GitHub did not create the deployment of ${plan.to.tag}: ${data.message ?? ''}`);
      }
      return data;
    } catch (error) {
      if (!mayHaveHappened(error) || attempt >= CREATE_ATTEMPTS) throw error;
      const { deployments } = await listEnvironmentDeployments(ref, plan.environment);
      const made = findDeploymentByKey(deployments, key);
      if (made !== undefined) {
        core.info(`The answer to creating deployment ${made.id} was lost; it was made all the same.`);
        return made;
      }
      core.warning(`Creating the deployment of ${plan.to.tag} failed (${errorMessage(error)}); trying again.`);
      await sleep(unit * attempt * attempt);
    }
  }
}

/**
 * Creates (or takes up) the rollback deployment with status in_progress and marks the failing deployment
 * failed. Should a later request fail, the new deployment is marked `error`, never left in progress.
 */
async function openRollbackDeployment(
  ref: RepoRef,
  plan: RollbackPlan,
  failing: RollbackDeploymentRecord | undefined,
  known: readonly RollbackDeploymentRecord[],
): Promise<void> {
  const { github, owner, repo } = ref;
  const from = plan.from?.tag ?? 'the failing deployment';
  const data = await createRollbackDeployment(ref, plan, failing, known);
  plan.deploymentId = data.id;
  if (data.sha !== plan.to.sha && plan.to.sha !== '') {
    core.warning(`GitHub resolved ${plan.to.tag} to ${data.sha}, not ${plan.to.sha}: using GitHub's.`);
  }
  plan.to.sha = data.sha;
  core.info(`Deployment ${data.id} of ${plan.to.tag} (${data.sha}) to ${plan.environment}.`);
  const logUrl = plan.logUrl !== undefined ? { log_url: plan.logUrl } : {};
  try {
    await github.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: data.id,
      state: 'in_progress',
      description: deploymentDescription(`Rolling back from ${from} to ${plan.to.tag}`),
      ...logUrl,
    });
    if (failing !== undefined && deploymentVerdict(failing.states) !== 'bad') {
      await github.rest.repos.createDeploymentStatus({
        owner,
        repo,
        deployment_id: failing.id,
        state: 'failure',
        description: deploymentDescription(`Rolled back to ${plan.to.tag} (deployment ${data.id})`),
        ...logUrl,
      });
      plan.from!.markedFailure = true;
      core.info(`Marked deployment ${failing.id} (${from}) failed.`);
    }
  } catch (error) {
    await github.rest.repos
      .createDeploymentStatus({
        owner,
        repo,
        deployment_id: data.id,
        state: 'error',
        description: 'The rollback could not be recorded',
        ...logUrl,
      })
      .catch(() => undefined);
    throw error;
  }
}

function setPlanOutputs(plan: RollbackPlan, inputs: RollbackInputs): void {
  core.setOutput('action', plan.action);
  core.setOutput('plan', serializePlan(plan));
  core.setOutput('from-version', plan.from?.version ?? '');
  core.setOutput('from-tag', plan.from?.tag ?? '');
  core.setOutput('to-version', plan.to.version);
  core.setOutput('to-tag', plan.to.tag);
  core.setOutput('to-sha', plan.to.sha);
  core.setOutput('deployment-id', plan.deploymentId === undefined ? '' : String(plan.deploymentId));
  core.setOutput('escalation-tag', plan.escalation?.tag ?? '');
  core.setOutput('health-check', plan.healthUrl !== undefined ? 'true' : 'false');
  const wanted = inputs.createRegressionTicket && inputs.ticket !== undefined;
  if (inputs.createRegressionTicket && inputs.ticket === undefined && plan.action === 'deploy') {
    core.notice('No regression ticket is created: set input "ticket" to the hotfix ticket that is rolled back.');
  }
  core.setOutput('regression-ticket-wanted', wanted ? 'true' : 'false');
  core.setOutput('regression-title', regressionTicketTitle(plan.from?.tag, plan.to.tag, plan.environment));
  core.setOutput(
    'regression-description',
    [
      `${plan.environment} was rolled back from ${plan.from?.tag ?? 'the failing deployment'} to ${plan.to.tag}` +
        (plan.deploymentId !== undefined ? ` (deployment ${plan.deploymentId}).` : '.'),
      plan.logUrl !== undefined ? `Run: ${plan.logUrl}` : '',
      `Original ticket: ${inputs.ticket ?? 'unknown'}. Fix the fix: follow the emergency hotfix procedure and add tests that catch this regression.`,
    ]
      .filter(Boolean)
      .join('\n'),
  );
  core.setOutput('regression-depends-on', inputs.ticket !== undefined ? `blocks:${inputs.ticket}` : '');
}
