/** A repository role, as GitHub names them (`maintain` and `triage` read as `write`/`read` in the legacy field). */
export type StandInPermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

/** A user the stand-in knows: collaborators, reviewers, the token's owner. */
export interface StandInUserOptions {
  /** Repository role (default `write`). */
  permission?: StandInPermission;
  /** Account type (default `User`; logins ending in `[bot]` default to `Bot`). */
  type?: 'User' | 'Bot';
  /** Numeric id (default: derived from the login, stable). */
  id?: number;
  name?: string;
  email?: string;
}

/** Options for {@link startGitHubStandIn}. */
export interface GitHubStandInOptions {
  /** Repository owner (user or organisation login). */
  owner: string;
  /** Repository name. */
  repo: string;
  /** A bare repository: the truth for refs, tags, commits, compare and merges. */
  gitDir: string;
  /** Default branch (default: the bare repository's HEAD, else `main`). */
  defaultBranch?: string;
  /** Users by login. Unknown logins answer 404 where GitHub would. */
  users?: Record<string, StandInUserOptions>;
  /** Shorthand for `users`: login → role. */
  permissions?: Record<string, StandInPermission>;
  /** Team memberships: team slug (or `org/slug`) → login → role in the team. */
  teams?: Record<string, Record<string, 'member' | 'maintainer'>>;
  /** The login the token belongs to (default `github-actions[bot]`). */
  actor?: string;
  /** When set, requests must carry `Authorization: token <token>` (or `Bearer`), else 401. */
  token?: string;
  /** Branches whose ref cannot be moved through the git refs, merges or contents APIs. */
  protectedBranches?: string[];
  /** Owner account type (default `Organization`). */
  ownerType?: 'Organization' | 'User';
  /** Private repository (default true). */
  private?: boolean;
  /** Web URL used in `html_url` fields (default `https://github.com`). */
  serverUrl?: string;
  /** Validate requests and responses against GitHub's description (default true). */
  validate?: boolean;
  /**
   * Treat body fields the description does not list as violations (default true). GitHub ignores
   * them silently, so a misspelt field would otherwise pass every test.
   */
  strictBodies?: boolean;
  /**
   * How many full reads (create, get, update) of an open pull request answer `mergeable: null`,
   * `mergeable_state: "unknown"` before the real value, as GitHub does while it computes it in
   * the background (default 0).
   */
  mergeableUnknownReads?: number;
  /** Clock for timestamps (default: the real one). */
  now?: () => Date;
  /** Port to listen on (default: any free port on 127.0.0.1). */
  port?: number;
}

/** One request as the stand-in received and answered it. */
export interface StandInRequest {
  /** Sequence number, from 1. */
  seq: number;
  method: string;
  /** Path with percent-escapes decoded (`/repos/o/r/git/ref/tags/v1.0.0`). */
  path: string;
  /** Path exactly as sent. */
  rawPath: string;
  query: Record<string, string>;
  /** Parsed JSON body (undefined when there was none). */
  body: unknown;
  /** The operation it matched, when it matched one. */
  operationId?: string;
  /** Status answered (0 when the connection was reset). */
  status: number;
  /** Body answered. */
  response?: unknown;
  /** The fault injected instead of the real answer, if any. */
  fault?: StandInFaultKind;
  /** Milliseconds from arrival to answer. */
  durationMs: number;
}

/** Something a test must hear about: a request GitHub's description does not allow, or a bug of the stand-in. */
export interface StandInViolation {
  /**
   * `route`: no such operation is implemented; `request`: path, query or body breaks the description;
   * `repository`: another repository than the one served; `response`: the stand-in answered something
   * the description does not allow (a bug of the stand-in); `handler`: the stand-in threw.
   */
  kind: 'route' | 'request' | 'repository' | 'response' | 'handler';
  method: string;
  path: string;
  operationId?: string;
  message: string;
}

/** The kinds of fault the stand-in can inject. */
export type StandInFaultKind = 'status' | 'rate-limit' | 'secondary-rate-limit' | 'reset' | 'latency';

/** Which requests a fault applies to (all given fields must match). */
export interface StandInFaultMatch {
  /** HTTP method (case-insensitive). */
  method?: string;
  /**
   * A string matches the decoded path exactly, with or without the `/repos/{owner}/{repo}` prefix
   * (`/git/refs` or `/repos/o/r/git/refs`); a RegExp is tested against the decoded full path.
   */
  path?: string | RegExp;
  /** An operationId such as `git/create-ref`. */
  operationId?: string;
}

/** A fault to inject with `faults.inject`. */
export interface StandInFaultSpec {
  match?: StandInFaultMatch;
  kind: StandInFaultKind;
  /** Status for `status` faults (default 500). */
  status?: 500 | 502 | 503 | 504;
  /** `retry-after` header in seconds for rate limits (default 1). */
  retryAfter?: number;
  /** Delay for `latency` faults, in milliseconds (default 200). */
  ms?: number;
  /** How many matching requests it applies to (default 1; `Infinity` for all). */
  times?: number;
}

/** Seeded random faults, with `faults.random`. */
export interface StandInRandomFaults {
  /** Probability that a matching request is faulted (0..1). */
  rate: number;
  /** Seed of the generator: the same request sequence gets the same faults. */
  seed: number;
  /** Kinds to draw from (default: status, rate-limit, secondary-rate-limit, reset). */
  kinds?: StandInFaultKind[];
  match?: StandInFaultMatch;
  status?: 500 | 502 | 503 | 504;
  retryAfter?: number;
  ms?: number;
}

/** A registered fault, hook or random mode. */
export interface StandInFaultHandle {
  /** How many requests it has affected. */
  readonly hits: number;
  /** Stops it. */
  cancel(): void;
}

/** What a racing-writer hook receives. */
export interface StandInWriteContext {
  method: string;
  path: string;
  operationId: string;
  params: Record<string, string>;
  body: unknown;
  /** Runs git in the stand-in's bare repository (throws on failure). */
  git(args: readonly string[]): Promise<string>;
}

/** Fault injection controls of a running stand-in. */
export interface StandInFaults {
  /** Answers matching requests with a fault instead of the real answer. */
  inject(spec: StandInFaultSpec): StandInFaultHandle;
  /** Faults a seeded random share of matching requests. */
  random(options: StandInRandomFaults): StandInFaultHandle;
  /**
   * Runs `fn` just before a matching write is carried out (after validation and other faults),
   * once by default: another job winning a race. `fn` may call the stand-in over HTTP.
   */
  beforeWrite(
    method: string,
    path: string | RegExp,
    fn: (context: StandInWriteContext) => void | Promise<void>,
    options?: { times?: number },
  ): StandInFaultHandle;
  /** Removes every fault, random mode and hook. */
  clear(): void;
}
