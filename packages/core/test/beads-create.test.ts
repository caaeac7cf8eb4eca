import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  beadsAdaptiveIdLength,
  beadsDetectPrefix,
  beadsHashId,
  beadsNewId,
  beadsNewIssueRecord,
  beadsTimestamp,
  beadsUnixNano,
  encodeBeadsJson,
  isConfigurationError,
  parseBeadsDependencySpec,
  parseBeadsJsonl,
} from '../src/index.js';

const FIXTURE = fileURLToPath(new URL('../../../../shared/fixtures/beads/issues.jsonl', import.meta.url));

function configurationError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    expect(isConfigurationError(error)).toBe(true);
    return error as Error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('beadsHashId', () => {
  // bd's own test vector (internal/idgen/hash_test.go). Its creation time carries the nanoseconds
  // its Python twin computed through a float: 1704164645006000128.
  const input = {
    title: 'Fix login',
    description: 'Details',
    creator: 'jira-import',
    createdAt: '2024-01-02T03:04:05.006000128Z',
    nonce: 0,
  };
  it.each([
    [3, 'bd-ryl'],
    [4, 'bd-itxc'],
    [5, 'bd-9wt4w'],
    [6, 'bd-39wt4w'],
    [7, 'bd-rahb6w2'],
    [8, 'bd-7rahb6w2'],
  ])('matches bd at length %i', (length, expected) => {
    expect(beadsHashId('bd', input, length)).toBe(expected);
  });

  it('depends on every input', () => {
    const base = beadsHashId('bd', input, 8);
    expect(beadsHashId('bd', { ...input, nonce: 1 }, 8)).not.toBe(base);
    expect(beadsHashId('bd', { ...input, creator: 'x' }, 8)).not.toBe(base);
    expect(beadsHashId('bd', { ...input, createdAt: '2024-01-02T03:04:05.006000129Z' }, 8)).not.toBe(base);
    expect(beadsHashId('proj', input, 8)).toBe(base.replace('bd-', 'proj-'));
  });
});

describe('timestamps', () => {
  it('reads nanoseconds and offsets as Go does', () => {
    expect(beadsUnixNano('2024-01-02T03:04:05.006000128Z')).toBe(1704164645006000128n);
    expect(beadsUnixNano('2025-11-02T21:58:07.295058-08:00')).toBe(1762149487295058000n);
    expect(beadsUnixNano('1969-12-31T23:59:59.5Z')).toBe(-500000000n);
    expect(beadsUnixNano(new Date(1704164645006))).toBe(1704164645006000000n);
  });

  it('writes UTC with trailing zeros trimmed, as Go marshals time.Time', () => {
    expect(beadsTimestamp(new Date(Date.UTC(2026, 0, 12, 2, 16, 51)))).toBe('2026-01-12T02:16:51Z');
    expect(beadsTimestamp(new Date(Date.UTC(2026, 0, 12, 2, 16, 51, 120)))).toBe('2026-01-12T02:16:51.12Z');
    expect(beadsTimestamp(new Date(Date.UTC(2026, 0, 12, 2, 16, 51, 7)))).toBe('2026-01-12T02:16:51.007Z');
  });
});

describe('beadsNewId', () => {
  it('starts at bd’s adaptive length', () => {
    expect([0, 163, 164, 983, 984, 5898, 5899, 35389, 35390].map(beadsAdaptiveIdLength)).toEqual([
      3, 3, 4, 4, 5, 5, 6, 6, 7,
    ]);
  });

  it('counts only top-level ids of the prefix', () => {
    const input = { title: 't', creator: 'c', createdAt: '2026-01-01T00:00:00Z' };
    const children = Array.from({ length: 500 }, (_, i) => `bd-abc.${i}`);
    const others = Array.from({ length: 500 }, (_, i) => `xx-${i}`);
    expect(beadsNewId('bd', input, [...children, ...others])).toMatch(/^bd-[0-9a-z]{3}$/);
  });

  it('tries the next nonce, then a longer hash, on collision', () => {
    const input = { title: 't', description: 'd', creator: 'c', createdAt: '2026-01-01T00:00:00Z' };
    const first = beadsNewId('bd', input, []);
    expect(first).toBe(beadsHashId('bd', { ...input, nonce: 0 }, 3));
    expect(beadsNewId('bd', input, [first])).toBe(beadsHashId('bd', { ...input, nonce: 1 }, 3));
    const allShort = Array.from({ length: 10 }, (_, nonce) => beadsHashId('bd', { ...input, nonce }, 3));
    expect(beadsNewId('bd', input, allShort)).toBe(beadsHashId('bd', { ...input, nonce: 0 }, 4));
  });

  it('gives a fresh 5-character id for the real tracker', () => {
    const ids = parseBeadsJsonl(readFileSync(FIXTURE)).ids() as string[];
    const id = beadsNewId('bd', { title: 'Regression', creator: 'ci', createdAt: new Date(0) }, ids);
    expect(id).toMatch(/^bd-[0-9a-z]{5}$/);
    expect(ids).not.toContain(id);
    expect(beadsDetectPrefix(ids)).toBe('bd');
  });

  it('refuses a malformed prefix', () => {
    configurationError(() => beadsNewId('bd-', { title: 't', creator: 'c', createdAt: new Date(0) }, []));
    configurationError(() => beadsNewId('b d', { title: 't', creator: 'c', createdAt: new Date(0) }, []));
  });
});

