import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConfigurationError } from '../src/errors.js';
import {
  HOTFIX_PR_SECTIONS,
  HOTFIX_QUICK_REFERENCE,
  HOTFIX_VALIDATION_CHECKLIST,
  assertHotfixSeverity,
  assessTrunkUnreleased,
  checkHotfixPrBase,
  checkHotfixPrBody,
  checkHotfixPullRequest,
  checkHotfixTests,
  checkHotfixTicket,
  cherryPickSources,
  classifyTrunkCommits,
  decideHotfixApproach,
  findHotfixPrSections,
  hotfixBaseBranch,
  hotfixBranchName,
  hotfixBranchSlug,
  hotfixDecisionFlowchart,
  hotfixFileMatcher,
  hotfixForwardPortTargets,
  hotfixProcedureSteps,
  hotfixSeverityFromLabels,
  hotfixSeverityOfLabel,
  hotfixValidationChecklist,
  isBackmergeCommitMessage,
  isVersionCommitMessage,
  newestReleaseBranch,
  parseHotfixSeverity,
  planHotfix,
  releaseBranchesByLine,
  validateHotfixBranchPrefix,
  type HotfixDecisionInput,
  type HotfixPullRequestFacts,
  type TrunkCommit,
} from '../src/plan.js';
import { refNameProblem } from '../src/refname.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('severity', () => {
  it.each([
    ['P0', 'P0'],
    ['p3', 'P3'],
    [' P1 ', 'P1'],
    ['0', 'P0'],
    ['4', 'P4'],
    ['priority:1', 'P1'],
    ['priority/p2', 'P2'],
    ['Priority: 0', 'P0'],
    ['sev-2', 'P2'],
    ['SEV1', 'P1'],
    ['severity:critical', 'P0'],
    ['severity: low', 'P3'],
    ['critical', 'P0'],
    ['Emergency', 'P0'],
    ['high', 'P1'],
    ['urgent', 'P1'],
    ['medium', 'P2'],
    ['minor', 'P3'],
    ['backlog', 'P4'],
  ])('reads %j as %s', (text, severity) => {
    expect(parseHotfixSeverity(text)).toBe(severity);
  });

  it.each(['P5', 'p-6', '5', 'P0P1', 'severity:', 'hot', '', 'priority:9', 'P0; rm -rf /', 'severe'])(
    'refuses %j',
    (text) => {
      expect(parseHotfixSeverity(text)).toBeUndefined();
      const error = thrown(() => assertHotfixSeverity(text, 'severity'));
      expect(isConfigurationError(error)).toBe(true);
      expect((error as Error).message).toMatch(/^Input "severity" must be a severity such as P0/);
      expect((error as { input?: string }).input).toBe('severity');
    },
  );

  it('reads labels, strict about bare words that mean other things', () => {
    expect(hotfixSeverityOfLabel('p0')).toBe('P0');
    expect(hotfixSeverityOfLabel('P1 - High')).toBe('P1');
    expect(hotfixSeverityOfLabel('priority: 2')).toBe('P2');
    expect(hotfixSeverityOfLabel('severity:critical')).toBe('P0');
    expect(hotfixSeverityOfLabel('emergency')).toBe('P0');
    expect(hotfixSeverityOfLabel('critical')).toBe('P0');
    for (const other of ['low', 'minor', 'high', 'bug', 'p10', 'pr-review', 'priority', 'size: medium']) {
      expect(hotfixSeverityOfLabel(other), other).toBeUndefined();
    }
  });

  it('takes the most severe label', () => {
    expect(hotfixSeverityFromLabels(['bug', 'p2', 'emergency', 'p1'])).toEqual({ severity: 'P0', label: 'emergency' });
    expect(hotfixSeverityFromLabels(['bug', 'documentation'])).toBeUndefined();
    expect(hotfixSeverityFromLabels([])).toBeUndefined();
  });
});

