// From an analysis verdict to what the step does: the `decision` output and whether the step fails.

import { ConfigurationError } from '../errors.js';
import type { CanaryDecision, CanaryVerdict } from './types.js';

/** How a verdict without data counts (`no-data` input). */
export type CanaryNoDataPolicy = 'fail' | 'inconclusive' | 'pass';

/** How an inconclusive verdict counts (`on-inconclusive` input). */
export type CanaryInconclusivePolicy = 'fail' | 'pass';

/** The user's policy for verdicts other than a clean promotion. */
export interface CanaryPolicy {
  /** `fail` (default): no data is an abort that fails the step; `inconclusive`; or `pass`. */
  readonly noData: CanaryNoDataPolicy;
  /** `fail` (default): an inconclusive verdict fails the step; `pass` lets it succeed. */
  readonly onInconclusive: CanaryInconclusivePolicy;
  /** True (default): an abort fails the step, so `if: failure()` can roll back. */
  readonly failOnAbort: boolean;
}

/** What the step does with a verdict. */
export interface CanaryOutcome {
  /** The `decision` output. */
  readonly decision: CanaryDecision;
  /** Whether the step fails. */
  readonly stepFails: boolean;
  /** One sentence on how the policy led from the verdict to the decision. */
  readonly reason: string;
}

/** The defaults: fail closed on no data and on inconclusive verdicts, fail the step on abort. */
export const DEFAULT_CANARY_POLICY: CanaryPolicy = { noData: 'fail', onInconclusive: 'fail', failOnAbort: true };

function parseChoice<T extends string>(value: string, input: string, choices: readonly T[]): T {
  const normalized = value.trim().toLowerCase();
  const choice = choices.find((candidate) => candidate === normalized);
  if (choice === undefined) {
    throw new ConfigurationError(
      `Input "${input}" must be one of ${choices.join(', ')}; got ${JSON.stringify(value)}.`,
      input,
    );
  }
  return choice;
}

/**
 * Validates the policy inputs (`no-data`, `on-inconclusive`; empty strings take the defaults) and
 * returns the policy; throws a ConfigurationError naming the input otherwise.
 */
export function parseCanaryPolicy(inputs: {
  readonly noData?: string;
  readonly onInconclusive?: string;
  readonly failOnAbort?: boolean;
}): CanaryPolicy {
  const noData = inputs.noData?.trim()
    ? parseChoice(inputs.noData, 'no-data', ['fail', 'inconclusive', 'pass'] as const)
    : DEFAULT_CANARY_POLICY.noData;
  const onInconclusive = inputs.onInconclusive?.trim()
    ? parseChoice(inputs.onInconclusive, 'on-inconclusive', ['fail', 'pass'] as const)
    : DEFAULT_CANARY_POLICY.onInconclusive;
  return { noData, onInconclusive, failOnAbort: inputs.failOnAbort ?? DEFAULT_CANARY_POLICY.failOnAbort };
}

function inconclusiveOutcome(policy: CanaryPolicy, prefix: string): CanaryOutcome {
  const stepFails = policy.onInconclusive === 'fail';
  return {
    decision: 'inconclusive',
    stepFails,
    reason: stepFails
      ? `${prefix}inconclusive fails the step (on-inconclusive: fail).`
      : `${prefix}inconclusive lets the step pass (on-inconclusive: pass); the decision stays inconclusive.`,
  };
}

/**
 * Applies the user's policy to a verdict. No data fails closed by default: it becomes the decision
 * `abort` and fails the step whatever `fail-on-abort` says, because a canary that cannot be measured
 * (dead, unreachable, not exporting metrics) must neither be promoted nor left running unnoticed.
 */
export function applyCanaryPolicy(verdict: CanaryVerdict, policy: CanaryPolicy = DEFAULT_CANARY_POLICY): CanaryOutcome {
  switch (verdict) {
    case 'promote':
      return { decision: 'promote', stepFails: false, reason: 'The canary passed: promote.' };
    case 'abort':
      return policy.failOnAbort
        ? {
            decision: 'abort',
            stepFails: true,
            reason: 'The canary failed: abort fails the step (fail-on-abort: true).',
          }
        : {
            decision: 'abort',
            stepFails: false,
            reason: 'The canary failed: abort is reported in the decision output only (fail-on-abort: false).',
          };
    case 'inconclusive':
      return inconclusiveOutcome(policy, 'The evidence did not suffice: ');
    case 'no-data':
      switch (policy.noData) {
        case 'fail':
          return {
            decision: 'abort',
            stepFails: true,
            reason: 'No data counts as an abort and fails the step (no-data: fail).',
          };
        case 'inconclusive':
          return inconclusiveOutcome(policy, 'No data counts as inconclusive (no-data: inconclusive), and ');
        case 'pass':
          return {
            decision: 'promote',
            stepFails: false,
            reason: 'No data counts as a pass (no-data: pass): promote.',
          };
      }
  }
}
