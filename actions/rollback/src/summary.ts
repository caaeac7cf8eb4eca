import { markdownHeading, markdownInlineCode, markdownTable, mermaid } from '@hotfix-actions/core';
import { rollbackNextSteps } from '@hotfix-actions/core';
import type { RollbackPlan } from './state.js';

/** How the rollback ended. */
export type RollbackOutcome = 'rolled-back' | 'already-there' | 'failed' | 'dry-run';

/** What the finish phase learned from the composite's other steps. */
export interface FinishFacts {
  outcome: RollbackOutcome;
  /** The deploy step's outcome (`success`, `failure`, `cancelled`, `skipped`), when it ran. */
  deployOutcome: string | undefined;
  /** The health check step's outcome, when there was one. */
  healthOutcome: string | undefined;
  healthExplanation: string | undefined;
  regressionTicket: string | undefined;
  /** Why the final deployment status could not be written, if it could not. */
  recordError?: string;
}

function sourceText(plan: RollbackPlan): string {
  switch (plan.to.source) {
    case 'deployment':
      return `last version verified good in ${plan.environment} (deployment ${plan.to.verifiedBy ?? '?'})`;
    case 'previous-tag':
      return `previous tag: no older deployment was verified good, so this version is not proven in ${plan.environment}`;
    case 'explicit':
      return 'input `to`';
    case 'revert':
      return `new patch tag on the revert of ${plan.revert?.commit ?? 'the failing change'} on ${plan.revert?.branch ?? 'the branch'}`;
  }
}

function stepText(outcome: string | undefined, detail?: string): string {
  if (outcome === undefined || outcome === '') return 'did not run';
  const mark = outcome === 'success' ? '✅ passed' : outcome === 'skipped' ? '⏭️ skipped' : `❌ ${outcome}`;
  return detail ? `${mark}: ${detail}` : mark;
}

// Node labels of the diagram: tags are ref names, but keep the quotes of mermaid's syntax intact anyway.
const label = (text: string) => text.replace(/"/g, "'");

/** The job summary of a rollback: what happened, why this version, and what to do next. */
export function renderSummary(plan: RollbackPlan, facts: FinishFacts): string {
  const from = plan.from?.tag ?? 'unknown version';
  const to = plan.to.tag;
  const env = plan.environment;
  const title = {
    'rolled-back': `Rolled back ${env}: ${from} → ${to}`,
    'already-there': `${env} already runs ${to}: nothing to do`,
    failed: `Rollback of ${env} to ${to} failed`,
    'dry-run': `Dry run: would roll ${env} back from ${from} to ${to}`,
  }[facts.outcome];

  const toClass = facts.outcome === 'failed' ? 'bad' : facts.outcome === 'dry-run' ? 'plan' : 'good';
  const diagram = [
    'flowchart LR',
    `  from["${label(from)}${plan.from?.deploymentId ? `<br/>deployment ${plan.from.deploymentId}` : ''}"]:::bad -->|rollback| to["${label(to)}${plan.deploymentId ? `<br/>deployment ${plan.deploymentId}` : ''}"]:::${toClass}`,
    ...(plan.escalation ? [`  to -.->|if broken too| esc["${label(plan.escalation.tag)}"]`] : []),
    '  classDef bad fill:#fdd,stroke:#c00',
    '  classDef good fill:#dfd,stroke:#080',
    '  classDef plan fill:#eef,stroke:#66c',
  ].join('\n');

  const rows: [string, string][] = [
    ['environment', env],
    [
      'from',
      plan.from
        ? `${plan.from.tag ?? 'unknown version'}` +
          (plan.from.deploymentId
            ? ` (deployment ${plan.from.deploymentId}${plan.from.markedFailure ? ', marked failure' : ''})`
            : '')
        : 'no deployment found',
    ],
    ['to', `${to}${plan.to.sha ? ` at ${markdownInlineCode(plan.to.sha.slice(0, 12))}` : ''}`],
    ['why this version', sourceText(plan)],
  ];
  if (plan.revert) {
    rows.push([
      'revert',
      plan.revert.sha
        ? `${plan.revert.created ? 'pushed' : 'found'} ${markdownInlineCode(plan.revert.sha.slice(0, 12))} on ${plan.revert.branch}`
        : `would revert ${markdownInlineCode(plan.revert.commit.slice(0, 12))} on ${plan.revert.branch}`,
    ]);
  }
  if (plan.deploymentId !== undefined) {
    rows.push([
      'deployment',
      facts.recordError === undefined
        ? String(plan.deploymentId)
        : `${plan.deploymentId} — its final status could not be written: ${facts.recordError}`,
    ]);
  }
  if (plan.action === 'deploy') {
    rows.push(['deploy command', stepText(facts.deployOutcome)]);
    rows.push([
      'health check',
      plan.healthUrl === undefined
        ? 'not configured (set `health-url`)'
        : stepText(facts.healthOutcome, facts.healthExplanation),
    ]);
    rows.push(['regression ticket', facts.regressionTicket || 'none']);
  }
  if (plan.escalation) {
    const why = plan.escalation.source === 'deployment' ? 'verified good earlier' : 'previous tag, not verified';
    rows.push(['if broken too', `${plan.escalation.tag} (${why})`]);
  }

  const advice = rollbackNextSteps({
    outcome: facts.outcome,
    environment: env,
    ...(plan.from?.tag !== undefined ? { fromTag: plan.from.tag } : {}),
    toTag: to,
    ...(plan.escalation !== undefined ? { escalationTag: plan.escalation.tag } : {}),
    reverted: plan.mode === 'revert',
  });
  const notes = plan.notes.map((note) => `> ${note}`).join('\n');
  return (
    [
      markdownHeading(title, 3),
      mermaid(diagram),
      markdownTable(['', 'value'], rows),
      `**Next.** ${advice.lead}\n\n${advice.steps.map((step) => `- ${step}`).join('\n')}\n`,
      notes,
    ]
      .filter(Boolean)
      .join('\n') + '\n'
  );
}
