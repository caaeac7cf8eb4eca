import * as core from '@actions/core';
import {
  ConfigurationError,
  createGitHubClient,
  errorMessage,
  isConfigurationError,
  isHttpStatus,
  logGroup,
  markdownCodeBlock,
  markdownHeading,
  markdownInlineCode,
  markdownTable,
  repoFromEnv,
  writeSummary,
  type GitHubClient,
} from '@hotfix-actions/core';
import {
  contentsApiWriter,
  gitBranchWriter,
  issueCommentWriter,
  writeAudit,
  type AuditResult,
  type AuditWriter,
} from './audit.js';
import { readBreakGlassInputs, type BreakGlassInputs } from './inputs.js';
import {
  checkIncidentId,
  decideAccess,
  permissionFromAnswer,
  type AccessCheck,
  type AccessDecision,
  type AccessLookup,
} from './policy.js';
import {
  auditLine,
  auditTable,
  auditTitle,
  buildAuditRecord,
  checksTable,
  denyRecord,
  reviewTicket,
  runFactsFromEnv,
  type AuditRecord,
} from './record.js';

/** The action: validate, decide fail-closed, audit every attempt, report. */
export async function run(): Promise<void> {
  const runFacts = runFactsFromEnv();
  // An unreadable GITHUB_REPOSITORY is no reason to skip the audit: it only disables the API.
  let repository: { owner: string; repo: string } | undefined;
  const problems: ConfigurationError[] = [];
  try {
    repository = repoFromEnv();
  } catch (error) {
    if (!isConfigurationError(error)) throw error;
    problems.push(error);
  }
  const read = readBreakGlassInputs(repository?.owner ?? '');
  const inputs = read.inputs;
  problems.push(...read.problems);

  let github: GitHubClient | undefined;
  if (inputs.token !== undefined) github = await createGitHubClient({ token: inputs.token });

  // 1. The incident id comes first (CONTEXT §6): without a valid one nothing else is looked at.
  let incidentId: string | undefined;
  const checks: AccessCheck[] = [];
  try {
    incidentId = checkIncidentId(inputs.incidentText, {
      ...(inputs.incidentPattern ? { pattern: inputs.incidentPattern } : {}),
      ticketPrefixes: inputs.ticketPrefixes,
    });
    checks.push({ rule: 'incident-id', outcome: 'pass', detail: `${incidentId} is a valid incident id` });
  } catch (error) {
    if (!isConfigurationError(error)) throw error;
    problems.unshift(error);
    checks.push({ rule: 'incident-id', outcome: 'fail', detail: 'missing or malformed' });
  }

  // 2. Who is breaking the glass, checked only when everything else is in order.
  const decision = await logGroup(`Who may break the glass: ${runFacts.triggeringActor || '(no actor)'}`, async () => {
    const result = await decide(inputs, problems, checks, runFacts.triggeringActor, github, repository);
    for (const check of [...checks, ...result.checks]) core.info(`${check.rule}: ${check.outcome} (${check.detail})`);
    core.info(result.allowed ? 'Decision: allowed.' : `Decision: denied (${result.denial}).`);
    return result;
  });

  let record = buildAuditRecord({
    time: new Date(),
    allowed: decision.allowed,
    incidentId,
    incidentGiven: inputs.incidentText,
    reason: inputs.reason,
    denial: decision.denial,
    skipGates: inputs.skipGates,
    checks: [...checks, ...decision.checks],
    run: runFacts,
  });

  // 3. The audit, for every attempt. An allowed attempt whose audit is incomplete is denied, and the
  // targets that did take the first record get the correction.
  const writers = auditWriters(inputs, github, repository, runFacts.serverUrl);
  let results = await logGroup(
    `Audit record (${writers.length} target${writers.length === 1 ? '' : 's'})`,
    async () => {
      const written = await writeAudit(record, writers);
      for (const result of written) {
        core.info(`${result.target}: ${result.ok ? `written ${result.url ?? ''}` : `FAILED: ${result.error}`}`);
      }
      return written;
    },
  );
  const failed = results.filter((result) => !result.ok);
  let corrections: AuditResult[] = [];
  if (record.decision === 'allowed' && (failed.length > 0 || writers.length === 0)) {
    const denial = `the audit record could not be written to ${failed.map((f) => f.target).join(', ') || 'any target'}`;
    record = denyRecord(record, denial, new Date());
    const written = writers.filter((writer) => results.some((r) => r.ok && r.target === writer.name));
    corrections = await logGroup('Audit correction (denied)', () => writeAudit(record, written));
    results = [...results, ...corrections.map((r) => ({ ...r, target: `${r.target} (correction)` }))];
  }

  const approved = record.decision === 'allowed';
  // The URL of the record that stands: the correction when there is one.
  const auditUrl = [...corrections, ...results].find((result) => result.ok && result.url)?.url ?? '';
  const review = approved
    ? reviewTicket(record, {
        ...(inputs.ticket ? { ticket: inputs.ticket } : {}),
        ticketPrefixes: inputs.ticketPrefixes,
        ...(auditUrl ? { auditUrl } : {}),
      })
    : undefined;
  core.setOutput('approved', String(approved));
  core.setOutput('skip-gates', JSON.stringify(record.skip_gates));
  core.setOutput('incident-id', record.incident_id ?? '');
  core.setOutput('audit-url', auditUrl);
  core.setOutput('audit-record', auditLine(record));
  core.setOutput('review-ticket-title', review?.title ?? '');
  core.setOutput('review-ticket-description', review?.description ?? '');
  core.setOutput('review-ticket-depends-on', review?.dependsOn ?? '');
  core.setOutput('review-ticket-external-ref', review?.externalRef ?? '');

  await writeSummary(summary(record, results));

  if (approved) {
    core.notice(
      `${auditTitle(record)}. Skipping ${record.skip_gates.join(', ') || 'no gates'}; health checks and tests ` +
        `still run. Audit: ${auditUrl}`,
      { title: 'Break-glass allowed' },
    );
    return;
  }
  const auditFailure =
    failed.length > 0
      ? ` The audit could not be written to ${failed.map((f) => `${f.target} (${f.error})`).join('; ')}.`
      : '';
  const first = problems[0];
  const title = first?.input ? `Configuration error for input "${first.input}"` : 'Break-glass denied';
  const message = first
    ? `Break-glass denied: ${problems.map((p) => p.message).join(' ')}${auditFailure}`
    : `Break-glass denied: ${record.denial}.${auditFailure}`;
  if (inputs.failOnDenied) {
    core.error(message, { title });
    process.exitCode = 1;
  } else {
    core.warning(message, { title });
  }
}

