// `hotfix plan`: the decision tree of hotfix-plan on the local repository. Q2 is computed with local
// git — the commits on trunk that the latest release tag does not contain, less back-merges,
// forward-port cherry-picks and version commits — and everything else is the same pure logic the
// action runs (packages/core/src/plan.ts).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  DEFAULT_RELEASE_BRANCH_PATTERN,
  HOTFIX_APPROACH_TITLES,
  HOTFIX_QUESTIONS,
  assertHotfixSeverity,
  assessTrunkUnreleased,
  cherryPickSources,
  classifyTrunkCommits,
  highestVersion,
  isConfigurationError,
  planHotfix,
  releaseBranchesByLine,
  runCommand,
  validateReleaseBranchPattern,
  validateTagPrefix,
  type HotfixPlan,
  type TrunkAssessment,
  type TrunkCommit,
} from '@hotfix-actions/core';
import { asCommandLineMessage, asUsage, CommandFailure, optionText, parseCommandLine, UsageError } from './usage.js';

/** `hotfix plan --help`. */
export const PLAN_HELP = `Walks the hotfix decision tree on a local repository and says which procedure to follow.

Usage: hotfix plan [options]

  Q1  Is production down or degraded?        --production-down, else severity and labels
  Q2  Does trunk hold unreleased features?   computed: commits on trunk that the latest release
                                             tag lacks (back-merges, forward-ports and version
                                             commits do not count); uncertain means yes
  Q3  Can it wait for the next release?      --can-wait, else labels and severity

Options:
  -C, --dir <path>                 the repository (default: the current directory)
  --production-down <yes|no>       answer Q1
  --can-wait <yes|no>              answer Q3
  --severity <P0…P4>               the severity (also 0–4, sev2, critical, high, …)
  --labels <a,b,…>                 labels of the ticket (severity, outage, security, cosmetic, …)
  --ticket <id>                    the ticket, for the hotfix branch name (bd-a1b2)
  --description <text>             a few words for the hotfix branch name
  --release-branch <branch>        the affected release branch (default: the newest line)
  --trunk <branch>                 the trunk (default main)
  --remote <name>                  read trunk and release branches from this remote's tracking
                                   branches when they exist (default origin; run git fetch first)
  --tag-prefix <prefix>            prefix of release tags (default v)
  --release-branch-pattern <p>     how release branches are named (default release/{line})
  --json                           print the plan as JSON
  -h, --help                       this help

Exit status: 0 with a plan, 1 when the repository cannot be read, 2 for a bad command line.
`;

/** What `hotfix plan` was asked. */
export interface PlanCommandOptions {
  dir: string;
  productionDown?: boolean;
  canWait?: boolean;
  severity?: ReturnType<typeof assertHotfixSeverity>;
  labels: string[];
  ticket?: string;
  description?: string;
  releaseBranch?: string;
  trunk: string;
  remote: string;
  tagPrefix: string;
  releaseBranchPattern: string;
  json: boolean;
}

function yesNo(value: string | boolean | undefined, option: string): boolean | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim().toLowerCase();
  if (['yes', 'y', 'true', '1'].includes(text)) return true;
  if (['no', 'n', 'false', '0'].includes(text)) return false;
  throw new UsageError(`${option} takes yes or no; got "${String(value)}".`, 'plan');
}

