import semver from 'semver';
import type { SemVer } from 'semver';
import { ConfigurationError } from './errors.js';
import { assertRefName, refNameProblem } from './refname.js';

/**
 * A release line: `{ major: 2, minor: 1 }` for `release/v2.1`, `{ major: 1 }` for `release/v1.x`
 * (a major-only line, whose versions are every 1.y.z).
 */
export interface ReleaseLine {
  /** The major version every version of the line shares. */
  major: number;
  /** The minor version, or undefined for a major-only line such as `1.x`. */
  minor?: number;
}

/** How a hotfix bumps the previous version of its line. */
export type VersionScheme = 'patch' | 'hotfix-suffix';

/** The version schemes, for enum inputs: `patch` (1.2.3 → 1.2.4) and `hotfix-suffix` (1.3.0 → 1.3.0-hotfix.1). */
export const VERSION_SCHEMES: readonly VersionScheme[] = ['patch', 'hotfix-suffix'];

/** The default release branch pattern: matches release/v1.2, release/1.2, release/v1.x, release/1.x and release/v1. */
export const DEFAULT_RELEASE_BRANCH_PATTERN = 'release/{line}';

/** The default tag prefix: tags look like `v1.2.3`. */
export const DEFAULT_TAG_PREFIX = 'v';

/** The pre-release identifier of the hotfix-suffix scheme (`1.3.0-hotfix.2`). */
export const HOTFIX_PRERELEASE_ID = 'hotfix';

/** A tag that carries a version, as found among a repository's tags. */
export interface VersionTag {
  /** The tag name as given, e.g. `v1.2.3` (a leading `refs/tags/` removed). */
  tag: string;
  /** The version the tag names. */
  version: SemVer;
}

/** A version given either parsed or as text such as `1.2.3` (without a tag prefix). */
export type VersionLike = SemVer | string;

// A numeric identifier as semver allows it (no leading zeros), kept short enough to be a safe integer.
const NUMBER = '(0|[1-9]\\d{0,8})';
// `{line}` in a pattern: an optional "v", the major, then optionally ".minor" or ".x" (major-only).
const LINE_GROUP = `v?${NUMBER}(?:\\.(?:${NUMBER}|[xX]))?`;
const LINE_TEXT = new RegExp(`^${LINE_GROUP}$`);

const patternCache = new Map<string, RegExp>();

function describePatternProblem(pattern: string): string | undefined {
  const placeholders = pattern.split('{line}').length - 1;
  if (placeholders !== 1) return `it must contain "{line}" exactly once (it contains it ${placeholders} times)`;
  // Check the literal parts as a ref name by putting a sample line in place of the placeholders.
  const sample = pattern.replace('{line}', 'v1.2').replaceAll('*', 'x');
  const problem = refNameProblem(sample);
  if (problem !== undefined) return `a branch matching it could never be a valid branch name: ${problem}`;
  return undefined;
}

/**
 * Checks a release branch pattern and returns it. A pattern is a branch name in which `{line}`
 * (exactly once) stands for the release line — an optional `v`, the major, and optionally `.minor`
 * or `.x` — and `*` stands for any characters except `/`. Everything else is literal.
 * Throws a ConfigurationError naming `input` when the pattern cannot work.
 */
export function validateReleaseBranchPattern(pattern: string, input = 'release-branch-pattern'): string {
  const problem = describePatternProblem(pattern);
  if (problem !== undefined) {
    throw new ConfigurationError(
      `Input "${input}" must be a branch name pattern containing "{line}", such as "release/{line}" or ` +
        `"releases/*/{line}", but ${JSON.stringify(pattern)} is not usable: ${problem}.`,
      input,
    );
  }
  return pattern;
}

function compilePattern(pattern: string): RegExp {
  let compiled = patternCache.get(pattern);
  if (compiled === undefined) {
    validateReleaseBranchPattern(pattern);
    const [before = '', after = ''] = pattern.split('{line}');
    const literal = (part: string): string =>
      part
        .split('*')
        .map((piece) => piece.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))
        .join('[^/]*');
    compiled = new RegExp(`^${literal(before)}${LINE_GROUP}${literal(after)}$`);
    patternCache.set(pattern, compiled);
  }
  return compiled;
}

