import {
  type Call,
  type Hub,
  type Reply,
  type Route,
  failure,
  notFound,
  ok,
  ownBranch,
  paginate,
  text,
  unprocessable,
  validationFailed,
} from './context.js';
import { actorIdentity, mergeIntoBranch, pullLive, refreshOpenPulls, webFlowIdentity } from './git-ops.js';
import type { StandInIssue, StandInLabel, StandInPull } from './store.js';

function findIssue(call: Call): StandInIssue | undefined {
  return call.hub.state.item(Number(call.params.issue_number));
}

function findPull(call: Call): StandInPull | undefined {
  return call.hub.state.pull(Number(call.params.pull_number));
}

/** Finds a label, creating it the way GitHub does when an issue names an unknown one. */
function ensureLabel(hub: Hub, name: string): StandInLabel {
  const existing = hub.state.label(name);
  if (existing) return existing;
  const label: StandInLabel = {
    id: hub.state.nextId('label'),
    name,
    color: 'ededed',
    description: null,
    default: false,
  };
  hub.state.labels.push(label);
  return label;
}

/** Label names of a body's `labels` field (strings or `{ name }` objects). */
function labelNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((entry) => (typeof entry === 'string' ? entry : (entry as { name?: string }).name))
    .filter((name): name is string => typeof name === 'string' && name !== '');
}

function attachLabels(hub: Hub, item: StandInIssue, names: string[]): void {
  for (const name of names) {
    const label = ensureLabel(hub, name);
    if (!item.labels.some((existing) => existing.toLowerCase() === label.name.toLowerCase())) {
      item.labels.push(label.name);
    }
  }
}

function sortItems<T extends { createdAt: string; updatedAt: string; number: number }>(
  items: T[],
  sort: unknown,
  direction: unknown,
  comments?: (item: T) => number,
): T[] {
  const key = (item: T): number | string =>
    sort === 'updated'
      ? item.updatedAt
      : sort === 'comments' && comments
        ? comments(item)
        : sort === 'popularity' || sort === 'long-running'
          ? item.number
          : item.createdAt;
  const sign = direction === 'asc' ? 1 : -1;
  return [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === y) return sign * (a.number - b.number);
    return x < y ? -sign : sign;
  });
}

async function listPulls(call: Call): Promise<Reply> {
  const { hub, query } = call;
  await refreshOpenPulls(hub);
  const stateFilter = typeof query.state === 'string' ? query.state : 'open';
  let pulls = hub.state.pulls.filter((pull) => stateFilter === 'all' || pull.state === stateFilter);
  // GitHub applies `head` only in its `owner:branch` form; a bare branch name is ignored, so a
  // lookup written that way returns every pull request (a classic idempotency bug).
  if (typeof query.head === 'string' && query.head.includes(':')) {
    const branch = ownBranch(hub, query.head);
    pulls = pulls.filter((pull) => branch !== undefined && pull.head === branch);
  }
  if (typeof query.base === 'string') pulls = pulls.filter((pull) => pull.base === query.base);
  const direction = query.direction ?? (query.sort === undefined || query.sort === 'created' ? 'desc' : 'asc');
  pulls = sortItems(pulls, query.sort, direction);
  const page = paginate(call, pulls);
  const body = [];
  for (const pull of page.items) body.push(hub.shapes.pullSimple(pull, await pullLive(hub, pull, false), hub.state));
  return ok(body, 200, page.headers);
}