describe('beadsDetectPrefix', () => {
  it('takes the most common prefix, dashes included', () => {
    expect(beadsDetectPrefix(['my-app-a1', 'my-app-b2', 'other-c3', undefined, 'my-app-a1.1'])).toBe('my-app');
    expect(beadsDetectPrefix([])).toBeUndefined();
  });
});

describe('parseBeadsDependencySpec', () => {
  it('reads type:id, defaulting to blocks', () => {
    expect(parseBeadsDependencySpec('discovered-from:bd-a1b2')).toEqual({
      type: 'discovered-from',
      dependsOn: 'bd-a1b2',
    });
    expect(parseBeadsDependencySpec(' bd-c3d4 ')).toEqual({ type: 'blocks', dependsOn: 'bd-c3d4' });
  });

  it('refuses unknown types and malformed ids, naming the input', () => {
    const error = configurationError(() => parseBeadsDependencySpec('blocked-by:bd-a1b2'));
    expect(error.message).toMatch(/Unknown Beads dependency type "blocked-by".*discovered-from/);
    expect((error as { input?: string }).input).toBe('depends-on');
    configurationError(() => parseBeadsDependencySpec('blocks:bd-a1b2;rm -rf /'));
    configurationError(() => parseBeadsDependencySpec('blocks:'));
  });
});

describe('beadsNewIssueRecord', () => {
  const base = { id: 'bd-x1y2z', title: 'Hotfix follow-up', createdAt: '2026-02-01T10:00:00Z', createdBy: 'ci' };

  it('writes bd’s defaults and field order, omitting empty fields', () => {
    expect(encodeBeadsJson(beadsNewIssueRecord(base))).toBe(
      '{"id":"bd-x1y2z","title":"Hotfix follow-up","status":"open","priority":2,"issue_type":"task",' +
        '"created_at":"2026-02-01T10:00:00Z","created_by":"ci","updated_at":"2026-02-01T10:00:00Z"}',
    );
    const full = beadsNewIssueRecord({
      ...base,
      description: 'd',
      priority: 0,
      issueType: 'bug',
      assignee: 'alice',
      owner: 'alice@example.com',
      labels: ['b', 'a', 'b'],
      externalRef: 'gh-123',
    });
    expect(Object.keys(full)).toEqual([
      'id',
      'title',
      'description',
      'status',
      'priority',
      'issue_type',
      'assignee',
      'owner',
      'created_at',
      'created_by',
      'updated_at',
      'external_ref',
      'labels',
    ]);
    expect(full['priority']).toBe(0);
    expect(full['labels']).toEqual(['a', 'b']);
  });

  it('refuses what bd would reject', () => {
    configurationError(() => beadsNewIssueRecord({ ...base, title: '  ' }));
    configurationError(() => beadsNewIssueRecord({ ...base, title: 'x'.repeat(501) }));
    configurationError(() => beadsNewIssueRecord({ ...base, priority: 7 }));
    configurationError(() => beadsNewIssueRecord({ ...base, issueType: 'incident' }));
    expect(beadsNewIssueRecord({ ...base, issueType: 'incident' }, { customTypes: ['incident'] })['issue_type']).toBe(
      'incident',
    );
    configurationError(() => beadsNewIssueRecord({ ...base, status: 'deployed' }));
    configurationError(() => beadsNewIssueRecord({ ...base, status: 'closed' }));
    configurationError(() => beadsNewIssueRecord({ ...base, id: 'bd x' }));
    configurationError(() => beadsNewIssueRecord({ ...base, labels: [''] }));
    configurationError(() =>
      beadsNewIssueRecord({ ...base, dependencies: [{ type: 'blocks', dependsOn: 'bd-x1y2z' }] }),
    );
    configurationError(() =>
      beadsNewIssueRecord({
        ...base,
        dependencies: [
          { type: 'blocks', dependsOn: 'bd-a' },
          { type: 'related', dependsOn: 'bd-a' },
        ],
      }),
    );
  });
});
