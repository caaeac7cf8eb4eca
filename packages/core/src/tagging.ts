import type { SemVer } from 'semver';
import { ConfigurationError, errorMessage } from './errors.js';
import type { GitClient } from './git.js';
import { isAlreadyExists, isHttpStatus } from './github-errors.js';
import type { GitHubClient } from './github.js';
import {
  compareHotfixVersions,
  formatReleaseLine,
  formatVersionTag,
  highestVersion,
  highestVersionOfLine,
  hotfixNumber,
  isReleaseVersion,
  isVersionOfLine,
  lineOfVersion,
  nextVersion,
  parseVersionTag,
  type ReleaseLine,
  type VersionScheme,
} from './versions.js';

/** A tag as a remote lists it: the object it points at and, when known, the commit behind it. */
export interface RemoteTag {
  /** Tag name without `refs/tags/`, e.g. `v1.2.3`. */
  name: string;
  /** The commit the tag points at, when the listing already says (lightweight or peeled). */
  commit?: string;
  /** The object the ref points at (a tag object for an annotated tag). */
  object: string;
}

/** How one commit relates to another: `ahead` means head has commits base lacks and not the reverse. */
export type CommitRelation = 'identical' | 'ahead' | 'behind' | 'diverged' | 'unknown';

/** The result of trying to create a tag: created, or already there pointing at `commit`. */
export type CreateTagResult = { created: true } | { created: false; commit: string };

/**
 * Where version tags live: the REST API ({@link createApiTagStore}) or a git remote
 * ({@link createGitTagStore}). Creating a tag is the one atomic step: it never moves an existing tag.
 */
export interface TagStore {
  /** `api` or `git`, for summaries. */
  readonly method: 'api' | 'git';
  /** Every tag whose name starts with `prefix` (all of them, not the first page). */
  listTags(prefix: string): Promise<RemoteTag[]>;
  /** The commit a listed tag points at (peels annotated tags). */
  commitOf(tag: RemoteTag): Promise<string>;
  /** How `head` relates to `base`; `unknown` when the store cannot tell (e.g. a shallow clone). */
  relation(base: string, head: string): Promise<CommitRelation>;
  /** Creates `name` on `commit` (annotated when `message` is set) unless the name is taken. */
  createTag(name: string, commit: string, message: string | undefined): Promise<CreateTagResult>;
}

/** What {@link bumpVersion} is asked to do. */
export interface BumpRequest {
  store: TagStore;
  /** The commit to tag. */
  sha: string;
  /** The release line, or undefined on the trunk (then the base is the highest version overall). */
  line: ReleaseLine | undefined;
  scheme: VersionScheme;
  /** Tag prefix, e.g. `v`. */
  prefix: string;
  /** The annotated tag's message for a version, or undefined for lightweight tags. */
  message?: (version: SemVer, previous: SemVer | undefined) => string | Promise<string>;
  /** How many candidate versions to try when other runs take them first (default 10). */
  maxAttempts?: number;
  /** Compute only; create nothing. */
  dryRun?: boolean;
}

/** What {@link bumpVersion} did. */
export interface BumpResult {
  /** `created` a new tag, found the commit already tagged (`exists`), or computed only (`dry-run`). */
  outcome: 'created' | 'exists' | 'dry-run';
  version: SemVer;
  tag: string;
  previous: { version: SemVer; tag: string } | undefined;
  /** The release line the version belongs to. */
  line: ReleaseLine;
  /** Candidate tags tried (1 unless another run won a race). */
  attempts: number;
  /** Tags of the line that other runs created while this one was trying. */
  lostRaces: string[];
  /** Things a person should know (first version of a line, hotfix-suffix sorting). */
  notes: string[];
}

/** The ref prefix that lists a line's tags (`v1.2.` for 1.2, `v1.` for 1.x, `v` on the trunk). */
export function lineTagPrefix(prefix: string, line: ReleaseLine | undefined): string {
  if (line === undefined) return prefix;
  return line.minor === undefined ? `${prefix}${line.major}.` : `${prefix}${line.major}.${line.minor}.`;
}

