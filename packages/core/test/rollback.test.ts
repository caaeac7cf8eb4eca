import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../src/errors.js';
import {
  DEPLOYMENT_DESCRIPTION_LIMIT,
  ROLLBACK_TASK,
  chooseRollbackTarget,
  deploymentCandidates,
  deploymentDescription,
  deploymentVerdict,
  deploymentVersionTag,
  findAlreadyDeployed,
  findFailingDeployment,
  parseRollbackVersionTag,
  previousVersionTags,
  regressionTicketTitle,
  rolledBackDeploymentId,
  rollbackNextSteps,
  type RollbackDeploymentRecord,
} from '../src/rollback.js';
import { compareHotfixVersions } from '../src/versions.js';

const v = (text: string) => semver.parse(text)!;
const sha = (n: number) => n.toString(16).padStart(40, '0');

let nextId = 100;
function deployment(ref: string, states: readonly string[] | undefined, extra: Partial<RollbackDeploymentRecord> = {}) {
  const id = extra.id ?? nextId++;
  return {
    id,
    ref,
    sha: extra.sha ?? sha(id),
    task: 'deploy',
    createdAt: '2026-01-01T00:00:00Z',
    ...extra,
    // The API lists statuses newest first; tests write them oldest first, as they happened.
    ...(states !== undefined ? { states: [...states].reverse() } : {}),
  } satisfies RollbackDeploymentRecord;
}

describe('deploymentVerdict', () => {
  it.each([
    [['success'], 'good'],
    [['in_progress', 'success'], 'good'],
    [['success', 'inactive'], 'good'],
    [['success', 'inactive', 'inactive'], 'good'],
    [['success', 'failure'], 'bad'],
    [['success', 'failure', 'inactive'], 'bad'],
    [['error'], 'bad'],
    [['queued'], 'pending'],
    [['success', 'in_progress'], 'pending'],
    [['inactive'], 'unknown'],
    [[], 'unknown'],
  ] as const)('%j → %s', (oldestFirst, verdict) => {
    expect(deploymentVerdict([...oldestFirst].reverse())).toBe(verdict);
  });

  it('is unknown when the statuses were not read', () => {
    expect(deploymentVerdict(undefined)).toBe('unknown');
  });
});

describe('deploymentVersionTag', () => {
  it('reads the ref, then the payload', () => {
    expect(deploymentVersionTag(deployment('v1.5.0', []), 'v')?.tag).toBe('v1.5.0');
    expect(deploymentVersionTag(deployment('refs/tags/v1.5.0', []), 'v')?.tag).toBe('v1.5.0');
    expect(deploymentVersionTag(deployment('main', [], { payload: { tag: 'v1.4.2' } }), 'v')?.tag).toBe('v1.4.2');
    expect(deploymentVersionTag(deployment('main', [], { payload: { version: '1.4.2' } }), 'v')?.tag).toBe('v1.4.2');
    expect(deploymentVersionTag(deployment('main', [], { payload: '{"tag":"app/v2.0.0"}' }), 'app/v')?.tag).toBe(
      'app/v2.0.0',
    );
    expect(deploymentVersionTag(deployment('1.5.0', []), '')?.version.version).toBe('1.5.0');
  });

  it('says nothing for branches, SHAs and junk payloads', () => {
    expect(deploymentVersionTag(deployment('main', []), 'v')).toBeUndefined();
    expect(deploymentVersionTag(deployment(sha(7), []), 'v')).toBeUndefined();
    expect(deploymentVersionTag(deployment('main', [], { payload: '{not json' }), 'v')).toBeUndefined();
    expect(deploymentVersionTag(deployment('main', [], { payload: { version: 'latest' } }), 'v')).toBeUndefined();
    expect(deploymentVersionTag(deployment('main', [], { payload: [1] }), 'v')).toBeUndefined();
  });

  it('reads the rolled-back deployment of a rollback', () => {
    expect(rolledBackDeploymentId(deployment('v1.4.0', [], { payload: { rollback_of: 42 } }))).toBe(42);
    expect(rolledBackDeploymentId(deployment('v1.4.0', [], { payload: { rollback_of: '42' } }))).toBeUndefined();
  });
});

