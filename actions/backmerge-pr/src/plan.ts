// Pure decisions of the back-merge: which targets, in what order, on which branch, with which text.
// Nothing here touches git or the network.
import {
  ConfigurationError,
  formatReleaseLine,
  parseReleaseLine,
  refNameProblem,
  type ReleaseLine,
} from '@hotfix-actions/core';
import type { BackmergeStrategy } from './inputs.js';

/** What happened to one target. */
export type BackmergeStatus = 'created' | 'exists' | 'up-to-date' | 'conflict' | 'pushed' | 'failed';

/** The outcome for one target, as the `results` output lists it. */
export interface TargetResult {
  target: string;
  status: BackmergeStatus;
  /** The back-merge pull request, when there is one. */
  pullNumber?: number;
  pullUrl?: string;
  /** The back-merge branch, when one was used. */
  branch?: string;
  /** For a conflict: the files to look at. */
  files?: string[];
  /** For a failure: what went wrong. */
  error?: string;
  /** When the pull request was opened (or the fix pushed), ISO 8601, for the forward-port lag. */
  at?: string;
}

/** How two release lines compare: negative when `a` is older. A major-only line (1.x) equals each 1.y line. */
export function compareReleaseLines(a: ReleaseLine, b: ReleaseLine): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor === undefined || b.minor === undefined) return 0;
  return a.minor - b.minor;
}

/** What {@link planTargets} needs to know. */
export interface TargetPlanInput {
  source: string;
  /** Targets as the user gave them, or undefined for the default cascade. */
  targets: readonly string[] | undefined;
  trunk: string;
  releaseBranchPattern: string;
  /** Every branch of the repository. */
  branches: Iterable<string>;
}

/**
 * The targets in cascade order: release lines from oldest to newest, then other branches as given, the
 * trunk last. By default, every release branch whose line is newer than the source's, then the trunk.
 * An unknown target or one on a line older than the source's is a ConfigurationError naming `targets`.
 */
export function planTargets(input: TargetPlanInput): string[] {
  const { source, trunk, releaseBranchPattern: pattern } = input;
  const branches = new Set(input.branches);
  const sourceLine = parseReleaseLine(source, pattern);
  let chosen: string[];
  if (input.targets === undefined) {
    chosen = [...branches].filter((branch) => {
      if (branch === source) return false;
      const line = parseReleaseLine(branch, pattern);
      return line !== undefined && sourceLine !== undefined && compareReleaseLines(line, sourceLine) > 0;
    });
    if (branches.has(trunk) && trunk !== source) chosen.push(trunk);
    if (chosen.length === 0) {
      throw new ConfigurationError(
        `Input "targets" is needed: ${source} has no newer release branch (pattern "${pattern}") and ` +
          `${trunk === source ? `is itself the trunk` : `the trunk ${trunk} does not exist`}. ` +
          'List the branches the fix must reach, or set trunk (develop in the gitflow model).',
        'targets',
      );
    }
  } else {
    chosen = [...input.targets];
    const missing = chosen.filter((target) => !branches.has(target));
    if (missing.length > 0) {
      throw new ConfigurationError(
        `Input "targets" names ${missing.length === 1 ? 'a branch that does' : 'branches that do'} not exist: ` +
          `${missing.join(', ')}. List existing branches, such as release/v1.3 or ${trunk}.`,
        'targets',
      );
    }
    for (const target of chosen) {
      const line = parseReleaseLine(target, pattern);
      const older =
        line !== undefined &&
        (source === trunk || (sourceLine !== undefined && compareReleaseLines(line, sourceLine) < 0));
      if (older) {
        const from = sourceLine ? `line ${formatReleaseLine(sourceLine)}` : `the trunk`;
        throw new ConfigurationError(
          `Input "targets" lists ${target} (line ${formatReleaseLine(line)}), which is older than the source ` +
            `${source} (${from}): a fix is forward-ported to newer lines and the trunk, never back to older ` +
            'ones. Back-port it to older lines with its own hotfix branch.',
          'targets',
        );
      }
    }
  }
  return orderTargets(chosen, trunk, pattern);
}

/** Release branches by line (oldest first), then other branches in the given order, the trunk last. */
export function orderTargets(targets: readonly string[], trunk: string, pattern: string): string[] {
  const lines = new Map(targets.map((target) => [target, parseReleaseLine(target, pattern)]));
  const releases = targets
    .filter((target) => lines.get(target) !== undefined)
    .sort((a, b) => compareReleaseLines(lines.get(a)!, lines.get(b)!) || (a < b ? -1 : a > b ? 1 : 0));
  const others = targets.filter((target) => lines.get(target) === undefined && target !== trunk);
  return [...releases, ...others, ...(targets.includes(trunk) ? [trunk] : [])];
}

