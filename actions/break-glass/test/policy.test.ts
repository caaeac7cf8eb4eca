import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkIncidentId,
  compileIncidentPattern,
  decideAccess,
  meetsPermission,
  parsePermissionLevel,
  parseTeamRef,
  permissionFromAnswer,
  validateLogins,
  validateReason,
  validateSkipGates,
  type AccessLookup,
  type PermissionLevel,
  type TeamRef,
} from '../src/policy.js';
import { validateAuditPath } from '../src/inputs.js';
import { auditComment, buildAuditRecord, reviewTicket, runFactsFromEnv, type RunFacts } from '../src/record.js';

// The decisions of break-glass, without a server: incident ids, permissions, who may break the glass,
// the audit record and the review ticket.

describe('incident ids', () => {
  it.each(['INC-1234', 'SEV1-42', 'OPS-7', 'bd-a1b2', 'bd-a1b2.1', 'bd-mol-x7k2'])('accepts %s', (id) => {
    expect(checkIncidentId(` ${id} `)).toBe(id);
  });

  it.each([
    [undefined, 'it is empty'],
    ['', 'it is empty'],
    ['inc-1234', 'is neither'],
    ['INC-', 'is neither'],
    ['INC-1234-extra', 'is neither'],
    ['ops-a1b2', 'is neither'],
    ['INC-1;rm -rf /', 'contains ";"'],
    ['INC-1\nBcc: x', 'line break'],
    ['$(id)', '"$" at the start'],
    ['-INC-1', '"-" at the start'],
    ['INC-1/../../x', 'contains "/"'],
    [`INC-${'1'.repeat(70)}`, 'longer than 64'],
  ])('refuses %j (%s), naming the input', (id, problem) => {
    expect(() => checkIncidentId(id)).toThrow(expect.objectContaining({ input: 'incident-id' }));
    expect(() => checkIncidentId(id)).toThrow(problem);
  });

  it('accepts Beads ids of the configured prefixes only', () => {
    expect(checkIncidentId('ops-a1b2', { ticketPrefixes: ['ops'] })).toBe('ops-a1b2');
    expect(() => checkIncidentId('bd-a1b2', { ticketPrefixes: ['ops'] })).toThrow('a Beads id such as ops-a1b2');
  });

  it('applies a configured pattern to the whole id, after the safe character set', () => {
    const pattern = compileIncidentPattern('SEV[0-9]-[0-9]{4}');
    expect(checkIncidentId('SEV1-2024', { pattern })).toBe('SEV1-2024');
    expect(() => checkIncidentId('xSEV1-2024', { pattern })).toThrow(
      'must be an incident id matching SEV[0-9]-[0-9]{4}',
    );
    expect(() => checkIncidentId('INC-1234', { pattern })).toThrow('does not match');
    const anything = compileIncidentPattern('.*');
    expect(() => checkIncidentId('a;b', { pattern: anything })).toThrow('contains ";"');
    expect(() => compileIncidentPattern('INC-(')).toThrow(expect.objectContaining({ input: 'incident-pattern' }));
  });

  it('never accepts an id outside the safe character set, whatever the pattern (property)', () => {
    const pattern = compileIncidentPattern('[\\s\\S]*');
    fc.assert(
      fc.property(fc.string({ maxLength: 80, unit: 'binary' }), (text) => {
        let id: string | undefined;
        try {
          id = checkIncidentId(text, { pattern });
        } catch {
          return;
        }
        expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
      }),
    );
  });
});

describe('permissions', () => {
  it('reads the role from the permission flags first, so custom roles count by what they inherit', () => {
    expect(
      permissionFromAnswer({
        permission: 'write',
        role_name: 'release-manager',
        user: { permissions: { admin: false, maintain: true, push: true, triage: true, pull: true } },
      }),
    ).toBe('maintain');
    expect(permissionFromAnswer({ permission: 'write', role_name: 'maintain' })).toBe('maintain');
    expect(permissionFromAnswer({ permission: 'read', role_name: 'custom' })).toBe('read');
    expect(permissionFromAnswer({ permission: 'surprise' })).toBe('none');
    expect(permissionFromAnswer({ user: { permissions: { pull: true } } })).toBe('read');
  });

  it('orders the roles none < read < triage < write < maintain < admin', () => {
    const levels: PermissionLevel[] = ['none', 'read', 'triage', 'write', 'maintain', 'admin'];
    for (const [i, level] of levels.entries()) {
      for (const [j, minimum] of levels.entries()) expect(meetsPermission(level, minimum)).toBe(i >= j);
    }
    expect(parsePermissionLevel(' Admin ')).toBe('admin');
    expect(() => parsePermissionLevel('owner')).toThrow(expect.objectContaining({ input: 'min-permission' }));
  });
});

