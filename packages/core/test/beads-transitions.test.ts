import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  beadsApplyOperations,
  beadsTransition,
  encodeBeadsJson,
  isConfigurationError,
  parseBeadsPriority,
  type BeadsOperation,
  type BeadsRecord,
} from '../src/index.js';

const T0 = '2026-01-10T08:00:00Z';
const T1 = '2026-02-01T10:00:00Z';
const T2 = '2026-02-02T11:30:00.5Z';
const ACTOR = 'hotfix-bot';

const open: BeadsRecord = {
  id: 'bd-a1b2',
  title: 'Checkout returns 500',
  status: 'open',
  priority: 1,
  issue_type: 'bug',
  created_at: T0,
  updated_at: T0,
};

function apply(record: BeadsRecord, operation: BeadsOperation, options = {}): BeadsRecord {
  const result = beadsTransition(record, operation, T1, ACTOR, options);
  if (result === 'unchanged') throw new Error('expected a change');
  return result;
}

function configurationError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    expect(isConfigurationError(error)).toBe(true);
    return error as Error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('start', () => {
  it('sets in_progress and started_at on the first start only', () => {
    const started = apply(open, { kind: 'start' });
    expect(started).toMatchObject({ status: 'in_progress', started_at: T1, updated_at: T1 });
    const blocked = apply(started, { kind: 'set-status', status: 'blocked' });
    const restarted = beadsTransition(blocked, { kind: 'start' }, T2, ACTOR) as BeadsRecord;
    expect(restarted).toMatchObject({ status: 'in_progress', started_at: T1, updated_at: T2 });
  });

  it('never moves a closed or deployed ticket back', () => {
    const closed = apply(open, { kind: 'close', reason: 'done' });
    expect(beadsTransition(closed, { kind: 'start' }, T2, ACTOR)).toBe('unchanged');
    const deployed = apply(open, { kind: 'deployed' }, { customStatuses: ['deployed'] });
    expect(beadsTransition(deployed, { kind: 'start' }, T2, ACTOR, { customStatuses: ['deployed'] })).toBe('unchanged');
  });

  it('does not modify its input', () => {
    const copy = structuredClone(open);
    apply(open, { kind: 'start' });
    expect(open).toEqual(copy);
  });
});

describe('merged / deployed', () => {
  it('adds the deployed label where deployed is not a configured status', () => {
    const labelled = apply({ ...open, labels: ['backend', 'urgent'] }, { kind: 'merged' });
    expect(labelled['status']).toBe('open');
    expect(labelled['labels']).toEqual(['backend', 'deployed', 'urgent']);
    expect(beadsTransition(labelled, { kind: 'deployed' }, T2, ACTOR)).toBe('unchanged');
  });

  it('sets the deployed status where status.custom lists it', () => {
    const options = { customStatuses: ['review', 'deployed'] };
    const deployed = apply(open, { kind: 'deployed' }, options);
    expect(deployed['status']).toBe('deployed');
    expect(deployed['labels']).toBeUndefined();
    expect(beadsTransition(deployed, { kind: 'merged' }, T2, ACTOR, options)).toBe('unchanged');
    const closed = apply(deployed, { kind: 'close' }, options);
    expect(beadsTransition(closed, { kind: 'deployed' }, T2, ACTOR, options)).toBe('unchanged');
  });
});

describe('close and reopen', () => {
  it('closes with closed_at and a trimmed reason, once', () => {
    const closed = apply(open, { kind: 'close', reason: '  Fixed in v2.1.4, forward-ported to main ' });
    expect(closed).toMatchObject({
      status: 'closed',
      closed_at: T1,
      close_reason: 'Fixed in v2.1.4, forward-ported to main',
    });
    expect(Object.keys(closed)).toEqual([
      'id',
      'title',
      'status',
      'priority',
      'issue_type',
      'created_at',
      'updated_at',
      'closed_at',
      'close_reason',
    ]);
    expect(beadsTransition(closed, { kind: 'close', reason: 'another' }, T2, ACTOR)).toBe('unchanged');
  });

  it('omits close_reason when none is given', () => {
    expect(apply(open, { kind: 'close' })).not.toHaveProperty('close_reason');
  });

  it('reopens: open again, closed_at and close_reason gone, started_at kept', () => {
    const closed = apply(apply(open, { kind: 'start' }), { kind: 'close', reason: 'done' });
    const reopened = beadsTransition(closed, { kind: 'reopen' }, T2, ACTOR) as BeadsRecord;
    expect(reopened).toMatchObject({ status: 'open', started_at: T1, updated_at: T2 });
    expect(reopened).not.toHaveProperty('closed_at');
    expect(reopened).not.toHaveProperty('close_reason');
    expect(beadsTransition(reopened, { kind: 'reopen' }, T2, ACTOR)).toBe('unchanged');
  });
});

