import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../src/errors.js';
import {
  compareHotfixVersions,
  DEFAULT_RELEASE_BRANCH_PATTERN,
  formatReleaseLine,
  formatVersionTag,
  highestVersion,
  highestVersionOfLine,
  hotfixNumber,
  isReleaseVersion,
  isVersionOfLine,
  lineOfVersion,
  nextVersion,
  parseReleaseLine,
  parseReleaseLineText,
  parseVersionTag,
  parseVersionText,
  requireReleaseLine,
  sortVersionTags,
  validateReleaseBranchPattern,
  validateTagPrefix,
  VERSION_SCHEMES,
} from '../src/versions.js';

function thrown(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('release lines from branch names', () => {
  it.each([
    ['release/v2.1', { major: 2, minor: 1 }],
    ['release/v1.2', { major: 1, minor: 2 }],
    ['release/v3.0', { major: 3, minor: 0 }],
    ['release/v1.x', { major: 1 }],
    ['release/v2.x', { major: 2 }],
    ['release/1.2', { major: 1, minor: 2 }],
    ['release/1.x', { major: 1 }],
    ['release/v1', { major: 1 }],
    ['release/10.20', { major: 10, minor: 20 }],
    ['refs/heads/release/v2.1', { major: 2, minor: 1 }],
  ])('%s is line %j', (branch, line) => {
    expect(parseReleaseLine(branch)).toEqual(line);
    expect(requireReleaseLine(branch, 'release-branch')).toEqual(line);
  });

  it.each([
    'main',
    'develop',
    'hotfix/bd-a1b2-fix-login',
    'hotfix/TICKET_ID-description',
    'hotfix/v1.3.0-hotfix.1',
    'backmerge/TICKET_ID',
    'hotfix/20251024T093000Z_critical-auth-bypass',
    'release/v1.5.1',
    'release/v01.2',
    'release/v1.02',
    'release/vx',
    'release/v1.2-rc',
    'xrelease/v1.2',
    'release/v1.2/extra',
  ])('%s is not a release branch', (branch) => {
    expect(parseReleaseLine(branch)).toBeUndefined();
  });

  it('says which pattern a non-release branch missed', () => {
    const error = thrown(() => requireReleaseLine('hotfix/bd-a1b2-fix-login', 'release-branch'));
    expect(error.input).toBe('release-branch');
    expect(error.message).toContain('release/{line}');
    expect(error.message).toContain('release/v1.2');
  });

  it.each([
    'release/v1.2;touch x',
    'release/v1.2;id',
    '$(id)',
    'release/$(id)',
    'release/`id`',
    'release/../v1.2',
    'release/v1 .2',
    ' release/v1.2',
    '-release/v1.2',
    'release/v1.2.lock',
    'release/v1.2@{0}',
    'release/v1.2\ntouch x',
  ])('rejects the hostile name %j before matching', (branch) => {
    const error = thrown(() => requireReleaseLine(branch, 'release-branch'));
    expect(error.input).toBe('release-branch');
    expect(error.message).toContain('valid git branch or tag name');
    expect(parseReleaseLine(branch)).toBeUndefined();
  });

  it('supports other patterns with {line} and *', () => {
    expect(parseReleaseLine('releases/v4.2', 'releases/{line}')).toEqual({ major: 4, minor: 2 });
    expect(parseReleaseLine('stable-1.x', 'stable-{line}')).toEqual({ major: 1 });
    expect(parseReleaseLine('release/payments/v1.2', 'release/*/{line}')).toEqual({ major: 1, minor: 2 });
    expect(parseReleaseLine('release/a/b/v1.2', 'release/*/{line}')).toBeUndefined();
    expect(parseReleaseLine('v2.0-maint', '{line}-maint')).toEqual({ major: 2, minor: 0 });
    expect(parseReleaseLine('release/v1.2', 'release/v{line}')).toEqual({ major: 1, minor: 2 });
    // Regular-expression characters in a pattern are literal.
    expect(parseReleaseLine('releaseXv1.2', 'release.{line}')).toBeUndefined();
    expect(parseReleaseLine('release.v1.2', 'release.{line}')).toEqual({ major: 1, minor: 2 });
    expect(DEFAULT_RELEASE_BRANCH_PATTERN).toBe('release/{line}');
  });

  it.each([
    ['release/v1.2', 'exactly once'],
    ['release/{line}/{line}', 'exactly once'],
    ['release {line}', 'space'],
    ['release/(.*)/{line}', '('],
    ['release/{line};rm', ';'],
    ['../{line}', '..'],
  ])('rejects the pattern %j', (pattern, reason) => {
    const error = thrown(() => validateReleaseBranchPattern(pattern, 'release-branch-pattern'));
    expect(error.input).toBe('release-branch-pattern');
    expect(error.message).toContain(reason);
    expect(error.message).toContain('{line}');
    expect(() => parseReleaseLine('release/v1.2', pattern)).toThrow(ConfigurationError);
  });
});

describe('release lines as text', () => {
  it.each([
    ['1.2', { major: 1, minor: 2 }],
    ['1', { major: 1 }],
    ['1.x', { major: 1 }],
    ['v2.1', { major: 2, minor: 1 }],
    [' 3.0 ', { major: 3, minor: 0 }],
  ])('%j is %j', (text, line) => {
    expect(parseReleaseLineText(text)).toEqual(line);
  });

  it.each(['', '1.2.3', 'x', '1.', '01.2', 'v', '1.2;id', 'latest'])('rejects %j naming the input', (text) => {
    const error = thrown(() => parseReleaseLineText(text, 'line'));
    expect(error.input).toBe('line');
    expect(error.message).toContain('1.2, 1 or 1.x');
  });

  it('formats lines back into text it reads', () => {
    expect(formatReleaseLine({ major: 1, minor: 2 })).toBe('1.2');
    expect(formatReleaseLine({ major: 1 })).toBe('1.x');
    for (const line of [{ major: 0, minor: 0 }, { major: 7 }, { major: 12, minor: 34 }]) {
      expect(parseReleaseLineText(formatReleaseLine(line))).toEqual(line);
    }
  });

  it('finds the line of a version', () => {
    expect(lineOfVersion('1.2.3-hotfix.1')).toEqual({ major: 1, minor: 2 });
    expect(isVersionOfLine('1.2.3', { major: 1, minor: 2 })).toBe(true);
    expect(isVersionOfLine('1.3.0', { major: 1, minor: 2 })).toBe(false);
    expect(isVersionOfLine('1.3.0', { major: 1 })).toBe(true);
    expect(isVersionOfLine('2.0.0', { major: 1 })).toBe(false);
  });
});

describe('tags', () => {
  it('parses prefixed tags and refuses everything else', () => {
    expect(parseVersionTag('v1.2.3')?.version).toBe('1.2.3');
    expect(parseVersionTag('refs/tags/v1.3.0-hotfix.1')?.version).toBe('1.3.0-hotfix.1');
    expect(parseVersionTag('1.2.3', '')?.version).toBe('1.2.3');
    expect(parseVersionTag('app/v2.0.0', 'app/v')?.version).toBe('2.0.0');
    for (const garbage of ['1.2.3', 'vv1.2.3', 'v1.2', 'v01.2.3', 'v1.2.3 ', 'v 1.2.3', 'v=1.2.3', 'latest', 'v', '']) {
      expect(parseVersionTag(garbage), garbage).toBeUndefined();
    }
    expect(parseVersionTag('v1.2.3', '')).toBeUndefined();
    expect(parseVersionTag('app/v2.0.0')).toBeUndefined();
  });

  it('formats tags', () => {
    expect(formatVersionTag('1.2.4')).toBe('v1.2.4');
    expect(formatVersionTag('1.2.4', '')).toBe('1.2.4');
    expect(formatVersionTag(new semver.SemVer('1.3.0-hotfix.2'), 'svc/v')).toBe('svc/v1.3.0-hotfix.2');
  });

  it('validates tag prefixes', () => {
    expect(validateTagPrefix('v')).toBe('v');
    expect(validateTagPrefix('')).toBe('');
    expect(validateTagPrefix('app/v')).toBe('app/v');
    for (const bad of ['v 1', 'v;', '$(id)', '-', 'release-1', '..', '/']) {
      const error = thrown(() => validateTagPrefix(bad, 'tag-prefix'));
      expect(error.input).toBe('tag-prefix');
      expect(error.message).toContain('"v" or ""');
    }
  });

  it('parses version text for inputs', () => {
    expect(parseVersionText('1.2.3').version).toBe('1.2.3');
    expect(parseVersionText('v1.3.0-hotfix.1').version).toBe('1.3.0-hotfix.1');
    const error = thrown(() => parseVersionText('1.2', 'previous-version'));
    expect(error.input).toBe('previous-version');
    expect(error.message).toContain('"1.2"');
  });
});

describe('hotfix ordering', () => {
  it('orders 1.3.0 < 1.3.0-hotfix.1 < 1.3.0-hotfix.2 < 1.3.1', () => {
    const chain = ['1.3.0', '1.3.0-hotfix.1', '1.3.0-hotfix.2', '1.3.1'];
    for (let i = 0; i < chain.length; i++) {
      for (let j = 0; j < chain.length; j++) {
        expect(Math.sign(compareHotfixVersions(chain[i] ?? '', chain[j] ?? '')), `${chain[i]} vs ${chain[j]}`).toBe(
          Math.sign(i - j),
        );
      }
    }
    // semver alone gets this wrong, which is why the rule exists.
    expect(semver.lt('1.3.0-hotfix.1', '1.3.0')).toBe(true);
  });

  it('numbers hotfix.10 after hotfix.9, and keeps other pre-releases before the release', () => {
    const sorted = [
      '1.3.0-hotfix.10',
      '1.3.1',
      '1.3.0',
      '1.3.0-rc.1',
      '1.3.0-hotfix.9',
      '1.2.9-hotfix.1',
      '1.3.0-beta',
    ].sort(compareHotfixVersions);
    expect(sorted).toEqual([
      '1.2.9-hotfix.1',
      '1.3.0-beta',
      '1.3.0-rc.1',
      '1.3.0',
      '1.3.0-hotfix.9',
      '1.3.0-hotfix.10',
      '1.3.1',
    ]);
  });

  it('knows release versions', () => {
    expect(hotfixNumber('1.3.0')).toBe(0);
    expect(hotfixNumber('1.3.0-hotfix.4')).toBe(4);
    expect(hotfixNumber('1.3.0-rc.1')).toBeUndefined();
    expect(hotfixNumber('1.3.0-hotfix')).toBeUndefined();
    expect(hotfixNumber('1.3.0-hotfix.0')).toBeUndefined();
    expect(hotfixNumber('1.3.0-hotfix.1.2')).toBeUndefined();
    expect(isReleaseVersion('1.3.0+build.5')).toBe(true);
    expect(isReleaseVersion('1.3.0-rc.1')).toBe(false);
  });

  const versionArbitrary = fc
    .record({
      major: fc.integer({ min: 0, max: 3 }),
      minor: fc.integer({ min: 0, max: 3 }),
      patch: fc.integer({ min: 0, max: 3 }),
      pre: fc.oneof(
        fc.constant(''),
        fc.integer({ min: 1, max: 12 }).map((n) => `-hotfix.${n}`),
        fc.integer({ min: 0, max: 3 }).map((n) => `-rc.${n}`),
        fc.constantFrom('-alpha', '-beta.2', '-hotfix', '-hotfix.0'),
      ),
      build: fc.constantFrom('', '', '+build.1', '+sha.abc'),
    })
    .map(({ major, minor, patch, pre, build }) => `${major}.${minor}.${patch}${pre}${build}`);

  // The ordering written out independently: (main, group, rank) where group 0 = other pre-release,
  // 1 = release, 2 = hotfix N.
  function referenceKey(text: string): [number, number, number, number] {
    const v = new semver.SemVer(text);
    const n = hotfixNumber(v);
    return [v.major * 1e6 + v.minor * 1e3 + v.patch, n === undefined ? 0 : n === 0 ? 1 : 2, n ?? 0, 0];
  }

  it('is a total order consistent with the hotfix rule and with semver elsewhere (property)', () => {
    fc.assert(
      fc.property(versionArbitrary, versionArbitrary, versionArbitrary, (a, b, c) => {
        const ab = Math.sign(compareHotfixVersions(a, b));
        // antisymmetric and reflexive
        expect(Math.sign(compareHotfixVersions(b, a))).toBe(-ab || 0);
        expect(compareHotfixVersions(a, a)).toBe(0);
        // transitive
        if (ab <= 0 && compareHotfixVersions(b, c) <= 0) expect(compareHotfixVersions(a, c)).toBeLessThanOrEqual(0);
        // consistent with the reference key whenever the keys differ
        const [ka, kb] = [referenceKey(a), referenceKey(b)];
        const keyOrder = Math.sign(ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2]);
        if (keyOrder !== 0) expect(ab).toBe(keyOrder);
        // where no hotfix version is involved it is exactly semver (build metadata breaks ties)
        if (!/-hotfix\.[1-9]/.test(a) && !/-hotfix\.[1-9]/.test(b)) {
          expect(ab).toBe(Math.sign(semver.compareBuild(a, b)));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('sorts any list into non-decreasing order, independent of the input order (property)', () => {
    fc.assert(
      fc.property(fc.array(versionArbitrary, { maxLength: 30 }), (versions) => {
        const sorted = [...versions].sort(compareHotfixVersions);
        for (let i = 1; i < sorted.length; i++) {
          expect(compareHotfixVersions(sorted[i - 1] ?? '', sorted[i] ?? '')).toBeLessThanOrEqual(0);
        }
        const reversed = [...versions].reverse().sort(compareHotfixVersions);
        expect(reversed).toEqual(sorted);
      }),
      { numRuns: 300 },
    );
  });
});

describe('previous and next versions', () => {
  it('takes the previous version from the line, not from the newest tag (the peers’ bug)', () => {
    const tags = ['v1.2.3', 'v1.3.0'];
    const line = requireReleaseLine('release/v1.2', 'release-branch');
    const previous = highestVersionOfLine(tags, line);
    expect(previous?.tag).toBe('v1.2.3');
    const next = nextVersion(previous?.version, line, 'patch');
    expect(formatVersionTag(next)).toBe('v1.2.4');
    expect(highestVersion(tags)?.tag).toBe('v1.3.0');
  });

  it('bumps under both schemes', () => {
    const line12 = { major: 1, minor: 2 };
    const line13 = { major: 1, minor: 3 };
    expect(nextVersion('1.2.3', line12, 'patch').version).toBe('1.2.4');
    expect(nextVersion('1.2.3-hotfix.2', line12, 'patch').version).toBe('1.2.4');
    expect(nextVersion('1.3.0', line13, 'hotfix-suffix').version).toBe('1.3.0-hotfix.1');
    expect(nextVersion('1.3.0-hotfix.1', line13, 'hotfix-suffix').version).toBe('1.3.0-hotfix.2');
    expect(nextVersion('1.3.0-hotfix.9', line13, 'hotfix-suffix').version).toBe('1.3.0-hotfix.10');
    expect(nextVersion('1.2.3+build.4', line12, 'patch').version).toBe('1.2.4');
    expect(VERSION_SCHEMES).toEqual(['patch', 'hotfix-suffix']);
  });

  it('starts a line without tags at X.Y.0, or X.0.0 for a major-only line', () => {
    expect(nextVersion(undefined, { major: 2, minor: 1 }, 'patch').version).toBe('2.1.0');
    expect(nextVersion(undefined, { major: 2 }, 'hotfix-suffix').version).toBe('2.0.0');
    const line = parseReleaseLine('release/v1.x');
    expect(line).toEqual({ major: 1 });
    const previous = highestVersionOfLine(['v1.4.2', 'v1.0.0', 'v2.0.0', 'v0.9.9'], line ?? { major: 1 });
    expect(previous?.tag).toBe('v1.4.2');
    expect(nextVersion(previous?.version, line ?? { major: 1 }, 'patch').version).toBe('1.4.3');
  });

  it('the next version always sorts after the previous one (property)', () => {
    fc.assert(
      fc.property(
        fc.nat(20),
        fc.nat(20),
        fc.nat(20),
        fc.nat(5),
        fc.constantFrom(...VERSION_SCHEMES),
        (major, minor, patch, hotfix, scheme) => {
          const previous = `${major}.${minor}.${patch}${hotfix > 0 ? `-hotfix.${hotfix}` : ''}`;
          const next = nextVersion(previous, { major, minor }, scheme);
          expect(compareHotfixVersions(next, previous)).toBeGreaterThan(0);
          expect(isVersionOfLine(next, { major, minor })).toBe(true);
          expect(isReleaseVersion(next)).toBe(true);
        },
      ),
    );
  });

  it('refuses a previous version from another line or a pre-release', () => {
    expect(() => nextVersion('1.3.0', { major: 1, minor: 2 }, 'patch')).toThrow(/does not belong to release line 1\.2/);
    expect(() => nextVersion('1.2.0-rc.1', { major: 1, minor: 2 }, 'patch')).toThrow(ConfigurationError);
  });

  it('ignores garbage, other prefixes and pre-releases when looking for the highest version', () => {
    const tags = [
      'v1.2.3',
      'refs/tags/v1.2.4-hotfix.1',
      'v1.2.5-rc.1',
      'v1.2.10-beta',
      'release-1.2.99',
      '1.2.50',
      'v1.2',
      'nightly',
      'app/v1.2.77',
    ];
    expect(highestVersionOfLine(tags, { major: 1, minor: 2 })?.tag).toBe('v1.2.4-hotfix.1');
    expect(highestVersionOfLine(tags, { major: 1, minor: 2 }, '')?.tag).toBe('1.2.50');
    expect(highestVersionOfLine(tags, { major: 1, minor: 3 })).toBeUndefined();
    expect(highestVersion([])).toBeUndefined();
    expect(highestVersion(['v1.3.0', 'v1.3.0-hotfix.2', 'v1.3.0-hotfix.1'])?.tag).toBe('v1.3.0-hotfix.2');
  });

  it('sorts tags, leaving out those that are not versions', () => {
    expect(
      sortVersionTags(['v1.3.1', 'junk', 'v1.3.0-hotfix.1', 'v1.3.0', 'refs/tags/v1.2.0']).map((t) => t.tag),
    ).toEqual(['v1.2.0', 'v1.3.0', 'v1.3.0-hotfix.1', 'v1.3.1']);
  });

  it('handles thousands of tags in one pass', () => {
    const tags: string[] = [];
    for (let major = 0; major < 5; major++) {
      for (let minor = 0; minor < 20; minor++) {
        for (let patch = 0; patch < 25; patch++) {
          tags.push(`v${major}.${minor}.${patch}`);
          if (patch % 5 === 0) tags.push(`v${major}.${minor}.${patch}-hotfix.1`, `v${major}.${minor}.${patch}-rc.1`);
        }
      }
    }
    tags.push(...Array.from({ length: 500 }, (_, i) => `build-${i}`));
    expect(tags.length).toBeGreaterThan(3000);
    const started = performance.now();
    const previous = highestVersionOfLine(tags, { major: 2, minor: 7 });
    const top = highestVersion(tags);
    const elapsed = performance.now() - started;
    expect(previous?.tag).toBe('v2.7.24');
    expect(top?.tag).toBe('v4.19.24');
    expect(nextVersion(previous?.version, { major: 2, minor: 7 }, 'hotfix-suffix').version).toBe('2.7.24-hotfix.1');
    // Generous bound for a shared CI machine; a linear pass takes a few milliseconds.
    expect(elapsed).toBeLessThan(2000);
  });
});
