import type { CommitData, FileChange, GitPerson, TagData } from './bare-repo.js';
import type {
  StandInComment,
  StandInCommitStatus,
  StandInDeployment,
  StandInDeploymentStatus,
  StandInIssue,
  StandInLabel,
  StandInPull,
  StandInRelease,
  StandInState,
} from './store.js';
import type { StandInPermission, StandInUserOptions } from './types.js';

/** A user as the stand-in knows it. */
export interface KnownUser {
  login: string;
  id: number;
  type: 'User' | 'Bot' | 'Organization';
  permission: StandInPermission;
  name?: string;
  email?: string;
}

/** Live numbers of a pull request, computed from git when it is answered. */
export interface PullLive {
  headSha: string;
  baseSha: string;
  mergeable: boolean | null;
  mergeableState: string;
  commits: number;
  additions: number;
  deletions: number;
  changedFiles: number;
}

const ACTIONS_BOT_ID = 41898282;

/** A stable positive id for a login that has none configured. */
function idFor(login: string): number {
  let hash = 0x811c9dc5;
  for (const char of login) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return 10_000 + (hash % 90_000_000);
}

/** A GitHub-style global node id. */
export function nodeId(prefix: string, id: number | string): string {
  return `${prefix}_${Buffer.from(String(id)).toString('base64url')}`;
}

/** Percent-encodes each segment of a path, keeping the slashes. */
function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

const UNSIGNED = { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null };

/** Builds response bodies in the shapes GitHub's description documents. */
export class Shapes {
  readonly repoApi: string;
  readonly repoHtml: string;
  private readonly users = new Map<string, KnownUser>();

  constructor(
    readonly settings: {
      apiUrl: string;
      serverUrl: string;
      owner: string;
      repo: string;
      ownerType: 'Organization' | 'User';
      private: boolean;
      defaultBranch: () => string;
      createdAt: string;
      users: Record<string, StandInUserOptions>;
      actor: string;
    },
  ) {
    this.repoApi = `${settings.apiUrl}/repos/${settings.owner}/${settings.repo}`;
    this.repoHtml = `${settings.serverUrl}/${settings.owner}/${settings.repo}`;
    for (const [login, options] of Object.entries(settings.users))
      this.users.set(login.toLowerCase(), this.make(login, options));
    if (!this.users.has(settings.actor.toLowerCase())) {
      this.users.set(settings.actor.toLowerCase(), this.make(settings.actor, { permission: 'admin' }));
    }
  }

  private make(login: string, options: StandInUserOptions): KnownUser {
    const bot = login.endsWith('[bot]');
    return {
      login,
      id: options.id ?? (login === 'github-actions[bot]' ? ACTIONS_BOT_ID : idFor(login)),
      type: options.type ?? (bot ? 'Bot' : 'User'),
      permission: options.permission ?? 'write',
      name: options.name,
      email: options.email,
    };
  }

  /** A configured user (or the actor), case-insensitively; undefined for strangers. */
  knownUser(login: string): KnownUser | undefined {
    return this.users.get(login.toLowerCase());
  }

  /** The user a commit's email belongs to, as GitHub links them (configured email or noreply address). */
  userByEmail(email: string): KnownUser | undefined {
    const lower = email.toLowerCase();
    for (const user of this.users.values()) {
      if (user.email?.toLowerCase() === lower) return user;
      if (lower === `${user.login.toLowerCase()}@users.noreply.github.com`) return user;
      if (lower === `${user.id}+${user.login.toLowerCase()}@users.noreply.github.com`) return user;
    }
    return undefined;
  }

