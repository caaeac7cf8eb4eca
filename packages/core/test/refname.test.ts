import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../src/errors.js';
import { assertRefName, isValidRefName, refNameProblem } from '../src/refname.js';

// Every branch name the hotfix process (the seeds) uses.
const SEED_BRANCHES = [
  'release/v1.x',
  'release/v2.x',
  'release/v2.1',
  'release/v1.2',
  'release/v3.0',
  'release/v1.5.1',
  'hotfix/bd-a1b2-fix-login',
  'hotfix/TICKET_ID-description',
  'hotfix/TICKET_ID-brief-description',
  'hotfix/TICKET_ID',
  'hotfix/v1.3.0-hotfix.1',
  'backmerge/TICKET_ID',
  'hotfix/20251024T093000Z_critical-auth-bypass',
  'develop',
  'main',
  'master',
];

const HOSTILE: [string, string][] = [
  ['release/v1.2;touch x', 'space'],
  ['release/v1.2;touch', ';'],
  ['$(id)', '$'],
  ['release/`id`', '`'],
  ['release/../main', '..'],
  ['release/v1 .2', 'space'],
  ['hotfix/a b', 'space'],
  ['-x', 'starts with "-"'],
  ['release/a.lock', '.lock'],
  ['a.lock', '.lock'],
  ['main@{1}', '@{'],
  ['release/v1.2\ntouch x', 'control'],
  ['release/v1.2\u0000', 'control'],
  ['release/v1|cat', '|'],
  ['release/v1&&id', '&'],
  ['release/v1>out', '>'],
  ["release/v1'x", "'"],
  ['release/v1"x', '"'],
  ['release/v1\\x', '\\'],
  ['release/~1', '~'],
  ['release/^1', '^'],
  ['release/:1', ':'],
  ['release/?1', '?'],
  ['release/*', '*'],
  ['release/[1]', '['],
  ['release//v1', '//'],
  ['/release', 'starts or ends'],
  ['release/', 'starts or ends'],
  ['release.', 'ends with "."'],
  ['release/.hidden', 'starts with "."'],
  ['@', '"@"'],
  ['', 'empty'],
  ['a'.repeat(256), 'longer'],
];

describe('refNameProblem', () => {
  it.each(SEED_BRANCHES)('accepts the seed branch %s', (name) => {
    expect(refNameProblem(name)).toBeUndefined();
    expect(isValidRefName(name)).toBe(true);
    expect(assertRefName(name, 'branch')).toBe(name);
  });

  it('accepts tags of both version schemes', () => {
    for (const tag of ['v1.2.3', 'v1.3.0-hotfix.1', '1.2.3', 'app/v2.0.0', 'v1.2.3+build.7']) {
      expect(isValidRefName(tag)).toBe(true);
    }
  });

  it.each(HOSTILE)('rejects %j (%s)', (name, reason) => {
    const problem = refNameProblem(name);
    expect(problem).toBeDefined();
    expect(problem?.toLowerCase()).toContain(reason.toLowerCase());
    expect(isValidRefName(name)).toBe(false);
  });
});

describe('assertRefName', () => {
  it('throws a ConfigurationError naming the input and the reason', () => {
    const error = (() => {
      try {
        assertRefName('release/v1.2;id', 'release-branch');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).input).toBe('release-branch');
    expect((error as Error).message).toContain('Input "release-branch"');
    expect((error as Error).message).toContain('";"');
    expect((error as Error).message).toContain('release/v1.2');
  });
});
