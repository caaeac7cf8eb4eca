import type { BareRepository } from './bare-repo.js';
import type { Shapes } from './shapes.js';
import type { StandInState } from './store.js';

/** What every handler can reach. */
export interface Hub {
  repo: BareRepository;
  state: StandInState;
  shapes: Shapes;
  owner: string;
  repoName: string;
  actor: string;
  defaultBranch(): string;
  /** The current time, GitHub style (`2024-01-01T00:00:00Z`). */
  now(): string;
  protectedBranches: ReadonlySet<string>;
  /** `org/slug` (lower case) → login (lower case) → role. */
  teams: ReadonlyMap<string, ReadonlyMap<string, 'member' | 'maintainer'>>;
  /** How many reads of an open pull request answer `mergeable: null` before it is computed. */
  mergeableUnknownReads: number;
  /** Reads so far, by pull request number. */
  pullReads: Map<number, number>;
}

/** One validated request, as a handler sees it. */
export interface Call {
  hub: Hub;
  method: string;
  url: URL;
  /** Path parameters, decoded and coerced to the documented types. */
  params: Record<string, string>;
  /** Query parameters, coerced to the documented types. */
  query: Record<string, unknown>;
  body: Record<string, unknown>;
}

/** A handler's answer. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (call: Call) => Promise<Reply>;

/** A route of the stand-in: a path pattern (`{name}` one segment, `{name+}` the rest) and its operation. */
export interface Route {
  method: string;
  pattern: string;
  operationId: string;
  handler: Handler;
}

const DOCS = 'https://docs.github.com/rest';

/** 200 (or another success status) with a JSON body. */
export function ok(body: unknown, status = 200, headers?: Record<string, string>): Reply {
  return { status, body, headers };
}

/** 204 No Content. */
export function noContent(): Reply {
  return { status: 204 };
}

/** A GitHub `basic-error` answer. */
export function failure(status: number, message: string): Reply {
  return { status, body: { message, documentation_url: DOCS, status: String(status) } };
}

/** 404 Not Found, as GitHub words it. */
export function notFound(message = 'Not Found'): Reply {
  return failure(404, message);
}

/** One entry of a 422's `errors` list. */
export interface FieldError {
  resource: string;
  code: string;
  field?: string;
  message?: string;
}

/** 422 in GitHub's `validation-error` shape. */
export function unprocessable(message: string, errors?: FieldError[]): Reply {
  return {
    status: 422,
    body: { message, documentation_url: DOCS, status: '422', ...(errors ? { errors } : {}) },
  };
}

/** 422 "Validation Failed" with field errors, the way GitHub reports rejected objects. */
export function validationFailed(...errors: FieldError[]): Reply {
  return unprocessable('Validation Failed', errors);
}

/**
 * One page of a list, with a Link header like GitHub's (`first`/`prev` from page 2, `next`/`last`
 * while there is more). `per_page` is capped at `maxPerPage` as GitHub caps it at 100.
 */
export function paginate<T>(
  call: Call,
  items: readonly T[],
  options: { defaultPerPage?: number; maxPerPage?: number } = {},
): { items: T[]; headers: Record<string, string> } {
  const requested = typeof call.query.per_page === 'number' ? call.query.per_page : (options.defaultPerPage ?? 30);
  const perPage = Math.max(1, Math.min(options.maxPerPage ?? 100, requested));
  const page = typeof call.query.page === 'number' && call.query.page > 0 ? call.query.page : 1;
  const last = Math.max(1, Math.ceil(items.length / perPage));
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: linkHeader(call.url, page, last),
  };
}

/** The Link header for page `page` of `last`. */
export function linkHeader(url: URL, page: number, last: number): Record<string, string> {
  const at = (n: number) => {
    const target = new URL(url.href);
    target.searchParams.set('page', String(n));
    return `<${target.href}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${at(page - 1)}; rel="prev"`);
  if (page < last) links.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
  if (page > 1) links.push(`${at(1)}; rel="first"`);
  return links.length > 0 ? { link: links.join(', ') } : {};
}

/** Reads a string field of a body, or undefined. */
export function text(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' ? value : undefined;
}

/** `owner:branch` or `branch` → branch, when the owner is this repository's. Undefined for other owners. */
export function ownBranch(hub: Hub, name: string): string | undefined {
  const colon = name.indexOf(':');
  if (colon === -1) return name;
  return name.slice(0, colon).toLowerCase() === hub.owner.toLowerCase() ? name.slice(colon + 1) : undefined;
}
