import * as core from '@actions/core';
import {
  bumpVersion,
  createApiTagStore,
  createGitHubClient,
  createGitClient,
  createGitTagStore,
  emptyHotfixContext,
  extractTicketIds,
  formatReleaseLine,
  highestVersion,
  logGroup,
  markdownHeading,
  markdownTable,
  mergeHotfixContext,
  repoFromEnv,
  serializeHotfixContext,
  writeSummary,
  type BumpResult,
  type GitHubClient,
  type TagStore,
} from '@hotfix-actions/core';
import type { SemVer } from 'semver';
import { readInputs, type VersionBumpInputs } from './inputs.js';

/** The action: compute the next version of the line, tag it atomically, report. */
export async function run(): Promise<void> {
  const inputs = readInputs();
  const { owner, repo } = repoFromEnv();
  const github = inputs.token !== undefined ? await createGitHubClient({ token: inputs.token }) : undefined;
  const git =
    inputs.method === 'git' ? createGitClient({ cwd: process.env.GITHUB_WORKSPACE || process.cwd() }) : undefined;
  const store: TagStore = git ? createGitTagStore(git) : createApiTagStore({ github: github!, owner, repo });

  // The checkout has the commit's message for free; through the API it would cost a request, and
  // the event payload usually carries it anyway.
  // Read while the remote's tags are being listed: the tickets are needed only for the tag message.
  const message = git
    ? git.raw(['log', '-1', '--format=%B', inputs.sha], { okExitCodes: [0, 128] }).then((read) => read.stdout)
    : Promise.resolve('');
  const ticketsRead = message.then((text) =>
    extractTicketIds(`${inputs.branch}\n${inputs.eventText}\n${text}`, { prefixes: inputs.ticketPrefixes }),
  );
  // Never an unhandled rejection while bumpVersion runs; the error surfaces where the tickets are awaited.
  ticketsRead.catch(() => undefined);
  const where = inputs.line ? `line ${formatReleaseLine(inputs.line)}` : `trunk ${inputs.branch}`;
  const result = await logGroup(`Next version on ${where}`, () =>
    bumpVersion({
      store,
      sha: inputs.sha,
      line: inputs.line,
      scheme: inputs.scheme,
      prefix: inputs.tagPrefix,
      maxAttempts: inputs.maxAttempts,
      dryRun: inputs.dryRun,
      ...(inputs.annotated
        ? { message: async (version, previous) => tagMessage(inputs, version, previous, await ticketsRead) }
        : {}),
    }),
  );
  const tickets = await ticketsRead;
  for (const note of result.notes) core.notice(note);
  if (result.lostRaces.length > 0) core.info(`Other runs took ${result.lostRaces.join(', ')} first.`);

  let releaseUrl: string | undefined;
  if (inputs.createRelease && !inputs.dryRun) {
    releaseUrl = await logGroup(`Release ${result.tag}`, () =>
      ensureRelease(github!, owner, repo, inputs, result, store),
    );
  }

  const line = formatReleaseLine(result.line);
  const context = mergeHotfixContext(emptyHotfixContext(), {
    line,
    version: result.version.version,
    tag: result.tag,
    ...(result.previous ? { previousTag: result.previous.tag } : {}),
    sha: inputs.sha,
    tickets,
  });
  core.setOutput('version', result.version.version);
  core.setOutput('tag', result.tag);
  core.setOutput('previous-version', result.previous?.version.version ?? '');
  core.setOutput('previous-tag', result.previous?.tag ?? '');
  core.setOutput('line', inputs.line ? line : '');
  core.setOutput('sha', inputs.sha);
  core.setOutput('outcome', result.outcome);
  core.setOutput('attempts', String(result.attempts));
  core.setOutput('release-url', releaseUrl ?? '');
  core.setOutput('context', serializeHotfixContext(context));

  const verb = { created: 'Created', exists: 'Already tagged:', 'dry-run': 'Would create' }[result.outcome];
  core.info(`${verb} ${result.tag} on ${inputs.sha} (${where}, previous ${result.previous?.tag ?? 'none'}).`);
  await writeSummary(summary(inputs, result, store, releaseUrl));
}

/** The annotated tag's message: version, line, commit and tickets, for `git show` and release tooling. */
function tagMessage(
  inputs: VersionBumpInputs,
  version: SemVer,
  previous: SemVer | undefined,
  tickets: string[],
): string {
  const line = inputs.line ? `release line ${formatReleaseLine(inputs.line)}` : `trunk ${inputs.branch}`;
  return [
    `${inputs.tagPrefix}${version.version} (${line})`,
    '',
    `Version: ${version.version}`,
    `Line: ${inputs.line ? formatReleaseLine(inputs.line) : `trunk (${inputs.branch})`}`,
    `Commit: ${inputs.sha}`,
    `Previous: ${previous ? `${inputs.tagPrefix}${previous.version}` : 'none'}`,
    `Tickets: ${tickets.length > 0 ? tickets.join(', ') : 'none'}`,
    '',
  ].join('\n');
}

/** Creates the tag's release unless it exists; an older line's release never becomes Latest. */
async function ensureRelease(
  github: GitHubClient,
  owner: string,
  repo: string,
  inputs: VersionBumpInputs,
  result: BumpResult,
  store: TagStore,
): Promise<string> {
  try {
    const { data } = await github.rest.repos.getReleaseByTag({ owner, repo, tag: result.tag });
    core.info(`Release ${result.tag} exists already: ${data.html_url}`);
    return data.html_url;
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
  }
  const all = await store.listTags(inputs.tagPrefix);
  const newest = highestVersion(
    all.map((tag) => tag.name),
    inputs.tagPrefix,
  );
  const isNewest = newest === undefined || newest.tag === result.tag;
  const { data } = await github.rest.repos.createRelease({
    owner,
    repo,
    tag_name: result.tag,
    target_commitish: inputs.sha,
    name: result.tag,
    body:
      `Hotfix ${result.tag} on ${inputs.line ? `line ${formatReleaseLine(inputs.line)}` : inputs.branch}` +
      (result.previous ? ` (previous: ${result.previous.tag}).` : '.'),
    make_latest: isNewest ? 'true' : 'false',
  });
  core.info(`Created release ${data.html_url}${isNewest ? '' : ' (not marked Latest: a newer line exists)'}.`);
  return data.html_url;
}

function summary(
  inputs: VersionBumpInputs,
  result: BumpResult,
  store: TagStore,
  releaseUrl: string | undefined,
): string {
  const title = {
    created: `Tagged ${result.tag}`,
    exists: `${result.tag} already tags this commit`,
    'dry-run': `Dry run: next version ${result.tag}`,
  }[result.outcome];
  const rows: [string, string][] = [
    ['previous → next', `${result.previous?.tag ?? '(none)'} → ${result.tag}`],
    [
      'line',
      inputs.line ? formatReleaseLine(inputs.line) : `trunk (${inputs.branch}, base ${formatReleaseLine(result.line)})`,
    ],
    ['commit', inputs.sha],
    ['scheme', inputs.scheme],
    ['method', store.method],
    ['attempts', String(result.attempts)],
  ];
  if (result.lostRaces.length > 0) rows.push(['taken by other runs', result.lostRaces.join(', ')]);
  if (releaseUrl) rows.push(['release', releaseUrl]);
  const notes = result.notes.map((note) => `> ${note}`).join('\n');
  return [markdownHeading(title, 3), markdownTable(['', 'value'], rows), notes].filter(Boolean).join('\n\n') + '\n';
}