describe('the decision tree (III)', () => {
  const clean: HotfixDecisionInput = { trunkHasUnreleased: false };

  it('Q1 yes → emergency, from production-down, severity P0, a P0 label or an outage label; Q2 is not asked', () => {
    for (const input of [
      { productionDown: true },
      { severity: 'P0' as const },
      { labels: ['bug', 'emergency'] },
      { labels: ['severity:critical'] },
      { labels: ['Outage'] },
      { labels: ['data loss'] },
    ]) {
      const decision = decideHotfixApproach({ ...input, trunkHasUnreleased: true });
      expect(decision.approach, JSON.stringify(input)).toBe('emergency');
      expect(decision.path.map((step) => step.question)).toEqual(['Q1']);
      expect(decision.reason).toMatch(/^Emergency hotfix: production is down or degraded \(.+\)\.$/);
    }
    expect(decideHotfixApproach({ labels: ['emergency'], trunkHasUnreleased: false })).toMatchObject({
      severity: 'P0',
      severitySource: 'label "emergency"',
      reason: 'Emergency hotfix: production is down or degraded (severity P0 from label "emergency").',
    });
  });

  it('a stated production-down wins over severity', () => {
    const decision = decideHotfixApproach({ productionDown: false, severity: 'P0', trunkHasUnreleased: false });
    expect(decision.path[0]).toEqual({ question: 'Q1', answer: 'no', because: 'production-down is false' });
    // P0 still cannot wait.
    expect(decision.approach).toBe('trunk-first');
  });

  it('Q2 yes → release-first, with the evidence in the reason', () => {
    const decision = decideHotfixApproach({
      severity: 'P1',
      trunkHasUnreleased: true,
      trunkEvidence: 'main has 2 unreleased commits since v1.2.0',
    });
    expect(decision.approach).toBe('release-first');
    expect(decision.path).toEqual([
      { question: 'Q1', answer: 'no', because: 'severity P1' },
      { question: 'Q2', answer: 'yes', because: 'main has 2 unreleased commits since v1.2.0' },
    ]);
    expect(decision.reason).toBe(
      'Release-first hotfix: production is not down (severity P1) and trunk contains unreleased features ' +
        '(main has 2 unreleased commits since v1.2.0), which a hotfix of trunk could leak to production.',
    );
  });

  it('Q2 uncertain → release-first, and the reason says it is the safer side', () => {
    const decision = decideHotfixApproach({
      trunkHasUnreleased: 'unknown',
      trunkEvidence: 'no release tag exists',
      canWait: true,
    });
    expect(decision.approach).toBe('release-first');
    expect(decision.path[1]).toEqual({ question: 'Q2', answer: 'uncertain', because: 'no release tag exists' });
    expect(decision.reason).toContain('it is uncertain whether trunk contains unreleased features');
    expect(decision.reason).toContain('the safer approach');
  });

  it('Q3 yes → regular issue; Q3 no → trunk-first', () => {
    const wait = decideHotfixApproach({ ...clean, canWait: true });
    expect(wait.approach).toBe('regular-issue');
    expect(wait.path.map((step) => `${step.question}:${step.answer}`)).toEqual(['Q1:no', 'Q2:no', 'Q3:yes']);
    expect(wait.reason).toMatch(/^Not a hotfix: .* create a regular issue\.$/);
    const now = decideHotfixApproach({ ...clean, canWait: false });
    expect(now.approach).toBe('trunk-first');
    expect(now.path.map((step) => `${step.question}:${step.answer}`)).toEqual(['Q1:no', 'Q2:no', 'Q3:no']);
    expect(now.reason).toBe(
      'Trunk-first hotfix: production is not down (nothing reports an outage), trunk has no unreleased features ' +
        '(trunk has only released, back-merged or version commits) and the fix cannot wait for the next release ' +
        '(can-wait is false).',
    );
  });

  it('Q3 unstated: labels, then severity, then "cannot wait"', () => {
    const q3 = (input: Omit<HotfixDecisionInput, 'trunkHasUnreleased'>) =>
      decideHotfixApproach({ ...input, trunkHasUnreleased: false }).path[2];
    expect(q3({ labels: ['security'] })).toEqual({ question: 'Q3', answer: 'no', because: 'label "security"' });
    expect(q3({ labels: ['cosmetic'] })).toEqual({ question: 'Q3', answer: 'yes', because: 'label "cosmetic"' });
    // Conflicting labels: the one that says "cannot wait" wins.
    expect(q3({ labels: ['minor', 'Data Integrity'] })?.answer).toBe('no');
    expect(q3({ severity: 'P1' })).toEqual({ question: 'Q3', answer: 'no', because: 'severity P1' });
    expect(q3({ severity: 'P2' })?.answer).toBe('yes');
    expect(q3({ labels: ['p3'] })).toEqual({ question: 'Q3', answer: 'yes', because: 'severity P3 from label "p3"' });
    expect(q3({})).toEqual({ question: 'Q3', answer: 'no', because: 'nothing says it can wait' });
    // A stated can-wait wins over labels.
    expect(q3({ canWait: true, labels: ['security'] })?.answer).toBe('yes');
  });

  it('every combination reaches exactly the approach the seed draws', () => {
    for (const productionDown of [true, false]) {
      for (const trunkHasUnreleased of [true, false, 'unknown'] as const) {
        for (const canWait of [true, false]) {
          const expected = productionDown
            ? 'emergency'
            : trunkHasUnreleased !== false
              ? 'release-first'
              : canWait
                ? 'regular-issue'
                : 'trunk-first';
          expect(decideHotfixApproach({ productionDown, trunkHasUnreleased, canWait }).approach).toBe(expected);
        }
      }
    }
  });
});