  /** `simple-user` for any login (strangers get a stable id). */
  user(login: string): Record<string, unknown> {
    const known = this.knownUser(login);
    const isOwner = login.toLowerCase() === this.settings.owner.toLowerCase();
    const id = known?.id ?? idFor(login);
    const type = known?.type ?? (isOwner ? this.settings.ownerType : login.endsWith('[bot]') ? 'Bot' : 'User');
    const name = encodeURIComponent(known?.login ?? login);
    const base = `${this.settings.apiUrl}/users/${name}`;
    return {
      login: known?.login ?? login,
      id,
      node_id: nodeId(type === 'Bot' ? 'BOT' : type === 'Organization' ? 'O' : 'U', id),
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '',
      url: base,
      html_url:
        type === 'Bot'
          ? `${this.settings.serverUrl}/apps/${name.replace(/%5Bbot%5D$/i, '')}`
          : `${this.settings.serverUrl}/${name}`,
      followers_url: `${base}/followers`,
      following_url: `${base}/following{/other_user}`,
      gists_url: `${base}/gists{/gist_id}`,
      starred_url: `${base}/starred{/owner}{/repo}`,
      subscriptions_url: `${base}/subscriptions`,
      organizations_url: `${base}/orgs`,
      repos_url: `${base}/repos`,
      events_url: `${base}/events{/privacy}`,
      received_events_url: `${base}/received_events`,
      type,
      user_view_type: 'public',
      site_admin: false,
    };
  }

  private permissionsOf(login: string) {
    const role = this.knownUser(login)?.permission ?? 'none';
    const rank = ['none', 'read', 'triage', 'write', 'maintain', 'admin'].indexOf(role);
    return { admin: rank >= 5, maintain: rank >= 4, push: rank >= 3, triage: rank >= 2, pull: rank >= 1 };
  }

  private repositoryCore(): Record<string, unknown> {
    const { owner, repo } = this.settings;
    const api = this.repoApi;
    const html = this.repoHtml;
    const host = new URL(this.settings.serverUrl).host;
    return {
      id: idFor(`${owner}/${repo}`),
      node_id: nodeId('R', `${owner}/${repo}`),
      name: repo,
      full_name: `${owner}/${repo}`,
      private: this.settings.private,
      owner: this.user(owner),
      html_url: html,
      description: null,
      fork: false,
      url: api,
      archive_url: `${api}/{archive_format}{/ref}`,
      assignees_url: `${api}/assignees{/user}`,
      blobs_url: `${api}/git/blobs{/sha}`,
      branches_url: `${api}/branches{/branch}`,
      collaborators_url: `${api}/collaborators{/collaborator}`,
      comments_url: `${api}/comments{/number}`,
      commits_url: `${api}/commits{/sha}`,
      compare_url: `${api}/compare/{base}...{head}`,
      contents_url: `${api}/contents/{+path}`,
      contributors_url: `${api}/contributors`,
      deployments_url: `${api}/deployments`,
      downloads_url: `${api}/downloads`,
      events_url: `${api}/events`,
      forks_url: `${api}/forks`,
      git_commits_url: `${api}/git/commits{/sha}`,
      git_refs_url: `${api}/git/refs{/sha}`,
      git_tags_url: `${api}/git/tags{/sha}`,
      git_url: `git://${host}/${owner}/${repo}.git`,
      issue_comment_url: `${api}/issues/comments{/number}`,
      issue_events_url: `${api}/issues/events{/number}`,
      issues_url: `${api}/issues{/number}`,
      keys_url: `${api}/keys{/key_id}`,
      labels_url: `${api}/labels{/name}`,
      languages_url: `${api}/languages`,
      merges_url: `${api}/merges`,
      milestones_url: `${api}/milestones{/number}`,
      notifications_url: `${api}/notifications{?since,all,participating}`,
      pulls_url: `${api}/pulls{/number}`,
      releases_url: `${api}/releases{/id}`,
      ssh_url: `git@${host}:${owner}/${repo}.git`,
      stargazers_url: `${api}/stargazers`,
      statuses_url: `${api}/statuses/{sha}`,
      subscribers_url: `${api}/subscribers`,
      subscription_url: `${api}/subscription`,
      tags_url: `${api}/tags`,
      teams_url: `${api}/teams`,
      trees_url: `${api}/git/trees{/sha}`,
      clone_url: `${html}.git`,
      mirror_url: null,
      hooks_url: `${api}/hooks`,
      svn_url: html,
      homepage: null,
      language: 'TypeScript',
      forks_count: 0,
      stargazers_count: 0,
      watchers_count: 0,
      size: 1,
      default_branch: this.settings.defaultBranch(),
      open_issues_count: 0,
      is_template: false,
      topics: [],
      has_issues: true,
      has_projects: true,
      has_wiki: false,
      has_pages: false,
      has_downloads: true,
      has_discussions: false,
      archived: false,
      disabled: false,
      visibility: this.settings.private ? 'private' : 'public',
      pushed_at: this.settings.createdAt,
      created_at: this.settings.createdAt,
      updated_at: this.settings.createdAt,
      permissions: this.permissionsOf(this.settings.actor),
      allow_rebase_merge: true,
      allow_squash_merge: true,
      allow_merge_commit: true,
      allow_auto_merge: false,
      delete_branch_on_merge: false,
      allow_update_branch: false,
      allow_forking: true,
      web_commit_signoff_required: false,
      license: null,
      forks: 0,
      open_issues: 0,
      watchers: 0,
    };
  }