function lineFromMatch(match: RegExpExecArray): ReleaseLine {
  const major = Number(match[1]);
  return match[2] === undefined ? { major } : { major, minor: Number(match[2]) };
}

/**
 * The release line a branch name stands for under `pattern` (see {@link validateReleaseBranchPattern}),
 * or undefined when the branch is not a release branch: `release/v2.1` → {major: 2, minor: 1},
 * `release/v1.x` → {major: 1}. A leading `refs/heads/` is ignored. A bad pattern throws a ConfigurationError
 * about `release-branch-pattern`: validate a pattern from another input first with {@link validateReleaseBranchPattern}.
 */
export function parseReleaseLine(
  branch: string,
  pattern: string = DEFAULT_RELEASE_BRANCH_PATTERN,
): ReleaseLine | undefined {
  const name = branch.startsWith('refs/heads/') ? branch.slice('refs/heads/'.length) : branch;
  const match = compilePattern(pattern).exec(name);
  return match === null ? undefined : lineFromMatch(match);
}

/**
 * The release line of the branch given in `input`: checks that it is a valid branch name
 * (see assertRefName) and that it matches `pattern`, otherwise throws a ConfigurationError naming `input`.
 */
export function requireReleaseLine(
  branch: string,
  input: string,
  pattern: string = DEFAULT_RELEASE_BRANCH_PATTERN,
): ReleaseLine {
  assertRefName(branch, input);
  const line = parseReleaseLine(branch, pattern);
  if (line === undefined) {
    throw new ConfigurationError(
      `Input "${input}" must be a release branch matching "${pattern}" (for example ` +
        `${pattern.replace('{line}', 'v1.2').replaceAll('*', 'x')} or ${pattern.replace('{line}', 'v1.x').replaceAll('*', 'x')}), ` +
        `but ${JSON.stringify(branch)} does not match.`,
      input,
    );
  }
  return line;
}

/**
 * Parses a release line written as text, as in a `line` input: `1.2`, `1`, `1.x`, `v1.2`.
 * Throws a ConfigurationError naming `input` otherwise.
 */
export function parseReleaseLineText(text: string, input = 'line'): ReleaseLine {
  const match = LINE_TEXT.exec(text.trim());
  if (match === null) {
    throw new ConfigurationError(
      `Input "${input}" must be a release line such as 1.2, 1 or 1.x (an optional "v" is allowed), ` +
        `but got ${JSON.stringify(text)}.`,
      input,
    );
  }
  return lineFromMatch(match);
}

/** The text form of a release line: `1.2`, or `1.x` for a major-only line (accepted back by {@link parseReleaseLineText}). */
export function formatReleaseLine(line: ReleaseLine): string {
  return line.minor === undefined ? `${line.major}.x` : `${line.major}.${line.minor}`;
}

/** The major.minor release line a version belongs to: `1.2.3-hotfix.1` → {major: 1, minor: 2}. */
export function lineOfVersion(version: VersionLike): ReleaseLine {
  const parsed = toSemVer(version);
  return { major: parsed.major, minor: parsed.minor };
}

/** True when `version` belongs to `line` (same major and, unless the line is major-only, same minor). */
export function isVersionOfLine(version: VersionLike, line: ReleaseLine): boolean {
  const parsed = toSemVer(version);
  return parsed.major === line.major && (line.minor === undefined || parsed.minor === line.minor);
}

/**
 * Checks a tag prefix (`v`, `''`, or something like `app/v` in a monorepo) and returns it;
 * throws a ConfigurationError naming `input` when tags with it could not be valid tag names.
 */
export function validateTagPrefix(prefix: string, input = 'tag-prefix'): string {
  const problem = /\d$/.test(prefix) ? 'it ends with a digit' : refNameProblem(`${prefix}1.2.3`);
  if (problem !== undefined) {
    throw new ConfigurationError(
      `Input "${input}" must be a tag prefix such as "v" or "" (empty) that makes valid tag names, ` +
        `but ${JSON.stringify(prefix)} does not: ${problem}.`,
      input,
    );
  }
  return prefix;
}

/**
 * The version a tag names, or undefined when the tag is not exactly `prefix` + a semantic version
 * (`v1.2.3`, `v1.3.0-hotfix.1`). Leading zeros, a stray `v` or `=`, and whitespace are refused.
 * A leading `refs/tags/` is ignored.
 */