async function decide(
  inputs: BreakGlassInputs,
  problems: readonly ConfigurationError[],
  checks: readonly AccessCheck[],
  actor: string,
  github: GitHubClient | undefined,
  repository: { owner: string; repo: string } | undefined,
): Promise<AccessDecision> {
  if (problems.length > 0) {
    return { allowed: false, checks: [], denial: problems.map((p) => p.message).join(' ') };
  }
  if (checks.some((check) => check.outcome !== 'pass')) return { allowed: false, checks: [], denial: 'invalid input' };
  if (!actor) return { allowed: false, checks: [], denial: 'the runner did not name an actor (GITHUB_ACTOR)' };
  const lookup = accessLookup(github, repository);
  try {
    return await decideAccess(
      {
        allowedActors: inputs.allowedActors,
        ...(inputs.allowedTeam ? { allowedTeam: inputs.allowedTeam } : {}),
        minPermission: inputs.minPermission,
      },
      actor,
      lookup,
    );
  } catch (error) {
    // Fail closed on anything unforeseen, and keep the stack for whoever debugs it.
    core.debug(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return { allowed: false, checks: [], denial: `the decision failed: ${errorMessage(error)}` };
  }
}

function accessLookup(
  github: GitHubClient | undefined,
  repository: { owner: string; repo: string } | undefined,
): AccessLookup {
  const need = (): GitHubClient => {
    if (!github || !repository) throw new Error('the GitHub API is needed but no token (or repository) is set');
    return github;
  };
  return {
    async permission(login) {
      try {
        const { data } = await need().rest.repos.getCollaboratorPermissionLevel({ ...repository!, username: login });
        return permissionFromAnswer(data);
      } catch (error) {
        // 404: not a collaborator (or no such user), which is no access at all, not an outage.
        if (isHttpStatus(error, 404)) return 'none';
        throw error;
      }
    },
    async isTeamMember(team, login) {
      try {
        const { data } = await need().rest.teams.getMembershipForUserInOrg({
          org: team.org,
          team_slug: team.slug,
          username: login,
        });
        return data.state === 'active';
      } catch (error) {
        if (isHttpStatus(error, 404)) return false;
        if (isHttpStatus(error, 403) || isHttpStatus(error, 401)) {
          throw new Error(
            `the token cannot read team memberships of ${team.org} (HTTP ${(error as { status: number }).status}); ` +
              'GITHUB_TOKEN never can: pass a token with read:org (or an app token with Members: read) as token',
            { cause: error },
          );
        }
        throw error;
      }
    },
  };
}

function auditWriters(
  inputs: BreakGlassInputs,
  github: GitHubClient | undefined,
  repository: { owner: string; repo: string } | undefined,
  serverUrl: string,
): AuditWriter[] {
  const writers: AuditWriter[] = [];
  const unusable = (name: string, why: string): AuditWriter => ({
    name,
    write: () => Promise.reject(new Error(why)),
  });
  if (inputs.auditIssue !== undefined) {
    const name = `issue #${inputs.auditIssue}`;
    writers.push(
      github && repository
        ? issueCommentWriter(github, repository.owner, repository.repo, inputs.auditIssue)
        : unusable(name, 'an audit comment needs the token input and GITHUB_REPOSITORY'),
    );
  }
  const branch = inputs.auditBranch;
  if (branch?.method === 'api') {
    writers.push(
      github && repository
        ? contentsApiWriter(github, repository.owner, repository.repo, branch)
        : unusable(`branch ${branch.branch} (contents API)`, 'the contents API needs the token input'),
    );
  } else if (branch?.method === 'git') {
    const web = repository ? `${serverUrl}/${repository.owner}/${repository.repo}` : serverUrl;
    writers.push(gitBranchWriter(process.env.GITHUB_WORKSPACE || process.cwd(), branch, web));
  }
  return writers;
}

function summary(record: AuditRecord, results: readonly AuditResult[]): string {
  const icon = record.decision === 'allowed' ? '🔓' : '🔒';
  const targets =
    results.length > 0
      ? markdownTable(
          ['audit target', 'written', 'where / why not'],
          results.map((result) => [
            result.target,
            result.ok ? 'yes' : '**no**',
            result.ok ? (result.url ?? '') : markdownInlineCode(result.error ?? ''),
          ]),
        )
      : '**No durable audit target was configured: the attempt is recorded only here, and denied.**\n';
  const notes =
    record.decision === 'allowed'
      ? '> Analysis gates listed above are skipped for this run only. Health checks and tests are never skipped.\n'
      : '';
  return [
    markdownHeading(`${icon} ${auditTitle(record)}`, 3),
    auditTable(record),
    checksTable(record.checks),
    targets,
    notes,
    '<details>\n<summary>Audit record (JSONL)</summary>\n',
    markdownCodeBlock(auditLine(record), 'json'),
    '</details>',
  ]
    .filter(Boolean)
    .join('\n');
}