describe('the flowchart', () => {
  it('highlights the path taken and greys out the rest', () => {
    const chart = hotfixDecisionFlowchart(decideHotfixApproach({ trunkHasUnreleased: true }));
    expect(chart.startsWith('flowchart TD\n')).toBe(true);
    expect(chart).toContain('q1{"Q1: Is production currently down or degraded?<br/><b>no</b>"}');
    expect(chart).toContain('q2{"Q2: Does trunk contain unreleased features?<br/><b>yes</b>"}');
    expect(chart).toContain('q3{"Q3: Can this wait for the next release?"}');
    expect(chart).toContain('  class start,q1,q2 taken');
    expect(chart).toContain('  class releasefirst chosen');
    expect(chart).toContain('  class q3,emergency,regular,trunkfirst skipped');
    // Edges: 0 start→q1, 2 q1→q2 (no), 3 q2→release-first.
    expect(chart).toContain('  linkStyle 0,2,3 stroke:#b45309,stroke-width:3px');
  });

  it.each([
    [{ productionDown: true, trunkHasUnreleased: false }, 'emergency', '0,1'],
    [{ trunkHasUnreleased: false, canWait: true }, 'regular', '0,2,4,5'],
    [{ trunkHasUnreleased: false, canWait: false }, 'trunkfirst', '0,2,4,6'],
  ] as const)('%j → %s', (input, node, links) => {
    const chart = hotfixDecisionFlowchart(decideHotfixApproach(input));
    expect(chart).toContain(`  class ${node} chosen`);
    expect(chart).toContain(`  linkStyle ${links} stroke`);
  });
});