/** Parses `hotfix plan`'s options; `undefined` when help was asked for. */
export function parsePlanArgs(argv: readonly string[]): PlanCommandOptions | undefined {
  const { values } = parseCommandLine(
    argv,
    {
      dir: { type: 'string', short: 'C' },
      'production-down': { type: 'string' },
      'can-wait': { type: 'string' },
      severity: { type: 'string' },
      labels: { type: 'string' },
      ticket: { type: 'string' },
      description: { type: 'string' },
      'release-branch': { type: 'string' },
      trunk: { type: 'string' },
      remote: { type: 'string' },
      'tag-prefix': { type: 'string' },
      'release-branch-pattern': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    'plan',
  );
  if (values.help) return undefined;
  const text = (name: string): string | undefined => optionText(values, name);
  const wrap = <T>(fn: () => T): T => asUsage('plan', fn);
  const severityText = text('severity');
  const productionDown = yesNo(text('production-down'), '--production-down');
  const canWait = yesNo(text('can-wait'), '--can-wait');
  const ticket = text('ticket');
  const description = text('description');
  const releaseBranch = text('release-branch');
  return {
    dir: resolve(text('dir') ?? '.'),
    ...(productionDown !== undefined ? { productionDown } : {}),
    ...(canWait !== undefined ? { canWait } : {}),
    ...(severityText !== undefined ? { severity: wrap(() => assertHotfixSeverity(severityText, 'severity')) } : {}),
    labels: (text('labels') ?? '')
      .split(/[,\n]/)
      .map((label) => label.trim())
      .filter(Boolean),
    ...(ticket !== undefined ? { ticket } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(releaseBranch !== undefined ? { releaseBranch } : {}),
    trunk: text('trunk') ?? 'main',
    remote: text('remote') ?? 'origin',
    tagPrefix: wrap(() =>
      validateTagPrefix(typeof values['tag-prefix'] === 'string' ? values['tag-prefix'] : 'v', 'tag-prefix'),
    ),
    releaseBranchPattern: wrap(() =>
      validateReleaseBranchPattern(
        text('release-branch-pattern') ?? DEFAULT_RELEASE_BRANCH_PATTERN,
        'release-branch-pattern',
      ),
    ),
    json: values.json === true,
  };
}

async function git(dir: string, args: string[]): Promise<{ ok: boolean; out: string; err: string }> {
  const result = await runCommand('git', args, { cwd: dir, env: { LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' } });
  return { ok: result.exitCode === 0, out: result.stdout, err: result.stderr.trim() };
}

/** The branches of the repository: local ones and the remote's tracking branches (without the remote's name). */
export async function localBranches(
  dir: string,
  remote: string,
): Promise<{ names: string[]; refOf: Map<string, string> }> {
  const listed = await git(dir, ['for-each-ref', '--format=%(refname)', 'refs/heads', `refs/remotes/${remote}`]);
  const refOf = new Map<string, string>();
  for (const ref of listed.out.split('\n').filter(Boolean)) {
    if (ref.startsWith('refs/heads/')) {
      const name = ref.slice('refs/heads/'.length);
      if (!refOf.has(name)) refOf.set(name, ref);
    } else {
      const name = ref.slice(`refs/remotes/${remote}/`.length);
      // The remote's view is the shared truth: it wins over a stale local branch of the same name.
      if (name !== 'HEAD') refOf.set(name, ref);
    }
  }
  return { names: [...refOf.keys()], refOf };
}

/** Q2 on the local repository, with the latest release tag compared against. */
export async function assessLocalTrunk(
  dir: string,
  options: { trunkRef: string; trunk: string; tagPrefix: string; releaseRefs: readonly string[] },
): Promise<TrunkAssessment & { tag?: string }> {
  const tags = await git(dir, ['for-each-ref', '--format=%(refname:short)', 'refs/tags']);
  const latest = highestVersion(tags.out.split('\n').filter(Boolean), options.tagPrefix);
  if (latest === undefined) {
    return {
      trunkHasUnreleased: 'unknown',
      evidence: `no release tag starting with "${options.tagPrefix}" exists to compare ${options.trunk} with`,
      unreleased: [],
      ignored: [],
    };
  }
  // NUL-separated fields, a record separator between commits: messages may hold anything but these.
  const log = await git(dir, [
    'log',
    '--reverse',
    '--format=%H%x00%P%x00%B%x1e',
    `refs/tags/${latest.tag}..${options.trunkRef}`,
  ]);
  if (!log.ok) throw new CommandFailure(`Reading ${options.trunk} since ${latest.tag} failed: ${log.err}`);
  const commits: TrunkCommit[] = log.out
    .split('\x1e')
    .map((record) => record.replace(/^\n/, ''))
    .filter((record) => record.trim() !== '')
    .map((record) => {
      const [sha = '', parents = '', message = ''] = record.split('\x00');
      return { sha, parents: parents.split(' ').filter(Boolean), message: message.trimEnd() };
    });
  const released = new Set<string>();
  for (const source of new Set(commits.flatMap((commit) => cherryPickSources(commit.message)))) {
    for (const ref of options.releaseRefs) {
      if ((await git(dir, ['merge-base', '--is-ancestor', source, ref])).ok) {
        released.add(source);
        break;
      }
    }
  }
  const classified = classifyTrunkCommits(commits, { releasedCommits: released });
  return { ...assessTrunkUnreleased(classified, { trunk: options.trunk, tag: latest.tag }), tag: latest.tag };
}

/** The plan for the repository at `options.dir`, with Q2's evidence. */
export async function planLocalHotfix(
  options: PlanCommandOptions,
): Promise<{ plan: HotfixPlan; trunk: TrunkAssessment & { tag?: string } }> {
  if (!existsSync(options.dir)) {
    throw new UsageError(`--dir ${options.dir} does not exist: give the directory of a git repository.`, 'plan');
  }
  const top = await git(options.dir, ['rev-parse', '--show-toplevel']);
  if (!top.ok) {
    throw new CommandFailure(
      `${options.dir} is not inside a git repository: run hotfix plan in your repository's checkout, or pass --dir <path>.`,
    );
  }
  const { names, refOf } = await localBranches(options.dir, options.remote);
  const trunkRef = refOf.get(options.trunk);
  if (trunkRef === undefined) {
    throw new CommandFailure(
      `There is no branch ${options.trunk} (nor ${options.remote}/${options.trunk}) in ${top.out.trim()}: name the trunk ` +
        'with --trunk (e.g. --trunk develop), or git fetch it.',
    );
  }
  if (options.releaseBranch !== undefined && !refOf.has(options.releaseBranch)) {
    throw new CommandFailure(
      `--release-branch ${options.releaseBranch} does not exist here (nor as ${options.remote}/${options.releaseBranch}): ` +
        `the release branches are ${
          releaseBranchesByLine(names, options.releaseBranchPattern)
            .map((b) => b.branch)
            .join(', ') || 'none'
        }.`,
    );
  }
  const releaseRefs = releaseBranchesByLine(names, options.releaseBranchPattern).map((info) => refOf.get(info.branch)!);
  const trunk = await assessLocalTrunk(options.dir, {
    trunkRef,
    trunk: options.trunk,
    tagPrefix: options.tagPrefix,
    releaseRefs,
  });
  try {
    const plan = planHotfix({
      ...(options.productionDown !== undefined ? { productionDown: options.productionDown } : {}),
      ...(options.canWait !== undefined ? { canWait: options.canWait } : {}),
      ...(options.severity !== undefined ? { severity: options.severity } : {}),
      labels: options.labels,
      trunkHasUnreleased: trunk.trunkHasUnreleased,
      trunkEvidence: trunk.evidence,
      trunk: options.trunk,
      ...(options.releaseBranch !== undefined ? { releaseBranch: options.releaseBranch } : {}),
      branches: names,
      releaseBranchPattern: options.releaseBranchPattern,
      ...(options.ticket !== undefined ? { ticket: options.ticket } : {}),
      ...(options.description !== undefined ? { description: options.description } : {}),
    });
    return { plan, trunk };
  } catch (error) {
    if (isConfigurationError(error)) throw new CommandFailure(asCommandLineMessage(error.message));
    throw error;
  }
}

/** The plan as a person reads it in a terminal. */
export function formatPlan(plan: HotfixPlan, trunk: TrunkAssessment & { tag?: string }): string {
  const lines = [HOTFIX_APPROACH_TITLES[plan.approach], `  ${plan.decision.reason}`, ''];
  for (const step of plan.decision.path) {
    lines.push(
      `  ${step.question}  ${HOTFIX_QUESTIONS[step.question].padEnd(42)} ${step.answer.padEnd(9)} ${step.because}`,
    );
  }
  lines.push('');
  const row = (name: string, value: string) => lines.push(`  ${`${name}:`.padEnd(16)}${value}`);
  row('base branch', plan.baseBranch);
  if (plan.hotfixBranch !== undefined) row('hotfix branch', plan.hotfixBranch);
  row('then to', plan.targets.length > 0 ? plan.targets.join(' → ') : 'nothing (not a hotfix)');
  if (plan.decision.severity !== undefined) {
    row(
      'severity',
      `${plan.decision.severity}${plan.decision.severitySource && plan.decision.severitySource !== 'input' ? ` (${plan.decision.severitySource})` : ''}`,
    );
  }
  if (trunk.tag !== undefined) {
    row(
      'compared with',
      `${trunk.tag}: ${trunk.unreleased.length} unreleased, ${trunk.ignored.length} ignored (back-merges, forward-ports, versions)`,
    );
  }
  lines.push('', '  Steps:');
  plan.steps.forEach((step, index) => lines.push(`    ${index + 1}. ${step}`));
  if (plan.checklist.length > 0) {
    lines.push('', '  Before calling it done:');
    for (const item of plan.checklist) lines.push(`    [ ] ${item.text}`);
  }
  if (plan.hotfixBranch !== undefined && plan.approach !== 'regular-issue') {
    lines.push('', `  git switch -c ${plan.hotfixBranch} ${plan.baseBranch}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The plan as JSON, with the same fields as hotfix-plan's outputs. */
export function planJson(plan: HotfixPlan, trunk: TrunkAssessment & { tag?: string }): Record<string, unknown> {
  const asked = plan.decision.path.some((step) => step.question === 'Q2');
  return {
    approach: plan.approach,
    'base-branch': plan.baseBranch,
    'hotfix-branch': plan.hotfixBranch ?? '',
    targets: plan.targets,
    reason: plan.decision.reason,
    checklist: plan.checklist,
    path: plan.decision.path,
    steps: plan.steps,
    severity: plan.decision.severity ?? '',
    'latest-release-tag': trunk.tag ?? '',
    'trunk-has-unreleased': asked ? String(trunk.trunkHasUnreleased) : '',
    unreleased: trunk.unreleased.map((entry) => ({
      sha: entry.commit.sha,
      subject: entry.commit.message.split('\n')[0],
    })),
  };
}