describe('other inputs', () => {
  it('accepts analysis gates only, and names health checks when refusing them', () => {
    expect(validateSkipGates(['Canary-Analysis', 'bake-time', 'canary-analysis'])).toEqual([
      'canary-analysis',
      'bake-time',
    ]);
    expect(() => validateSkipGates(['health-check'])).toThrow(
      'health checks, smoke tests, tests and rollback are never skipped',
    );
    expect(() => validateSkipGates(['smoke-tests'])).toThrow('never skipped');
    expect(() => validateSkipGates(['lint'])).toThrow(
      /may only name analysis gates \(canary-analysis, bake-time\), but got "lint"\.$/,
    );
  });

  it('reads teams, logins, reasons and audit paths', () => {
    expect(parseTeamRef('Release-Leads', 'acme')).toEqual({ org: 'acme', slug: 'release-leads' });
    expect(parseTeamRef('@other/oncall', 'acme')).toEqual({ org: 'other', slug: 'oncall' });
    expect(() => parseTeamRef('a/b/c', 'acme')).toThrow(expect.objectContaining({ input: 'allowed-team' }));
    expect(() => parseTeamRef('bad slug', 'acme')).toThrow('team slug');
    expect(validateLogins(['octocat', 'release-bot[bot]'])).toEqual(['octocat', 'release-bot[bot]']);
    expect(() => validateLogins(['bad--login'])).toThrow(expect.objectContaining({ input: 'allowed-actors' }));
    expect(() => validateLogins(['-x'])).toThrow('GitHub logins');
    expect(validateReason('Checkout is down')).toBe('Checkout is down');
    expect(() => validateReason('a\nb')).toThrow(expect.objectContaining({ input: 'reason' }));
    expect(validateAuditPath('audit/break-glass.jsonl')).toBe('audit/break-glass.jsonl');
    for (const bad of ['/etc/x', 'a/../b', '.git/config', 'a//b', 'a b.jsonl', 'a/']) {
      expect(() => validateAuditPath(bad)).toThrow(expect.objectContaining({ input: 'audit-path' }));
    }
  });
});

/** A lookup answering from tables, recording every question; a value of Error throws it. */
function lookup(
  permissions: Record<string, PermissionLevel | Error>,
  members: Record<string, boolean | Error> = {},
): AccessLookup & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async permission(login) {
      calls.push(`permission ${login}`);
      const answer = permissions[login] ?? 'none';
      if (answer instanceof Error) throw answer;
      return answer;
    },
    async isTeamMember(team: TeamRef, login) {
      calls.push(`team ${team.org}/${team.slug} ${login}`);
      const answer = members[login] ?? false;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

describe('who may break the glass', () => {
  const team = { org: 'acme', slug: 'release-leads' };

  it('denies when no rule is set: nobody is allowed by default', async () => {
    const answers = lookup({ alice: 'admin' });
    const decision = await decideAccess({ allowedActors: [], minPermission: 'none' }, 'alice', answers);
    expect(decision).toMatchObject({ allowed: false, denial: expect.stringContaining('no rule allows anyone') });
    expect(answers.calls).toEqual([]);
  });

  it('admits by name (any case) or by team, then applies the permission floor to everyone', async () => {
    const answers = lookup({ alice: 'admin', dave: 'write' }, { dave: true });
    const policy = { allowedActors: ['Alice'], allowedTeam: team, minPermission: 'write' as const };
    expect((await decideAccess(policy, 'alice', answers)).allowed).toBe(true);
    expect(answers.calls).toEqual(['permission alice']);
    expect((await decideAccess(policy, 'dave', answers)).allowed).toBe(true);
    expect(answers.calls).toContain('team acme/release-leads dave');

    const strict = await decideAccess({ ...policy, minPermission: 'admin' }, 'dave', answers);
    expect(strict).toMatchObject({
      allowed: false,
      denial: 'dave has the write permission, but at least admin is needed',
    });
  });

  it('asks nothing more once identity fails', async () => {
    const answers = lookup({ mallory: 'admin' }, { mallory: false });
    const decision = await decideAccess(
      { allowedActors: ['alice'], allowedTeam: team, minPermission: 'admin' },
      'mallory',
      answers,
    );
    expect(decision.denial).toBe('mallory is not listed in allowed-actors and not a member of acme/release-leads');
    expect(answers.calls).toEqual(['team acme/release-leads mallory']);
  });

  it('fails closed when a lookup fails', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { status: 500 });
    const permission = await decideAccess(
      { allowedActors: ['alice'], minPermission: 'write' },
      'alice',
      lookup({ alice: down }),
    );
    expect(permission).toMatchObject({ allowed: false, unverified: true });
    expect(permission.checks.at(-1)).toEqual({
      rule: 'min-permission',
      outcome: 'error',
      detail: 'HTTP 500: connect ECONNREFUSED 127.0.0.1:443',
    });
    const membership = await decideAccess(
      { allowedActors: [], allowedTeam: team, minPermission: 'none' },
      'dave',
      lookup({}, { dave: new Error('forbidden') }),
    );
    expect(membership).toMatchObject({
      allowed: false,
      unverified: true,
      denial: expect.stringContaining('could not be verified'),
    });
  });

  it('refuses an actor that is not a GitHub login', async () => {
    const decision = await decideAccess({ allowedActors: ['alice'], minPermission: 'none' }, 'alice\nroot', lookup({}));
    expect(decision.allowed).toBe(false);
  });
});

