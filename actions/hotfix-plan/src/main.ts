import * as core from '@actions/core';
import {
  ConfigurationError,
  checkHotfixPullRequest,
  createGitHubClient,
  decideHotfixApproach,
  logGroup,
  newestReleaseBranch,
  parseReleaseLine,
  planHotfix,
  releaseBranchesByLine,
  repoFromEnv,
  writeSummary,
  type HotfixPolicyFinding,
} from '@hotfix-actions/core';
import { readInputs, type HotfixPlanInputs } from './inputs.js';
import { renderSummary } from './report.js';
import {
  listBranchNames,
  readPullRequest,
  readTrunk,
  type PullRequestReading,
  type Repository,
  type TrunkReading,
} from './repository.js';

/** The action: walk the decision tree, plan the hotfix, and in check mode hold the pull request to the policy. */
export async function run(): Promise<void> {
  const inputs = readInputs();
  const { owner, repo } = repoFromEnv();
  const repository: Repository = { github: await createGitHubClient({ token: inputs.token }), owner, repo };
  if (inputs.enforce && !inputs.check) core.notice('Input "enforce" only applies with check: true; ignored.');

  const pull =
    inputs.pullNumber === undefined
      ? undefined
      : await logGroup(`Reading pull request #${inputs.pullNumber}`, () =>
          readPullRequest(repository, inputs.pullNumber!),
        );
  const branches = await logGroup('Listing branches', () => listBranchNames(repository));
  if (!branches.includes(inputs.trunk)) {
    throw new ConfigurationError(
      `Input "trunk" is ${inputs.trunk}, but the repository has no such branch: set it to the branch features ` +
        'land on (main, master, develop).',
      'trunk',
    );
  }
  const releaseBranch = chooseReleaseBranch(inputs, branches, pull);

  const facts = {
    ...(inputs.productionDown === undefined ? {} : { productionDown: inputs.productionDown }),
    ...(inputs.severity === undefined ? {} : { severity: inputs.severity }),
    ...(inputs.canWait === undefined ? {} : { canWait: inputs.canWait }),
    labels: inputs.labels ?? pull?.labels ?? [],
  };
  // An emergency does not ask Q2; the policy check does (a hotfix into trunk must not carry unreleased work).
  const asksQ2 =
    inputs.check || decideHotfixApproach({ ...facts, trunkHasUnreleased: 'unknown' }).approach !== 'emergency';
  const releaseBranches = releaseBranchesByLine(branches, inputs.releaseBranchPattern).map((entry) => entry.branch);
  let trunk: TrunkReading | undefined;
  if (asksQ2) {
    trunk = await logGroup(`Q2: does ${inputs.trunk} contain unreleased features?`, () =>
      readTrunk(repository, { trunk: inputs.trunk, tagPrefix: inputs.tagPrefix, releaseBranches }),
    );
    if (trunk.failure !== undefined) {
      core.warning(`${trunk.failure} Q2 is treated as uncertain, which means release-first.`, {
        title: 'Could not compare trunk with the latest release',
      });
    }
    core.info(`Q2: ${trunk.trunkHasUnreleased} (${trunk.evidence}).`);
  }

  const plan = planHotfix({
    ...facts,
    trunkHasUnreleased: trunk?.trunkHasUnreleased ?? 'unknown',
    ...(trunk === undefined ? {} : { trunkEvidence: trunk.evidence }),
    trunk: inputs.trunk,
    ...(releaseBranch === undefined ? {} : { releaseBranch }),
    branches,
    releaseBranchPattern: inputs.releaseBranchPattern,
    ...(inputs.ticket === undefined ? {} : { ticket: inputs.ticket }),
    ...(inputs.description === undefined ? {} : { description: inputs.description }),
    branch: { prefix: inputs.branchPrefix },
  });
  core.info(plan.decision.reason);
  if (plan.hotfixBranch === undefined && plan.approach !== 'regular-issue') {
    core.notice(
      'No ticket or description was given, so no hotfix branch name: set input "ticket" (and "description").',
    );
  }

  let findings: HotfixPolicyFinding[] | undefined;
  if (pull !== undefined) {
    findings = checkHotfixPullRequest(pull, {
      tickets: { prefixes: inputs.ticketPrefixes },
      testPatterns: inputs.testPatterns,
      plan: {
        trunk: inputs.trunk,
        ...(releaseBranch === undefined ? {} : { releaseBranch }),
        trunkHasUnreleased: trunk?.trunkHasUnreleased ?? 'unknown',
        ...(trunk === undefined ? {} : { trunkEvidence: trunk.evidence }),
      },
    });
    for (const finding of findings) {
      const annotate = inputs.enforce ? core.error : core.warning;
      annotate(finding.message, { title: finding.title });
    }
    core.info(`Policy check of #${pull.number}: ${findings.length === 0 ? 'passed' : `${findings.length} miss(es)`}.`);
  }

  core.setOutput('approach', plan.approach);
  core.setOutput('base-branch', plan.baseBranch);
  core.setOutput('hotfix-branch', plan.hotfixBranch ?? '');
  core.setOutput('targets', JSON.stringify(plan.targets));
  core.setOutput('reason', plan.decision.reason);
  core.setOutput('checklist', JSON.stringify(plan.checklist));
  core.setOutput('path', JSON.stringify(plan.decision.path));
  core.setOutput('severity', plan.decision.severity ?? '');
  core.setOutput('release-branch', releaseBranch ?? '');
  core.setOutput('latest-release-tag', trunk?.tag ?? '');
  core.setOutput('trunk-has-unreleased', trunk === undefined ? '' : String(trunk.trunkHasUnreleased));
  core.setOutput('findings', findings === undefined ? '' : JSON.stringify(findings));

  await writeSummary(renderSummary({ plan, releaseBranch, trunk, pull, findings, enforce: inputs.enforce }));
  if (inputs.enforce && findings !== undefined && findings.length > 0) {
    // Each miss already is an error annotation: fail the step without adding another.
    core.info(
      `Failing: pull request #${pull!.number} misses ${findings.length} hotfix polic${findings.length === 1 ? 'y' : 'ies'}.`,
    );
    process.exitCode = 1;
  }
}

/**
 * The affected release branch: the one given (it must exist), else the checked pull request's base when that
 * is a release branch, else the newest line's.
 */
function chooseReleaseBranch(
  inputs: HotfixPlanInputs,
  branches: readonly string[],
  pull: PullRequestReading | undefined,
): string | undefined {
  const { releaseBranch, releaseBranchPattern } = inputs;
  if (releaseBranch !== undefined) {
    if (!branches.includes(releaseBranch)) {
      const known = releaseBranchesByLine(branches, releaseBranchPattern).map((entry) => entry.branch);
      throw new ConfigurationError(
        `Input "release-branch" is ${releaseBranch}, but the repository has no such branch` +
          (known.length > 0 ? `; its release branches are ${known.join(', ')}.` : ' and no release branch at all.'),
        'release-branch',
      );
    }
    return releaseBranch;
  }
  if (pull !== undefined && parseReleaseLine(pull.baseRef, releaseBranchPattern) !== undefined) return pull.baseRef;
  return newestReleaseBranch(branches, releaseBranchPattern);
}