  /** `repository` (used inside pull requests). */
  repository(openIssues = 0): Record<string, unknown> {
    return { ...this.repositoryCore(), open_issues_count: openIssues, open_issues: openIssues };
  }

  /** `full-repository` (GET /repos/{owner}/{repo}). */
  fullRepository(openIssues: number): Record<string, unknown> {
    const owner = this.user(this.settings.owner);
    return {
      ...this.repository(openIssues),
      temp_clone_token: null,
      subscribers_count: 1,
      network_count: 0,
      squash_merge_commit_title: 'COMMIT_OR_PR_TITLE',
      squash_merge_commit_message: 'COMMIT_MESSAGES',
      merge_commit_title: 'MERGE_MESSAGE',
      merge_commit_message: 'PR_TITLE',
      use_squash_pr_title_as_default: false,
      ...(this.settings.ownerType === 'Organization' ? { organization: owner } : {}),
    };
  }

  /** `minimal-repository`. */
  minimalRepository(): Record<string, unknown> {
    return this.repositoryCore();
  }

  private gitUser(person: GitPerson) {
    return { name: person.name, email: person.email, date: person.date };
  }

  private linkedUser(email: string): Record<string, unknown> | null {
    const user = this.userByEmail(email);
    return user ? this.user(user.login) : null;
  }

  /** `git-ref`. */
  gitRef(ref: string, sha: string, type: string): Record<string, unknown> {
    return {
      ref,
      node_id: nodeId('REF', ref),
      url: `${this.repoApi}/git/${encodePath(ref)}`,
      object: { type, sha, url: `${this.repoApi}/git/${type}s/${sha}` },
    };
  }

  /** `git-tag`. */
  gitTag(tag: TagData): Record<string, unknown> {
    return {
      node_id: nodeId('TAG', tag.sha),
      tag: tag.tag,
      sha: tag.sha,
      url: `${this.repoApi}/git/tags/${tag.sha}`,
      message: tag.message,
      tagger: this.gitUser(tag.tagger),
      object: { sha: tag.object, type: tag.type, url: `${this.repoApi}/git/${tag.type}s/${tag.object}` },
      verification: UNSIGNED,
    };
  }

  /** `git-commit`. */
  gitCommit(commit: CommitData): Record<string, unknown> {
    return {
      sha: commit.sha,
      node_id: nodeId('C', commit.sha),
      url: `${this.repoApi}/git/commits/${commit.sha}`,
      html_url: `${this.repoHtml}/commit/${commit.sha}`,
      author: this.gitUser(commit.author),
      committer: this.gitUser(commit.committer),
      message: commit.message,
      tree: { sha: commit.tree, url: `${this.repoApi}/git/trees/${commit.tree}` },
      parents: commit.parents.map((sha) => ({
        sha,
        url: `${this.repoApi}/git/commits/${sha}`,
        html_url: `${this.repoHtml}/commit/${sha}`,
      })),
      verification: UNSIGNED,
    };
  }

  /** `diff-entry`. */
  diffEntry(change: FileChange, ref: string): Record<string, unknown> {
    const path = encodePath(change.filename);
    return {
      sha: change.sha,
      filename: change.filename,
      status: change.status,
      additions: change.additions,
      deletions: change.deletions,
      changes: change.additions + change.deletions,
      blob_url: `${this.repoHtml}/blob/${ref}/${path}`,
      raw_url: `${this.repoHtml}/raw/${ref}/${path}`,
      contents_url: `${this.repoApi}/contents/${path}?ref=${ref}`,
      ...(change.previousFilename !== undefined ? { previous_filename: change.previousFilename } : {}),
    };
  }

