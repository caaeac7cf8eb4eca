import type { RollbackTargetSource } from '@hotfix-actions/core';
import type { RollbackMode } from './inputs.js';

/** What the plan step decided: `deploy` (the composite runs the deploy command), or nothing to deploy. */
export type PlanAction = 'deploy' | 'already-there' | 'dry-run';

/** A version as the plan records it. */
export interface PlannedVersion {
  tag: string;
  /** Without prefix: 1.5.0. */
  version: string;
}

/**
 * The plan, handed from the plan step to the finish step as one step output (JSON). It is data of
 * this action only: inputs the user controls are validated before they get here.
 */
export interface RollbackPlan {
  schema: 1;
  action: PlanAction;
  mode: RollbackMode;
  environment: string;
  /** The failing version and deployment, as far as known. */
  from: (Partial<PlannedVersion> & { deploymentId?: number; markedFailure: boolean }) | undefined;
  /** How the failing deployment was found (see findFailingDeployment). */
  fromFound: string;
  to: PlannedVersion & { sha: string; source: RollbackTargetSource; verifiedBy?: number };
  escalation: (PlannedVersion & { source: RollbackTargetSource }) | undefined;
  /** The rollback deployment (for already-there: the deployment that already did it). */
  deploymentId: number | undefined;
  revert: { branch: string; commit: string; sha: string | undefined; created: boolean } | undefined;
  healthUrl: string | undefined;
  ticket: string | undefined;
  /** The run's URL, used as the deployment statuses' log URL. */
  logUrl: string | undefined;
  notes: string[];
}

/** The plan as one line of JSON. */
export function serializePlan(plan: RollbackPlan): string {
  return JSON.stringify(plan);
}

/** Reads the plan back; throws when the text is not a plan of this version of the action. */
export function parsePlan(text: string): RollbackPlan {
  const value = JSON.parse(text) as Partial<RollbackPlan> | null;
  if (
    value === null ||
    typeof value !== 'object' ||
    value.schema !== 1 ||
    !['deploy', 'already-there', 'dry-run'].includes(value.action ?? '') ||
    typeof value.environment !== 'string' ||
    typeof value.to?.tag !== 'string' ||
    typeof value.to.version !== 'string'
  ) {
    throw new Error('ROLLBACK_PLAN is not a plan written by the plan step of this version of the rollback action.');
  }
  return value as RollbackPlan;
}
