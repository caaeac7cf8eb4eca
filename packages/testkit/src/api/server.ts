import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BareRepository } from './bare-repo.js';
import type { Call, Hub, Reply, Route } from './context.js';
import { FaultController, type FaultDecision } from './faults.js';
import { githubApiDescription } from './openapi.js';
import { deliveryRoutes } from './routes-delivery.js';
import { gitRoutes } from './routes-git.js';
import { workRoutes } from './routes-work.js';
import { Shapes } from './shapes.js';
import { StandInState } from './store.js';
import type {
  GitHubStandInOptions,
  StandInFaultMatch,
  StandInFaults,
  StandInRequest,
  StandInUserOptions,
  StandInViolation,
} from './types.js';

/** A running GitHub API stand-in. */
export interface GitHubStandIn {
  /** Base URL (`http://127.0.0.1:PORT`): what `GITHUB_API_URL` should be. */
  readonly url: string;
  readonly owner: string;
  readonly repo: string;
  /** The bare repository behind the git data. */
  readonly gitDir: string;
  /** Every request received, in arrival order. */
  readonly requests: StandInRequest[];
  /** Requests the description does not allow, unimplemented routes and stand-in bugs. */
  readonly violations: StandInViolation[];
  /** Pull requests, issues, labels, comments, releases, deployments, statuses. */
  readonly state: StandInState;
  readonly faults: StandInFaults;
  /** operationIds the stand-in serves. */
  readonly operations: readonly string[];
  /** Number of requests received with a method other than GET or HEAD, whatever their outcome. */
  mutations(): number;
  /** Number of requests received that match (method, path, operationId). */
  count(match?: StandInFaultMatch): number;
  /** Forgets the request log (not the violations), e.g. after a test has seeded data. */
  clearRequests(): void;
  /** Runs git in the bare repository and returns stdout; throws with stderr on failure. */
  git(args: readonly string[]): Promise<string>;
  /** `GITHUB_API_URL`, `GITHUB_SERVER_URL` and `GITHUB_REPOSITORY` for an action run against this stand-in. */
  env(): Record<string, string>;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

interface CompiledRoute extends Route {
  segments: string[];
  /** Index of the `{name+}`/`{name*}` segment, or -1. */
  rest: number;
}

const ROUTES: CompiledRoute[] = [...gitRoutes, ...workRoutes, ...deliveryRoutes].map((route) => {
  const segments = route.pattern.split('/');
  return { ...route, segments, rest: segments.findIndex((segment) => /^\{\w+[+*]\}$/.test(segment)) };
});

/** Error statuses GitHub answers on almost any operation although its description often omits them. */
const GENERIC_ERRORS = new Set([401, 404, 422]);

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Matches a raw (still percent-encoded) path against a route; the parameters come back decoded. */
function matchRoute(route: CompiledRoute, raw: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  const bind = (pattern: string, value: string): boolean => {
    const name = /^\{(\w+)[+*]?\}$/.exec(pattern)?.[1];
    if (!name) return pattern === value;
    const decoded = decode(value);
    if (decoded === undefined) return false;
    params[name] = decoded;
    return true;
  };
  if (route.rest === -1) {
    if (raw.length !== route.segments.length) return undefined;
    for (let i = 0; i < raw.length; i += 1) if (!bind(route.segments[i]!, raw[i]!)) return undefined;
    if (Object.values(params).some((value) => value === '')) return undefined;
    return params;
  }
  const suffix = route.segments.length - route.rest - 1;
  const optional = route.segments[route.rest]!.endsWith('*}');
  const restLength = raw.length - route.rest - suffix;
  if (restLength < (optional ? 0 : 1)) return undefined;
  for (let i = 0; i < route.rest; i += 1) if (!bind(route.segments[i]!, raw[i]!)) return undefined;
  for (let i = 0; i < suffix; i += 1) {
    if (!bind(route.segments[route.rest + 1 + i]!, raw[raw.length - suffix + i]!)) return undefined;
  }
  const rest = raw.slice(route.rest, route.rest + restLength);
  const decoded = rest.map(decode);
  if (decoded.some((part) => part === undefined)) return undefined;
  const value = decoded.join('/');
  if (!optional && value === '') return undefined;
  const restName = /^\{(\w+)[+*]\}$/.exec(route.segments[route.rest]!)![1]!;
  params[restName] = value;
  // Only the trailing `{name*}` parameter may be empty (`git/matching-refs/` lists every ref).
  if (Object.entries(params).some(([key, item]) => item === '' && key !== restName)) return undefined;
  return params;
}

function findRoute(
  method: string,
  rawPath: string,
): { route: CompiledRoute; params: Record<string, string> } | undefined {
  const raw = rawPath.replace(/\/+$/, '').split('/');
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const params = matchRoute(route, raw);
    if (params) return { route, params };
  }
  return undefined;
}

