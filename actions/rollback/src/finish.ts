import * as core from '@actions/core';
import { createGitHubClient, errorMessage, getStringInput, repoFromEnv, writeSummary } from '@hotfix-actions/core';
import { deploymentDescription } from '@hotfix-actions/core';
import { parsePlan, type RollbackPlan } from './state.js';
import { renderSummary, type FinishFacts, type RollbackOutcome } from './summary.js';

function env(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function setOutputs(plan: RollbackPlan, outcome: RollbackOutcome, regressionTicket: string | undefined): void {
  core.setOutput('outcome', outcome);
  core.setOutput('from-version', plan.from?.version ?? '');
  core.setOutput('from-tag', plan.from?.tag ?? '');
  core.setOutput('to-version', plan.to.version);
  core.setOutput('to-tag', plan.to.tag);
  core.setOutput('to-sha', plan.to.sha);
  core.setOutput('deployment-id', plan.deploymentId === undefined ? '' : String(plan.deploymentId));
  core.setOutput('regression-ticket', regressionTicket ?? '');
  core.setOutput('escalation-tag', plan.escalation?.tag ?? '');
  core.setOutput('revert-sha', plan.revert?.sha ?? '');
}

/** Records the rollback's result as the deployment's final status. */
async function recordResult(plan: RollbackPlan, outcome: RollbackOutcome, reason: string): Promise<void> {
  const { owner, repo } = repoFromEnv();
  const github = await createGitHubClient({ token: getStringInput('token', { required: true }) });
  await github.rest.repos.createDeploymentStatus({
    owner,
    repo,
    deployment_id: plan.deploymentId!,
    state: outcome === 'rolled-back' ? 'success' : 'failure',
    description: deploymentDescription(
      outcome === 'rolled-back'
        ? `Rolled back from ${plan.from?.tag ?? 'the failing deployment'} to ${plan.to.tag}`
        : `Rollback to ${plan.to.tag} failed: ${reason}`,
    ),
    // Earlier deployments of the environment stop being shown as active (GitHub does this for
    // non-production environments; production deployments stay as they are).
    auto_inactive: true,
    ...(plan.logUrl !== undefined ? { log_url: plan.logUrl } : {}),
  });
}

/**
 * The finish phase: runs after the deploy command and the health check whatever happened to them,
 * records the result on the rollback deployment (success with auto_inactive, or failure), sets the
 * action's outputs and writes the summary. A failed rollback fails this step, with what to do next.
 */
export async function finishPhase(): Promise<void> {
  const planText = env('ROLLBACK_PLAN');
  if (planText === undefined) {
    // The plan step failed and said why; there is nothing to record.
    core.setOutput('outcome', 'failed');
    core.info('Nothing was planned (the plan step failed, see its error): nothing was deployed or recorded.');
    return;
  }
  const plan = parsePlan(planText);
  const regressionTicket = env('ROLLBACK_REGRESSION_TICKET');
  const facts: FinishFacts = {
    outcome: plan.action === 'deploy' ? 'failed' : plan.action,
    deployOutcome: env('ROLLBACK_DEPLOY_OUTCOME'),
    healthOutcome: env('ROLLBACK_HEALTH_OUTCOME'),
    healthExplanation: env('ROLLBACK_HEALTH_EXPLANATION'),
    regressionTicket,
  };

  if (plan.action === 'deploy') {
    const deployed = facts.deployOutcome === 'success';
    const healthy = plan.healthUrl === undefined || facts.healthOutcome === 'success';
    facts.outcome = deployed && healthy ? 'rolled-back' : 'failed';
    const reason = !deployed
      ? `the deploy command ${facts.deployOutcome === 'cancelled' ? 'was cancelled' : 'failed'}`
      : `the health check ${facts.healthOutcome === 'success' ? 'passed' : 'failed'}`;
    // Outputs first: they must be there even when recording the result fails.
    setOutputs(plan, facts.outcome, regressionTicket);
    if (plan.deploymentId !== undefined) {
      try {
        await recordResult(plan, facts.outcome, reason);
      } catch (error) {
        facts.recordError = errorMessage(error);
        await writeSummary(renderSummary(plan, facts));
        throw error;
      }
    }
    core.info(
      facts.outcome === 'rolled-back'
        ? `${plan.environment} is back on ${plan.to.tag}.`
        : `Rollback to ${plan.to.tag} failed: ${reason}.`,
    );
    if (facts.outcome === 'failed') {
      let next = ' No older verified version is known: run again with input "to".';
      if (plan.escalation && plan.mode === 'revert') {
        next = ` Deploy ${plan.escalation.tag}, the last version verified good, instead: run again with mode redeploy.`;
      } else if (plan.escalation) {
        next = ` If ${plan.to.tag} is broken too, escalate to ${plan.escalation.tag}: run again with escalate: true.`;
      }
      core.error(`Rolling ${plan.environment} back to ${plan.to.tag} failed: ${reason}.${next}`, {
        title: 'Rollback failed',
      });
      process.exitCode = 1;
    }
  } else if (plan.action === 'already-there') {
    core.info(`${plan.environment} already runs ${plan.to.tag} (deployment ${plan.deploymentId}): nothing to do.`);
  } else {
    core.info(`Dry run: would roll ${plan.environment} back to ${plan.to.tag}.`);
  }

  if (plan.action !== 'deploy') setOutputs(plan, facts.outcome, regressionTicket);
  await writeSummary(renderSummary(plan, facts));
}
