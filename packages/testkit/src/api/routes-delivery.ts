import {
  type Call,
  type Hub,
  type Reply,
  type Route,
  failure,
  notFound,
  ok,
  paginate,
  text,
  unprocessable,
  validationFailed,
} from './context.js';
import { combinedState, mergeIntoBranch } from './git-ops.js';
import type { StandInDeployment, StandInDeploymentStatus, StandInRelease } from './store.js';

/** Numeric parts of a version-like tag (`v1.2.3-hotfix.1` → [1, 2, 3]) and whether it has a suffix. */
function versionOf(tag: string): { parts: number[]; pre: boolean } | undefined {
  const match = /(\d+)\.(\d+)(?:\.(\d+))?(-[0-9A-Za-z.-]+)?$/.exec(tag);
  if (!match) return undefined;
  return { parts: [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)], pre: match[4] !== undefined };
}

function compareReleases(a: StandInRelease, b: StandInRelease): number {
  const x = versionOf(a.tagName);
  const y = versionOf(b.tagName);
  if (x && y) {
    for (let i = 0; i < 3; i += 1) if (x.parts[i] !== y.parts[i]) return x.parts[i]! - y.parts[i]!;
    if (x.pre !== y.pre) return x.pre ? -1 : 1;
  }
  return a.createdAt === b.createdAt ? a.id - b.id : a.createdAt < b.createdAt ? -1 : 1;
}

/**
 * `make_latest`: `true` makes this release Latest, `false` leaves Latest alone, `legacy` picks the
 * highest version (then the newest) among published full releases. Drafts and pre-releases are
 * never Latest.
 */
function applyMakeLatest(hub: Hub, release: StandInRelease, mode: string): void {
  const eligible = (one: StandInRelease) => !one.draft && !one.prerelease;
  const legacy = () => {
    const best = hub.state.releases.filter(eligible).sort(compareReleases).pop();
    hub.state.latestReleaseId = best?.id ?? null;
  };
  if (!eligible(release)) {
    if (hub.state.latestReleaseId === release.id) legacy();
    return;
  }
  if (mode === 'true') hub.state.latestReleaseId = release.id;
  else if (mode === 'legacy') legacy();
}

async function ensureTag(hub: Hub, release: StandInRelease): Promise<Reply | undefined> {
  const ref = `refs/tags/${release.tagName}`;
  if (await hub.repo.getRef(ref)) return undefined;
  if (!(await hub.repo.isValidRefName(ref))) {
    return validationFailed({ resource: 'Release', code: 'invalid', field: 'tag_name' });
  }
  const sha = await hub.repo.resolveCommit(release.targetCommitish);
  if (!sha) return validationFailed({ resource: 'Release', code: 'invalid', field: 'target_commitish' });
  await hub.repo.updateRef(ref, sha, null);
  return undefined;
}

async function listReleases(call: Call): Promise<Reply> {
  const releases = [...call.hub.state.releases].sort((a, b) => -compareByCreation(a, b));
  const page = paginate(call, releases);
  return ok(
    page.items.map((release) => call.hub.shapes.release(release)),
    200,
    page.headers,
  );
}

function compareByCreation(a: StandInRelease, b: StandInRelease): number {
  return a.createdAt === b.createdAt ? a.id - b.id : a.createdAt < b.createdAt ? -1 : 1;
}

async function createRelease(call: Call): Promise<Reply> {
  const { hub, body } = call;
  const tagName = text(body, 'tag_name')!;
  if (hub.state.releases.some((release) => release.tagName === tagName)) {
    return validationFailed({ resource: 'Release', code: 'already_exists', field: 'tag_name' });
  }
  const now = hub.now();
  const draft = body.draft === true;
  const release: StandInRelease = {
    id: hub.state.nextId('release'),
    tagName,
    // Ignored when the tag exists; otherwise the tag is made here, on the default branch by default.
    targetCommitish: text(body, 'target_commitish') ?? hub.defaultBranch(),
    name: text(body, 'name') ?? null,
    body: text(body, 'body') ?? (body.generate_release_notes === true ? `**Full Changelog**: ${tagName}` : null),
    draft,
    prerelease: body.prerelease === true,
    author: hub.actor,
    createdAt: now,
    publishedAt: draft ? null : now,
    updatedAt: now,
  };
  if (!draft) {
    const problem = await ensureTag(hub, release);
    if (problem) return problem;
  }
  hub.state.releases.push(release);
  applyMakeLatest(hub, release, text(body, 'make_latest') ?? 'true');
  return ok(hub.shapes.release(release), 201, { location: `${hub.shapes.repoApi}/releases/${release.id}` });
}

async function getRelease(call: Call): Promise<Reply> {
  const release = call.hub.state.releases.find((one) => one.id === Number(call.params.release_id));
  return release ? ok(call.hub.shapes.release(release)) : notFound();
}

async function getLatestRelease(call: Call): Promise<Reply> {
  const release = call.hub.state.latestRelease;
  return release ? ok(call.hub.shapes.release(release)) : notFound();
}