describe('the audit record and the review ticket', () => {
  const env = {
    GITHUB_SERVER_URL: 'https://github.example.com/',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_RUN_ID: '77',
    GITHUB_RUN_ATTEMPT: '2',
    GITHUB_ACTOR: 'alice',
    GITHUB_TRIGGERING_ACTOR: 'bob',
    GITHUB_SHA: 'a'.repeat(40),
  };

  it('records who ran this attempt, and who started the run when someone else re-ran it', () => {
    const run: RunFacts = runFactsFromEnv(env);
    expect(run).toMatchObject({
      actor: 'alice',
      triggeringActor: 'bob',
      runUrl: 'https://github.example.com/acme/shop/actions/runs/77/attempts/2',
    });
    const record = buildAuditRecord({
      time: new Date('2026-01-02T03:04:05Z'),
      allowed: false,
      incidentId: undefined,
      incidentGiven: 'x'.repeat(300),
      reason: undefined,
      denial: 'bob is not listed in allowed-actors',
      skipGates: ['canary-analysis'],
      checks: [],
      run,
    });
    expect(record).toMatchObject({ actor: 'bob', run_actor: 'alice', skip_gates: [], decision: 'denied' });
    expect(record.incident_id_given).toHaveLength(200);
    expect(Object.keys(record).slice(0, 6)).toEqual([
      'schema',
      'time',
      'decision',
      'incident_id',
      'incident_id_given',
      'reason',
    ]);
  });

  it('keeps user text inert in the audit comment', () => {
    const record = buildAuditRecord({
      time: new Date(),
      allowed: true,
      incidentId: 'INC-1',
      incidentGiven: 'INC-1',
      reason: '<img src=x onerror=alert(1)> @everyone [link](https://evil.example)',
      denial: undefined,
      skipGates: ['canary-analysis'],
      checks: [],
      run: runFactsFromEnv(env),
    });
    const comment = auditComment(record);
    const prose = comment.replace(/```[\s\S]*?\n```/g, '').replace(/(`+)[\s\S]*?\1/g, '');
    expect(prose).not.toMatch(/<img|@everyone|\[link\]/);
    expect(comment).toContain('\\u003cimg src=x onerror=alert(1)\\u003e');
  });

  it('discovers the review from the incident ticket; an external incident id becomes the external ref', () => {
    const record = buildAuditRecord({
      time: new Date('2026-01-02T03:04:05Z'),
      allowed: true,
      incidentId: 'bd-a1b2',
      incidentGiven: 'bd-a1b2',
      reason: 'Outage',
      denial: undefined,
      skipGates: ['canary-analysis'],
      checks: [],
      run: runFactsFromEnv(env),
    });
    expect(reviewTicket(record, { ticketPrefixes: ['bd'] })).toMatchObject({
      title: 'Post-incident review: bd-a1b2 (break-glass by bob)',
      dependsOn: 'discovered-from:bd-a1b2',
      externalRef: '',
    });
    const external = { ...record, incident_id: 'INC-9' };
    expect(reviewTicket(external, { ticketPrefixes: ['bd'] })).toMatchObject({ dependsOn: '', externalRef: 'INC-9' });
    expect(
      reviewTicket(external, { ticket: 'bd-c3d4', ticketPrefixes: ['bd'], auditUrl: 'https://x/1' }),
    ).toMatchObject({
      dependsOn: 'discovered-from:bd-c3d4',
      externalRef: 'INC-9',
      description: expect.stringContaining('Audit record: https://x/1'),
    });
  });
});