/** Serialises handlers: each one sees the repository and the state as the previous one left them. */
function createLock() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const SECONDARY_RATE_LIMIT =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID STANDIN.';

/**
 * Starts the GitHub API stand-in on 127.0.0.1: a stateful server whose git data is a real bare
 * repository, validated against GitHub's REST description in both directions.
 */
export async function startGitHubStandIn(options: GitHubStandInOptions): Promise<GitHubStandIn> {
  const repo = new BareRepository(options.gitDir);
  if ((await repo.run(['rev-parse', '--git-dir'])).code !== 0) {
    throw new Error(`startGitHubStandIn: ${options.gitDir} is not a git repository`);
  }
  const defaultBranch = options.defaultBranch ?? (await repo.headBranch()) ?? 'main';
  const clock = options.now ?? (() => new Date());
  const now = () =>
    clock()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  const validate = options.validate ?? true;
  const strictBodies = options.strictBodies ?? true;
  const serverUrl = (options.serverUrl ?? 'https://github.com').replace(/\/+$/, '');
  const actor = options.actor ?? 'github-actions[bot]';
  const users: Record<string, StandInUserOptions> = {};
  for (const [login, permission] of Object.entries(options.permissions ?? {})) users[login] = { permission };
  for (const [login, user] of Object.entries(options.users ?? {})) users[login] = { ...users[login], ...user };
  const teams = new Map<string, Map<string, 'member' | 'maintainer'>>();
  for (const [key, members] of Object.entries(options.teams ?? {})) {
    const name = (key.includes('/') ? key : `${options.owner}/${key}`).toLowerCase();
    teams.set(name, new Map(Object.entries(members).map(([login, role]) => [login.toLowerCase(), role])));
  }

  const description = validate ? githubApiDescription() : undefined;
  const state = new StandInState();
  const requests: StandInRequest[] = [];
  const violations: StandInViolation[] = [];
  const repoPrefix = `/repos/${options.owner}/${options.repo}`;
  const faults = new FaultController(repoPrefix);
  const lock = createLock();
  let url = '';
  let seq = 0;
  const startedAt = now();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Only reached when writing the answer itself failed (client gone): nothing left to tell.
      if (!res.headersSent) res.destroy(error instanceof Error ? error : undefined);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const shapes = new Shapes({
    apiUrl: url,
    serverUrl,
    owner: options.owner,
    repo: options.repo,
    ownerType: options.ownerType ?? 'Organization',
    private: options.private ?? true,
    defaultBranch: () => defaultBranch,
    createdAt: startedAt,
    users,
    actor,
  });
  const hub: Hub = {
    repo,
    state,
    shapes,
    owner: options.owner,
    repoName: options.repo,
    actor,
    defaultBranch: () => defaultBranch,
    now,
    protectedBranches: new Set(options.protectedBranches ?? []),
    teams: teams as Hub['teams'],
    mergeableUnknownReads: options.mergeableUnknownReads ?? 0,
    pullReads: new Map(),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const method = (req.method ?? 'GET').toUpperCase();
    const target = new URL(req.url ?? '/', url);
    const rawPath = target.pathname;
    const path = decode(rawPath) ?? rawPath;
    const query: Record<string, string> = {};
    for (const [key, value] of target.searchParams) query[key] = value;
    let body: unknown;
    let unparsable = false;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        unparsable = true;
      }
    }
    seq += 1;
    const record: StandInRequest = { seq, method, path, rawPath, query, body, status: 0, durationMs: 0 };
    requests.push(record);

    const violation = (kind: StandInViolation['kind'], message: string) => {
      violations.push({ kind, method, path, operationId: record.operationId, message });
    };
    const send = (reply: Reply) => {
      record.status = reply.status;
      record.response = reply.body;
      record.durationMs = Date.now() - started;
      const used = requests.length;
      const headers: Record<string, string> = {
        'x-github-api-version-selected': '2022-11-28',
        'x-github-media-type': 'github.v3; format=json',
        'x-github-request-id': `STANDIN:${seq}`,
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': String(Math.max(1, 5000 - used)),
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        'x-ratelimit-used': String(used),
        'x-ratelimit-resource': 'core',
        ...reply.headers,
      };
      if (reply.body !== undefined && reply.status !== 204) {
        const text = JSON.stringify(reply.body);
        res.writeHead(reply.status, {
          ...headers,
          'content-type': 'application/json; charset=utf-8',
          'content-length': String(Buffer.byteLength(text)),
        });
        res.end(text);
      } else {
        res.writeHead(reply.status, headers);
        res.end();
      }
    };
    const error = (status: number, message: string): Reply => ({
      status,
      body: { message, documentation_url: 'https://docs.github.com/rest', status: String(status) },
    });

    if (options.token !== undefined) {
      const auth = req.headers.authorization ?? '';
      const given = /^(?:token|bearer)\s+(.+)$/i.exec(auth)?.[1];
      if (given !== options.token) {
        send(error(401, 'Bad credentials'));
        return;
      }
    }

    const found = findRoute(method, rawPath);
    if (!found) {
      violation('route', `${method} ${path} is not an operation the stand-in implements`);
      send(error(404, `Not Found: the GitHub API stand-in does not implement ${method} ${path}`));
      return;
    }
    const { route, params } = found;
    record.operationId = route.operationId;
    if (unparsable) {
      violation('request', `body is not valid JSON: ${rawBody.toString('utf8').slice(0, 80)}`);
      send(error(400, 'Problems parsing JSON'));
      return;
    }
    const sameRepo = (name: string | undefined, expected: string) =>
      name === undefined || name.toLowerCase() === expected.toLowerCase();
    if (!sameRepo(params.owner, options.owner) || !sameRepo(params.repo, options.repo)) {
      violation(
        'repository',
        `${params.owner}/${params.repo} is not the repository served (${options.owner}/${options.repo})`,
      );
      send(error(404, 'Not Found'));
      return;
    }

    const coercedQuery: Record<string, unknown> = { ...query };
    const coercedParams: Record<string, unknown> = { ...params };
    if (!description) {
      // Without the description to coerce by, read numbers and booleans the obvious way.
      for (const [key, value] of Object.entries(query)) {
        coercedQuery[key] = /^\d+$/.test(value)
          ? Number(value)
          : value === 'true'
            ? true
            : value === 'false'
              ? false
              : value;
      }
    } else {
      const problems = description.validateRequest(route.operationId, {
        pathParams: coercedParams,
        query: coercedQuery,
        body,
        hasBody: rawBody.length > 0,
        strictBodies,
      });
      const all = [...problems.path, ...problems.query, ...problems.body];
      if (all.length > 0) {
        violation('request', all.join('; '));
        if (problems.path.length > 0) send(error(404, `Not Found (${problems.path.join('; ')})`));
        else send(error(422, `Invalid request.\n\n${all.join('\n')}`));
        return;
      }
    }

    const faultTarget = { method, path, operationId: route.operationId };
    const decision = faults.decide(faultTarget);
    if (decision) {
      record.fault = decision.kind;
      if (decision.kind === 'latency') {
        await sleep(decision.ms);
      } else {
        answerFault(decision, req, res, send);
        record.durationMs = Date.now() - started;
        return;
      }
    }

    if (method !== 'GET' && method !== 'HEAD') {
      for (const hook of faults.takeHooks(faultTarget)) {
        await hook({
          method,
          path,
          operationId: route.operationId,
          params,
          body,
          git: (args) => repo.out(args),
        });
      }
    }

    const call: Call = {
      hub,
      method,
      url: target,
      params: Object.fromEntries(Object.entries(coercedParams).map(([key, value]) => [key, String(value)])),
      query: coercedQuery,
      body: (body !== null && typeof body === 'object' ? body : {}) as Record<string, unknown>,
    };
    let reply: Reply;
    try {
      reply = await lock(() => route.handler(call));
    } catch (thrown) {
      const message = thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown);
      violation('handler', `the stand-in failed: ${message}`);
      reply = error(500, 'Server Error');
    }

    if (description && reply.status < 500) {
      const checked = description.validateResponse(route.operationId, reply.status, reply.body);
      if (checked.undocumented) {
        const message = (reply.body as { message?: unknown } | undefined)?.message;
        if (!GENERIC_ERRORS.has(reply.status)) {
          violation('response', `status ${reply.status} is not documented for ${route.operationId}`);
        } else if (typeof message !== 'string') {
          violation('response', `error ${reply.status} without a message`);
        }
      } else if (checked.errors.length > 0) {
        violation('response', `response ${reply.status} breaks the description: ${checked.errors.join('; ')}`);
      }
    }
    send(reply);
  }

  function answerFault(
    decision: FaultDecision,
    req: IncomingMessage,
    res: ServerResponse,
    send: (reply: Reply) => void,
  ): void {
    const docs = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api';
    switch (decision.kind) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'rate-limit': {
        const reset = Math.floor(Date.now() / 1000) + decision.retryAfter;
        send({
          status: 429,
          body: { message: 'API rate limit exceeded for installation.', documentation_url: docs, status: '429' },
          headers: {
            'retry-after': String(decision.retryAfter),
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(reset),
          },
        });
        return;
      }
      case 'secondary-rate-limit':
        send({
          status: 403,
          body: {
            message: SECONDARY_RATE_LIMIT,
            documentation_url: `${docs}#about-secondary-rate-limits`,
            status: '403',
          },
          headers: { 'retry-after': String(decision.retryAfter) },
        });
        return;
      default: {
        const messages: Record<number, string> = {
          500: 'Server Error',
          502: 'Bad Gateway',
          503: 'Service Unavailable',
          504: 'Gateway Timeout',
        };
        send({
          status: decision.status,
          body: { message: messages[decision.status] ?? 'Server Error', status: String(decision.status) },
        });
      }
    }
  }

  const matchesRequest = (request: StandInRequest, match: StandInFaultMatch | undefined) => {
    if (!match) return true;
    if (match.method !== undefined && match.method.toUpperCase() !== request.method) return false;
    if (match.operationId !== undefined && match.operationId !== request.operationId) return false;
    if (match.path === undefined) return true;
    if (match.path instanceof RegExp) return match.path.test(request.path);
    const relative = match.path.startsWith('/') ? match.path : `/${match.path}`;
    return request.path === match.path || request.path === `${repoPrefix}${relative}`;
  };

  return {
    url,
    owner: options.owner,
    repo: options.repo,
    gitDir: options.gitDir,
    requests,
    violations,
    state,
    faults,
    operations: [...new Set(ROUTES.map((route) => route.operationId))].sort(),
    mutations: () => requests.filter((request) => request.method !== 'GET' && request.method !== 'HEAD').length,
    count: (match) => requests.filter((request) => matchesRequest(request, match)).length,
    clearRequests: () => {
      requests.length = 0;
    },
    git: (args) => repo.out(args),
    env: () => ({
      GITHUB_API_URL: url,
      GITHUB_SERVER_URL: serverUrl,
      GITHUB_REPOSITORY: `${options.owner}/${options.repo}`,
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Throws when the stand-in recorded violations, naming each one's method, path, operation and
 * problem. Call it in `afterEach` so a test that sent a request GitHub would not accept fails.
 */
export function assertNoViolations(standIn: Pick<GitHubStandIn, 'violations'>): void {
  if (standIn.violations.length === 0) return;
  const lines = standIn.violations.map(
    (v) => `- [${v.kind}] ${v.method} ${v.path}${v.operationId ? ` (${v.operationId})` : ''}: ${v.message}`,
  );
  throw new Error(`The GitHub API stand-in recorded ${standIn.violations.length} violation(s):\n${lines.join('\n')}`);
}
