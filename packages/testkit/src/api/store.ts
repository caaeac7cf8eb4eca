/** An issue or a pull request (they share numbers, labels and comments, as on GitHub). */
export interface StandInIssue {
  kind: 'issue' | 'pull';
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'reopened' | 'not_planned' | 'duplicate' | null;
  /** Login of the author. */
  user: string;
  /** Label names. */
  labels: string[];
  /** Assignee logins. */
  assignees: string[];
  locked: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closedBy: string | null;
}

/** A pull request. `headSha`/`baseSha` follow the branches while it is open and freeze when it closes. */
export interface StandInPull extends StandInIssue {
  kind: 'pull';
  head: string;
  base: string;
  headSha: string;
  baseSha: string;
  draft: boolean;
  maintainerCanModify: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  requestedReviewers: string[];
  requestedTeams: string[];
  /** The commits the pull request brought, recorded when it was merged. */
  mergedCommits: string[];
}

/** An issue comment. */
export interface StandInComment {
  id: number;
  issueNumber: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

/** A repository label. */
export interface StandInLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

/** A release. */
export interface StandInRelease {
  id: number;
  tagName: string;
  targetCommitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  author: string;
  createdAt: string;
  publishedAt: string | null;
  updatedAt: string;
}

/** A deployment status. */
export interface StandInDeploymentStatus {
  id: number;
  deploymentId: number;
  state: 'error' | 'failure' | 'inactive' | 'pending' | 'success' | 'queued' | 'in_progress';
  description: string;
  environment: string;
  targetUrl: string;
  logUrl: string;
  environmentUrl: string;
  creator: string;
  createdAt: string;
  updatedAt: string;
}

/** A deployment, with its statuses oldest first. */
export interface StandInDeployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  payload: Record<string, unknown> | string;
  environment: string;
  originalEnvironment: string;
  description: string | null;
  creator: string;
  createdAt: string;
  updatedAt: string;
  transientEnvironment: boolean;
  productionEnvironment: boolean;
  statuses: StandInDeploymentStatus[];
}

/** A commit status. */
export interface StandInCommitStatus {
  id: number;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description: string | null;
  targetUrl: string | null;
  creator: string;
  createdAt: string;
  updatedAt: string;
}

/** Everything the stand-in keeps besides git data; tests read it to check what an action did. */
export class StandInState {
  /** Issues and pull requests, in creation order. */
  readonly items: StandInIssue[] = [];
  readonly comments: StandInComment[] = [];
  readonly labels: StandInLabel[] = [];
  readonly releases: StandInRelease[] = [];
  /** The release marked Latest, if any. */
  latestReleaseId: number | null = null;
  readonly deployments: StandInDeployment[] = [];
  readonly statuses: StandInCommitStatus[] = [];
  private readonly counters = new Map<string, number>();

  /** Issues only (pull requests left out). */
  get issues(): StandInIssue[] {
    return this.items.filter((item) => item.kind === 'issue');
  }

  /** Pull requests only. */
  get pulls(): StandInPull[] {
    return this.items.filter((item): item is StandInPull => item.kind === 'pull');
  }

  /** The issue or pull request with this number. */
  item(number: number): StandInIssue | undefined {
    return this.items.find((item) => item.number === number);
  }

  /** The pull request with this number. */
  pull(number: number): StandInPull | undefined {
    const item = this.item(number);
    return item?.kind === 'pull' ? (item as StandInPull) : undefined;
  }

  /** A label by name (GitHub compares label names without regard to case). */
  label(name: string): StandInLabel | undefined {
    const wanted = name.toLowerCase();
    return this.labels.find((label) => label.name.toLowerCase() === wanted);
  }

  /** The release that is marked Latest. */
  get latestRelease(): StandInRelease | undefined {
    return this.releases.find((release) => release.id === this.latestReleaseId);
  }

  /** Next id of a kind of object; ids of different kinds start far apart, as on GitHub. */
  nextId(kind: string): number {
    const starts: Record<string, number> = {
      number: 1,
      issue: 1_000_001,
      comment: 2_000_001,
      label: 3_000_001,
      release: 4_000_001,
      deployment: 5_000_001,
      'deployment-status': 6_000_001,
      status: 7_000_001,
    };
    const next = this.counters.get(kind) ?? starts[kind] ?? 1;
    this.counters.set(kind, next + 1);
    return next;
  }
}