describe('hotfix branch names', () => {
  it.each([
    ['bd-a1b2', 'Fix login', 'hotfix/bd-a1b2-fix-login'],
    ['bd-a1b2', '  Fix: login fails for SSO users!! ', 'hotfix/bd-a1b2-fix-login-fails-for-sso-users'],
    ['bd-a1b2', 'Crème brûlée crash', 'hotfix/bd-a1b2-creme-brulee-crash'],
    ['bd-a1b2', "Don't crash", 'hotfix/bd-a1b2-dont-crash'],
    ['bd-a1b2', '../../etc/passwd.lock', 'hotfix/bd-a1b2-etc-passwd-lock'],
    ['bd-a1b2', '$(touch /tmp/x); rm -rf ~', 'hotfix/bd-a1b2-touch-tmp-x-rm-rf'],
    ['bd-a1b2', '--force', 'hotfix/bd-a1b2-force'],
    ['bd-a1b2', '@{-1}', 'hotfix/bd-a1b2-1'],
    ['bd-a1b2', '🔥🔥', 'hotfix/bd-a1b2'],
    ['bd-a1b2.1', undefined, 'hotfix/bd-a1b2.1'],
    ['bd-a1b2', 'bd-a1b2: Login fails', 'hotfix/bd-a1b2-login-fails'],
    [undefined, 'Fix login', 'hotfix/fix-login'],
  ])('%s + %j → %s', (ticket, description, expected) => {
    expect(hotfixBranchName(ticket, description)).toBe(expected);
  });

  it('bounds the length, cutting at a word', () => {
    const name = hotfixBranchName('bd-a1b2', 'the checkout page times out when the basket holds more than fifty items');
    expect(name).toBe('hotfix/bd-a1b2-the-checkout-page-times-out-when-the-basket-holds');
    expect(name).toHaveLength(64);
    expect(hotfixBranchName('bd-a1b2', 'x'.repeat(300), { maxLength: 30 })).toBe(`hotfix/bd-a1b2-${'x'.repeat(15)}`);
    expect(hotfixBranchSlug('alpha beta gamma', 12)).toBe('alpha-beta');
  });

  it('takes a prefix, and refuses one that cannot make branch names', () => {
    expect(hotfixBranchName('bd-a1b2', 'fix', { prefix: 'fix/2026/' })).toBe('fix/2026/bd-a1b2-fix');
    for (const prefix of ['hot fix/', '../', 'hotfix//', '-x/', 'a/.b/', 'refs/heads/hotfix/', '$(x)/']) {
      const error = thrown(() => validateHotfixBranchPrefix(prefix));
      expect(isConfigurationError(error), prefix).toBe(true);
      expect((error as Error).message).toMatch(/^Input "branch-prefix"/);
    }
  });

  it('needs a ticket or a description with letters or digits', () => {
    const error = thrown(() => hotfixBranchName(undefined, '../../..'));
    expect(isConfigurationError(error)).toBe(true);
    expect((error as { input?: string }).input).toBe('description');
    expect(thrown(() => hotfixBranchName(undefined, undefined))).toBeInstanceOf(Error);
  });

  it('always gives a valid branch name, whatever the description and ticket (property)', () => {
    const hostile = fc.oneof(
      fc.string({ maxLength: 120 }),
      fc.string({ unit: 'binary', maxLength: 120 }),
      fc
        .array(
          fc.constantFrom('..', '.lock', '@{', '-', '/', '~', '^', ':', '?', '*', '[', '\\', ' ', '\n', '\u0000', 'a'),
          {
            maxLength: 30,
          },
        )
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(
        fc.option(hostile, { nil: undefined }),
        fc.option(hostile, { nil: undefined }),
        fc.integer({ min: 0, max: 300 }),
        (ticket, description, maxLength) => {
          let name: string;
          try {
            name = hotfixBranchName(ticket, description, { maxLength });
          } catch (error) {
            // Only when nothing usable is left, and always as the user's error.
            expect(isConfigurationError(error)).toBe(true);
            return;
          }
          expect(refNameProblem(name)).toBeUndefined();
          expect(name.startsWith('hotfix/')).toBe(true);
          expect(name).not.toMatch(/\.\.|\.lock$|\/-|@\{/);
          expect(name.length).toBeLessThanOrEqual(255);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keeps a usable ticket whatever the description (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (description) => {
        const name = hotfixBranchName('bd-a1b2', description);
        expect(refNameProblem(name)).toBeUndefined();
        expect(name === 'hotfix/bd-a1b2' || name.startsWith('hotfix/bd-a1b2-')).toBe(true);
        expect(name.length).toBeLessThanOrEqual(64);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('release branches, base and targets', () => {
  const branches = [
    'main',
    'release/v1.2',
    'release/v1.10',
    'release/v1.9',
    'release/v2.0',
    'feature/x',
    'hotfix/bd-a1b2',
    'release/notes',
  ];

  it('orders release lines numerically and picks the newest', () => {
    expect(releaseBranchesByLine(branches).map((entry) => entry.branch)).toEqual([
      'release/v1.2',
      'release/v1.9',
      'release/v1.10',
      'release/v2.0',
    ]);
    expect(newestReleaseBranch(branches)).toBe('release/v2.0');
    expect(newestReleaseBranch(['main', 'develop'])).toBeUndefined();
    expect(newestReleaseBranch(['releases/1.2', 'releases/1.3'], 'releases/{line}')).toBe('releases/1.3');
  });

  it('forward-ports an emergency or release-first fix to newer lines, oldest first, then trunk', () => {
    for (const approach of ['emergency', 'release-first'] as const) {
      expect(hotfixForwardPortTargets({ approach, releaseBranch: 'release/v1.9', trunk: 'main', branches })).toEqual([
        'release/v1.10',
        'release/v2.0',
        'main',
      ]);
    }
    expect(
      hotfixForwardPortTargets({ approach: 'release-first', releaseBranch: 'release/v2.0', trunk: 'main', branches }),
    ).toEqual(['main']);
  });

  it('backports a trunk-first fix to the release branch (and newer lines, newest first); a regular issue nowhere', () => {
    expect(
      hotfixForwardPortTargets({ approach: 'trunk-first', releaseBranch: 'release/v1.10', trunk: 'main', branches }),
    ).toEqual(['release/v2.0', 'release/v1.10']);
    expect(
      hotfixForwardPortTargets({ approach: 'regular-issue', releaseBranch: 'release/v2.0', trunk: 'main', branches }),
    ).toEqual([]);
  });

  it('bases a hotfix on the release branch or the trunk, and needs a release branch where the seed does', () => {
    expect(hotfixBaseBranch('emergency', { releaseBranch: 'release/v1.2', trunk: 'main' })).toBe('release/v1.2');
    expect(hotfixBaseBranch('release-first', { releaseBranch: 'release/v1.2', trunk: 'main' })).toBe('release/v1.2');
    expect(hotfixBaseBranch('trunk-first', { releaseBranch: 'release/v1.2', trunk: 'main' })).toBe('main');
    expect(hotfixBaseBranch('regular-issue', { trunk: 'main' })).toBe('main');
    const error = thrown(() => hotfixBaseBranch('release-first', { trunk: 'main' }));
    expect(isConfigurationError(error)).toBe(true);
    expect((error as Error).message).toMatch(/release-first hotfix needs a release branch/);
    expect((error as { input?: string }).input).toBe('release-branch');
  });
});

describe('checklist, procedures and the whole plan', () => {
  it('is the seed checklist (VI), post-incident review only for P0s, backport wording for trunk-first', () => {
    expect(HOTFIX_VALIDATION_CHECKLIST).toHaveLength(8);
    const emergency = hotfixValidationChecklist('emergency');
    expect(emergency.map((item) => item.text)).toEqual(HOTFIX_VALIDATION_CHECKLIST.map((item) => item.text));
    const release = hotfixValidationChecklist('release-first', 'P1');
    expect(release.map((item) => item.id)).not.toContain('post-incident-review');
    expect(release).toHaveLength(7);
    expect(hotfixValidationChecklist('release-first', 'P0').map((item) => item.id)).toContain('post-incident-review');
    const trunk = hotfixValidationChecklist('trunk-first');
    expect(trunk.map((item) => item.id)).toContain('backported');
    expect(trunk.map((item) => item.id)).not.toContain('forward-ported');
    expect(hotfixValidationChecklist('regular-issue')).toEqual([]);
  });

  it('puts real branch names into the Quick Reference', () => {
    expect(HOTFIX_QUICK_REFERENCE['release-first']).toHaveLength(7);
    expect(
      hotfixProcedureSteps('release-first', {
        releaseBranch: 'release/v1.2',
        trunk: 'trunk',
        hotfixBranch: 'hotfix/bd-a1b2-x',
      }),
    ).toEqual([
      'Create ticket (priority 1)',
      'Branch from release/v1.2 as hotfix/bd-a1b2-x',
      'Fix + full tests',
      'PR → release/v1.2',
      'Deploy',
      'Cherry-pick → trunk',
      'Close ticket',
    ]);
    expect(hotfixProcedureSteps('trunk-first', { releaseBranch: 'release/v1.2', trunk: 'main' })[4]).toBe(
      'Cherry-pick → release/v1.2',
    );
  });

  it('plans base, branch, targets, checklist and steps together', () => {
    const plan = planHotfix({
      trunkHasUnreleased: true,
      trunk: 'main',
      branches: ['main', 'release/v1.2', 'release/v1.3'],
      ticket: 'bd-a1b2',
      description: 'fix login',
    });
    expect(plan).toMatchObject({
      approach: 'release-first',
      baseBranch: 'release/v1.3',
      hotfixBranch: 'hotfix/bd-a1b2-fix-login',
      targets: ['main'],
    });
    expect(plan.checklist).toHaveLength(7);
    const regular = planHotfix({ trunkHasUnreleased: false, canWait: true, trunk: 'main', ticket: 'bd-a1b2' });
    expect(regular).toMatchObject({ approach: 'regular-issue', baseBranch: 'main', targets: [], checklist: [] });
    expect(regular.hotfixBranch).toBeUndefined();
    expect(isConfigurationError(thrown(() => planHotfix({ trunkHasUnreleased: true, trunk: 'main' })))).toBe(true);
  });
});

describe('Q2: trunk commits since the latest release tag', () => {
  const c = (sha: string, message: string, ...parents: string[]): TrunkCommit => ({ sha, message, parents });

  it('recognises version and back-merge commits', () => {
    for (const message of [
      'chore(release): 1.2.4',
      'chore(release): v1.2.4 [skip ci]',
      'chore: bump version to 1.2.4',
      'build(deps): bump version 2.0.0',
      'Bump version to 1.3.1',
      '1.2.4',
      'v1.3.0',
      'Release v1.2.4',
      'docs(release): update CHANGELOG.md for v1.5.1',
      'chore: update changelog',
    ]) {
      expect(isVersionCommitMessage(message), message).toBe(true);
    }
    for (const message of [
      'feat: add checkout',
      'Bump lodash from 4.17.20 to 4.17.21',
      'fix: version parsing',
      'chore: tidy',
    ]) {
      expect(isVersionCommitMessage(message), message).toBe(false);
    }
    for (const message of [
      'chore(hotfix): back-merge bd-a1b2 (#12)',
      'chore: backmerge v1.2.4',
      'Back-merge release/v1.2 into main',
      'Merge pull request #12 from acme/backmerge/bd-a1b2',
      "Merge branch 'release/v1.2' into main",
      "Merge tag 'v1.2.4'",
      'Merge backmerge/bd-a1b2 into main',
    ]) {
      expect(isBackmergeCommitMessage(message), message).toBe(true);
    }
    for (const message of [
      'Merge pull request #13 from acme/feature/checkout',
      "Merge branch 'hotfix/bd-a1b2-fix'",
      'feat: merge carts',
    ]) {
      expect(isBackmergeCommitMessage(message), message).toBe(false);
    }
    expect(cherryPickSources('fix: x\n\n(cherry picked from commit ABCDEF1234567)\n')).toEqual(['abcdef1234567']);
  });

  it('ignores what a back-merge merge brings in, but not the trunk side', () => {
    // main: t1 (feature, before the merge) ... release side: r1, r2; merge m brings r1, r2.
    const commits = [
      c('t1', 'feat: new checkout', 'base'),
      c('r1', 'hotfix(bd-a1b2): fix login', 'tag'),
      c('r2', 'chore(release): 1.2.4', 'r1'),
      c('m', 'Merge pull request #12 from acme/backmerge/bd-a1b2', 't1', 'r2'),
    ];
    const classified = classifyTrunkCommits(commits);
    expect(Object.fromEntries(classified.map((entry) => [entry.commit.sha, entry.kind]))).toEqual({
      t1: 'unreleased',
      r1: 'back-merged',
      r2: 'back-merged',
      m: 'back-merge',
    });
    expect(classified[1]!.why).toBe('brought in by back-merge m');
  });

  it('counts a feature merge and what it brings as unreleased', () => {
    const commits = [
      c('f1', 'feat: checkout', 'base'),
      c('m', 'Merge pull request #13 from acme/feature/checkout', 'base', 'f1'),
    ];
    expect(classifyTrunkCommits(commits).map((entry) => entry.kind)).toEqual(['unreleased', 'unreleased']);
  });

  it('trusts cherry-picks, or checks their sources against released commits when known', () => {
    const pick = c('p', 'hotfix(bd-a1b2): fix login\n\n(cherry picked from commit 1234567890abcdef)', 'base');
    expect(classifyTrunkCommits([pick])[0]!.kind).toBe('cherry-pick');
    expect(classifyTrunkCommits([pick], { releasedCommits: new Set(['1234567890abcdef00']) })[0]!.kind).toBe(
      'cherry-pick',
    );
    const other = classifyTrunkCommits([pick], { releasedCommits: new Set(['ffffffff']) })[0]!;
    expect(other.kind).toBe('unreleased');
    expect(other.why).toMatch(/which no release contains/);
  });

  it('answers Q2: yes with the first unreleased commit, no when only ignored commits, unknown when cut short', () => {
    const yes = assessTrunkUnreleased(
      classifyTrunkCommits([c('aaaaaaaaaa', 'chore(release): 1.3.0'), c('bbbbbbbbbb', 'feat: new checkout\n\nbody')]),
      { trunk: 'main', tag: 'v1.3.0' },
    );
    expect(yes.trunkHasUnreleased).toBe(true);
    expect(yes.evidence).toBe('main has 1 unreleased commit since v1.3.0, first bbbbbbb "feat: new checkout"');
    const no = assessTrunkUnreleased(classifyTrunkCommits([c('a', 'chore(release): 1.3.1')]), {
      trunk: 'main',
      tag: 'v1.3.0',
    });
    expect(no).toMatchObject({
      trunkHasUnreleased: false,
      evidence: 'the 1 commit on main since v1.3.0 are back-merges or version commits',
    });
    expect(assessTrunkUnreleased([], { trunk: 'main', tag: 'v1.3.0' }).evidence).toBe(
      'main has no commits since v1.3.0',
    );
    const cut = assessTrunkUnreleased(classifyTrunkCommits([c('a', '1.3.1')]), {
      trunk: 'main',
      tag: 'v1.3.0',
      complete: false,
      total: 1200,
    });
    expect(cut.trunkHasUnreleased).toBe('unknown');
    expect(cut.evidence).toBe('only 1 of the 1200 commits on main since v1.3.0 could be checked');
  });
});

const GOOD_BODY = `## Summary
Login fails for SSO users.

## Root cause
The session cookie lost its SameSite attribute in 1.2.3.

## Fix
Set SameSite=None again when SSO is on.

## Testing notes
Added a regression test; ran the full suite.

## Rollback procedure
Revert the merge commit; no data migration.

Resolves bd-a1b2
`;

describe('pull request policy', () => {
  const good: HotfixPullRequestFacts = {
    title: 'hotfix(bd-a1b2): fix login for SSO users',
    body: GOOD_BODY,
    headRef: 'hotfix/bd-a1b2-fix-login',
    baseRef: 'release/v1.2',
    commits: [{ message: 'hotfix(bd-a1b2): fix login\n\nResolves bd-a1b2\nRoot cause: regression from bd-zz99' }],
    files: [{ filename: 'src/session.ts' }, { filename: 'test/session.test.ts' }],
  };

  it('a good hotfix pull request has no findings', () => {
    expect(checkHotfixPullRequest(good)).toEqual([]);
  });

  it('one ticket: none, or several (VII.4), counted from branch, title, commit subjects and closing references', () => {
    expect(
      checkHotfixTicket({ ...good, title: 'fix login', headRef: 'hotfix/fix-login', commits: [], body: '' }),
    ).toEqual([expect.objectContaining({ rule: 'one-ticket', reference: 'VII.6', title: 'Hotfix policy: no ticket' })]);
    const two = checkHotfixTicket({ ...good, title: 'hotfix: bd-a1b2 and bd-c3d4' });
    expect(two).toHaveLength(1);
    expect(two[0]).toMatchObject({ rule: 'one-ticket', reference: 'VII.4' });
    expect(two[0]!.message).toContain('2 tickets (bd-a1b2, bd-c3d4)');
    // A mention in prose is not what the pull request is about; a second closing reference is.
    expect(checkHotfixTicket({ ...good, body: `${GOOD_BODY}\nSee also bd-c3d4.` })).toEqual([]);
    expect(checkHotfixTicket({ ...good, body: `${GOOD_BODY}\nFixes bd-c3d4` })).toHaveLength(1);
    expect(checkHotfixTicket({ ...good, headRef: 'hotfix/ops-123-x' }, { prefixes: ['bd', 'ops'] })).toHaveLength(1);
    expect(checkHotfixTicket({ ...good, headRef: 'hotfix/ops-123-x' }, { prefixes: ['ops'] })).toEqual([]);
  });

  it('tests changed (II.A.2): patterns, directories, removed files do not count', () => {
    expect(checkHotfixTests([{ filename: 'src/a.ts' }, { filename: 'README.md' }])).toEqual([
      expect.objectContaining({ rule: 'tests-changed', reference: 'II.A.2' }),
    ]);
    for (const test of [
      'src/a.test.ts',
      'pkg/a_test.go',
      'tests/test_login.py',
      'app/__tests__/x.js',
      'src/test/java/LoginTest.java',
      'spec/models/user_spec.rb',
    ]) {
      expect(checkHotfixTests([{ filename: 'src/a.ts' }, { filename: test }]), test).toEqual([]);
    }
    expect(checkHotfixTests([{ filename: 'src/a.test.ts', status: 'removed' }])).toHaveLength(1);
    expect(checkHotfixTests([{ filename: 'checks/login.check' }], ['checks/**/*.check'])).toEqual([]);
    expect(checkHotfixTests([{ filename: 'src/a.ts' }], undefined, { complete: false })[0]!.message).toContain(
      'only the first files',
    );
  });

  it('matches globs as .gitignore does', () => {
    const match = hotfixFileMatcher(['*.test.*', 'test/', '/e2e/**', 'src/**/fixtures/*.json', '*.{cy,pw}.ts']);
    expect(match('a/b/c.test.ts')).toBe(true);
    expect(match('test/x.ts')).toBe(true);
    expect(match('packages/core/test/deep/x.ts')).toBe(true);
    expect(match('testkit/src/x.ts')).toBe(false);
    expect(match('e2e/login.ts')).toBe(true);
    expect(match('app/e2e/login.ts')).toBe(false);
    expect(match('src/fixtures/a.json')).toBe(true);
    expect(match('src/x/y/fixtures/a.json')).toBe(true);
    expect(match('login.cy.ts')).toBe(true);
    expect(match('login.ts')).toBe(false);
  });

  it('reads the II.C sections tolerantly', () => {
    const body = `### 1. Root Cause Analysis
cache key collision

**Solution:** hash the tenant into the key

Test plan: unit test added

<details><summary>more</summary></details>

#### Revert plan
- revert the merge
`;
    const sections = findHotfixPrSections(body);
    expect([...sections.keys()].sort()).toEqual(['fix', 'rollback', 'root-cause', 'testing']);
    expect(sections.get('fix')).toBe('hash the tenant into the key');
    expect(checkHotfixPrBody(body)).toEqual([]);
    // The phase-6 pull request template has Root Cause, Fix and Testing, but no rollback.
    const phase6 = '## Summary\nx\n### Root Cause\ny\n### Fix\nz\n### Testing\n- [x] tests\n### Quality Gates\nok\n';
    expect(checkHotfixPrBody(phase6).map((finding) => finding.section)).toEqual(['rollback']);
  });

  it('reports missing and empty sections, ignoring template comments and placeholders', () => {
    const body = `## Root cause
<!-- What caused the bug? -->

## Fix
TODO

## Testing notes
- ran it

\`\`\`
## Rollback
this is code, not a heading
\`\`\`
`;
    const findings = checkHotfixPrBody(body);
    expect(findings.map((finding) => [finding.section, finding.title])).toEqual([
      ['root-cause', 'Hotfix policy: empty "Root cause" section'],
      ['fix', 'Hotfix policy: empty "Fix description" section'],
      ['rollback', 'Hotfix policy: no "Rollback procedure" section'],
    ]);
    expect(findings.every((finding) => finding.reference === 'II.C')).toBe(true);
    expect(checkHotfixPrBody('')).toHaveLength(HOTFIX_PR_SECTIONS.length);
  });

  it('VII.1: a hotfix into trunk while trunk has unreleased features (or may have)', () => {
    const plan = { trunk: 'main', releaseBranch: 'release/v1.2', trunkHasUnreleased: true as const };
    const [finding] = checkHotfixPrBase({ baseRef: 'main' }, { ...plan, trunkEvidence: 'main has 2 unreleased' });
    expect(finding).toMatchObject({ rule: 'release-first-base', reference: 'VII.1' });
    expect(finding!.message).toContain('Target release/v1.2 instead');
    expect(checkHotfixPrBase({ baseRef: 'main' }, { ...plan, trunkHasUnreleased: 'unknown' })).toHaveLength(1);
    expect(checkHotfixPrBase({ baseRef: 'main' }, { ...plan, trunkHasUnreleased: false })).toEqual([]);
    expect(checkHotfixPrBase({ baseRef: 'release/v1.2' }, plan)).toEqual([]);
  });

  it('a bad pull request gets one finding per miss', () => {
    const bad: HotfixPullRequestFacts = {
      title: 'Fix login and checkout (bd-a1b2, bd-c3d4)',
      body: 'Quick fix, please merge.',
      headRef: 'hotfix/bd-a1b2-fixes',
      baseRef: 'main',
      commits: [{ message: 'fix things' }],
      files: [{ filename: 'src/session.ts' }, { filename: 'src/cart.ts' }],
    };
    const findings = checkHotfixPullRequest(bad, {
      plan: { trunk: 'main', releaseBranch: 'release/v1.2', trunkHasUnreleased: true },
    });
    expect(findings.map((finding) => finding.reference)).toEqual([
      'VII.4',
      'II.A.2',
      'II.C',
      'II.C',
      'II.C',
      'II.C',
      'VII.1',
    ]);
  });
});