async function getReleaseByTag(call: Call): Promise<Reply> {
  // Only published releases have a tag to be found by.
  const release = call.hub.state.releases.find((one) => one.tagName === call.params.tag && !one.draft);
  return release ? ok(call.hub.shapes.release(release)) : notFound();
}

async function updateRelease(call: Call): Promise<Reply> {
  const { hub, body } = call;
  const release = hub.state.releases.find((one) => one.id === Number(call.params.release_id));
  if (!release) return notFound();
  const tagName = text(body, 'tag_name');
  if (tagName !== undefined && tagName !== release.tagName) {
    if (hub.state.releases.some((other) => other !== release && other.tagName === tagName)) {
      return validationFailed({ resource: 'Release', code: 'already_exists', field: 'tag_name' });
    }
    release.tagName = tagName;
  }
  if (typeof body.target_commitish === 'string') release.targetCommitish = body.target_commitish;
  if (typeof body.name === 'string') release.name = body.name;
  if (typeof body.body === 'string') release.body = body.body;
  if (typeof body.prerelease === 'boolean') release.prerelease = body.prerelease;
  const now = hub.now();
  if (body.draft === false && release.draft) {
    const problem = await ensureTag(hub, release);
    if (problem) return problem;
    release.draft = false;
    release.publishedAt = now;
  } else if (body.draft === true) {
    release.draft = true;
  }
  release.updatedAt = now;
  // The description documents `make_latest` defaulting to "true" on update as well.
  applyMakeLatest(hub, release, text(body, 'make_latest') ?? 'true');
  return ok(hub.shapes.release(release));
}

function latestStatus(deployment: StandInDeployment): StandInDeploymentStatus | undefined {
  return deployment.statuses[deployment.statuses.length - 1];
}

async function listDeployments(call: Call): Promise<Reply> {
  const { query } = call;
  const deployments = call.hub.state.deployments
    .filter((one) => typeof query.sha !== 'string' || one.sha === query.sha)
    .filter((one) => typeof query.ref !== 'string' || one.ref === query.ref)
    .filter((one) => typeof query.task !== 'string' || one.task === query.task)
    .filter((one) => typeof query.environment !== 'string' || one.environment === query.environment)
    .sort((a, b) => b.id - a.id);
  const page = paginate(call, deployments);
  return ok(
    page.items.map((deployment) => call.hub.shapes.deployment(deployment)),
    200,
    page.headers,
  );
}

async function createDeployment(call: Call): Promise<Reply> {
  const { hub, body } = call;
  const ref = text(body, 'ref')!;
  const sha = await hub.repo.resolveCommit(ref);
  if (!sha) return unprocessable(`No ref found for: ${ref}`);

  // Like GitHub, merge the default branch into a branch that is behind it unless auto_merge is
  // false — which, for a release branch, is rarely what a deployment wants.
  const isBranch = !/^[0-9a-f]{40}$/.test(ref) && (await hub.repo.resolve(`refs/heads/${ref}`)) !== undefined;
  const trunk = hub.defaultBranch();
  if (body.auto_merge !== false && isBranch && ref !== trunk) {
    const trunkSha = await hub.repo.resolve(`refs/heads/${trunk}`);
    if (trunkSha && !(await hub.repo.isAncestor(trunkSha, sha))) {
      const message = `Auto-merged ${trunk} into ${ref} on deployment.`;
      const result = await mergeIntoBranch(hub, ref, trunkSha, message);
      if (result.kind === 'conflict' || result.kind === 'moved')
        return failure(409, `Conflict merging ${trunk} into ${ref}.`);
      return ok({ message }, 202);
    }
  }

  const { statuses } = combinedState(hub, sha);
  const contexts = Array.isArray(body.required_contexts)
    ? (body.required_contexts as string[])
    : statuses.map((status) => status.context);
  const failing = contexts.filter(
    (context) => statuses.find((status) => status.context === context)?.state !== 'success',
  );
  if (failing.length > 0) {
    return {
      status: 409,
      body: {
        message: `Conflict: Commit status checks failed for ${ref}.`,
        errors: [{ contexts: failing, resource: 'Deployment', field: 'required_contexts', code: 'invalid' }],
        documentation_url: 'https://docs.github.com/rest/deployments/deployments#create-a-deployment',
      },
    };
  }

  const environment = text(body, 'environment') ?? 'production';
  const now = hub.now();
  const deployment: StandInDeployment = {
    id: hub.state.nextId('deployment'),
    sha,
    ref,
    task: text(body, 'task') ?? 'deploy',
    payload: (body.payload as Record<string, unknown> | string | undefined) ?? {},
    environment,
    originalEnvironment: environment,
    description: (body.description as string | null | undefined) ?? '',
    creator: hub.actor,
    createdAt: now,
    updatedAt: now,
    transientEnvironment: body.transient_environment === true,
    productionEnvironment:
      typeof body.production_environment === 'boolean' ? body.production_environment : environment === 'production',
    statuses: [],
  };
  hub.state.deployments.push(deployment);
  return ok(hub.shapes.deployment(deployment), 201, {
    location: `${hub.shapes.repoApi}/deployments/${deployment.id}`,
  });
}