describe('set-status', () => {
  it('accepts built-in statuses and configured custom ones', () => {
    expect(apply(open, { kind: 'set-status', status: 'deferred' })['status']).toBe('deferred');
    expect(apply(open, { kind: 'set-status', status: 'review' }, { customStatuses: ['review'] })['status']).toBe(
      'review',
    );
    expect(beadsTransition(open, { kind: 'set-status', status: 'open' }, T1, ACTOR)).toBe('unchanged');
  });

  it('refuses an unconfigured status, naming the accepted ones', () => {
    const error = configurationError(() => apply(open, { kind: 'set-status', status: 'deployed' }));
    expect(error.message).toMatch(/"deployed" is not configured.*open, in_progress, blocked.*status\.custom/);
    configurationError(() => apply(open, { kind: 'set-status', status: 'tombstone' }));
    configurationError(() => apply(open, { kind: 'set-status', status: 'Open' }));
  });

  it('keeps closed_at exactly while closed', () => {
    const closed = apply(open, { kind: 'set-status', status: 'closed' });
    expect(closed['closed_at']).toBe(T1);
    const blocked = apply(closed, { kind: 'set-status', status: 'blocked' });
    expect(blocked).not.toHaveProperty('closed_at');
  });
});

describe('labels, priority, notes', () => {
  it('adds labels sorted when they were sorted, appended when not, without duplicates', () => {
    expect(apply(open, { kind: 'add-labels', labels: ['b', 'a', 'b'] })['labels']).toEqual(['a', 'b']);
    expect(apply({ ...open, labels: ['z', 'c'] }, { kind: 'add-labels', labels: ['a'] })['labels']).toEqual([
      'z',
      'c',
      'a',
    ]);
    expect(beadsTransition({ ...open, labels: ['a'] }, { kind: 'add-labels', labels: [' a '] }, T1, ACTOR)).toBe(
      'unchanged',
    );
    configurationError(() => apply(open, { kind: 'add-labels', labels: ['  '] }));
  });

  it('removes labels and drops the field when none remain', () => {
    expect(apply({ ...open, labels: ['a', 'b'] }, { kind: 'remove-labels', labels: ['a'] })['labels']).toEqual(['b']);
    expect(apply({ ...open, labels: ['a'] }, { kind: 'remove-labels', labels: ['a'] })).not.toHaveProperty('labels');
    expect(beadsTransition(open, { kind: 'remove-labels', labels: ['x'] }, T1, ACTOR)).toBe('unchanged');
  });

  it('sets priority 0–4 and nothing else; 0 is written, never omitted', () => {
    const critical = apply(open, { kind: 'set-priority', priority: 0 });
    expect(encodeBeadsJson(critical)).toContain('"priority":0');
    expect(beadsTransition(critical, { kind: 'set-priority', priority: 0 }, T1, ACTOR)).toBe('unchanged');
    for (const bad of [5, -1, 1.5, Number.NaN]) {
      configurationError(() => apply(open, { kind: 'set-priority', priority: bad }));
    }
    expect(parseBeadsPriority('P0')).toBe(0);
    expect(parseBeadsPriority(' 3 ')).toBe(3);
    configurationError(() => parseBeadsPriority('high'));
  });

  it('appends notes on a new line unless already there', () => {
    const noted = apply(open, { kind: 'append-notes', text: 'Hotfix v2.1.4 deployed' });
    expect(noted['notes']).toBe('Hotfix v2.1.4 deployed');
    const more = beadsTransition(noted, { kind: 'append-notes', text: 'Forward-ported to main' }, T2, ACTOR);
    expect((more as BeadsRecord)['notes']).toBe('Hotfix v2.1.4 deployed\nForward-ported to main');
    expect(beadsTransition(noted, { kind: 'append-notes', text: 'Hotfix v2.1.4 deployed' }, T2, ACTOR)).toBe(
      'unchanged',
    );
    expect(Object.keys(noted).indexOf('notes')).toBe(2); // after title, before status, as bd writes it
  });
});

