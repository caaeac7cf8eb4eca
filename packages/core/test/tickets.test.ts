import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../src/errors.js';
import {
  assertTicketId,
  extractTicketIds,
  extractTicketReferences,
  isTicketId,
  ticketIdFromBranch,
  validateTicketPrefixes,
} from '../src/tickets.js';

// The ids of the Beads project's own .beads/issues.jsonl (2,536 issues), one per line.
const FIXTURE = new URL('./fixtures/beads-ids.txt', import.meta.url);

function fixtureIds(): string[] {
  return readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

describe('ticket ids in branch names', () => {
  it.each([
    ['hotfix/bd-a1b2-fix-login', 'bd-a1b2'],
    ['hotfix/bd-a1b2', 'bd-a1b2'],
    ['backmerge/bd-a1b2', 'bd-a1b2'],
    ['hotfix/bd-0134cc5a-null-check', 'bd-0134cc5a'],
    ['hotfix/bd-a1b2.1-child-fix', 'bd-a1b2.1'],
    ['hotfix/bd-a1b2.1.3', 'bd-a1b2.1.3'],
    ['hotfix/bd-mol-x7k2-fix', 'bd-mol-x7k2'],
    ['hotfix/bd-wisp-03g', 'bd-wisp-03g'],
    ['hotfix/fix-login-bd-a1b2', 'bd-a1b2'],
    ['hotfix/20251024T093000Z_bd-abc', 'bd-abc'],
    ['refs/heads/hotfix/bd-3-legacy', 'bd-3'],
  ])('%s → %s', (branch, id) => {
    expect(ticketIdFromBranch(branch)).toBe(id);
  });

  it.each([
    'hotfix/TICKET_ID-description',
    'backmerge/TICKET_ID',
    'hotfix/20251024T093000Z_critical-auth-bypass',
    'hotfix/v1.3.0-hotfix.1',
    'release/v2.1',
    'main',
    'hotfix/abd-123-fix',
    'hotfix/bd-UPPER-fix',
    'hotfix/bd-abcdefghijklmnop-fix',
  ])('%s has no ticket id', (branch) => {
    expect(ticketIdFromBranch(branch)).toBeUndefined();
  });

  it('reads the seeds’ hotfix/TICKET_ID-description shape once TICKET_ID is a real id', () => {
    for (const id of ['bd-a1b2', 'bd-x9z', 'bd-00pel', 'bd-0134cc5a', 'bd-1dez.4', 'bd-mol-02i']) {
      expect(ticketIdFromBranch(`hotfix/${id}-brief-description`)).toBe(id);
      expect(ticketIdFromBranch(`backmerge/${id}`)).toBe(id);
    }
  });
});

describe('ticket ids in messages', () => {
  it('finds the seeds’ commit message shape', () => {
    const message = 'hotfix(bd-a1b2): fix login timeout\n\nResolves bd-a1b2\nRefs bd-c3d4, bd-e5f6.2';
    expect(extractTicketIds(message)).toEqual(['bd-a1b2', 'bd-c3d4', 'bd-e5f6.2']);
    expect(extractTicketReferences(message)).toEqual([
      { id: 'bd-a1b2', closes: true },
      { id: 'bd-c3d4', closes: false },
      { id: 'bd-e5f6.2', closes: false },
    ]);
  });

  it('recognises the closing keywords GitHub uses', () => {
    for (const keyword of ['Close', 'closes', 'Closed', 'fix', 'Fixes', 'fixed', 'Resolve', 'RESOLVES', 'resolved']) {
      expect(extractTicketReferences(`${keyword} bd-a1b2`), keyword).toEqual([{ id: 'bd-a1b2', closes: true }]);
      expect(extractTicketReferences(`${keyword}: bd-a1b2`), keyword).toEqual([{ id: 'bd-a1b2', closes: true }]);
    }
    expect(extractTicketReferences('unresolved bd-a1b2')).toEqual([{ id: 'bd-a1b2', closes: false }]);
    expect(extractTicketReferences(`${'x'.repeat(35)}unresolved bd-a1b2`)).toEqual([{ id: 'bd-a1b2', closes: false }]);
    expect(extractTicketReferences('prefix bd-a1b2 then Fixes bd-a1b2')).toEqual([{ id: 'bd-a1b2', closes: true }]);
  });

  it('does not match inside words, e-mail addresses, URLs or mentions', () => {
    expect(extractTicketIds('abd-123 xbd-a1b2 bd_a1b2 bd-a1b2X 9bd-a1b2')).toEqual([]);
    expect(extractTicketIds('Co-authored-by: Dev <bd-a1b2@example.com>')).toEqual([]);
    expect(extractTicketIds('see https://tracker.example.com/issues/bd-a1b2 and ftp://x/bd-c3d4')).toEqual([]);
    expect(extractTicketIds('thanks @bd-a1b2')).toEqual([]);
    expect(extractTicketIds('docs.bd-a1b2.example')).toEqual([]);
    // A Markdown link: its text mentions the ticket, its address does not count twice.
    expect(extractTicketIds('[bd-a1b2](https://example.com/bd-zzzz)')).toEqual(['bd-a1b2']);
  });

  it('keeps the order of first appearance and drops repeats', () => {
    expect(extractTicketIds('bd-ccc bd-aaa bd-ccc (bd-bbb) bd-aaa.')).toEqual(['bd-ccc', 'bd-aaa', 'bd-bbb']);
  });

  it('reads PR titles and bodies in Markdown', () => {
    const body = '## Hotfix\n\n- Fixes **bd-k9x2**\n- see `bd-m3n4`\n| bd-p5q6 | done |\n';
    expect(extractTicketIds('[hotfix] bd-a1b2: login (#42)')).toEqual(['bd-a1b2']);
    expect(extractTicketReferences(body)).toEqual([
      { id: 'bd-k9x2', closes: false },
      { id: 'bd-m3n4', closes: false },
      { id: 'bd-p5q6', closes: false },
    ]);
  });

  it('uses configured prefixes, longest first', () => {
    const options = { prefixes: ['ops', 'bd', 'bd-web'] };
    expect(extractTicketIds('ops-a1b hotfix(bd-web-x9z) bd-c3d', options)).toEqual(['ops-a1b', 'bd-web-x9z', 'bd-c3d']);
    expect(extractTicketIds('ops-a1b bd-c3d', { prefixes: ['ops'] })).toEqual(['ops-a1b']);
    expect(extractTicketIds('Proj_1-abc', { prefixes: ['Proj_1'] })).toEqual(['Proj_1-abc']);
  });

  it('extends matches to known ids with extra words, and can keep only known ids', () => {
    const knownIds = ['bd-beads-crew-dave', 'bd-9f86-baseline-test', 'bd-a1b2'];
    const text = 'hotfix/bd-beads-crew-dave-fix then bd-9f86-baseline-test, bd-a1b2-x and bd-zzzz';
    expect(extractTicketIds(text)).toEqual(['bd-beads', 'bd-9f86', 'bd-a1b2', 'bd-zzzz']);
    expect(extractTicketIds(text, { knownIds })).toEqual([
      'bd-beads-crew-dave',
      'bd-9f86-baseline-test',
      'bd-a1b2',
      'bd-zzzz',
    ]);
    expect(extractTicketIds(text, { knownIds, onlyKnown: true })).toEqual([
      'bd-beads-crew-dave',
      'bd-9f86-baseline-test',
      'bd-a1b2',
    ]);
  });

  it('finds every id of the real Beads data when it is mentioned, given the known ids', () => {
    const ids = fixtureIds();
    expect(ids.length).toBeGreaterThan(2500);
    const options = { knownIds: ids };
    const text = ids
      .map((id, i) => (i % 3 === 0 ? `Resolves ${id}` : i % 3 === 1 ? `hotfix(${id}): x` : `${id}-desc`))
      .join('\n');
    expect(extractTicketIds(text, options)).toEqual([...new Set(ids)]);
  });

  it('finds the real ids without known ids, except the agent-identity ids with extra words', () => {
    const ids = fixtureIds();
    const plain = ids.filter((id) => !/^bd-(beads|rig)-|-baseline-/.test(id));
    expect(plain.length).toBeGreaterThan(2400);
    for (const id of plain) expect(ticketIdFromBranch(`hotfix/${id}-some-fix`), id).toBe(id);
  });
});

describe('validation', () => {
  it('checks single ids', () => {
    expect(isTicketId('bd-a1b2')).toBe(true);
    expect(isTicketId(' bd-a1b2.1 ')).toBe(true);
    expect(isTicketId('bd-a1b2-fix')).toBe(false);
    expect(isTicketId('bd-a1b2 bd-c3d4')).toBe(false);
    expect(isTicketId('bd-beads-crew-dave', { knownIds: ['bd-beads-crew-dave'] })).toBe(true);
    expect(isTicketId('bd-a1b2', { knownIds: ['bd-c3d4'], onlyKnown: true })).toBe(false);
    expect(assertTicketId(' bd-a1b2 ', 'ticket')).toBe('bd-a1b2');
    const error = (() => {
      try {
        assertTicketId('bd-a1b2;rm', 'ticket', { prefixes: ['ops'] });
      } catch (caught) {
        return caught as ConfigurationError;
      }
      throw new Error('expected an error');
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.input).toBe('ticket');
    expect(error.message).toContain('ops-a1b2');
    expect(error.message).toContain('"bd-a1b2;rm"');
  });

  it('checks prefixes', () => {
    expect(validateTicketPrefixes(['bd', 'ops-web'])).toEqual(['bd', 'ops-web']);
    for (const bad of [[], [''], ['b d'], ['bd-'], ['1bd'], ['bd;rm'], ['a'.repeat(33)]]) {
      expect(() => validateTicketPrefixes(bad, 'ticket-prefix'), JSON.stringify(bad)).toThrow(/Input "ticket-prefix"/);
    }
    expect(() => extractTicketIds('x', { prefixes: ['b|d'] })).toThrow(ConfigurationError);
  });
});

describe('properties', () => {
  const base36 = '0123456789abcdefghijklmnopqrstuvwxyz'.split('');
  const hash = fc
    .array(fc.constantFrom(...base36), { minLength: 3, maxLength: 8 })
    .map((chars) => chars.join(''))
    // A hash spelling a namespace would be read as "bd-mol-…" when a hyphenated word follows.
    .filter((h) => !['mol', 'wisp', 'eph'].includes(h));
  const prefix = fc.constantFrom('bd', 'ops', 'web-app', 'X_1');
  const ticket = fc
    .record({
      prefix,
      namespace: fc.constantFrom('', '', '', 'mol-', 'wisp-'),
      hash,
      children: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 2 }),
    })
    .map(
      ({ prefix: p, namespace, hash: h, children }) => `${p}-${namespace}${h}${children.map((c) => `.${c}`).join('')}`,
    );
  const word = fc
    .array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split('')), { minLength: 1, maxLength: 10 })
    .map((chars) => chars.join(''));
  const description = fc.array(word, { minLength: 1, maxLength: 5 }).map((words) => words.join('-'));
  const options = { prefixes: ['bd', 'ops', 'web-app', 'X_1'] };

  it('finds a generated id in generated branch names', () => {
    fc.assert(
      fc.property(ticket, description, fc.constantFrom('hotfix/', 'backmerge/', 'fix/', ''), (id, desc, kind) => {
        expect(extractTicketIds(`${kind}${id}-${desc}`, options)).toEqual([id]);
        expect(extractTicketIds(`${kind}${id}`, options)).toEqual([id]);
        expect(extractTicketIds(`${kind}${desc}_${id}`, options)).toEqual([id]);
      }),
      { numRuns: 500 },
    );
  });

  it('finds generated ids in generated commit messages, in order, with closing keywords', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(ticket, { minLength: 1, maxLength: 4 }),
        fc.array(word, { maxLength: 8 }),
        (ids, words) => {
          const [first, ...rest] = ids as [string, ...string[]];
          const prose = words.join(' ');
          const message = `hotfix(${first}): ${prose}\n\n${prose}\nResolves ${first}\n${rest.map((id) => `Refs ${id}`).join('\n')}`;
          expect(extractTicketIds(message, options)).toEqual(ids);
          const references = extractTicketReferences(message, options);
          expect(references.map((r) => r.closes)).toEqual(ids.map((_, i) => i === 0));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds nothing in text that mentions no prefix followed by a hyphen', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        fc.pre(!/(bd|ops|web-app|X_1)-/.test(text));
        expect(extractTicketIds(text, options)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('finds nothing when the id is glued to a word', () => {
    fc.assert(
      fc.property(word, ticket, (glue, id) => {
        expect(extractTicketIds(`${glue}${id}`, options)).toEqual(/^[a-z0-9]/i.test(glue) ? [] : [id]);
        expect(extractTicketIds(`${id}${glue.toUpperCase()}x`, options).includes(id)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('long input', () => {
  it('scans a large pasted blob in linear time', () => {
    const blob = 'A1b2C3d4'.repeat(25_000);
    const text = `Fixes bd-a1b2\n${blob}\n${blob.replace(/A/g, '.')} bd-c3d4`;
    const started = performance.now();
    expect(extractTicketIds(text)).toEqual(['bd-a1b2', 'bd-c3d4']);
    // Generous for a shared machine; a quadratic scan of this text takes minutes.
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