/** The version after `version` on the same line and scheme: the next candidate when a race is lost. */
export function followingVersion(version: SemVer, scheme: VersionScheme): SemVer {
  return nextVersion(version, lineOfVersion(version), scheme);
}

/**
 * Computes the next version of a release line from every tag of the remote and creates its tag
 * atomically. Idempotent: when `sha` already carries a version tag of the line it answers `exists`.
 * When another run creates the candidate tag first, it tries the following version, up to
 * `maxAttempts`; an existing tag is never moved or overwritten.
 */
export async function bumpVersion(request: BumpRequest): Promise<BumpResult> {
  const { store, sha, scheme, prefix } = request;
  const notes: string[] = [];
  const listed = await store.listTags(lineTagPrefix(prefix, request.line));
  const byName = new Map(listed.map((tag) => [tag.name, tag]));
  const names = [...byName.keys()];
  const highestTag = request.line ? highestVersionOfLine(names, request.line, prefix) : highestVersion(names, prefix);

  if (request.line === undefined && highestTag === undefined) {
    throw new ConfigurationError(
      `No version tag starting with "${prefix}" exists yet, so the trunk has no version to bump. ` +
        'Create the first release tag, or set input "line" (e.g. 1.0) to start a release line.',
      'line',
    );
  }
  const line = request.line ?? lineOfVersion(highestTag!.version);
  const previous = highestTag ? { version: highestTag.version, tag: highestTag.tag } : undefined;

  const existing = await findExistingTag(request, byName, line, previous);
  if (existing) {
    if (existing.containedIn) {
      notes.push(
        `Commit ${sha} is already contained in ${existing.tag}, the newest tag of line ${formatReleaseLine(line)} ` +
          '(a later merge was tagged first): nothing new to tag.',
      );
    }
    const { version, tag, previous: before } = existing;
    return { outcome: 'exists', version, tag, previous: before, line, attempts: 0, lostRaces: [], notes };
  }

  if (previous === undefined) {
    notes.push(
      `Line ${formatReleaseLine(line)} had no version tag yet: it starts at ${nextVersion(undefined, line, scheme).version}.`,
    );
  }
  let version = nextVersion(previous?.version, line, scheme);
  if (hotfixNumber(version)! > 0 || (previous && hotfixNumber(previous.version)! > 0)) {
    notes.push(
      `${formatVersionTag(version, prefix)} uses the -hotfix.N suffix: tools that follow plain semver sort it ` +
        `before ${version.major}.${version.minor}.${version.patch}; this suite orders it after.`,
    );
  }
  if (request.dryRun) {
    return {
      outcome: 'dry-run',
      version,
      tag: formatVersionTag(version, prefix),
      previous,
      line,
      attempts: 0,
      lostRaces: [],
      notes,
    };
  }

  const maxAttempts = request.maxAttempts ?? 10;
  const lostRaces: string[] = [];
  let candidatePrevious = previous;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const tag = formatVersionTag(version, prefix);
    const result = await store.createTag(tag, sha, await request.message?.(version, candidatePrevious?.version));
    if (result.created) {
      return {
        outcome: 'created',
        version,
        tag,
        previous: candidatePrevious,
        line,
        attempts: attempt,
        lostRaces,
        notes,
      };
    }
    if (result.commit === sha) {
      // Another run for the same commit won: the commit is tagged, which is all we wanted.
      return {
        outcome: 'exists',
        version,
        tag,
        previous: candidatePrevious,
        line,
        attempts: attempt,
        lostRaces,
        notes,
      };
    }
    lostRaces.push(tag);
    candidatePrevious = { version, tag };
    version = followingVersion(version, scheme);
  }
  throw new Error(
    `Gave up after ${maxAttempts} attempts: other runs took ${lostRaces.join(', ')} first. ` +
      'Re-run the job; raise input "max-attempts" if many hotfixes merge at once.',
  );
}

/** The tag of the line that already points at the commit, if any (see {@link bumpVersion}). */
async function findExistingTag(
  request: BumpRequest,
  byName: Map<string, RemoteTag>,
  line: ReleaseLine,
  previous: { version: SemVer; tag: string } | undefined,
): Promise<
  | { version: SemVer; tag: string; previous: { version: SemVer; tag: string } | undefined; containedIn?: boolean }
  | undefined