describe('dependencies', () => {
  it('appends {issue_id, depends_on_id, type, created_at, created_by}', () => {
    const linked = apply(open, { kind: 'add-dependency', dependsOn: 'bd-c3d4', type: 'discovered-from' });
    expect(linked['dependencies']).toEqual([
      { issue_id: 'bd-a1b2', depends_on_id: 'bd-c3d4', type: 'discovered-from', created_at: T1, created_by: ACTOR },
    ]);
    const two = beadsTransition(linked, { kind: 'add-dependency', dependsOn: 'bd-e5f6', type: 'blocks' }, T2, '');
    expect((two as BeadsRecord)['dependencies']).toHaveLength(2);
    expect(((two as BeadsRecord)['dependencies'] as BeadsRecord[])[1]).not.toHaveProperty('created_by');
  });

  it('is idempotent, and refuses a second type for the same pair, self-links and bad input', () => {
    const linked = apply(open, { kind: 'add-dependency', dependsOn: 'bd-c3d4', type: 'blocks' });
    expect(beadsTransition(linked, { kind: 'add-dependency', dependsOn: 'bd-c3d4', type: 'blocks' }, T2, ACTOR)).toBe(
      'unchanged',
    );
    expect(
      configurationError(() => apply(linked, { kind: 'add-dependency', dependsOn: 'bd-c3d4', type: 'related' }))
        .message,
    ).toMatch(/already depends on bd-c3d4 as "blocks"/);
    configurationError(() => apply(open, { kind: 'add-dependency', dependsOn: 'bd-a1b2', type: 'blocks' }));
    configurationError(() => apply(open, { kind: 'add-dependency', dependsOn: 'bd-c3d4', type: 'blocked-by' }));
    configurationError(() => apply(open, { kind: 'add-dependency', dependsOn: 'not an id', type: 'blocks' }));
  });
});

describe('guards', () => {
  it('refuses to touch a deleted (tombstone) issue', () => {
    const tombstone = { ...open, status: 'tombstone', deleted_at: T0 };
    expect(configurationError(() => apply(tombstone, { kind: 'start' })).message).toMatch(/deleted/);
  });

  it('requires an id and an RFC 3339 time', () => {
    expect(() => beadsTransition({ title: 'x' }, { kind: 'start' }, T1, ACTOR)).toThrow(TypeError);
    configurationError(() => beadsTransition(open, { kind: 'start' }, 'yesterday', ACTOR));
    expect(beadsTransition(open, { kind: 'start' }, new Date(Date.UTC(2026, 1, 1, 10)), ACTOR)).toMatchObject({
      started_at: '2026-02-01T10:00:00Z',
    });
  });

  it('keeps unknown fields and their position', () => {
    const odd: BeadsRecord = { id: 'bd-a1b2', _type: 'issue', title: 't', status: 'open', priority: 2, extra: [1] };
    const started = apply(odd, { kind: 'start' });
    // updated_at and started_at follow priority, the last field bd writes before them.
    expect(Object.keys(started)).toEqual([
      'id',
      '_type',
      'title',
      'status',
      'priority',
      'updated_at',
      'started_at',
      'extra',
    ]);
  });
});

describe('properties', () => {
  const operation: fc.Arbitrary<BeadsOperation> = fc.oneof(
    fc.constant<BeadsOperation>({ kind: 'start' }),
    fc.constant<BeadsOperation>({ kind: 'merged' }),
    fc.constant<BeadsOperation>({ kind: 'deployed' }),
    fc.constant<BeadsOperation>({ kind: 'reopen' }),
    fc.string({ maxLength: 12 }).map((reason): BeadsOperation => ({ kind: 'close', reason })),
    fc
      .constantFrom('open', 'blocked', 'deferred', 'in_progress', 'closed', 'deployed')
      .map((status): BeadsOperation => ({ kind: 'set-status', status })),
    fc
      .array(fc.constantFrom('a', 'b', 'hotfix'), { minLength: 1 })
      .map((labels): BeadsOperation => ({ kind: 'add-labels', labels })),
    fc
      .array(fc.constantFrom('a', 'b', 'hotfix'), { minLength: 1 })
      .map((labels): BeadsOperation => ({ kind: 'remove-labels', labels })),
    fc.integer({ min: 0, max: 4 }).map((priority): BeadsOperation => ({ kind: 'set-priority', priority })),
    fc
      .constantFrom('bd-x1', 'bd-x2')
      .map((dependsOn): BeadsOperation => ({ kind: 'add-dependency', dependsOn, type: 'related' })),
    fc.constantFrom('note one', 'note two').map((text): BeadsOperation => ({ kind: 'append-notes', text })),
  );

  it('every operation is idempotent and keeps closed_at set exactly while closed', () => {
    const options = { customStatuses: ['deployed'] };
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 8 }), operation, (history, last) => {
        const record = history.reduce<BeadsRecord>((current, op) => {
          const next = beadsTransition(current, op, T1, ACTOR, options);
          return next === 'unchanged' ? current : next;
        }, open);
        const once = beadsTransition(record, last, T1, ACTOR, options);
        const settled = once === 'unchanged' ? record : once;
        expect(beadsTransition(settled, last, T2, ACTOR, options)).toBe('unchanged');
        expect(settled['closed_at'] !== undefined).toBe(settled['status'] === 'closed');
        expect(beadsApplyOperations(settled, [last, last], T2, ACTOR, options)).toBe('unchanged');
      }),
    );
  });
});