async function createPull(call: Call): Promise<Reply> {
  const { hub, body } = call;
  const headName = ownBranch(hub, text(body, 'head')!);
  const base = text(body, 'base')!;
  const headSha = headName ? await hub.repo.resolve(`refs/heads/${headName}`) : undefined;
  const baseSha = await hub.repo.resolve(`refs/heads/${base}`);
  if (!headSha) return validationFailed({ resource: 'PullRequest', field: 'head', code: 'invalid' });
  if (!baseSha) return validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' });
  await refreshOpenPulls(hub);
  const fromIssue = typeof body.issue === 'number' ? hub.state.item(body.issue) : undefined;
  if (body.issue !== undefined && (!fromIssue || fromIssue.kind !== 'issue')) {
    return validationFailed({ resource: 'PullRequest', field: 'issue', code: 'invalid' });
  }
  const title = text(body, 'title') ?? fromIssue?.title;
  if (!title) return validationFailed({ resource: 'PullRequest', field: 'title', code: 'missing_field' });
  const duplicate = hub.state.pulls.find(
    (pull) => pull.state === 'open' && pull.head === headName && pull.base === base,
  );
  if (duplicate) {
    return validationFailed({
      resource: 'PullRequest',
      code: 'custom',
      message: `A pull request already exists for ${hub.owner}:${headName}.`,
    });
  }
  if ((await hub.repo.count(`${baseSha}..${headSha}`)) === 0) {
    return validationFailed({
      resource: 'PullRequest',
      code: 'custom',
      message: `No commits between ${base} and ${headName}`,
    });
  }
  const now = hub.now();
  const pull: StandInPull = {
    kind: 'pull',
    id: fromIssue?.id ?? hub.state.nextId('issue'),
    number: fromIssue?.number ?? hub.state.nextId('number'),
    title,
    body: text(body, 'body') ?? fromIssue?.body ?? null,
    state: 'open',
    stateReason: null,
    user: hub.actor,
    labels: fromIssue?.labels ?? [],
    assignees: fromIssue?.assignees ?? [],
    locked: false,
    createdAt: fromIssue?.createdAt ?? now,
    updatedAt: now,
    closedAt: null,
    closedBy: null,
    head: headName!,
    base,
    headSha,
    baseSha,
    draft: body.draft === true,
    maintainerCanModify: body.maintainer_can_modify !== false,
    merged: false,
    mergedAt: null,
    mergedBy: null,
    mergeCommitSha: null,
    requestedReviewers: [],
    requestedTeams: [],
    mergedCommits: [],
  };
  if (fromIssue) hub.state.items.splice(hub.state.items.indexOf(fromIssue), 1, pull);
  else hub.state.items.push(pull);
  const live = await pullLive(hub, pull, true);
  return ok(hub.shapes.pull(pull, live, hub.state), 201, { location: `${hub.shapes.repoApi}/pulls/${pull.number}` });
}

async function getPull(call: Call): Promise<Reply> {
  const pull = findPull(call);
  if (!pull) return notFound();
  return ok(call.hub.shapes.pull(pull, await pullLive(call.hub, pull, true), call.hub.state));
}

async function updatePull(call: Call): Promise<Reply> {
  const { hub, body } = call;
  const pull = findPull(call);
  if (!pull) return notFound();
  const now = hub.now();
  if (typeof body.base === 'string' && body.base !== pull.base) {
    if (!(await hub.repo.resolve(`refs/heads/${body.base}`))) {
      return validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' });
    }
    if (pull.state !== 'open') return validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' });
    pull.base = body.base;
  }
  if (body.state === 'open' && pull.state === 'closed') {
    if (pull.merged) return validationFailed({ resource: 'PullRequest', field: 'state', code: 'invalid' });
    const other = hub.state.pulls.find(
      (p) => p !== pull && p.state === 'open' && p.head === pull.head && p.base === pull.base,
    );
    if (other) {
      return validationFailed({
        resource: 'PullRequest',
        code: 'custom',
        message: `A pull request already exists for ${hub.owner}:${pull.head}.`,
      });
    }
    pull.state = 'open';
    pull.closedAt = null;
    pull.closedBy = null;
  } else if (body.state === 'closed' && pull.state === 'open') {
    await pullLive(hub, pull, false);
    pull.state = 'closed';
    pull.closedAt = now;
    pull.closedBy = hub.actor;
  }
  if (typeof body.title === 'string') pull.title = body.title;
  if (typeof body.body === 'string') pull.body = body.body;
  if (typeof body.maintainer_can_modify === 'boolean') pull.maintainerCanModify = body.maintainer_can_modify;
  pull.updatedAt = now;
  return ok(hub.shapes.pull(pull, await pullLive(hub, pull, true), hub.state));
}