  /** `commit` (with stats and files when given). */
  commit(commit: CommitData, files?: FileChange[]): Record<string, unknown> {
    const shape: Record<string, unknown> = {
      url: `${this.repoApi}/commits/${commit.sha}`,
      sha: commit.sha,
      node_id: nodeId('C', commit.sha),
      html_url: `${this.repoHtml}/commit/${commit.sha}`,
      comments_url: `${this.repoApi}/commits/${commit.sha}/comments`,
      commit: {
        url: `${this.repoApi}/git/commits/${commit.sha}`,
        author: this.gitUser(commit.author),
        committer: this.gitUser(commit.committer),
        message: commit.message,
        comment_count: 0,
        tree: { sha: commit.tree, url: `${this.repoApi}/git/trees/${commit.tree}` },
        verification: UNSIGNED,
      },
      author: this.linkedUser(commit.author.email),
      committer: this.linkedUser(commit.committer.email),
      parents: commit.parents.map((sha) => ({
        sha,
        url: `${this.repoApi}/commits/${sha}`,
        html_url: `${this.repoHtml}/commit/${sha}`,
      })),
    };
    if (files) {
      const additions = files.reduce((sum, file) => sum + file.additions, 0);
      const deletions = files.reduce((sum, file) => sum + file.deletions, 0);
      shape.stats = { total: additions + deletions, additions, deletions };
      shape.files = files.map((file) => this.diffEntry(file, commit.sha));
    }
    return shape;
  }

  /** `short-branch`. */
  shortBranch(name: string, sha: string, isProtected: boolean): Record<string, unknown> {
    return {
      name,
      commit: { sha, url: `${this.repoApi}/commits/${sha}` },
      protected: isProtected,
    };
  }