function findDeployment(call: Call): StandInDeployment | undefined {
  return call.hub.state.deployments.find((one) => one.id === Number(call.params.deployment_id));
}

async function getDeployment(call: Call): Promise<Reply> {
  const deployment = findDeployment(call);
  return deployment ? ok(call.hub.shapes.deployment(deployment)) : notFound();
}

async function listDeploymentStatuses(call: Call): Promise<Reply> {
  const deployment = findDeployment(call);
  if (!deployment) return notFound();
  const page = paginate(call, [...deployment.statuses].reverse());
  return ok(
    page.items.map((status) => call.hub.shapes.deploymentStatus(status)),
    200,
    page.headers,
  );
}

async function createDeploymentStatus(call: Call): Promise<Reply> {
  const { hub, body } = call;
  const deployment = findDeployment(call);
  if (!deployment) return notFound();
  const now = hub.now();
  if (typeof body.environment === 'string' && body.environment !== '') deployment.environment = body.environment;
  const logUrl = text(body, 'log_url') ?? text(body, 'target_url') ?? '';
  const status: StandInDeploymentStatus = {
    id: hub.state.nextId('deployment-status'),
    deploymentId: deployment.id,
    state: text(body, 'state') as StandInDeploymentStatus['state'],
    description: text(body, 'description') ?? '',
    environment: deployment.environment,
    targetUrl: text(body, 'target_url') ?? logUrl,
    logUrl,
    environmentUrl: text(body, 'environment_url') ?? '',
    creator: hub.actor,
    createdAt: now,
    updatedAt: now,
  };
  deployment.statuses.push(status);
  deployment.updatedAt = now;

  // auto_inactive (default true): a success marks earlier successful deployments of the same
  // environment inactive — but only non-transient, non-production ones.
  if (status.state === 'success' && body.auto_inactive !== false) {
    for (const other of hub.state.deployments) {
      if (other.id >= deployment.id || other.environment !== deployment.environment) continue;
      if (other.transientEnvironment || other.productionEnvironment) continue;
      if (latestStatus(other)?.state !== 'success') continue;
      other.statuses.push({
        ...status,
        id: hub.state.nextId('deployment-status'),
        deploymentId: other.id,
        state: 'inactive',
        description: '',
        environment: other.environment,
        targetUrl: '',
        logUrl: '',
        environmentUrl: '',
      });
      other.updatedAt = now;
    }
  }
  return ok(hub.shapes.deploymentStatus(status), 201, {
    location: `${hub.shapes.repoApi}/deployments/${deployment.id}/statuses/${status.id}`,
  });
}

async function collaboratorPermission(call: Call): Promise<Reply> {
  const user = call.hub.shapes.knownUser(call.params.username!);
  if (!user) return notFound(`${call.params.username} is not a user`);
  return ok(call.hub.shapes.collaboratorPermission(user.login));
}

async function teamMembership(call: Call): Promise<Reply> {
  const { hub, params } = call;
  const team = hub.teams.get(`${params.org!.toLowerCase()}/${params.team_slug!.toLowerCase()}`);
  const role = team?.get(params.username!.toLowerCase());
  if (!role) return notFound();
  return ok(hub.shapes.teamMembership(params.team_slug!, params.username!, role));
}

/** Releases, deployments and their statuses, collaborator permission and team membership. */
export const deliveryRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/releases',
    operationId: 'repos/list-releases',
    handler: listReleases,
  },
  {
    method: 'POST',
    pattern: '/repos/{owner}/{repo}/releases',
    operationId: 'repos/create-release',
    handler: createRelease,
  },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/releases/latest',
    operationId: 'repos/get-latest-release',
    handler: getLatestRelease,
  },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/releases/tags/{tag+}',
    operationId: 'repos/get-release-by-tag',
    handler: getReleaseByTag,
  },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/releases/{release_id}',
    operationId: 'repos/get-release',
    handler: getRelease,
  },
  {
    method: 'PATCH',
    pattern: '/repos/{owner}/{repo}/releases/{release_id}',
    operationId: 'repos/update-release',
    handler: updateRelease,
  },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/deployments',
    operationId: 'repos/list-deployments',
    handler: listDeployments,
  },
  {
    method: 'POST',
    pattern: '/repos/{owner}/{repo}/deployments',
    operationId: 'repos/create-deployment',
    handler: createDeployment,
  },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/deployments/{deployment_id}',
    operationId: 'repos/get-deployment',
    handler: getDeployment,
  },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    operationId: 'repos/list-deployment-statuses',
    handler: listDeploymentStatuses,
  },
  {
    method: 'POST',
    pattern: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    operationId: 'repos/create-deployment-status',
    handler: createDeploymentStatus,
  },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/collaborators/{username}/permission',
    operationId: 'repos/get-collaborator-permission-level',
    handler: collaboratorPermission,
  },
  {
    method: 'GET',
    pattern: '/orgs/{org}/teams/{team_slug}/memberships/{username}',
    operationId: 'teams/get-membership-for-user-in-org',
    handler: teamMembership,
  },
];
