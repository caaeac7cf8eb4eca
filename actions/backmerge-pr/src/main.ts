import * as core from '@actions/core';
import {
  ConfigurationError,
  createGitHubClient,
  errorMessage,
  extractTicketIds,
  logGroup,
  repoFromEnv,
  writeSummary,
} from '@hotfix-actions/core';
import { backmergeByCherryPick, finishCherryPick, prepareCherryPick, type CherryPickRun } from './cherry-pick.js';
import { commitDate, listBranches, type RepoApi } from './github-ops.js';
import { readInputs, type BackmergeInputs } from './inputs.js';
import { backmergeByMerge, type MergeRun } from './merge.js';
import { forwardPortLag, planBranches, planTargets, resultsJson, type TargetResult } from './plan.js';
import type { BackmergeContext } from './pulls.js';
import { summaryMarkdown } from './report.js';

/** The commits of the triggering pull request (or push), without merge commits, oldest first. */
async function defaultCommits(api: RepoApi, inputs: BackmergeInputs): Promise<{ shas: string[]; text: string }> {
  if (inputs.pullNumber !== undefined) {
    const commits = await api.github.paginate(api.github.rest.pulls.listCommits, {
      owner: api.owner,
      repo: api.repo,
      pull_number: inputs.pullNumber,
      per_page: 100,
    });
    const picks = commits.filter((commit) => commit.parents.length <= 1);
    return { shas: picks.map((c) => c.sha), text: picks.map((c) => c.commit.message).join('\n') };
  }
  if (inputs.pushedCommits.length > 0) return { shas: inputs.pushedCommits, text: '' };
  throw new ConfigurationError(
    'Input "commits" is needed with strategy cherry-pick when the run was not started by a pull request or a ' +
      'push: list the SHAs of the fix, oldest first.',
    'commits',
  );
}

/** The action: forward-port the fix to every target, in order, and report. */
export async function run(): Promise<void> {
  const inputs = readInputs();
  const { owner, repo } = repoFromEnv();
  const api: RepoApi = { github: await createGitHubClient({ token: inputs.token }), owner, repo };

  const branches = await listBranches(api);
  const sourceSha = branches.get(inputs.source);
  if (sourceSha === undefined) {
    throw new ConfigurationError(
      `Input "source" names the branch ${inputs.source}, which does not exist in ${owner}/${repo}. ` +
        'Give the branch the hotfix landed on, such as release/v1.2.',
      'source',
    );
  }
  const targets = planTargets({
    source: inputs.source,
    targets: inputs.targets,
    trunk: inputs.trunk,
    releaseBranchPattern: inputs.releaseBranchPattern,
    branches: branches.keys(),
  });

  const picks = inputs.strategy === 'cherry-pick' ? (inputs.commits ?? (await defaultCommits(api, inputs))) : undefined;
  const commitText = picks && !Array.isArray(picks) ? picks.text : '';
  const ticket =
    inputs.ticket ??
    extractTicketIds(`${inputs.source}\n${inputs.eventText}\n${commitText}`, { prefixes: inputs.ticketPrefixes })[0];
  const branchOf = planBranches(inputs.branchPrefix, ticket ?? inputs.source, targets, {
    source: inputs.source,
    trunk: inputs.trunk,
    releaseBranchPattern: inputs.releaseBranchPattern,
  });
  core.info(
    `Back-merging ${inputs.source} (${sourceSha.slice(0, 7)}) with strategy ${inputs.strategy}` +
      `${ticket ? ` for ${ticket}` : ''} into: ${targets.join(' → ')}${inputs.dryRun ? ' (dry run)' : ''}.`,
  );

  const ctx: BackmergeContext = { api, inputs, source: inputs.source, sourceSha, ticket, branches };
  const mergeRun: MergeRun = { hotfixDate: undefined };
  let pickRun: CherryPickRun | undefined;
  const results: TargetResult[] = [];
  const failures: unknown[] = [];
  try {
    if (picks) {
      const shas = Array.isArray(picks) ? picks : picks.shas;
      pickRun = await logGroup(`Fetch ${shas.length} commit(s) to cherry-pick`, () => prepareCherryPick(ctx, shas));
    }
    for (const target of targets) {
      const branch = branchOf.get(target)!;
      // Each target on its own: a conflict or a failure on one never stops the later ones.
      const result = await logGroup(`${inputs.source} → ${target}`, async (): Promise<TargetResult> => {
        try {
          return pickRun
            ? await backmergeByCherryPick(ctx, pickRun, target, branch)
            : await backmergeByMerge(ctx, mergeRun, target, branch);
        } catch (error) {
          failures.push(error);
          core.info(`Back-merge into ${target} failed: ${errorMessage(error)}`);
          return { target, status: 'failed', branch, error: errorMessage(error) };
        }
      });
      results.push(result);
    }
  } finally {
    if (pickRun) await finishCherryPick(pickRun);
  }

  let hotfixDate = pickRun ? pickRun.hotfixDate : mergeRun.hotfixDate;
  const forwarded = results.some((result) => result.at !== undefined);
  if (hotfixDate === undefined && forwarded) hotfixDate = await commitDate(api, sourceSha).catch(() => undefined);
  const lag = forwardPortLag(hotfixDate, results);
  const count = (status: TargetResult['status']) => results.filter((result) => result.status === status).length;

  core.setOutput('results', resultsJson(results));
  core.setOutput('created', String(count('created')));
  core.setOutput('conflicts', String(count('conflict')));
  core.setOutput('lag-seconds', lag === undefined ? '' : String(lag));

  for (const result of results.filter((r) => r.status === 'conflict')) {
    const where = result.pullUrl ? `pull request #${result.pullNumber} (${result.pullUrl})` : `branch ${result.branch}`;
    core.warning(
      `Back-merging ${inputs.source} into ${result.target} conflicts` +
        (result.files && result.files.length > 0 ? ` in ${result.files.join(', ')}` : '') +
        (inputs.dryRun ? '.' : `: ${where} has the commands to finish it.`),
      { title: `Back-merge conflict: ${result.target}` },
    );
  }
  const done = results.map((result) => `${result.target}: ${result.status}`).join(', ');
  core.info(`${inputs.dryRun ? 'Dry run, nothing created. ' : ''}${done}.`);
  await writeSummary(
    summaryMarkdown({
      source: inputs.source,
      sourceSha,
      strategy: inputs.strategy,
      ticket,
      dryRun: inputs.dryRun,
      results,
      lagSeconds: lag,
    }),
  );

  if (failures.length > 0) {
    for (const result of results.filter((r) => r.status === 'failed').slice(1)) {
      core.warning(`Back-merge into ${result.target} failed too: ${result.error}`, { title: 'Back-merge failed' });
    }
    // The first failure, as GitHub reported it (runAction names the request); a re-run finishes the rest.
    throw failures[0];
  }
  if (inputs.failOnConflict && count('conflict') > 0) {
    core.error(
      `${count('conflict')} back-merge(s) conflict (fail-on-conflict is set); every other target was handled.`,
      { title: 'Back-merge conflicts' },
    );
    process.exitCode = 1;
  }
}