export function parseVersionTag(tag: string, prefix: string = DEFAULT_TAG_PREFIX): SemVer | undefined {
  const name = tag.startsWith('refs/tags/') ? tag.slice('refs/tags/'.length) : tag;
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  // semver itself accepts a leading "v" and surrounding whitespace: insist on a bare version.
  const first = rest.charCodeAt(0);
  if (!(first >= 48 && first <= 57) || rest !== rest.trim()) return undefined;
  return semver.parse(rest) ?? undefined;
}

/** The tag name of a version: `formatVersionTag('1.2.4', 'v')` → `v1.2.4`. */
export function formatVersionTag(version: VersionLike, prefix: string = DEFAULT_TAG_PREFIX): string {
  return `${prefix}${toSemVer(version).version}`;
}

/**
 * Parses a version given as text (`1.2.3`, without a tag prefix; a leading `v` is tolerated) and throws a
 * ConfigurationError naming `input` when it is not a semantic version.
 */
export function parseVersionText(text: string, input = 'version'): SemVer {
  const trimmed = text.trim();
  const parsed = /^v?\d/.test(trimmed) ? semver.parse(trimmed) : null;
  if (parsed === null) {
    throw new ConfigurationError(
      `Input "${input}" must be a semantic version such as 1.2.3 or 1.3.0-hotfix.1, but got ${JSON.stringify(text)}.`,
      input,
    );
  }
  return parsed;
}

function toSemVer(version: VersionLike): SemVer {
  if (typeof version !== 'string') return version;
  const parsed = semver.parse(version);
  if (parsed === null) throw new TypeError(`Not a semantic version: ${JSON.stringify(version)}`);
  return parsed;
}

/**
 * The hotfix number of a version: N for `X.Y.Z-hotfix.N` (N ≥ 1), 0 for a release `X.Y.Z`, and
 * undefined for any other pre-release (`1.3.0-rc.1`, `1.3.0-hotfix`), which is not a release of its line.
 */
export function hotfixNumber(version: VersionLike): number | undefined {
  const { prerelease } = toSemVer(version);
  if (prerelease.length === 0) return 0;
  const [id, n] = prerelease;
  if (prerelease.length === 2 && id === HOTFIX_PRERELEASE_ID && typeof n === 'number' && n >= 1) return n;
  return undefined;
}

/**
 * True when a version is a release of its line for bump purposes: `X.Y.Z` or `X.Y.Z-hotfix.N`.
 * Other pre-releases (`-rc.1`, `-beta`) are never the "previous version" of a hotfix.
 */
export function isReleaseVersion(version: VersionLike): boolean {
  return hotfixNumber(version) !== undefined;
}

/**
 * Orders versions as semver does, with one rule on top for the hotfix-suffix scheme:
 * `X.Y.Z-hotfix.N` sorts after `X.Y.Z` (semver puts every pre-release before its release),
 * so `1.3.0 < 1.3.0-hotfix.1 < 1.3.0-hotfix.2 < 1.3.1`. Other pre-releases keep semver's order
 * (`1.3.0-rc.1 < 1.3.0`); build metadata only breaks ties, so sorting is deterministic.
 * Returns a negative number, zero or a positive number, for `Array.prototype.sort`.
 */
export function compareHotfixVersions(a: VersionLike, b: VersionLike): number {
  const left = toSemVer(a);
  const right = toSemVer(b);
  const main = left.compareMain(right);
  if (main !== 0) return main;
  const leftHotfix = hotfixNumber(left);
  const rightHotfix = hotfixNumber(right);
  // Within one X.Y.Z: other pre-releases (semver order) < the release < hotfix.1 < hotfix.2 …
  if (leftHotfix !== undefined && rightHotfix !== undefined) {
    if (leftHotfix !== rightHotfix) return leftHotfix - rightHotfix;
  } else if (leftHotfix !== undefined) {
    return 1;
  } else if (rightHotfix !== undefined) {
    return -1;
  } else {
    const pre = left.comparePre(right);
    if (pre !== 0) return pre;
  }
  return left.compareBuild(right);
}

/**
 * The tags that name versions under `prefix`, sorted from lowest to highest by {@link compareHotfixVersions};
 * tags that are not `prefix` + a semantic version are left out.
 */