  /** `branch-with-protection`. */
  branch(name: string, commit: CommitData, isProtected: boolean): Record<string, unknown> {
    const self = `${this.repoApi}/branches/${encodePath(name)}`;
    return {
      name,
      commit: this.commit(commit),
      _links: { html: `${this.repoHtml}/tree/${encodePath(name)}`, self },
      protected: isProtected,
      protection: {
        enabled: isProtected,
        required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] },
      },
      protection_url: `${self}/protection`,
    };
  }

  /** `tag` (repository tag list). */
  tag(name: string, sha: string): Record<string, unknown> {
    const encoded = encodePath(name);
    return {
      name,
      commit: { sha, url: `${this.repoApi}/commits/${sha}` },
      zipball_url: `${this.repoApi}/zipball/refs/tags/${encoded}`,
      tarball_url: `${this.repoApi}/tarball/refs/tags/${encoded}`,
      node_id: nodeId('REF', `refs/tags/${name}`),
    };
  }

  /** `label`. */
  label(label: StandInLabel): Record<string, unknown> {
    return {
      id: label.id,
      node_id: nodeId('LA', label.id),
      url: `${this.repoApi}/labels/${encodeURIComponent(label.name)}`,
      name: label.name,
      description: label.description,
      color: label.color,
      default: label.default,
    };
  }

  private authorAssociation(login: string): string {
    if (login.toLowerCase() === this.settings.owner.toLowerCase()) return 'OWNER';
    const known = this.knownUser(login);
    if (!known || known.type === 'Bot') return 'NONE';
    return this.settings.ownerType === 'Organization' ? 'MEMBER' : 'COLLABORATOR';
  }

  /** `issue` (pull requests too, as the issues API shows them). */
  issue(item: StandInIssue, state: StandInState): Record<string, unknown> {
    const api = `${this.repoApi}/issues/${item.number}`;
    const html = `${this.repoHtml}/${item.kind === 'pull' ? 'pull' : 'issues'}/${item.number}`;
    const labels = item.labels.map((name) => state.label(name)).filter((label) => label !== undefined);
    const shape: Record<string, unknown> = {
      id: item.id,
      node_id: nodeId(item.kind === 'pull' ? 'PR' : 'I', item.id),
      url: api,
      repository_url: this.repoApi,
      labels_url: `${api}/labels{/name}`,
      comments_url: `${api}/comments`,
      events_url: `${api}/events`,
      html_url: html,
      number: item.number,
      state: item.state,
      state_reason: item.stateReason,
      title: item.title,
      body: item.body,
      user: this.user(item.user),
      labels: labels.map((label) => this.label(label)),
      assignee: item.assignees[0] ? this.user(item.assignees[0]) : null,
      assignees: item.assignees.map((login) => this.user(login)),
      milestone: null,
      locked: item.locked,
      active_lock_reason: null,
      comments: state.comments.filter((comment) => comment.issueNumber === item.number).length,
      closed_at: item.closedAt,
      created_at: item.createdAt,
      updated_at: item.updatedAt,
      closed_by: item.closedBy ? this.user(item.closedBy) : null,
      author_association: this.authorAssociation(item.user),
      timeline_url: `${api}/timeline`,
    };
    if (item.kind === 'pull') {
      const pull = item as StandInPull;
      shape.draft = pull.draft;
      shape.pull_request = {
        url: `${this.repoApi}/pulls/${item.number}`,
        html_url: html,
        diff_url: `${html}.diff`,
        patch_url: `${html}.patch`,
        merged_at: pull.mergedAt,
      };
    }
    return shape;
  }

  /** `issue-comment`. */
  comment(comment: StandInComment): Record<string, unknown> {
    return {
      id: comment.id,
      node_id: nodeId('IC', comment.id),
      url: `${this.repoApi}/issues/comments/${comment.id}`,
      html_url: `${this.repoHtml}/issues/${comment.issueNumber}#issuecomment-${comment.id}`,
      body: comment.body,
      user: this.user(comment.user),
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      issue_url: `${this.repoApi}/issues/${comment.issueNumber}`,
      author_association: this.authorAssociation(comment.user),
    };
  }

  /** `team`. */
  team(slug: string): Record<string, unknown> {
    const id = idFor(`team:${slug}`);
    const org = encodeURIComponent(this.settings.owner);
    return {
      id,
      node_id: nodeId('T', id),
      url: `${this.settings.apiUrl}/organizations/${idFor(this.settings.owner)}/team/${id}`,
      html_url: `${this.settings.serverUrl}/orgs/${org}/teams/${encodeURIComponent(slug)}`,
      name: slug,
      slug,
      description: null,
      privacy: 'closed',
      notification_setting: 'notifications_enabled',
      permission: 'pull',
      members_url: `${this.settings.apiUrl}/organizations/${idFor(this.settings.owner)}/team/${id}/members{/member}`,
      repositories_url: `${this.settings.apiUrl}/organizations/${idFor(this.settings.owner)}/team/${id}/repos`,
      type: 'organization',
      parent: null,
    };
  }

  private pullCommon(pull: StandInPull, live: PullLive, state: StandInState): Record<string, unknown> {
    const api = `${this.repoApi}/pulls/${pull.number}`;
    const html = `${this.repoHtml}/pull/${pull.number}`;
    const issueApi = `${this.repoApi}/issues/${pull.number}`;
    const labels = pull.labels.map((name) => state.label(name)).filter((label) => label !== undefined);
    const repository = this.repository(state.items.filter((item) => item.state === 'open').length);
    const owner = this.user(this.settings.owner);
    const side = (ref: string, sha: string) => ({
      label: `${this.settings.owner}:${ref}`,
      ref,
      sha,
      user: owner,
      repo: repository,
    });
    return {
      url: api,
      id: pull.id,
      node_id: nodeId('PR', pull.id),
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: issueApi,
      commits_url: `${api}/commits`,
      review_comments_url: `${api}/comments`,
      review_comment_url: `${this.repoApi}/pulls/comments{/number}`,
      comments_url: `${issueApi}/comments`,
      statuses_url: `${this.repoApi}/statuses/${live.headSha}`,
      number: pull.number,
      state: pull.state,
      locked: pull.locked,
      title: pull.title,
      user: this.user(pull.user),
      body: pull.body,
      labels: labels.map((label) => this.label(label)),
      milestone: null,
      active_lock_reason: null,
      created_at: pull.createdAt,
      updated_at: pull.updatedAt,
      closed_at: pull.closedAt,
      merged_at: pull.mergedAt,
      merge_commit_sha: pull.mergeCommitSha,
      assignee: pull.assignees[0] ? this.user(pull.assignees[0]) : null,
      assignees: pull.assignees.map((login) => this.user(login)),
      requested_reviewers: pull.requestedReviewers.map((login) => this.user(login)),
      head: side(pull.head, live.headSha),
      base: side(pull.base, live.baseSha),
      _links: {
        self: { href: api },
        html: { href: html },
        issue: { href: issueApi },
        comments: { href: `${issueApi}/comments` },
        review_comments: { href: `${api}/comments` },
        review_comment: { href: `${this.repoApi}/pulls/comments{/number}` },
        commits: { href: `${api}/commits` },
        statuses: { href: `${this.repoApi}/statuses/${live.headSha}` },
      },
      author_association: this.authorAssociation(pull.user),
      auto_merge: null,
      draft: pull.draft,
    };
  }

  /** `pull-request-simple` (lists). */
  pullSimple(pull: StandInPull, live: PullLive, state: StandInState): Record<string, unknown> {
    return {
      ...this.pullCommon(pull, live, state),
      requested_teams: pull.requestedTeams.map((slug) => this.team(slug)),
    };
  }

  /** `pull-request` (one pull request, with merge state and diff numbers). */
  pull(pull: StandInPull, live: PullLive, state: StandInState): Record<string, unknown> {
    return {
      ...this.pullCommon(pull, live, state),
      requested_teams: pull.requestedTeams.map((slug) => {
        const { parent: _parent, ...simple } = this.team(slug);
        return simple;
      }),
      merged: pull.merged,
      mergeable: live.mergeable,
      rebaseable: live.mergeable,
      mergeable_state: live.mergeableState,
      merged_by: pull.mergedBy ? this.user(pull.mergedBy) : null,
      comments: state.comments.filter((comment) => comment.issueNumber === pull.number).length,
      review_comments: 0,
      maintainer_can_modify: pull.maintainerCanModify,
      commits: live.commits,
      additions: live.additions,
      deletions: live.deletions,
      changed_files: live.changedFiles,
    };
  }

  /** `release`. */
  release(release: StandInRelease): Record<string, unknown> {
    const tag = encodePath(release.tagName);
    return {
      url: `${this.repoApi}/releases/${release.id}`,
      html_url: `${this.repoHtml}/releases/tag/${tag}`,
      assets_url: `${this.repoApi}/releases/${release.id}/assets`,
      upload_url: `https://uploads.github.com/repos/${this.settings.owner}/${this.settings.repo}/releases/${release.id}/assets{?name,label}`,
      tarball_url: release.draft ? null : `${this.repoApi}/tarball/${tag}`,
      zipball_url: release.draft ? null : `${this.repoApi}/zipball/${tag}`,
      id: release.id,
      node_id: nodeId('RE', release.id),
      tag_name: release.tagName,
      target_commitish: release.targetCommitish,
      name: release.name,
      body: release.body,
      draft: release.draft,
      prerelease: release.prerelease,
      immutable: false,
      created_at: release.createdAt,
      published_at: release.publishedAt,
      updated_at: release.updatedAt,
      author: this.user(release.author),
      assets: [],
    };
  }

  /** `deployment`. */
  deployment(deployment: StandInDeployment): Record<string, unknown> {
    const url = `${this.repoApi}/deployments/${deployment.id}`;
    return {
      url,
      id: deployment.id,
      node_id: nodeId('DE', deployment.id),
      sha: deployment.sha,
      ref: deployment.ref,
      task: deployment.task,
      payload: deployment.payload,
      original_environment: deployment.originalEnvironment,
      environment: deployment.environment,
      description: deployment.description,
      creator: this.user(deployment.creator),
      created_at: deployment.createdAt,
      updated_at: deployment.updatedAt,
      statuses_url: `${url}/statuses`,
      repository_url: this.repoApi,
      transient_environment: deployment.transientEnvironment,
      production_environment: deployment.productionEnvironment,
    };
  }

  /** `deployment-status`. */
  deploymentStatus(status: StandInDeploymentStatus): Record<string, unknown> {
    const deploymentUrl = `${this.repoApi}/deployments/${status.deploymentId}`;
    return {
      url: `${deploymentUrl}/statuses/${status.id}`,
      id: status.id,
      node_id: nodeId('DES', status.id),
      state: status.state,
      creator: this.user(status.creator),
      description: status.description,
      environment: status.environment,
      target_url: status.targetUrl,
      log_url: status.logUrl,
      environment_url: status.environmentUrl,
      created_at: status.createdAt,
      updated_at: status.updatedAt,
      deployment_url: deploymentUrl,
      repository_url: this.repoApi,
    };
  }

  /** `status` (one commit status). */
  status(status: StandInCommitStatus): Record<string, unknown> {
    const creator = this.user(status.creator);
    return {
      url: `${this.repoApi}/statuses/${status.sha}`,
      avatar_url: creator.avatar_url,
      id: status.id,
      node_id: nodeId('SC', status.id),
      state: status.state,
      description: status.description,
      target_url: status.targetUrl,
      context: status.context,
      created_at: status.createdAt,
      updated_at: status.updatedAt,
      creator,
    };
  }

  /** `combined-commit-status`. */
  combinedStatus(sha: string, state: string, statuses: StandInCommitStatus[]): Record<string, unknown> {
    return {
      state,
      statuses: statuses.map((status) => {
        const { creator: _creator, ...simple } = this.status(status);
        return { ...simple, target_url: status.targetUrl || null };
      }),
      sha,
      total_count: statuses.length,
      repository: this.minimalRepository(),
      commit_url: `${this.repoApi}/commits/${sha}`,
      url: `${this.repoApi}/commits/${sha}/status`,
    };
  }

  /** `repository-collaborator-permission`. */
  collaboratorPermission(login: string): Record<string, unknown> {
    const role = this.knownUser(login)?.permission ?? 'none';
    const legacy = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
    return {
      permission: legacy,
      role_name: role,
      user: { ...this.user(login), permissions: this.permissionsOf(login), role_name: role },
    };
  }

  /** `team-membership`. */
  teamMembership(slug: string, login: string, role: 'member' | 'maintainer'): Record<string, unknown> {
    return {
      url: `${this.settings.apiUrl}/organizations/${idFor(this.settings.owner)}/team/${idFor(`team:${slug}`)}/memberships/${encodeURIComponent(login)}`,
      role,
      state: 'active',
    };
  }

  /** `content-file`. */
  contentFile(path: string, ref: string, sha: string, content: Buffer): Record<string, unknown> {
    const encoded = encodePath(path);
    const self = `${this.repoApi}/contents/${encoded}?ref=${encodeURIComponent(ref)}`;
    const git = `${this.repoApi}/git/blobs/${sha}`;
    const html = `${this.repoHtml}/blob/${encodeURIComponent(ref)}/${encoded}`;
    // GitHub wraps base64 content at 60 characters.
    const base64 = content.toString('base64').replace(/(.{60})/g, '$1\n');
    return {
      type: 'file',
      encoding: 'base64',
      size: content.length,
      name: path.split('/').pop() ?? path,
      path,
      content: base64.endsWith('\n') || base64 === '' ? base64 : `${base64}\n`,
      sha,
      url: self,
      git_url: git,
      html_url: html,
      download_url: `https://raw.githubusercontent.com/${this.settings.owner}/${this.settings.repo}/${encodeURIComponent(ref)}/${encoded}`,
      _links: { self, git, html },
    };
  }

  /** One entry of a `content-directory`. */
  contentEntry(entry: { type: string; sha: string; size: number; path: string }, ref: string): Record<string, unknown> {
    const encoded = encodePath(entry.path);
    const type = entry.type === 'tree' ? 'dir' : entry.type === 'commit' ? 'submodule' : 'file';
    const self = `${this.repoApi}/contents/${encoded}?ref=${encodeURIComponent(ref)}`;
    const git = `${this.repoApi}/git/${entry.type === 'tree' ? 'trees' : 'blobs'}/${entry.sha}`;
    const html = `${this.repoHtml}/${type === 'dir' ? 'tree' : 'blob'}/${encodeURIComponent(ref)}/${encoded}`;
    return {
      type,
      size: type === 'file' ? entry.size : 0,
      name: entry.path.split('/').pop() ?? entry.path,
      path: entry.path,
      sha: entry.sha,
      url: self,
      git_url: git,
      html_url: html,
      download_url:
        type === 'file'
          ? `https://raw.githubusercontent.com/${this.settings.owner}/${this.settings.repo}/${encodeURIComponent(ref)}/${encoded}`
          : null,
      _links: { self, git, html },
    };
  }
}
