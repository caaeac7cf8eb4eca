import type { Hub } from './context.js';
import type { PullLive } from './shapes.js';
import type { StandInPull } from './store.js';

/** The identity of the token's owner, as GitHub records it in objects it writes. */
export function actorIdentity(hub: Hub, date?: string): { name: string; email: string; date: string } {
  const user = hub.shapes.knownUser(hub.actor);
  const login = user?.login ?? hub.actor;
  return {
    name: user?.name ?? login,
    email: user?.email ?? `${user?.id ?? 0}+${login}@users.noreply.github.com`,
    date: date ?? hub.now(),
  };
}

/** GitHub's own committer for merges it makes on the server. */
export function webFlowIdentity(hub: Hub): { name: string; email: string; date: string } {
  return { name: 'GitHub', email: 'noreply@github.com', date: hub.now() };
}

/** Merges `head` into branch `base` with a real merge commit; the result of the merges API. */
export async function mergeIntoBranch(
  hub: Hub,
  base: string,
  headSha: string,
  message: string,
): Promise<
  { kind: 'merged'; sha: string } | { kind: 'up-to-date' } | { kind: 'conflict'; files: string[] } | { kind: 'moved' }
> {
  const baseRef = `refs/heads/${base}`;
  const baseSha = await hub.repo.resolve(baseRef);
  if (!baseSha) throw new Error(`branch ${base} vanished`);
  if (await hub.repo.isAncestor(headSha, baseSha)) return { kind: 'up-to-date' };
  const outcome = await hub.repo.mergeTree(baseSha, headSha);
  if (!outcome.clean) return { kind: 'conflict', files: outcome.conflicts };
  const sha = await hub.repo.createCommit({
    tree: outcome.tree,
    parents: [baseSha, headSha],
    message,
    author: actorIdentity(hub),
    committer: webFlowIdentity(hub),
  });
  if (!(await hub.repo.updateRef(baseRef, sha, baseSha))) return { kind: 'moved' };
  return { kind: 'merged', sha };
}

/**
 * The numbers of a pull request that come from git. Open pull requests follow their branches (as
 * on GitHub, where pushing to the head updates the pull request) and count as merged once the base
 * contains the head (a push or ref update that merged it outside the pull request); `full` adds
 * mergeability (a real `git merge-tree`) and diff statistics.
 */
export async function pullLive(hub: Hub, pull: StandInPull, full: boolean): Promise<PullLive> {
  if (pull.state === 'open') {
    const previousBase = pull.baseSha;
    pull.headSha = (await hub.repo.resolve(`refs/heads/${pull.head}`)) ?? pull.headSha;
    pull.baseSha = (await hub.repo.resolve(`refs/heads/${pull.base}`)) ?? pull.baseSha;
    if (pull.baseSha !== previousBase && (await hub.repo.isAncestor(pull.headSha, pull.baseSha))) {
      const now = hub.now();
      Object.assign(pull, {
        state: 'closed',
        merged: true,
        mergedAt: now,
        mergedBy: hub.actor,
        mergeCommitSha: pull.headSha,
        closedAt: now,
        closedBy: hub.actor,
        updatedAt: now,
        mergedCommits: await hub.repo.revList(['--reverse', `${previousBase}..${pull.headSha}`]),
      });
    }
  }
  const live: PullLive = {
    headSha: pull.headSha,
    baseSha: pull.baseSha,
    mergeable: null,
    mergeableState: 'unknown',
    commits: 0,
    additions: 0,
    deletions: 0,
    changedFiles: 0,
  };
  if (!full) return live;
  if (pull.merged) {
    live.commits = pull.mergedCommits.length;
  } else {
    live.commits = await hub.repo.count(`${pull.baseSha}..${pull.headSha}`);
  }
  const mergeBase = await hub.repo.mergeBase(pull.baseSha, pull.headSha);
  if (mergeBase) {
    const files = await hub.repo.diff(mergeBase, pull.headSha);
    live.changedFiles = files.length;
    live.additions = files.reduce((sum, file) => sum + file.additions, 0);
    live.deletions = files.reduce((sum, file) => sum + file.deletions, 0);
  }
  const reads = (hub.pullReads.get(pull.number) ?? 0) + 1;
  hub.pullReads.set(pull.number, reads);
  // GitHub computes mergeability in the background: the first reads may answer null.
  if (pull.state === 'open' && reads > hub.mergeableUnknownReads) {
    const outcome = await hub.repo.mergeTree(pull.baseSha, pull.headSha);
    live.mergeable = outcome.clean;
    live.mergeableState = !outcome.clean ? 'dirty' : pull.draft ? 'draft' : 'clean';
  }
  return live;
}

/** Brings every open pull request up to date with its branches (some may turn out merged). */
export async function refreshOpenPulls(hub: Hub): Promise<void> {
  for (const pull of hub.state.pulls) if (pull.state === 'open') await pullLive(hub, pull, false);
}

/** The combined state of a commit's statuses: the newest status per context. */
export function combinedState(hub: Hub, sha: string) {
  const latest = new Map<string, (typeof hub.state.statuses)[number]>();
  for (const status of hub.state.statuses) if (status.sha === sha) latest.set(status.context, status);
  const statuses = [...latest.values()].sort((a, b) => b.id - a.id);
  const states = statuses.map((status) => status.state);
  const state =
    states.length === 0
      ? 'pending'
      : states.some((s) => s === 'error' || s === 'failure')
        ? 'failure'
        : states.some((s) => s === 'pending')
          ? 'pending'
          : 'success';
  return { state, statuses };
}