describe('findFailingDeployment', () => {
  const d1 = deployment('v1.4.0', ['success'], { id: 1 });
  const d2 = deployment('v1.5.0', ['success'], { id: 2 });
  const d3 = deployment('v1.5.1', ['success'], { id: 3 });
  const r4 = deployment('v1.5.0', ['success'], { id: 4, task: ROLLBACK_TASK, payload: { rollback_of: 3 } });

  it('is the newest deployment', () => {
    expect(findFailingDeployment([d1, d3, d2], { prefix: 'v' })).toEqual({ deployment: d3, reason: 'current' });
  });

  it('looks through a rollback to what it rolled back, so that a re-run repeats it', () => {
    expect(findFailingDeployment([d1, d2, d3, r4], { prefix: 'v' })).toEqual({
      deployment: d3,
      reason: 'rolled-back-from',
    });
    const orphan = { ...r4, payload: {} };
    expect(findFailingDeployment([d1, d2, d3, orphan], { prefix: 'v' }).deployment).toBe(d3);
  });

  it('takes the rollback itself when escalating', () => {
    expect(findFailingDeployment([d1, d2, d3, r4], { prefix: 'v', escalate: true })).toEqual({
      deployment: r4,
      reason: 'current',
    });
  });

  it('honours an explicit id or failing tag', () => {
    expect(findFailingDeployment([d1, d2, d3, r4], { prefix: 'v', id: 2 }).deployment).toBe(d2);
    const fromTag = { tag: 'v1.5.0', version: v('1.5.0') };
    expect(findFailingDeployment([d1, d2, d3, r4], { prefix: 'v', fromTag }).deployment).toBe(r4);
    const unknown = { tag: 'v9.0.0', version: v('9.0.0') };
    expect(findFailingDeployment([d1], { prefix: 'v', fromTag: unknown })).toEqual({
      deployment: undefined,
      reason: 'from',
    });
  });

  it('finds nothing in an empty environment', () => {
    expect(findFailingDeployment([], { prefix: 'v' })).toEqual({ deployment: undefined, reason: 'none' });
  });
});