async function listPullCommits(call: Call): Promise<Reply> {
  const { hub } = call;
  const pull = findPull(call);
  if (!pull) return notFound();
  const live = await pullLive(hub, pull, false);
  const shas = pull.merged
    ? pull.mergedCommits
    : await hub.repo.revList(['--reverse', `${live.baseSha}..${live.headSha}`]);
  // GitHub lists at most 250 commits of a pull request.
  const page = paginate(call, shas.slice(0, 250));
  const data = await hub.repo.commitData(page.items);
  return ok(
    page.items.map((sha) => hub.shapes.commit(data.get(sha)!)),
    200,
    page.headers,
  );
}

async function listRequestedReviewers(call: Call): Promise<Reply> {
  const pull = findPull(call);
  if (!pull) return notFound();
  return ok({
    users: pull.requestedReviewers.map((login) => call.hub.shapes.user(login)),
    teams: pull.requestedTeams.map((slug) => call.hub.shapes.team(slug)),
  });
}

async function requestReviewers(call: Call): Promise<Reply> {
  const { hub, body } = call;
  const pull = findPull(call);
  if (!pull) return notFound();
  const reviewers = Array.isArray(body.reviewers) ? (body.reviewers as string[]) : [];
  const teams = Array.isArray(body.team_reviewers) ? (body.team_reviewers as string[]) : [];
  if (reviewers.some((login) => login.toLowerCase() === pull.user.toLowerCase())) {
    return unprocessable('Review cannot be requested from pull request author.');
  }
  const strangers = reviewers.filter((login) => {
    const user = hub.shapes.knownUser(login);
    return !user || user.permission === 'none';
  });
  const unknownTeams = teams.filter((slug) => !hub.teams.has(`${hub.owner}/${slug}`.toLowerCase()));
  if (strangers.length > 0 || unknownTeams.length > 0) {
    return unprocessable(
      `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${hub.owner}/${hub.repoName} repository.`,
    );
  }
  for (const login of reviewers) {
    const user = hub.shapes.knownUser(login)!;
    if (!pull.requestedReviewers.includes(user.login)) pull.requestedReviewers.push(user.login);
  }
  for (const slug of teams) if (!pull.requestedTeams.includes(slug)) pull.requestedTeams.push(slug);
  pull.updatedAt = hub.now();
  return ok(hub.shapes.pullSimple(pull, await pullLive(hub, pull, false), hub.state), 201);
}

