import type { CommitData } from './bare-repo.js';
import {
  type Call,
  type Hub,
  type Reply,
  type Route,
  failure,
  linkHeader,
  noContent,
  notFound,
  ok,
  ownBranch,
  paginate,
  text,
  unprocessable,
} from './context.js';
import { actorIdentity, combinedState, mergeIntoBranch, pullLive, refreshOpenPulls } from './git-ops.js';

const FULL_SHA = /^[0-9a-f]{40}$/;

function isProtected(hub: Hub, ref: string): boolean {
  return ref.startsWith('refs/heads/') && hub.protectedBranches.has(ref.slice('refs/heads/'.length));
}

function protectedFailure(ref: string): Reply {
  return unprocessable(`Protected branch update failed for ${ref}.`);
}

/** GitHub's ref parameters are `heads/x` or `tags/x`; `refs/…` does not resolve there. */
function refFromParam(param: string): string | undefined {
  if (param.startsWith('refs/')) return undefined;
  return `refs/${param}`;
}

function refsPrefixHint(param: string): string {
  return param.startsWith('refs/') ? ` (the ref parameter is heads/… or tags/…, without "refs/": ${param})` : '';
}

/** A commit with its files against the first parent, the way GET commits/{ref} answers it. */
async function fullCommit(hub: Hub, commit: CommitData): Promise<Record<string, unknown>> {
  const files = await hub.repo.diff(commit.parents[0], commit.sha);
  return hub.shapes.commit(commit, files);
}

