// The Octokit behind createGitHubClient (github.ts), loaded on first use: the Octokit packages are
// most of an action's code, and a run that stops at its inputs should not pay for them at start-up.
import { getProxyUrl } from '@actions/http-client/lib/proxy';
import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';
import { isHttpStatus } from './github-errors.js';

/**
 * The throttling plugin recognises a rate limit by GitHub's message ("secondary rate limit") or an
 * exhausted `x-ratelimit-remaining`. A 429 is always a rate limit, so one without either mark (a proxy,
 * a GHES front end) is labelled as a secondary limit, honouring its retry-after instead of failing.
 * Registered before the retry and throttling plugins, so its hook sees the error first.
 */
function recognise429AsRateLimit(octokit: Octokit): void {
  octokit.hook.error('request', (error) => {
    const headers = (error as { response?: { headers?: Record<string, string | undefined> } }).response?.headers;
    if (
      isHttpStatus(error, 429) &&
      !/\bsecondary rate\b/i.test(error.message) &&
      headers?.['x-ratelimit-remaining'] !== '0'
    ) {
      error.message = `${error.message} (secondary rate limit)`;
    }
    throw error;
  });
}

/**
 * Octokit with what `@actions/github` gives (REST methods, `paginate`), plus retries and throttling.
 * Built from the Octokit packages directly, on Node's own `fetch`: `@actions/github` sends every
 * request through a bundled copy of undici, whose loading alone doubles an action's start-up.
 */
const HotfixOctokit = Octokit.plugin(restEndpointMethods, paginateRest, recognise429AsRateLimit, retry, throttling);

/** The REST client every action uses: Octokit with REST methods, `paginate`, retries and throttling. */
export type GitHubClient = InstanceType<typeof HotfixOctokit>;

/** A rate-limit handler of the throttling plugin: true retries after `retryAfter` seconds. */
export type RateLimitHandler = (
  retryAfter: number,
  request: { method: string; url: string },
  octokit: unknown,
  count: number,
) => boolean;

/** Everything {@link newOctokit} needs, already validated by createGitHubClient. */
export interface OctokitSettings {
  token: string;
  baseUrl: string;
  userAgent: string;
  retries: number;
  /** Time unit of retries and waits, in milliseconds. */
  unit: number;
  log: { debug(message: string): void; warning(message: string): void };
  onLimit: (kind: string) => RateLimitHandler;
}

/** The client: Octokit with REST methods, `paginate`, retries, throttling and the runner's proxy. */
export function newOctokit(settings: OctokitSettings): GitHubClient {
  const { token, baseUrl, retries, unit, log, onLimit } = settings;
  return new HotfixOctokit({
    auth: `token ${token}`,
    baseUrl,
    userAgent: withOrchestrationId(settings.userAgent),
    request: proxiedFetch(baseUrl),
    log: {
      debug: (message: string) => log.debug(message),
      info: (message: string) => log.debug(message),
      warn: (message: string) => log.warning(message),
      error: (message: string) => log.warning(message),
    },
    // The retry plugin handles server and network errors; rate limits (403/429) belong to the
    // throttling plugin, which waits as long as GitHub's retry-after says instead of guessing. A 409
    // (a merge conflict, a moved ref) never heals by asking again.
    retry: { retries, retryAfterBaseValue: unit, doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451] },
    throttle: {
      retryAfterBaseValue: unit,
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
      ...spacedWriteGroups(unit),
    },
  });
}

/**
 * Requests go out through Node's own `fetch`, unless the runner sets a proxy for the API host
 * (`https_proxy`/`HTTPS_PROXY` or `http_proxy`/`HTTP_PROXY`, minus `no_proxy`; loopback is never
 * proxied), as on self-hosted runners behind a corporate proxy. Only then is undici loaded (on the
 * first request), and every request tunnels through its `ProxyAgent`.
 */
function proxiedFetch(baseUrl: string): { fetch?: typeof fetch } {
  let proxy: URL | undefined;
  try {
    proxy = getProxyUrl(new URL(baseUrl));
  } catch {
    return {}; // an unparseable API URL fails on the first request, with Octokit's own message
  }
  if (!proxy) return {};
  const proxyUrl = proxy.href;
  let proxied: Promise<typeof fetch> | undefined;
  const load = async (): Promise<typeof fetch> => {
    const undici = await import('undici');
    const dispatcher = new undici.ProxyAgent(proxyUrl);
    return ((url: string, init?: object) => undici.fetch(url, { ...init, dispatcher })) as unknown as typeof fetch;
  };
  return {
    fetch: (async (url: Parameters<typeof fetch>[0], init?: RequestInit) => {
      proxied ??= load();
      return (await proxied)(url, init);
    }) as typeof fetch,
  };
}

/**
 * The runner's orchestration id (`ACTIONS_ORCHESTRATION_ID`) appended to the User-Agent, as
 * `@actions/github` does, so GitHub can tie API calls to the job that made them.
 */
function withOrchestrationId(userAgent: string): string {
  const id = process.env.ACTIONS_ORCHESTRATION_ID?.trim();
  if (!id) return userAgent;
  const tag = `actions_orchestration_id/${id.replace(/[^a-z0-9_.-]/gi, '_')}`;
  return userAgent.includes(tag) ? userAgent : `${userAgent} ${tag}`;
}

/**
 * The throttling plugin spaces writes 1 s apart (3 s for requests that notify people), as GitHub
 * asks. Those gaps follow the same time unit as retries, so the test knob shortens them too; at the
 * default unit the plugin's own groups are used unchanged.
 */
function spacedWriteGroups(unit: number): Record<string, unknown> {
  if (unit === 1000) return {};
  const scale = unit / 1000;
  return {
    write: new Bottleneck.Group({ maxConcurrent: 1, minTime: 1000 * scale }),
    notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 3000 * scale }),
    search: new Bottleneck.Group({ maxConcurrent: 1, minTime: 2000 * scale }),
  };
}