async function mergePull(call: Call): Promise<Reply> {
  const { hub, body } = call;
  const pull = findPull(call);
  if (!pull) return notFound();
  if (pull.state !== 'open') return failure(405, 'Pull Request is not mergeable');
  if (pull.draft) return failure(405, 'Pull Request is still a draft');
  const live = await pullLive(hub, pull, false);
  if (typeof body.sha === 'string' && body.sha !== live.headSha) {
    return failure(409, 'Head branch was modified. Review and try the merge again.');
  }
  const method = text(body, 'merge_method') ?? 'merge';
  const commits = await hub.repo.revList(['--reverse', `${live.baseSha}..${live.headSha}`]);
  const title = text(body, 'commit_title');
  const extra = text(body, 'commit_message');
  let sha: string;
  if (method === 'rebase') {
    // A rebase that replays nothing is a fast-forward; replaying onto a moved base is not modelled.
    if (!(await hub.repo.isAncestor(live.baseSha, live.headSha))) {
      return failure(405, 'This branch can\u2019t be rebased');
    }
    if (!(await hub.repo.updateRef(`refs/heads/${pull.base}`, live.headSha, live.baseSha))) {
      return failure(409, 'Base branch was modified. Review and try the merge again.');
    }
    sha = live.headSha;
  } else if (method === 'squash') {
    const outcome = await hub.repo.mergeTree(live.baseSha, live.headSha);
    if (!outcome.clean) return failure(405, 'Pull Request is not mergeable');
    const data = await hub.repo.commitData(commits);
    const message = `${title ?? `${pull.title} (#${pull.number})`}\n\n${
      extra ?? commits.map((one) => `* ${data.get(one)?.message ?? one}`).join('\n\n')
    }`;
    sha = await hub.repo.createCommit({
      tree: outcome.tree,
      parents: [live.baseSha],
      message,
      author: actorIdentity(hub),
      committer: webFlowIdentity(hub),
    });
    if (!(await hub.repo.updateRef(`refs/heads/${pull.base}`, sha, live.baseSha))) {
      return failure(409, 'Base branch was modified. Review and try the merge again.');
    }
  } else {
    const message = `${title ?? `Merge pull request #${pull.number} from ${hub.owner}/${pull.head}`}\n\n${extra ?? pull.title}`;
    const result = await mergeIntoBranch(hub, pull.base, live.headSha, message);
    if (result.kind === 'conflict') return failure(405, 'Pull Request is not mergeable');
    if (result.kind === 'moved') return failure(409, 'Base branch was modified. Review and try the merge again.');
    if (result.kind === 'up-to-date') {
      // Nothing to merge: GitHub still records a merge commit; a fast-forward keeps the history equal.
      sha = live.baseSha;
    } else {
      sha = result.sha;
    }
  }
  const now = hub.now();
  Object.assign(pull, {
    state: 'closed',
    merged: true,
    mergedAt: now,
    mergedBy: hub.actor,
    mergeCommitSha: sha,
    closedAt: now,
    closedBy: hub.actor,
    updatedAt: now,
    mergedCommits: commits,
  });
  return ok({ sha, merged: true, message: 'Pull Request successfully merged' });
}

function issueComments(call: Call) {
  return (item: StandInIssue) => call.hub.state.comments.filter((c) => c.issueNumber === item.number).length;
}

async function listIssues(call: Call): Promise<Reply> {
  const { hub, query } = call;
  await refreshOpenPulls(hub);
  const stateFilter = typeof query.state === 'string' ? query.state : 'open';
  let items = hub.state.items.filter((item) => stateFilter === 'all' || item.state === stateFilter);
  if (typeof query.labels === 'string' && query.labels !== '') {
    const wanted = query.labels.split(',').map((label) => label.trim().toLowerCase());
    items = items.filter((item) => wanted.every((label) => item.labels.some((name) => name.toLowerCase() === label)));
  }
  if (typeof query.creator === 'string') {
    const creator = query.creator.toLowerCase();
    items = items.filter((item) => item.user.toLowerCase() === creator);
  }
  if (typeof query.assignee === 'string') {
    const assignee = query.assignee;
    items = items.filter((item) =>
      assignee === 'none'
        ? item.assignees.length === 0
        : assignee === '*'
          ? item.assignees.length > 0
          : item.assignees.some((login) => login.toLowerCase() === assignee.toLowerCase()),
    );
  }
  if (typeof query.since === 'string') {
    const since = query.since;
    items = items.filter((item) => item.updatedAt >= since);
  }
  items = sortItems(items, query.sort, query.direction ?? 'desc', issueComments(call));
  const page = paginate(call, items);
  return ok(
    page.items.map((item) => hub.shapes.issue(item, hub.state)),
    200,
    page.headers,
  );
}

async function createIssue(call: Call): Promise<Reply> {
  const { hub, body } = call;
  const now = hub.now();
  const assignees = [
    ...(typeof body.assignee === 'string' ? [body.assignee] : []),
    ...(Array.isArray(body.assignees) ? (body.assignees as string[]) : []),
  ];
  const unknown = assignees.filter((login) => !hub.shapes.knownUser(login));
  if (unknown.length > 0) {
    return validationFailed({
      resource: 'Issue',
      field: 'assignees',
      code: 'invalid',
      message: `${unknown[0]} cannot be assigned`,
    });
  }
  const item: StandInIssue = {
    kind: 'issue',
    id: hub.state.nextId('issue'),
    number: hub.state.nextId('number'),
    title: String(body.title),
    body: text(body, 'body') ?? null,
    state: 'open',
    stateReason: null,
    user: hub.actor,
    labels: [],
    assignees: [...new Set(assignees.map((login) => hub.shapes.knownUser(login)!.login))],
    locked: false,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    closedBy: null,
  };
  attachLabels(hub, item, labelNames(body.labels));
  hub.state.items.push(item);
  return ok(hub.shapes.issue(item, hub.state), 201, { location: `${hub.shapes.repoApi}/issues/${item.number}` });
}

async function getIssue(call: Call): Promise<Reply> {
  const item = findIssue(call);
  return item ? ok(call.hub.shapes.issue(item, call.hub.state)) : notFound();
}

async function updateIssue(call: Call): Promise<Reply> {
  const { hub, body } = call;
  const item = findIssue(call);
  if (!item) return notFound();
  const now = hub.now();
  if (body.title !== undefined && body.title !== null) item.title = String(body.title);
  if (body.body !== undefined) item.body = (body.body as string | null) ?? null;
  if (body.labels !== undefined) {
    item.labels = [];
    attachLabels(hub, item, labelNames(body.labels));
  }
  if (body.assignees !== undefined || body.assignee !== undefined) {
    const logins = [
      ...(typeof body.assignee === 'string' ? [body.assignee] : []),
      ...(Array.isArray(body.assignees) ? (body.assignees as string[]) : []),
    ];
    item.assignees = logins
      .filter((login) => hub.shapes.knownUser(login))
      .map((login) => hub.shapes.knownUser(login)!.login);
  }
  if (body.state === 'closed' && item.state === 'open') {
    if (item.kind === 'pull') await pullLive(hub, item as StandInPull, false);
    item.state = 'closed';
    item.closedAt = now;
    item.closedBy = hub.actor;
    item.stateReason = (body.state_reason as StandInIssue['stateReason']) ?? 'completed';
  } else if (body.state === 'open' && item.state === 'closed') {
    item.state = 'open';
    item.closedAt = null;
    item.closedBy = null;
    item.stateReason = 'reopened';
  } else if (body.state_reason !== undefined && body.state === undefined) {
    item.stateReason = body.state_reason as StandInIssue['stateReason'];
  }
  item.updatedAt = now;
  return ok(hub.shapes.issue(item, hub.state));
}

function labelsOf(call: Call, item: StandInIssue) {
  return item.labels.map((name) => call.hub.state.label(name)).filter((label) => label !== undefined);
}

async function listIssueLabels(call: Call): Promise<Reply> {
  const item = findIssue(call);
  if (!item) return notFound();
  const page = paginate(call, labelsOf(call, item));
  return ok(
    page.items.map((label) => call.hub.shapes.label(label)),
    200,
    page.headers,
  );
}

async function addLabels(call: Call): Promise<Reply> {
  const item = findIssue(call);
  if (!item) return notFound();
  attachLabels(call.hub, item, labelNames(call.body.labels));
  item.updatedAt = call.hub.now();
  return ok(labelsOf(call, item).map((label) => call.hub.shapes.label(label)));
}

async function removeLabel(call: Call): Promise<Reply> {
  const item = findIssue(call);
  if (!item) return notFound();
  const wanted = call.params.name!.toLowerCase();
  const index = item.labels.findIndex((name) => name.toLowerCase() === wanted);
  if (index === -1) return notFound('Label does not exist');
  item.labels.splice(index, 1);
  item.updatedAt = call.hub.now();
  return ok(labelsOf(call, item).map((label) => call.hub.shapes.label(label)));
}

async function listComments(call: Call): Promise<Reply> {
  const item = findIssue(call);
  if (!item) return notFound();
  let comments = call.hub.state.comments.filter((comment) => comment.issueNumber === item.number);
  if (typeof call.query.since === 'string') {
    const since = call.query.since;
    comments = comments.filter((comment) => comment.updatedAt >= since);
  }
  const page = paginate(call, comments);
  return ok(
    page.items.map((comment) => call.hub.shapes.comment(comment)),
    200,
    page.headers,
  );
}

async function createComment(call: Call): Promise<Reply> {
  const { hub } = call;
  const item = findIssue(call);
  if (!item) return notFound();
  if (item.locked) return failure(403, 'Issue is locked');
  const now = hub.now();
  const comment = {
    id: hub.state.nextId('comment'),
    issueNumber: item.number,
    body: text(call.body, 'body')!,
    user: hub.actor,
    createdAt: now,
    updatedAt: now,
  };
  hub.state.comments.push(comment);
  item.updatedAt = now;
  return ok(hub.shapes.comment(comment), 201, { location: `${hub.shapes.repoApi}/issues/comments/${comment.id}` });
}

async function updateComment(call: Call): Promise<Reply> {
  const comment = call.hub.state.comments.find((one) => one.id === Number(call.params.comment_id));
  if (!comment) return notFound();
  comment.body = text(call.body, 'body')!;
  comment.updatedAt = call.hub.now();
  return ok(call.hub.shapes.comment(comment));
}

async function getLabel(call: Call): Promise<Reply> {
  const label = call.hub.state.label(call.params.name!);
  return label ? ok(call.hub.shapes.label(label)) : notFound();
}

async function createLabel(call: Call): Promise<Reply> {
  const { hub, body } = call;
  const name = text(body, 'name')!;
  if (hub.state.label(name)) return validationFailed({ resource: 'Label', code: 'already_exists', field: 'name' });
  const color = (text(body, 'color') ?? 'ededed').replace(/^#/, '');
  if (!/^[0-9a-fA-F]{6}$/.test(color)) return validationFailed({ resource: 'Label', code: 'invalid', field: 'color' });
  const label: StandInLabel = {
    id: hub.state.nextId('label'),
    name,
    color: color.toLowerCase(),
    description: text(body, 'description') ?? null,
    default: false,
  };
  hub.state.labels.push(label);
  return ok(hub.shapes.label(label), 201, { location: `${hub.shapes.repoApi}/labels/${encodeURIComponent(name)}` });
}

/** Pull requests, issues, labels and comments. */
export const workRoutes: Route[] = [
  { method: 'GET', pattern: '/repos/{owner}/{repo}/pulls', operationId: 'pulls/list', handler: listPulls },
  { method: 'POST', pattern: '/repos/{owner}/{repo}/pulls', operationId: 'pulls/create', handler: createPull },
  { method: 'GET', pattern: '/repos/{owner}/{repo}/pulls/{pull_number}', operationId: 'pulls/get', handler: getPull },
  {
    method: 'PATCH',
    pattern: '/repos/{owner}/{repo}/pulls/{pull_number}',
    operationId: 'pulls/update',
    handler: updatePull,
  },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/pulls/{pull_number}/commits',
    operationId: 'pulls/list-commits',
    handler: listPullCommits,
  },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
    operationId: 'pulls/list-requested-reviewers',
    handler: listRequestedReviewers,
  },
  {
    method: 'POST',
    pattern: '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
    operationId: 'pulls/request-reviewers',
    handler: requestReviewers,
  },
  {
    method: 'PUT',
    pattern: '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
    operationId: 'pulls/merge',
    handler: mergePull,
  },
  { method: 'GET', pattern: '/repos/{owner}/{repo}/issues', operationId: 'issues/list-for-repo', handler: listIssues },
  { method: 'POST', pattern: '/repos/{owner}/{repo}/issues', operationId: 'issues/create', handler: createIssue },
  {
    method: 'PATCH',
    pattern: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    operationId: 'issues/update-comment',
    handler: updateComment,
  },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/issues/{issue_number}',
    operationId: 'issues/get',
    handler: getIssue,
  },
  {
    method: 'PATCH',
    pattern: '/repos/{owner}/{repo}/issues/{issue_number}',
    operationId: 'issues/update',
    handler: updateIssue,
  },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    operationId: 'issues/list-labels-on-issue',
    handler: listIssueLabels,
  },
  {
    method: 'POST',
    pattern: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    operationId: 'issues/add-labels',
    handler: addLabels,
  },
  {
    method: 'DELETE',
    pattern: '/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
    operationId: 'issues/remove-label',
    handler: removeLabel,
  },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    operationId: 'issues/list-comments',
    handler: listComments,
  },
  {
    method: 'POST',
    pattern: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    operationId: 'issues/create-comment',
    handler: createComment,
  },
  { method: 'GET', pattern: '/repos/{owner}/{repo}/labels/{name}', operationId: 'issues/get-label', handler: getLabel },
  { method: 'POST', pattern: '/repos/{owner}/{repo}/labels', operationId: 'issues/create-label', handler: createLabel },
];