describe('choosing the target', () => {
  const history = [
    deployment('v1.3.0', ['success'], { id: 1 }),
    deployment('v1.4.0', ['success'], { id: 2 }),
    deployment('v1.4.1', ['failure'], { id: 3 }),
    deployment('main', ['success'], { id: 4 }),
    deployment('v1.5.0', ['success'], { id: 5 }),
    deployment('v1.5.1', ['success'], { id: 6 }),
  ];
  const failing = history[5]!;
  const base = { failing, failingVersion: v('1.5.1'), prefix: 'v' };
  const verified = (exclusions = base) =>
    deploymentCandidates(history, exclusions).filter((c) => deploymentVerdict(c.deployment.states) === 'good');

  it('lists older deployments of release versions, newest first', () => {
    expect(deploymentCandidates(history, base).map((c) => c.tag.tag)).toEqual(['v1.5.0', 'v1.4.1', 'v1.4.0', 'v1.3.0']);
  });

  it('never lists the failing version or its commit', () => {
    const same = [...history, deployment('v1.5.1', ['success'], { id: 7 }), deployment('v1.2.0', [], { id: 8 })];
    const again = { ...base, failing: same[7]!, failingVersion: v('1.2.0') };
    expect(deploymentCandidates(same, again).map((c) => c.tag.tag)).not.toContain('v1.2.0');
    const sameCommit = [...history, deployment('v1.5.2', ['success'], { id: 9, sha: history[4]!.sha })];
    const next = { ...base, failing: sameCommit[6]!, failingVersion: v('1.5.2') };
    expect(deploymentCandidates(sameCommit, next).map((c) => c.tag.tag)).not.toContain('v1.5.0');
  });

  it('takes the newest verified version, and the one before it as the escalation', () => {
    const choice = chooseRollbackTarget({ verified: verified(), previousTags: [] });
    expect(choice.target).toMatchObject({ tag: 'v1.5.0', source: 'deployment', deploymentId: 5 });
    expect(choice.escalation).toMatchObject({ tag: 'v1.4.0', source: 'deployment' });
  });

  it('skips versions listed in skip and keeps to the line', () => {
    const skipped = verified({ ...base, skip: [v('1.5.0')] } as typeof base);
    expect(chooseRollbackTarget({ verified: skipped, previousTags: [] }).target?.tag).toBe('v1.4.0');
    const line13 = verified({ ...base, line: { major: 1, minor: 3 } } as typeof base);
    expect(chooseRollbackTarget({ verified: line13, previousTags: [] }).target?.tag).toBe('v1.3.0');
  });

  it('an explicit target wins; its escalation is the first lower version', () => {
    const explicit = { tag: 'v1.4.0', version: v('1.4.0') };
    const choice = chooseRollbackTarget({ explicit, verified: verified(), previousTags: [] });
    expect(choice.target).toEqual({ tag: 'v1.4.0', version: explicit.version, source: 'explicit' });
    expect(choice.escalation?.tag).toBe('v1.3.0');
  });

  it('falls back to previous tags only below every verified version', () => {
    const tags = ['v1.5.0', 'v1.4.2', 'v1.4.0', 'v1.3.0', 'v1.2.9'];
    const previous = previousVersionTags(tags, { ...base, skip: [v('1.3.0')] } as typeof base);
    expect(previous.map((t) => t.tag)).toEqual(['v1.5.0', 'v1.4.2', 'v1.4.0', 'v1.2.9']);
    const onlyOld = verified().filter((c) => c.tag.tag === 'v1.4.0');
    const choice = chooseRollbackTarget({ verified: onlyOld, previousTags: previous });
    expect(choice.target).toMatchObject({ tag: 'v1.4.0', source: 'deployment' });
    expect(choice.escalation).toMatchObject({ tag: 'v1.2.9', source: 'previous-tag' });
    const none = chooseRollbackTarget({ verified: [], previousTags: previous });
    expect(none.target).toMatchObject({ tag: 'v1.5.0', source: 'previous-tag' });
    expect(chooseRollbackTarget({ verified: [], previousTags: [] })).toEqual({
      target: undefined,
      escalation: undefined,
    });
  });

  it('orders -hotfix.N tags after their release and ignores other pre-releases', () => {
    const tags = ['v1.3.0', 'v1.3.0-hotfix.1', 'v1.3.0-hotfix.2', 'v1.3.1-rc.1', 'v1.3.1', 'junk', 'v1.3.0-hotfix'];
    const exclusions = { failingVersion: v('1.3.1'), prefix: 'v' };
    expect(previousVersionTags(tags, exclusions).map((t) => t.tag)).toEqual([
      'v1.3.0-hotfix.2',
      'v1.3.0-hotfix.1',
      'v1.3.0',
    ]);
    expect(previousVersionTags(tags, { prefix: 'v' })).toEqual([]);
  });

  it('is already there when the newest deployment after the failing one shipped the target and succeeded', () => {
    const rollback = deployment('v1.5.0', ['in_progress', 'success'], { id: 10, task: ROLLBACK_TASK });
    expect(findAlreadyDeployed([...history, rollback], failing, v('1.5.0'), 'v')).toBe(rollback);
    const failed = { ...rollback, states: ['failure', 'in_progress'] };
    expect(findAlreadyDeployed([...history, failed], failing, v('1.5.0'), 'v')).toBeUndefined();
    expect(findAlreadyDeployed([...history, rollback], failing, v('1.4.0'), 'v')).toBeUndefined();
    expect(findAlreadyDeployed(history, failing, v('1.5.0'), 'v')).toBeUndefined();
  });
});