/** `backmerge/bd-a1b2-to-release-v1.3`: one branch per fix and target, named so a person can read it. */
export function backmergeBranchName(prefix: string, subject: string, target: string): string {
  const slug = (text: string) => text.replace(/\//g, '-');
  return `${prefix}${slug(subject)}-to-${slug(target)}`;
}

/**
 * The back-merge branch of every target, checked: a valid name, one per target, and never a branch
 * the action must not rewrite (the source, a target, the trunk or a release branch).
 */
export function planBranches(
  prefix: string,
  subject: string,
  targets: readonly string[],
  protectedNames: { source: string; trunk: string; releaseBranchPattern: string },
): Map<string, string> {
  const branches = new Map<string, string>();
  const seen = new Map<string, string>();
  for (const target of targets) {
    const branch = backmergeBranchName(prefix, subject, target);
    const problem = refNameProblem(branch);
    if (problem !== undefined) {
      throw new ConfigurationError(
        `Input "branch-prefix" gives the back-merge branch ${JSON.stringify(branch)}, which is not a valid ` +
          `branch name: ${problem}. Use a shorter prefix such as backmerge/.`,
        'branch-prefix',
      );
    }
    const clash =
      branch === protectedNames.source ||
      branch === protectedNames.trunk ||
      targets.includes(branch) ||
      parseReleaseLine(branch, protectedNames.releaseBranchPattern) !== undefined;
    if (clash) {
      throw new ConfigurationError(
        `Input "branch-prefix" makes the back-merge branch ${branch}, which is a source, target, trunk or ` +
          'release branch; back-merge branches must be their own (use backmerge/).',
        'branch-prefix',
      );
    }
    const other = seen.get(branch);
    if (other !== undefined) {
      throw new ConfigurationError(
        `Input "targets" lists ${other} and ${target}, which would share the back-merge branch ${branch}; ` +
          'list only one of them.',
        'targets',
      );
    }
    seen.set(branch, target);
    branches.set(target, branch);
  }
  return branches;
}

/** What the hidden marker in a back-merge pull request's body records. */
export interface BackmergeMarker {
  source: string;
  target: string;
  strategy: BackmergeStrategy;
  /** The source commit (merge) or the last commit (cherry-pick) the branch was made from. */
  sha: string;
}

const MARKER =
  /<!-- hotfix-actions:backmerge source=(\S+) target=(\S+) strategy=(merge|cherry-pick) sha=([0-9a-f]{40,64}) -->/;

/** The marker that lets later runs recognise the pull request (an HTML comment: invisible on GitHub). */
export function formatMarker(marker: BackmergeMarker): string {
  return `<!-- hotfix-actions:backmerge source=${marker.source} target=${marker.target} strategy=${marker.strategy} sha=${marker.sha} -->`;
}

/** The marker of a pull request body, or undefined when it has none. */
export function parseMarker(body: string | null | undefined): BackmergeMarker | undefined {
  const match = MARKER.exec(body ?? '');
  if (!match) return undefined;
  return { source: match[1]!, target: match[2]!, strategy: match[3] as BackmergeStrategy, sha: match[4]! };
}

/** The title of a back-merge pull request. */
export function pullTitle(source: string, target: string, ticket: string | undefined): string {
  return `Back-merge ${source} into ${target}${ticket ? ` (${ticket})` : ''}`;
}

function shellBlock(lines: string[]): string {
  return ['```sh', ...lines, '```'].join('\n');
}

// Branch names and SHAs are checked ref names (no spaces, quotes or shell metacharacters), and file
// names are quoted, so the commands can be pasted as they are.
function shellQuote(text: string): string {
  return /^[A-Za-z0-9._/+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Commands that finish a conflicting merge-strategy back-merge on its branch. */
export function mergeConflictCommands(target: string, branch: string, files: readonly string[]): string[] {
  return [
    `git fetch origin +refs/heads/${target}:refs/remotes/origin/${target} +refs/heads/${branch}:refs/remotes/origin/${branch}`,
    `git switch -C ${branch} origin/${branch}`,
    `git merge origin/${target}`,
    `# fix the conflicts${files.length > 0 ? ` in ${files.map(shellQuote).join(' ')}` : ''}, then:`,
    files.length > 0 ? `git add ${files.map(shellQuote).join(' ')}` : 'git add --all',
    'git commit --no-edit',
    `git push origin HEAD:refs/heads/${branch}`,
  ];
}

/** Commands that finish a conflicting cherry-pick back-merge on its branch. */
export function cherryPickConflictCommands(
  branch: string,
  commits: readonly string[],
  files: readonly string[],
): string[] {
  return [
    `git fetch origin +refs/heads/${branch}:refs/remotes/origin/${branch} ${commits.join(' ')}`,
    `git switch -C ${branch} origin/${branch}`,
    `git cherry-pick -x ${commits.join(' ')}`,
    `# fix the conflicts${files.length > 0 ? ` in ${files.map(shellQuote).join(' ')}` : ''}, then for each commit:`,
    files.length > 0 ? `git add ${files.map(shellQuote).join(' ')}` : 'git add --all',
    'git cherry-pick --continue',
    `git push origin HEAD:refs/heads/${branch}`,
  ];
}

/** Everything a back-merge pull request's body says. */
export interface PullBodyInput {
  strategy: BackmergeStrategy;
  source: string;
  target: string;
  branch: string;
  /** Source head (merge) or last commit to pick (cherry-pick). */
  sha: string;
  ticket: string | undefined;
  /** For cherry-pick: the commits, with subjects. */
  commits?: readonly { sha: string; subject: string }[];
  conflict?: { files: readonly string[]; commands: readonly string[]; filesExact: boolean };
}

/** The body of a back-merge pull request, ending with its hidden marker. */
export function pullBody(input: PullBodyInput): string {
  const short = input.sha.slice(0, 7);
  const parts: string[] = [];
  if (input.strategy === 'merge') {
    parts.push(
      `Back-merge of \`${input.source}\` (${short}) into \`${input.target}\`, so the hotfix is not lost on newer ` +
        'lines.',
      `The branch \`${input.branch}\` starts at \`${input.source}\`${input.conflict ? '' : ` with \`${input.target}\` merged in`}. ` +
        '**Merge this pull request with a merge commit** (not squash or rebase): later runs recognise ' +
        'a finished back-merge by ancestry.',
    );
  } else {
    parts.push(
      `Forward-port of ${input.commits?.length ?? 0} commit(s) from \`${input.source}\` into \`${input.target}\`, ` +
        'cherry-picked with `-x` so each commit names its original.',
      (input.commits ?? []).map((commit) => `- ${commit.sha.slice(0, 7)} ${commit.subject}`).join('\n'),
    );
  }
  if (input.ticket) parts.push(`Ticket: ${input.ticket}`);
  if (input.conflict) {
    const what = input.strategy === 'merge' ? `Merging \`${input.source}\`` : 'Cherry-picking these commits';
    const files =
      input.conflict.files.length === 0
        ? ''
        : `${input.conflict.filesExact ? 'Conflicting files' : 'Files changed on both sides (the conflicts are among them)'}:\n` +
          input.conflict.files.map((file) => `- \`${file}\``).join('\n');
    parts.push(
      `### Conflicts\n\n${what} into \`${input.target}\` conflicts, so this pull request needs a person. ${files}`.trim(),
      `Resolve on the branch:\n\n${shellBlock([...input.conflict.commands])}\n\nThen mark the pull request ready for review.`,
    );
  }
  parts.push(formatMarker({ source: input.source, target: input.target, strategy: input.strategy, sha: input.sha }));
  return parts.filter(Boolean).join('\n\n') + '\n';
}

/**
 * The forward-port lag in whole seconds: from the hotfix commit to the last of its pull requests (or
 * direct pushes), or undefined when nothing was forwarded.
 */
export function forwardPortLag(hotfixDate: string | undefined, results: readonly TargetResult[]): number | undefined {
  if (hotfixDate === undefined) return undefined;
  const start = Date.parse(hotfixDate);
  if (!Number.isFinite(start)) return undefined;
  const ends = results
    .map((result) => (result.at === undefined ? Number.NaN : Date.parse(result.at)))
    .filter((time) => Number.isFinite(time));
  if (ends.length === 0) return undefined;
  return Math.max(0, Math.round((Math.max(...ends) - start) / 1000));
}

/** The `results` output: one entry per target, in cascade order. */
export function resultsJson(results: readonly TargetResult[]): string {
  return JSON.stringify(
    results.map((result) => ({
      target: result.target,
      status: result.status,
      'pr-number': result.pullNumber ?? null,
      'pr-url': result.pullUrl ?? null,
      branch: result.branch ?? null,
      ...(result.files ? { files: result.files } : {}),
      ...(result.error ? { error: result.error } : {}),
    })),
  );
}