> {
  const { store, sha, prefix } = request;
  // The line's release tags, newest first.
  const lineTags = [...byName.values()]
    .map((tag) => ({ tag, version: parseVersionTag(tag.name, prefix) }))
    .filter(
      (entry): entry is { tag: RemoteTag; version: SemVer } =>
        entry.version !== undefined &&
        isReleaseVersion(entry.version) &&
        (request.line === undefined || isVersionOfLine(entry.version, line)),
    )
    .sort((a, b) => compareHotfixVersions(b.version, a.version));
  const found = (index: number) => ({
    version: lineTags[index]!.version,
    tag: lineTags[index]!.tag.name,
    previous: lineTags[index + 1]
      ? { version: lineTags[index + 1]!.version, tag: lineTags[index + 1]!.tag.name }
      : undefined,
  });

  // Listings that already name the commit (lightweight tags, peeled ls-remote lines) cost nothing.
  const known = lineTags.findIndex((entry) => entry.tag.commit === sha);
  if (known >= 0) return found(known);
  if (previous === undefined) return undefined;

  const newestCommit = await store.commitOf(byName.get(previous.tag)!);
  if (newestCommit === sha) return found(0);
  const relation = await store.relation(newestCommit, sha);
  if (relation !== 'behind') return undefined;

  // The commit is older than the newest tag of the line: find its own tag, if it has one.
  for (let index = 1; index < lineTags.length; index++) {
    const entry = lineTags[index]!;
    if (entry.tag.commit !== undefined) continue;
    if ((await store.commitOf(entry.tag)) === sha) return found(index);
  }
  // Otherwise a newer merge was tagged first (two merges racing): that tag already ships this
  // commit, and tagging it now would give older code a newer version.
  return { ...found(0), containedIn: true };
}

/** Where the REST store works: the repository and an authenticated client. */
export interface ApiTagStoreOptions {
  github: GitHubClient;
  owner: string;
  repo: string;
  /** Tagger of annotated tags (default github-actions[bot]). */
  tagger?: { name: string; email: string };
}

/**
 * A {@link TagStore} over the REST API: matching-refs lists (paginated, no 100-tag limit), tag
 * objects and `POST git/refs` create (GitHub's atomic step: 422 when the name exists).
 */
