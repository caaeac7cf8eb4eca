// The merge strategy, through the API only (no clone): per target, compare; if the target lacks the
// fix, a branch at the source head with the target merged into it on GitHub's side (the merges API
// answers at once whether that conflicts), and a pull request from it. A clean target costs four
// requests: compare, create ref, merge, create pull request (three when the target is an ancestor of
// the source); labels and reviewers add one each.
import * as core from '@actions/core';
import {
  compareRefs,
  createBranch,
  deleteBranch,
  findOpenPull,
  mergeOnGitHub,
  updatePullBody,
  addLabels,
  type Comparison,
} from './github-ops.js';
import { mergeConflictCommands, pullBody, type TargetResult } from './plan.js';
import { existingPullResult, openBackmergePull, type BackmergeContext } from './pulls.js';

/** The merge strategy's state across targets. */
export interface MergeRun {
  /** The source head's committer date, once a comparison listed it. */
  hotfixDate: string | undefined;
}

function mergeMessage(ctx: BackmergeContext, target: string, branch: string | undefined): string {
  const title = `Back-merge ${ctx.source} into ${target}${ctx.ticket ? ` (${ctx.ticket})` : ''}`;
  return branch === undefined
    ? title
    : `${title}\n\nMerges ${target} into ${branch} so the pull request applies cleanly.`;
}

/**
 * Files to look at when merging the source into the target conflicts: those changed on both sides
 * since the merge base. GitHub lists at most 300 files per side; when the target's list is cut, every
 * file the source changed is named instead.
 */
async function conflictCandidates(
  ctx: BackmergeContext,
  target: string,
  sourceSide: Comparison,
): Promise<{
  files: string[];
  exact: boolean;
}> {
  const targetSide = await compareRefs(ctx.api, ctx.sourceSha, target);
  if (targetSide.files.length >= 300) return { files: sourceSide.files, exact: false };
  const changed = new Set(targetSide.files);
  const both = sourceSide.files.filter((file) => changed.has(file));
  return { files: both.length > 0 ? both : sourceSide.files, exact: false };
}

function body(ctx: BackmergeContext, target: string, branch: string, conflict?: { files: string[]; exact: boolean }) {
  return pullBody({
    strategy: 'merge',
    source: ctx.source,
    target,
    branch,
    sha: ctx.sourceSha,
    ticket: ctx.ticket,
    ...(conflict
      ? {
          conflict: {
            files: conflict.files,
            filesExact: conflict.exact,
            commands: mergeConflictCommands(target, branch, conflict.files),
          },
        }
      : {}),
  });
}

/** Back-merges the source into one target with the merge strategy. */
export async function backmergeByMerge(
  ctx: BackmergeContext,
  run: MergeRun,
  target: string,
  branch: string,
): Promise<TargetResult> {
  const { api, inputs } = ctx;
  const comparison = await compareRefs(api, target, ctx.sourceSha);
  run.hotfixDate ??= comparison.commits.find((commit) => commit.sha === ctx.sourceSha)?.date;
  if (comparison.aheadBy === 0) {
    core.info(`${target} already contains ${ctx.source} (${ctx.sourceSha.slice(0, 7)}): nothing to do.`);
    return { target, status: 'up-to-date' };
  }
  core.info(`${target} lacks ${comparison.aheadBy} commit(s) of ${ctx.source}.`);

  const existing = ctx.branches.get(branch);
  if (existing !== undefined) return continueExisting(ctx, target, branch, existing, comparison);

  if (inputs.dryRun) {
    core.info(`Dry run: would ${inputs.directPush ? `merge into ${target} directly` : `open ${branch} → ${target}`}.`);
    return { target, status: inputs.directPush ? 'pushed' : 'created', ...(inputs.directPush ? {} : { branch }) };
  }

  let conflict = false;
  if (inputs.directPush) {
    const outcome = await mergeOnGitHub(api, target, ctx.sourceSha, mergeMessage(ctx, target, undefined));
    if (outcome.kind === 'merged') {
      core.info(`Merged ${ctx.source} into ${target} directly (${outcome.sha.slice(0, 7)}).`);
      return { target, status: 'pushed', at: new Date().toISOString() };
    }
    if (outcome.kind === 'up-to-date') return { target, status: 'up-to-date' };
    if (outcome.kind === 'refused') {
      core.warning(`GitHub refused to merge into ${target} directly (${outcome.message}); opening a pull request.`, {
        title: `Direct push to ${target}`,
      });
    }
    conflict = outcome.kind === 'conflict';
  }

  await createBranch(api, branch, ctx.sourceSha);
  // When the target is an ancestor of the source the pull request is a fast-forward: nothing to merge.
  if (!conflict && comparison.behindBy > 0) {
    const outcome = await mergeOnGitHub(api, branch, target, mergeMessage(ctx, target, branch));
    if (outcome.kind === 'refused') throw new Error(`GitHub refused to update ${branch}: ${outcome.message}`);
    if (outcome.kind === 'merged' && outcome.tree === comparison.baseTree) {
      // The merge changes no file of the target: the fix is there already, without the ancestry (a
      // squash-merged back-merge, or a cherry-pick). A pull request would be empty.
      await deleteBranch(api, branch);
      core.info(`${target} has the content of ${ctx.source} already (not by ancestry): nothing to do.`);
      return { target, status: 'up-to-date' };
    }
    conflict = outcome.kind === 'conflict';
  }
  const candidates = conflict ? await conflictCandidates(ctx, target, comparison) : undefined;
  const result = await openBackmergePull(ctx, target, branch, body(ctx, target, branch, candidates), conflict);
  return candidates ? { ...result, files: candidates.files } : result;
}