export function sortVersionTags(tags: Iterable<string>, prefix: string = DEFAULT_TAG_PREFIX): VersionTag[] {
  const found: VersionTag[] = [];
  for (const tag of tags) {
    const version = parseVersionTag(tag, prefix);
    if (version !== undefined) found.push({ tag: stripTagRef(tag), version });
  }
  return found.sort((x, y) => compareHotfixVersions(x.version, y.version) || compareStrings(x.tag, y.tag));
}

function stripTagRef(tag: string): string {
  return tag.startsWith('refs/tags/') ? tag.slice('refs/tags/'.length) : tag;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function highest(tags: Iterable<string>, prefix: string, keep: (version: SemVer) => boolean): VersionTag | undefined {
  let best: VersionTag | undefined;
  for (const tag of tags) {
    const version = parseVersionTag(tag, prefix);
    if (version === undefined || !keep(version)) continue;
    const name = stripTagRef(tag);
    if (best === undefined) {
      best = { tag: name, version };
      continue;
    }
    const order = compareHotfixVersions(version, best.version) || compareStrings(name, best.tag);
    if (order > 0) best = { tag: name, version };
  }
  return best;
}

/**
 * The highest release version (`X.Y.Z` or `X.Y.Z-hotfix.N`) among `tags` that belongs to `line`,
 * with its tag, or undefined when the line has none yet. This — not the newest tag of the whole
 * repository — is the previous version of a hotfix: on release/v1.2 with tags v1.2.3 and v1.3.0
 * it is v1.2.3. One pass, no sorting: cheap on thousands of tags.
 */
export function highestVersionOfLine(
  tags: Iterable<string>,
  line: ReleaseLine,
  prefix: string = DEFAULT_TAG_PREFIX,
): VersionTag | undefined {
  return highest(tags, prefix, (version) => isReleaseVersion(version) && isVersionOfLine(version, line));
}

/**
 * The highest release version (`X.Y.Z` or `X.Y.Z-hotfix.N`) among all `tags`, with its tag — the
 * current version of a trunk — or undefined when there is none. Other pre-releases are ignored.
 */
export function highestVersion(tags: Iterable<string>, prefix: string = DEFAULT_TAG_PREFIX): VersionTag | undefined {
  return highest(tags, prefix, isReleaseVersion);
}

/**
 * The version a hotfix on `line` gets, given the previous version of that line (see
 * {@link highestVersionOfLine}) under `scheme`:
 * - `patch`: 1.2.3 → 1.2.4, and 1.2.3-hotfix.2 → 1.2.4;
 * - `hotfix-suffix`: 1.3.0 → 1.3.0-hotfix.1, 1.3.0-hotfix.1 → 1.3.0-hotfix.2.
 *
 * With no previous version the line starts at X.Y.0 (X.0.0 for a major-only line) under both schemes.
 * Build metadata is dropped. Throws a ConfigurationError when `previous` is not a release version of `line`.
 */
export function nextVersion(previous: VersionLike | undefined, line: ReleaseLine, scheme: VersionScheme): SemVer {
  if (previous === undefined) return new semver.SemVer(`${line.major}.${line.minor ?? 0}.0`);
  const version = toSemVer(previous);
  const hotfix = hotfixNumber(version);
  if (hotfix === undefined) {
    throw new ConfigurationError(
      `The previous version ${version.version} is a pre-release; a hotfix needs a release version ` +
        `(X.Y.Z or X.Y.Z-${HOTFIX_PRERELEASE_ID}.N) to start from.`,
    );
  }
  if (!isVersionOfLine(version, line)) {
    throw new ConfigurationError(
      `The previous version ${version.version} does not belong to release line ${formatReleaseLine(line)}.`,
    );
  }
  const base = `${version.major}.${version.minor}.${version.patch}`;
  switch (scheme) {
    case 'patch':
      return new semver.SemVer(`${version.major}.${version.minor}.${version.patch + 1}`);
    case 'hotfix-suffix':
      return new semver.SemVer(`${base}-${HOTFIX_PRERELEASE_ID}.${hotfix + 1}`);
    default: {
      const unknown: never = scheme;
      throw new TypeError(`Unknown version scheme ${String(unknown)}`);
    }
  }
}