export function createApiTagStore(options: ApiTagStoreOptions): TagStore {
  const { github, owner, repo } = options;
  const tagger = options.tagger ?? {
    name: 'github-actions[bot]',
    email: '41898282+github-actions[bot]@users.noreply.github.com',
  };

  async function peel(object: string, type: string): Promise<string> {
    let sha = object;
    let kind = type;
    // A tag may point at another tag; GitHub allows chains, so follow them (bounded).
    for (let depth = 0; kind === 'tag' && depth < 10; depth++) {
      const { data } = await github.rest.git.getTag({ owner, repo, tag_sha: sha });
      sha = data.object.sha;
      kind = data.object.type;
    }
    return sha;
  }

  return {
    method: 'api',
    async listTags(prefix) {
      const refs = await github.paginate(github.rest.git.listMatchingRefs, {
        owner,
        repo,
        ref: `tags/${prefix}`,
      });
      return refs.map((ref) => ({
        name: ref.ref.replace(/^refs\/tags\//, ''),
        object: ref.object.sha,
        ...(ref.object.type === 'commit' ? { commit: ref.object.sha } : {}),
      }));
    },
    async commitOf(tag) {
      return tag.commit ?? peel(tag.object, 'tag');
    },
    async relation(base, head) {
      try {
        const { data } = await github.rest.repos.compareCommitsWithBasehead({
          owner,
          repo,
          basehead: `${base}...${head}`,
          per_page: 1,
        });
        return data.status as CommitRelation;
      } catch (error) {
        if (isHttpStatus(error, 404)) return 'unknown';
        throw error;
      }
    },
    async createTag(name, commit, message) {
      let object = commit;
      try {
        if (message !== undefined) {
          const { data } = await github.rest.git.createTag({
            owner,
            repo,
            tag: name,
            message,
            object: commit,
            type: 'commit',
            tagger: { ...tagger, date: new Date().toISOString() },
          });
          object = data.sha;
        }
        await github.rest.git.createRef({ owner, repo, ref: `refs/tags/${name}`, sha: object });
        return { created: true };
      } catch (error) {
        if (isHttpStatus(error, 422) && /object does not exist/i.test(errorMessage(error))) throw missingCommit(commit);
        if (!isAlreadyExists(error)) throw error;
        const { data } = await github.rest.git.getRef({ owner, repo, ref: `tags/${name}` });
        return { created: false, commit: await peel(data.object.sha, data.object.type) };
      }
    },
  };
}

/**
 * A {@link TagStore} over a git checkout: `ls-remote` lists (peeled, no history needed), tags are
 * made locally and pushed with `--atomic`, which the remote refuses when the name exists. Works on
 * a `fetch-depth: 1` clone; there, commit ancestry is `unknown` and only exact tags are recognised.
 */
export function createGitTagStore(git: GitClient, remote = 'origin'): TagStore {
  // Asked once, the first time ancestry matters, and then while the remote is still being listed:
  // the answer never changes during a run, and a second git process in parallel costs nothing.
  let shallow: Promise<boolean> | undefined;
  const isShallow = () => (shallow ??= git.isShallow());
  return {
    method: 'git',
    async listTags(prefix) {
      void isShallow().catch(() => undefined);
      const refs = await git.lsRemote({ remote, scope: 'tags', patterns: [`refs/tags/${prefix}*`] });
      return refs.map((ref) => ({
        name: ref.name.replace(/^refs\/tags\//, ''),
        object: ref.sha,
        commit: ref.peeledSha ?? ref.sha,
      }));
    },
    async commitOf(tag) {
      return tag.commit ?? tag.object;
    },
    async relation(base, head) {
      if (await isShallow()) return 'unknown';
      try {
        const [baseInHead, headInBase] = await Promise.all([git.isAncestor(base, head), git.isAncestor(head, base)]);
        if (baseInHead && headInBase) return 'identical';
        if (baseInHead) return 'ahead';
        if (headInBase) return 'behind';
        return 'diverged';
      } catch {
        return 'unknown';
      }
    },
    async createTag(name, commit, message) {
      await ensureCommit(git, commit, remote);
      await git.tag(name, { target: commit, force: true, ...(message !== undefined ? { message } : {}) });
      const pushed = await git.push({ remote, refspecs: [`refs/tags/${name}:refs/tags/${name}`], atomic: true });
      if (pushed.ok) return { created: true };
      const [ref] = await git.lsRemote({ remote, scope: 'tags', patterns: [`refs/tags/${name}`] });
      // Drop our local tag so the checkout agrees with the remote.
      await git.raw(['tag', '-d', '--', name], { okExitCodes: [0, 1] });
      if (ref === undefined)
        throw new Error(`Pushing tag ${name} was refused (${pushed.message}) but the remote has no such tag.`);
      return { created: false, commit: ref.peeledSha ?? ref.sha };
    },
  };
}

/** Makes sure the commit object is present locally (a shallow clone may not have it). */
async function ensureCommit(git: GitClient, commit: string, remote: string): Promise<void> {
  const present = await git.raw(['cat-file', '-e', `${commit}^{commit}`], { okExitCodes: [0, 1, 128] });
  if (present.exitCode === 0) return;
  const fetched = await git.raw(['fetch', '--no-tags', '--depth=1', remote, commit], { okExitCodes: [0, 1, 128] });
  if (fetched.exitCode !== 0) throw missingCommit(commit);
}

/** The user named a commit the repository does not have. */
function missingCommit(commit: string): ConfigurationError {
  return new ConfigurationError(
    `Input "sha": commit ${commit} does not exist in the repository. Give a full SHA of a pushed commit, ` +
      "or leave it empty to use the run's commit.",
    'sha',
  );
}