/** Orders version-like names by their numbers (`v1.10.0` after `v1.9.3`), for the tag list. */
function compareVersionNames(a: string, b: string): number {
  const split = (name: string) => name.split(/(\d+)/).map((part, i) => (i % 2 === 1 ? Number(part) : part));
  const left = split(a);
  const right = split(b);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const x = left[i];
    const y = right[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

async function getRepository(call: Call): Promise<Reply> {
  const open = call.hub.state.items.filter((item) => item.state === 'open').length;
  return ok(call.hub.shapes.fullRepository(open));
}

async function getRef(call: Call): Promise<Reply> {
  const ref = refFromParam(call.params.ref!);
  const found = ref ? await call.hub.repo.getRef(ref) : undefined;
  if (!found) return notFound(`Not Found${refsPrefixHint(call.params.ref!)}`);
  return ok(call.hub.shapes.gitRef(found.ref, found.sha, found.type));
}

async function listMatchingRefs(call: Call): Promise<Reply> {
  const param = call.params.ref ?? '';
  if (param.startsWith('refs/')) return ok([]);
  const refs = await call.hub.repo.listRefs(`refs/${param}`);
  return ok(refs.map((ref) => call.hub.shapes.gitRef(ref.ref, ref.sha, ref.type)));
}

async function createRef(call: Call): Promise<Reply> {
  const { hub } = call;
  const ref = text(call.body, 'ref')!;
  const sha = text(call.body, 'sha')!;
  if (!ref.startsWith('refs/') || ref.split('/').length < 3) {
    return unprocessable(`Reference name must start with 'refs/' and have at least two slashes: ${ref}`);
  }
  if (!(await hub.repo.isValidRefName(ref))) return unprocessable(`${ref} is not a valid ref name.`);
  const type = FULL_SHA.test(sha) ? await hub.repo.objectType(sha) : undefined;
  if (!type) return unprocessable('Object does not exist');
  if (!(await hub.repo.updateRef(ref, sha, null))) return unprocessable('Reference already exists');
  const url = `${hub.shapes.repoApi}/git/${ref}`;
  // A header carries only Latin-1: percent-encode the ref, as GitHub does.
  return ok(hub.shapes.gitRef(ref, sha, type), 201, { location: encodeURI(url) });
}

async function updateRef(call: Call): Promise<Reply> {
  const { hub } = call;
  const ref = refFromParam(call.params.ref!);
  const current = ref ? await hub.repo.getRef(ref) : undefined;
  if (!ref || !current) return unprocessable(`Reference does not exist${refsPrefixHint(call.params.ref!)}`);
  if (isProtected(hub, ref)) return protectedFailure(ref);
  const sha = text(call.body, 'sha')!;
  const type = FULL_SHA.test(sha) ? await hub.repo.objectType(sha) : undefined;
  if (!type) return unprocessable('Object does not exist');
  if (call.body.force !== true) {
    const target = type === 'commit' ? sha : await hub.repo.resolveCommit(sha);
    if (!target || !(await hub.repo.isAncestor(current.commit, target))) {
      return unprocessable('Update is not a fast forward');
    }
  }
  if (!(await hub.repo.updateRef(ref, sha, current.sha))) return unprocessable('Reference cannot be updated');
  return ok(hub.shapes.gitRef(ref, sha, type));
}

async function deleteRef(call: Call): Promise<Reply> {
  const { hub } = call;
  const ref = refFromParam(call.params.ref!);
  if (ref && isProtected(hub, ref)) return protectedFailure(ref);
  if (!ref || !(await hub.repo.deleteRef(ref))) {
    return unprocessable(`Reference does not exist${refsPrefixHint(call.params.ref!)}`);
  }
  return noContent();
}

async function createTag(call: Call): Promise<Reply> {
  const { hub } = call;
  const object = text(call.body, 'object')!;
  const type = text(call.body, 'type')!;
  const name = text(call.body, 'tag')!;
  const actual = FULL_SHA.test(object) ? await hub.repo.objectType(object) : undefined;
  if (actual !== type) return unprocessable('Object does not exist');
  if (!(await hub.repo.isValidRefName(`refs/tags/${name}`))) return unprocessable(`${name} is not a valid tag name.`);
  const given = call.body.tagger as { name: string; email: string; date?: string } | undefined;
  const tagger = given ? { ...given, date: given.date ?? hub.now() } : actorIdentity(hub);
  const sha = await hub.repo.createTagObject({ object, type, tag: name, tagger, message: text(call.body, 'message')! });
  const tag = await hub.repo.tag(sha);
  return ok(hub.shapes.gitTag(tag!), 201, { location: `${hub.shapes.repoApi}/git/tags/${sha}` });
}

async function getTag(call: Call): Promise<Reply> {
  const tag = await call.hub.repo.tag(call.params.tag_sha!);
  return tag ? ok(call.hub.shapes.gitTag(tag)) : notFound();
}

async function getGitCommit(call: Call): Promise<Reply> {
  const sha = call.params.commit_sha!;
  const type = await call.hub.repo.objectType(sha);
  if (type !== 'commit') return notFound();
  const full = await call.hub.repo.resolve(sha);
  const commit = full ? await call.hub.repo.commit(full) : undefined;
  return commit ? ok(call.hub.shapes.gitCommit(commit)) : notFound();
}

async function getCommit(call: Call): Promise<Reply> {
  const ref = call.params.ref!;
  const sha = await call.hub.repo.resolveCommit(ref);
  if (!sha) return unprocessable(`No commit found for SHA: ${ref}`);
  const commit = await call.hub.repo.commit(sha);
  return ok(await fullCommit(call.hub, commit!));
}

async function listCommits(call: Call): Promise<Reply> {
  const { hub, query } = call;
  const start = typeof query.sha === 'string' ? query.sha : hub.defaultBranch();
  const sha = await hub.repo.resolveCommit(start);
  if (!sha) {
    const empty = (await hub.repo.listRefs('refs/heads/')).length === 0;
    return empty ? failure(409, 'Git Repository is empty.') : notFound(`No commit found for SHA: ${start}`);
  }
  const filters: string[] = [];
  if (typeof query.since === 'string') filters.push(`--since=${query.since}`);
  if (typeof query.until === 'string') filters.push(`--until=${query.until}`);
  if (typeof query.author === 'string') filters.push(`--author=${query.author}`);
  if (typeof query.committer === 'string') filters.push(`--committer=${query.committer}`);
  const pathFilter = typeof query.path === 'string' ? ['--', query.path] : [];
  const perPage = Math.max(1, Math.min(100, typeof query.per_page === 'number' ? query.per_page : 30));
  const page = typeof query.page === 'number' && query.page > 0 ? query.page : 1;
  // Count first and fetch one page only: histories of tens of thousands of commits stay cheap.
  const total = Number(await hub.repo.out(['rev-list', '--count', ...filters, sha, ...pathFilter]));
  const shas = await hub.repo.revList([
    `--skip=${(page - 1) * perPage}`,
    `--max-count=${perPage}`,
    ...filters,
    sha,
    ...pathFilter,
  ]);
  const commits = await hub.repo.commitData(shas);
  const body = shas.map((one) => hub.shapes.commit(commits.get(one)!));
  return ok(body, 200, linkHeader(call.url, page, Math.max(1, Math.ceil(total / perPage))));
}

async function compare(call: Call): Promise<Reply> {
  const { hub } = call;
  const basehead = call.params.basehead!;
  const split = basehead.indexOf('...');
  if (split === -1) return notFound();
  const baseName = ownBranch(hub, basehead.slice(0, split));
  const headName = ownBranch(hub, basehead.slice(split + 3));
  const base = baseName ? await hub.repo.resolveCommit(baseName) : undefined;
  const head = headName ? await hub.repo.resolveCommit(headName) : undefined;
  if (!base || !head) return notFound();
  const mergeBase = await hub.repo.mergeBase(base, head);
  if (!mergeBase) return notFound(`No common ancestor between ${baseName} and ${headName}.`);
  const aheadBy = await hub.repo.count(`${base}..${head}`);
  const behindBy = await hub.repo.count(`${head}..${base}`);
  const status =
    aheadBy === 0 && behindBy === 0 ? 'identical' : behindBy === 0 ? 'ahead' : aheadBy === 0 ? 'behind' : 'diverged';
  const all = await hub.repo.revList(['--reverse', `${base}..${head}`]);
  const paged = call.query.page !== undefined || call.query.per_page !== undefined;
  // Without paging GitHub lists the first 250 commits; files come on the first page only (≤ 300).
  const page = paged ? paginate(call, all) : { items: all.slice(0, 250), headers: {} };
  const firstPage = !paged || call.query.page === undefined || call.query.page === 1;
  const files = firstPage ? (await hub.repo.diff(mergeBase, head)).slice(0, 300) : [];
  const data = await hub.repo.commitData([base, mergeBase, ...page.items]);
  const api = hub.shapes.repoApi;
  const html = hub.shapes.repoHtml;
  return ok(
    {
      url: `${api}/compare/${encodeURIComponent(baseName!)}...${encodeURIComponent(headName!)}`,
      html_url: `${html}/compare/${encodeURIComponent(baseName!)}...${encodeURIComponent(headName!)}`,
      permalink_url: `${html}/compare/${hub.owner}:${base.slice(0, 7)}...${hub.owner}:${head.slice(0, 7)}`,
      diff_url: `${html}/compare/${encodeURIComponent(baseName!)}...${encodeURIComponent(headName!)}.diff`,
      patch_url: `${html}/compare/${encodeURIComponent(baseName!)}...${encodeURIComponent(headName!)}.patch`,
      base_commit: hub.shapes.commit(data.get(base)!),
      merge_base_commit: hub.shapes.commit(data.get(mergeBase)!),
      status,
      ahead_by: aheadBy,
      behind_by: behindBy,
      total_commits: aheadBy,
      commits: page.items.map((sha) => hub.shapes.commit(data.get(sha)!)),
      files: files.map((file) => hub.shapes.diffEntry(file, head)),
    },
    200,
    page.headers,
  );
}

async function merge(call: Call): Promise<Reply> {
  const { hub } = call;
  const base = text(call.body, 'base')!;
  const headName = text(call.body, 'head')!;
  const baseSha = await hub.repo.resolve(`refs/heads/${base}`);
  if (!baseSha) return notFound('Base does not exist');
  const headSha = await hub.repo.resolveCommit(headName);
  if (!headSha) return notFound('Head does not exist');
  if (hub.protectedBranches.has(base)) return failure(409, `Protected branch update failed for refs/heads/${base}.`);
  const message = text(call.body, 'commit_message') ?? `Merge ${headName} into ${base}`;
  const result = await mergeIntoBranch(hub, base, headSha, message);
  if (result.kind === 'up-to-date') return noContent();
  if (result.kind === 'conflict') return failure(409, 'Merge conflict');
  if (result.kind === 'moved') return failure(409, 'Base branch was modified. Review and try the merge again.');
  const commit = await hub.repo.commit(result.sha);
  return ok(await fullCommit(hub, commit!), 201, { location: `${hub.shapes.repoApi}/commits/${result.sha}` });
}

async function listBranches(call: Call): Promise<Reply> {
  const { hub } = call;
  let refs = await hub.repo.listRefs('refs/heads/');
  const name = (ref: string) => ref.slice('refs/heads/'.length);
  if (typeof call.query.protected === 'boolean') {
    const wanted = call.query.protected;
    refs = refs.filter((ref) => hub.protectedBranches.has(name(ref.ref)) === wanted);
  }
  const page = paginate(call, refs);
  return ok(
    page.items.map((ref) => hub.shapes.shortBranch(name(ref.ref), ref.sha, hub.protectedBranches.has(name(ref.ref)))),
    200,
    page.headers,
  );
}

async function getBranch(call: Call): Promise<Reply> {
  const { hub } = call;
  const branch = call.params.branch!;
  const sha = await hub.repo.resolve(`refs/heads/${branch}`);
  if (!sha) return notFound('Branch not found');
  const commit = await hub.repo.commit(sha);
  return ok(hub.shapes.branch(branch, commit!, hub.protectedBranches.has(branch)));
}

async function listTags(call: Call): Promise<Reply> {
  const { hub } = call;
  const refs = await hub.repo.listRefs('refs/tags/');
  const tags = refs
    .map((ref) => ({ name: ref.ref.slice('refs/tags/'.length), sha: ref.commit }))
    .sort((a, b) => compareVersionNames(b.name, a.name));
  const page = paginate(call, tags);
  return ok(
    page.items.map((tag) => hub.shapes.tag(tag.name, tag.sha)),
    200,
    page.headers,
  );
}

async function pullsOfCommit(call: Call): Promise<Reply> {
  const { hub } = call;
  const sha = await hub.repo.resolveCommit(call.params.commit_sha!);
  if (!sha) return unprocessable(`No commit found for SHA: ${call.params.commit_sha}`);
  await refreshOpenPulls(hub);
  const found = [];
  for (const pull of hub.state.pulls) {
    if (pull.merged) {
      if (pull.mergeCommitSha === sha || pull.mergedCommits.includes(sha)) found.push(pull);
      continue;
    }
    if (pull.state !== 'open') continue;
    const live = await pullLive(hub, pull, false);
    if (sha === live.headSha || (await hub.repo.revList([`${live.baseSha}..${live.headSha}`])).includes(sha)) {
      found.push(pull);
    }
  }
  const page = paginate(call, found);
  const body = [];
  for (const pull of page.items) body.push(hub.shapes.pullSimple(pull, await pullLive(hub, pull, false), hub.state));
  return ok(body, 200, page.headers);
}

async function createStatus(call: Call): Promise<Reply> {
  const { hub } = call;
  const sha = FULL_SHA.test(call.params.sha!) ? await hub.repo.resolveCommit(call.params.sha!) : undefined;
  if (!sha) return unprocessable(`No commit found for SHA: ${call.params.sha}`);
  const now = hub.now();
  const status = {
    id: hub.state.nextId('status'),
    sha,
    state: text(call.body, 'state') as 'error' | 'failure' | 'pending' | 'success',
    context: text(call.body, 'context') ?? 'default',
    description: text(call.body, 'description') ?? null,
    targetUrl: text(call.body, 'target_url') ?? null,
    creator: hub.actor,
    createdAt: now,
    updatedAt: now,
  };
  hub.state.statuses.push(status);
  return ok(hub.shapes.status(status), 201);
}

async function combinedStatus(call: Call): Promise<Reply> {
  const { hub } = call;
  const sha = await hub.repo.resolveCommit(call.params.ref!);
  if (!sha) return notFound(`No commit found for SHA: ${call.params.ref}`);
  const { state, statuses } = combinedState(hub, sha);
  const page = paginate(call, statuses, { defaultPerPage: 100 });
  return ok(hub.shapes.combinedStatus(sha, state, page.items), 200, page.headers);
}

async function getContent(call: Call): Promise<Reply> {
  const { hub } = call;
  const ref = typeof call.query.ref === 'string' ? call.query.ref : hub.defaultBranch();
  const commit = await hub.repo.resolveCommit(ref);
  if (!commit) return notFound(`No commit found for the ref ${ref}`);
  const path = (call.params.path ?? '').replace(/^\/+|\/+$/g, '');
  const blob = path === '' ? undefined : await hub.repo.blob(commit, path);
  if (blob) return ok(hub.shapes.contentFile(path, ref, blob.sha, blob.content));
  const entries = await hub.repo.listTree(commit, path);
  if (!entries) return notFound();
  return ok(entries.map((entry) => hub.shapes.contentEntry(entry, ref)));
}

async function putContent(call: Call): Promise<Reply> {
  const { hub } = call;
  const path = (call.params.path ?? '').replace(/^\/+|\/+$/g, '');
  const branch = text(call.body, 'branch') ?? hub.defaultBranch();
  const ref = `refs/heads/${branch}`;
  const tip = await hub.repo.resolve(ref);
  const empty = (await hub.repo.listRefs('refs/heads/')).length === 0;
  if (!tip && !empty) return notFound(`Branch ${branch} not found`);
  if (isProtected(hub, ref)) return failure(409, `Protected branch update failed for ${ref}.`);
  const existing = tip ? await hub.repo.blob(tip, path) : undefined;
  const given = text(call.body, 'sha');
  if (existing && given === undefined) return unprocessable(`Invalid request.\n\n"sha" wasn't supplied.`);
  if (existing && given !== existing.sha) return failure(409, `${path} does not match ${given}`);
  const content = Buffer.from(text(call.body, 'content')!, 'base64');
  const tree = await hub.repo.treeWithFile(tip, path, content);
  const author = (call.body.author as { name: string; email: string; date?: string } | undefined) ?? actorIdentity(hub);
  const committer = (call.body.committer as { name: string; email: string; date?: string } | undefined) ?? author;
  const sha = await hub.repo.createCommit({
    tree,
    parents: tip ? [tip] : [],
    message: text(call.body, 'message')!,
    author: { ...author, date: author.date ?? hub.now() },
    committer: { ...committer, date: committer.date ?? hub.now() },
  });
  if (!(await hub.repo.updateRef(ref, sha, tip ?? null))) {
    return failure(409, `${path} does not match ${given ?? 'the branch tip'}`);
  }
  const blob = await hub.repo.blob(sha, path);
  const commit = await hub.repo.commit(sha);
  const file = hub.shapes.contentFile(path, branch, blob!.sha, blob!.content);
  const { content: _content, encoding: _encoding, ...summary } = file;
  return ok({ content: summary, commit: hub.shapes.gitCommit(commit!) }, existing ? 200 : 201);
}

/** Repository metadata, git data, commits, compare, merges, branches, tags, statuses and contents. */
export const gitRoutes: Route[] = [
  { method: 'GET', pattern: '/repos/{owner}/{repo}', operationId: 'repos/get', handler: getRepository },
  { method: 'GET', pattern: '/repos/{owner}/{repo}/git/ref/{ref+}', operationId: 'git/get-ref', handler: getRef },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/git/matching-refs/{ref*}',
    operationId: 'git/list-matching-refs',
    handler: listMatchingRefs,
  },
  { method: 'POST', pattern: '/repos/{owner}/{repo}/git/refs', operationId: 'git/create-ref', handler: createRef },
  {
    method: 'PATCH',
    pattern: '/repos/{owner}/{repo}/git/refs/{ref+}',
    operationId: 'git/update-ref',
    handler: updateRef,
  },
  {
    method: 'DELETE',
    pattern: '/repos/{owner}/{repo}/git/refs/{ref+}',
    operationId: 'git/delete-ref',
    handler: deleteRef,
  },
  { method: 'POST', pattern: '/repos/{owner}/{repo}/git/tags', operationId: 'git/create-tag', handler: createTag },
  { method: 'GET', pattern: '/repos/{owner}/{repo}/git/tags/{tag_sha}', operationId: 'git/get-tag', handler: getTag },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/git/commits/{commit_sha}',
    operationId: 'git/get-commit',
    handler: getGitCommit,
  },
  { method: 'GET', pattern: '/repos/{owner}/{repo}/commits', operationId: 'repos/list-commits', handler: listCommits },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/commits/{commit_sha}/pulls',
    operationId: 'repos/list-pull-requests-associated-with-commit',
    handler: pullsOfCommit,
  },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/commits/{ref+}/status',
    operationId: 'repos/get-combined-status-for-ref',
    handler: combinedStatus,
  },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/commits/{ref+}',
    operationId: 'repos/get-commit',
    handler: getCommit,
  },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/compare/{basehead+}',
    operationId: 'repos/compare-commits-with-basehead',
    handler: compare,
  },
  { method: 'POST', pattern: '/repos/{owner}/{repo}/merges', operationId: 'repos/merge', handler: merge },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/branches',
    operationId: 'repos/list-branches',
    handler: listBranches,
  },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/branches/{branch+}',
    operationId: 'repos/get-branch',
    handler: getBranch,
  },
  { method: 'GET', pattern: '/repos/{owner}/{repo}/tags', operationId: 'repos/list-tags', handler: listTags },
  {
    method: 'POST',
    pattern: '/repos/{owner}/{repo}/statuses/{sha}',
    operationId: 'repos/create-commit-status',
    handler: createStatus,
  },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/contents/{path*}',
    operationId: 'repos/get-content',
    handler: getContent,
  },
  {
    method: 'PUT',
    pattern: '/repos/{owner}/{repo}/contents/{path+}',
    operationId: 'repos/create-or-update-file-contents',
    handler: putContent,
  },
];
