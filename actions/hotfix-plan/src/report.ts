// The job summary: the decision tree with the path taken, the plan, and the checklists.
import {
  HOTFIX_APPROACH_TITLES,
  HOTFIX_QUALITY_GATES,
  HOTFIX_QUESTIONS,
  details,
  hotfixDecisionFlowchart,
  hotfixSpecAdvice,
  markdownHeading,
  markdownInlineCode,
  markdownTable,
  mermaid,
  type HotfixPlan,
  type HotfixPolicyFinding,
} from '@hotfix-actions/core';
import type { PullRequestReading, TrunkReading } from './repository.js';

/** Everything the summary shows. */
export interface ReportInput {
  plan: HotfixPlan;
  releaseBranch: string | undefined;
  trunk: TrunkReading | undefined;
  pull: PullRequestReading | undefined;
  findings: HotfixPolicyFinding[] | undefined;
  enforce: boolean;
}

function checklist(items: readonly string[]): string {
  return `${items.map((item) => `- [ ] ${item}`).join('\n')}\n`;
}

/** The summary as Markdown. */
export function renderSummary(input: ReportInput): string {
  const { plan, trunk } = input;
  const { decision } = plan;
  const parts: string[] = [
    markdownHeading(`Hotfix plan: ${HOTFIX_APPROACH_TITLES[plan.approach]}`, 3),
    `> ${decision.reason}\n`,
    mermaid(hotfixDecisionFlowchart(decision)),
    markdownTable(
      ['question', 'answer', 'because'],
      decision.path.map((step) => [`${step.question}: ${HOTFIX_QUESTIONS[step.question]}`, step.answer, step.because]),
    ),
  ];

  const code = (text: string): string => markdownInlineCode(text);
  const rows: [string, string][] = [['base branch', code(plan.baseBranch)]];
  if (plan.hotfixBranch !== undefined) rows.push(['hotfix branch', code(plan.hotfixBranch)]);
  if (plan.targets.length > 0) {
    rows.push([
      plan.approach === 'trunk-first' ? 'backport to' : 'forward-port to',
      plan.targets.map(code).join(' → '),
    ]);
  }
  if (input.releaseBranch !== undefined) rows.push(['release branch', code(input.releaseBranch)]);
  if (decision.severity !== undefined) {
    rows.push([
      'severity',
      `${decision.severity}${decision.severitySource === 'input' ? '' : ` (${decision.severitySource})`}`,
    ]);
  }
  if (trunk?.tag !== undefined) rows.push(['latest release tag', code(trunk.tag)]);
  parts.push(markdownTable(['', 'plan'], rows));

  parts.push(markdownHeading('Steps', 4), plan.steps.map((step, index) => `${index + 1}. ${step}`).join('\n') + '\n');
  if (plan.approach !== 'regular-issue') {
    parts.push(
      markdownHeading('Before merging: quality gates', 4),
      checklist(HOTFIX_QUALITY_GATES),
      `${hotfixSpecAdvice(plan.approach)}\n`,
      markdownHeading('Before marking the hotfix complete', 4),
      checklist(plan.checklist.map((item) => item.text)),
    );
  }

  if (input.pull !== undefined && input.findings !== undefined) {
    const pull = input.pull;
    const heading = `Policy check of #${pull.number}: ${
      input.findings.length === 0 ? 'passed' : `${input.findings.length} miss${input.findings.length === 1 ? '' : 'es'}`
    }${input.findings.length > 0 && input.enforce ? ' (enforced)' : ''}`;
    parts.push(markdownHeading(heading, 4));
    parts.push(
      input.findings.length === 0
        ? 'One ticket, a changed test, and the root cause, fix, testing and rollback sections are all there.\n'
        : markdownTable(
            ['rule', 'section', 'what to do'],
            input.findings.map((finding) => [
              finding.title.replace(/^Hotfix policy: /, ''),
              finding.reference,
              finding.message,
            ]),
          ),
    );
  }

  if (trunk !== undefined && trunk.unreleased.length + trunk.ignored.length > 0) {
    const list = (label: string, entries: TrunkReading['unreleased']) =>
      entries.length === 0
        ? ''
        : `**${label}**\n\n${entries
            .slice(0, 30)
            .map(
              (entry) =>
                `- ${code(entry.commit.sha.slice(0, 7))} ${entry.commit.message.split('\n', 1)[0]} — ${entry.why}`,
            )
            .join('\n')}${entries.length > 30 ? `\n- … and ${entries.length - 30} more` : ''}\n`;
    parts.push(
      details(
        `Commits on trunk since ${trunk.tag ?? 'the latest release'} (Q2)`,
        [list('Unreleased', trunk.unreleased), list('Ignored', trunk.ignored)].filter(Boolean).join('\n'),
      ),
    );
  }
  return parts.join('\n');
}