describe('properties over random histories', () => {
  const versions = ['1.2.0', '1.3.0', '1.3.0-hotfix.1', '1.4.0', '1.4.1', '1.5.0', '1.5.1', '2.0.0'];
  const historyArbitrary = fc
    .array(
      fc.record({
        version: fc.constantFrom(...versions),
        states: fc.constantFrom(
          ['success'],
          ['failure'],
          ['success', 'inactive'],
          ['success', 'failure'],
          ['in_progress'],
          [],
        ),
        rollback: fc.boolean(),
      }),
      { minLength: 1, maxLength: 12 },
    )
    .map((entries) =>
      entries.map((entry, index) =>
        deployment(`v${entry.version}`, entry.states, {
          id: index + 1,
          sha: sha(versions.indexOf(entry.version) + 1),
          ...(entry.rollback ? { task: ROLLBACK_TASK } : {}),
        }),
      ),
    );

  it('never picks the failing version, a skipped one or an unverified deployment; picks the newest verified', () => {
    fc.assert(
      fc.property(historyArbitrary, fc.subarray(versions), fc.boolean(), (history, skipped, escalate) => {
        const { deployment: failing } = findFailingDeployment(history, { prefix: 'v', escalate });
        const failingTag = failing ? deploymentVersionTag(failing, 'v') : undefined;
        const exclusions = {
          ...(failing ? { failing } : {}),
          ...(failingTag ? { failingVersion: failingTag.version } : {}),
          skip: skipped.map(v),
          prefix: 'v',
        };
        const good = deploymentCandidates(history, exclusions).filter(
          (c) => deploymentVerdict(c.deployment.states) === 'good',
        );
        const { target, escalation } = chooseRollbackTarget({ verified: good, previousTags: [] });
        if (target === undefined) {
          expect(good).toEqual([]);
          return;
        }
        expect(compareHotfixVersions(target.version, failingTag!.version)).not.toBe(0);
        expect(skipped).not.toContain(target.version.version);
        const chosen = history.find((d) => d.id === target.deploymentId)!;
        expect(deploymentVerdict(chosen.states)).toBe('good');
        expect(chosen.id).toBeLessThan(failing!.id);
        expect(chosen.sha).not.toBe(failing!.sha);
        // The reference: the newest older deployment that qualifies.
        const newest = history
          .filter((d) => d.id < failing!.id && d.sha !== failing!.sha && deploymentVerdict(d.states) === 'good')
          .filter((d) => {
            const version = deploymentVersionTag(d, 'v')!.version;
            return compareHotfixVersions(version, failingTag!.version) !== 0 && !skipped.includes(version.version);
          })
          .sort((a, b) => b.id - a.id)[0];
        expect(chosen.id).toBe(newest!.id);
        if (escalation) expect(compareHotfixVersions(escalation.version, target.version)).not.toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('a successful rollback makes the next run find itself already there (re-runs change nothing)', () => {
    fc.assert(
      fc.property(historyArbitrary, (history) => {
        const plan = (records: RollbackDeploymentRecord[]) => {
          const { deployment: failing } = findFailingDeployment(records, { prefix: 'v' });
          const failingTag = failing ? deploymentVersionTag(failing, 'v') : undefined;
          const exclusions = {
            ...(failing ? { failing } : {}),
            ...(failingTag ? { failingVersion: failingTag.version } : {}),
            prefix: 'v',
          };
          const good = deploymentCandidates(records, exclusions).filter(
            (c) => deploymentVerdict(c.deployment.states) === 'good',
          );
          const { target } = chooseRollbackTarget({ verified: good, previousTags: [] });
          return { failing, target };
        };
        const first = plan(history);
        if (first.target === undefined || first.failing === undefined) return;
        const rollback = deployment(first.target.tag, ['in_progress', 'success'], {
          id: history.length + 1,
          task: ROLLBACK_TASK,
          payload: { rollback_of: first.failing.id },
        });
        const after = [...history, rollback];
        const second = plan(after);
        expect(second.failing?.id).toBe(first.failing.id);
        expect(second.target?.tag).toBe(first.target.tag);
        expect(findAlreadyDeployed(after, second.failing, second.target!.version, 'v')).toBe(rollback);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseRollbackVersionTag', () => {
  it('accepts tags and bare versions', () => {
    expect(parseRollbackVersionTag('v1.5.0', 'v', 'to').tag).toBe('v1.5.0');
    expect(parseRollbackVersionTag(' refs/tags/v1.5.0 ', 'v', 'to').tag).toBe('v1.5.0');
    expect(parseRollbackVersionTag('1.5.0-hotfix.2', 'v', 'to').tag).toBe('v1.5.0-hotfix.2');
    expect(parseRollbackVersionTag('1.5.0', '', 'to').tag).toBe('1.5.0');
  });

  it.each(['latest', 'v1.5', '', 'v1.5.0;rm -rf /', '$(id)', 'v01.5.0', '1.5.0 '.repeat(3)])(
    'refuses %j, naming the input',
    (text) => {
      expect(() => parseRollbackVersionTag(text, 'v', 'skip')).toThrow(ConfigurationError);
      expect(() => parseRollbackVersionTag(text, 'v', 'skip')).toThrow(/Input "skip" must be a version tag/);
    },
  );
});

describe('texts', () => {
  it('cuts descriptions to what GitHub accepts', () => {
    expect(deploymentDescription('Rollback  from\nv1.5.1')).toBe('Rollback from v1.5.1');
    const long = deploymentDescription('x'.repeat(300));
    expect(long).toHaveLength(DEPLOYMENT_DESCRIPTION_LIMIT);
    expect(long.endsWith('…')).toBe(true);
  });

  it('advises along the seed decision tree', () => {
    const ok = rollbackNextSteps({
      outcome: 'rolled-back',
      environment: 'production',
      fromTag: 'v1.5.1',
      toTag: 'v1.5.0',
    });
    expect(ok.lead).toContain('production is stable on v1.5.0');
    expect(ok.steps.join('\n')).toMatch(/mode: revert[\s\S]*v1\.5\.0-hotfix\.1 from v1\.5\.0, or v1\.5\.1-hotfix\.1/);
    const reverted = rollbackNextSteps({
      outcome: 'rolled-back',
      environment: 'production',
      toTag: 'v1.5.2',
      reverted: true,
    });
    expect(reverted.steps.join('\n')).not.toContain('mode: revert');
    const failed = rollbackNextSteps({
      outcome: 'failed',
      environment: 'production',
      toTag: 'v1.5.0',
      escalationTag: 'v1.4.0',
    });
    expect(failed.steps[0]).toContain('`escalate: true`');
    expect(failed.steps[0]).toContain('goes to v1.4.0');
    expect(rollbackNextSteps({ outcome: 'failed', environment: 'x', toTag: 'v1.5.0' }).steps[0]).toContain('`to:`');
    const revertFailed = rollbackNextSteps({
      outcome: 'failed',
      environment: 'x',
      toTag: 'v1.5.2',
      escalationTag: 'v1.5.0',
      reverted: true,
    });
    expect(revertFailed.steps[0]).toContain('`mode: redeploy` (goes to v1.5.0)');
    expect(rollbackNextSteps({ outcome: 'dry-run', environment: 'x', toTag: 'v1.5.0' }).steps[0]).toContain('dry-run');
  });

  it('titles the regression ticket as hotfix-rules V.B does', () => {
    expect(regressionTicketTitle('v1.5.1', 'v1.5.0', 'production')).toBe(
      'P0: Hotfix regression - v1.5.1 rolled back to v1.5.0 in production',
    );
  });
});
