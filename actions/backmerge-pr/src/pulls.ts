// Opening a back-merge pull request: the same for both strategies once the branch is ready.
import * as core from '@actions/core';
import type { BackmergeInputs } from './inputs.js';
import { addLabels, createPull, enableAutoMerge, requestReviews, type PullInfo, type RepoApi } from './github-ops.js';
import { pullTitle, type TargetResult } from './plan.js';

/** What the strategies share for every target. */
export interface BackmergeContext {
  api: RepoApi;
  inputs: BackmergeInputs;
  source: string;
  sourceSha: string;
  ticket: string | undefined;
  /** Every branch of the repository with its head, as listed when the run started. */
  branches: ReadonlyMap<string, string>;
}

/** Opens the pull request from `branch` into `target`, labels it and asks for reviews. */
export async function openBackmergePull(
  ctx: BackmergeContext,
  target: string,
  branch: string,
  body: string,
  conflict: boolean,
): Promise<TargetResult> {
  const { api, inputs } = ctx;
  const draft = conflict && inputs.draftOnConflict;
  const pull = await createPull(api, {
    head: branch,
    base: target,
    title: pullTitle(ctx.source, target, ctx.ticket),
    body,
    draft,
  });
  core.info(`Opened ${draft ? 'draft ' : ''}pull request #${pull.number} ${branch} → ${target}: ${pull.url}`);
  await addLabels(api, pull.number, conflict ? [...inputs.labels, inputs.conflictLabel] : inputs.labels);
  await requestReviews(api, pull.number, inputs.reviewers);
  if (inputs.autoMerge && !conflict) {
    if (await enableAutoMerge(api.github, pull)) core.info(`Auto-merge (merge commit) enabled on #${pull.number}.`);
  }
  return {
    target,
    status: conflict ? 'conflict' : 'created',
    pullNumber: pull.number,
    pullUrl: pull.url,
    branch,
    at: pull.createdAt,
  };
}

/** The result for a pull request an earlier run (or a person) opened already. */
export function existingPullResult(
  ctx: BackmergeContext,
  target: string,
  branch: string,
  pull: PullInfo,
  conflict: boolean,
): TargetResult {
  const labelled = pull.labels.some((label) => label.toLowerCase() === ctx.inputs.conflictLabel.toLowerCase());
  return {
    target,
    status: conflict || labelled ? 'conflict' : 'exists',
    pullNumber: pull.number,
    pullUrl: pull.url,
    branch,
    at: pull.createdAt,
  };
}