/** A branch of an earlier run (or a person's work on it): reuse it and its pull request, never rewrite it. */
async function continueExisting(
  ctx: BackmergeContext,
  target: string,
  branch: string,
  branchSha: string,
  comparison: Comparison,
): Promise<TargetResult> {
  const { api, inputs } = ctx;
  const pull = await findOpenPull(api, branch, target);
  let contains = branchSha === ctx.sourceSha || pull?.marker?.sha === ctx.sourceSha;
  if (!contains) contains = (await compareRefs(api, branch, ctx.sourceSha)).aheadBy === 0;

  if (pull) {
    if (contains || inputs.dryRun) {
      core.info(`Pull request #${pull.number} (${branch} → ${target}) exists already.`);
      return existingPullResult(ctx, target, branch, pull, false);
    }
    // The source moved on (another fix on the same ticket): merge it into the branch, never force.
    const outcome = await mergeOnGitHub(api, branch, ctx.sourceSha, mergeMessage(ctx, target, undefined));
    if (outcome.kind === 'refused') throw new Error(`GitHub refused to update ${branch}: ${outcome.message}`);
    if (outcome.kind === 'conflict') {
      const candidates = await conflictCandidates(ctx, target, comparison);
      await updatePullBody(api, pull.number, body(ctx, target, branch, candidates));
      if (!pull.labels.includes(inputs.conflictLabel)) await addLabels(api, pull.number, [inputs.conflictLabel]);
      core.info(`The new commits of ${ctx.source} conflict with ${branch}: #${pull.number} needs a person.`);
      return { ...existingPullResult(ctx, target, branch, pull, true), files: candidates.files };
    }
    await updatePullBody(api, pull.number, body(ctx, target, branch));
    core.info(`Brought ${branch} up to date with ${ctx.source}; pull request #${pull.number} reused.`);
    // The new commits reached their pull request now: that is their forward-port lag.
    return { ...existingPullResult(ctx, target, branch, pull, false), at: new Date().toISOString() };
  }

  // The branch exists without a pull request: an earlier run stopped after creating it.
  if (inputs.dryRun) return { target, status: 'created', branch };
  if (!contains) {
    const outcome = await mergeOnGitHub(api, branch, ctx.sourceSha, mergeMessage(ctx, target, undefined));
    if (outcome.kind === 'refused') throw new Error(`GitHub refused to update ${branch}: ${outcome.message}`);
    if (outcome.kind === 'conflict') {
      const candidates = await conflictCandidates(ctx, target, comparison);
      const result = await openBackmergePull(ctx, target, branch, body(ctx, target, branch, candidates), true);
      return { ...result, files: candidates.files };
    }
  }
  const outcome = await mergeOnGitHub(api, branch, target, mergeMessage(ctx, target, branch));
  if (outcome.kind === 'refused') throw new Error(`GitHub refused to update ${branch}: ${outcome.message}`);
  if (outcome.kind === 'merged' && outcome.tree === comparison.baseTree) {
    await deleteBranch(api, branch);
    core.info(`${target} has the content of ${ctx.source} already (not by ancestry): nothing to do.`);
    return { target, status: 'up-to-date' };
  }
  const conflict = outcome.kind === 'conflict';
  const candidates = conflict ? await conflictCandidates(ctx, target, comparison) : undefined;
  core.info(`Reusing ${branch} from an earlier run.`);
  const result = await openBackmergePull(ctx, target, branch, body(ctx, target, branch, candidates), conflict);
  return candidates ? { ...result, files: candidates.files } : result;
}
