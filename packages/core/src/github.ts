import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';
import { ConfigurationError } from './errors.js';
import { isHttpStatus } from './github-errors.js';

/** The REST client every action uses: Octokit with REST methods, `paginate`, retries and throttling. */
export type GitHubClient = ReturnType<typeof getOctokit>;

type OctokitPlugin = NonNullable<Parameters<typeof getOctokit>[2]>;

/** Where the client reports waits and retries; defaults to the action log. */
export interface GitHubClientLog {
  debug(message: string): void;
  warning(message: string): void;
}

/** Options for {@link createGitHubClient}. */
export interface GitHubClientOptions {
  /** A token (usually the `token` input, `${{ github.token }}`); masked in the log at once. */
  token: string;
  /** REST API root; default `GITHUB_API_URL` (on GHES `https://HOST/api/v3`), else `https://api.github.com`. */
  baseUrl?: string;
  /** User-Agent prefix (default `hotfix-actions`). */
  userAgent?: string;
  /** How often a failed request is retried: 5xx and network errors, and rate limits (default 3). */
  retries?: number;
  /**
   * Time unit of every wait, in milliseconds (default 1000, or `HOTFIX_ACTIONS_RETRY_BASE_MS`): the
   * n-th retry of a server error waits n² units, a rate limit waits its `retry-after` in units.
   */
  retryBaseMs?: number;
  /** Mask the token in the workflow log (default true; false outside a workflow, where it would print it). */
  mask?: boolean;
  /** Where waits and retries are reported (default: `@actions/core` debug and warning). */
  log?: GitHubClientLog;
}

/**
 * Test knob, not a user setting: when set (to a number of milliseconds), it replaces the default
 * time unit of retries and rate-limit waits, so tests of a bundle can exercise retries quickly.
 */
export const RETRY_BASE_ENV = 'HOTFIX_ACTIONS_RETRY_BASE_MS';

/** The longest rate-limit wait (in GitHub's seconds) the client sits out before failing instead. */
const MAX_RATE_LIMIT_WAIT_SECONDS = 600;

/** Creates the GitHub REST client: masks the token, honours GHES base URLs, retries and throttles. */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const token = options.token.trim();
  if (token === '') {
    throw new ConfigurationError(
      'Input "token" is empty: pass a GitHub token, for example `token: ${{ github.token }}` (the default) ' +
        'or a secret holding a fine-grained token.',
      'token',
    );
  }
  // A token travels in an HTTP header: anything but visible ASCII is a paste mistake that would
  // otherwise surface as a server error after four attempts. Never echo it.
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new ConfigurationError(
      'Input "token" contains spaces, line breaks or characters a GitHub token never has; pass the token ' +
        'itself, for example `token: ${{ secrets.RELEASE_TOKEN }}` (the value is not shown).',
      'token',
    );
  }
  // In a workflow the token is masked in the log; outside one (the CLI), `::add-mask::` would print it.
  if (options.mask ?? true) core.setSecret(token);
  const log = options.log ?? { debug: (message: string) => core.debug(message), warning: (m) => core.warning(m) };
  const retries = options.retries ?? 3;
  const unit = options.retryBaseMs ?? retryBaseFromEnv() ?? 1000;
  const baseUrl = (options.baseUrl ?? (process.env.GITHUB_API_URL || 'https://api.github.com')).replace(/\/+$/, '');

  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, count: number) => {
      const hit = `GitHub ${kind} hit by ${request.method} ${request.url}`;
      if (count >= retries) {
        log.warning(`${hit}; giving up after ${count} retries.`);
        return false;
      }
      // A primary limit can reset an hour later: a clear failure beats a job that hangs that long.
      if (retryAfter > MAX_RATE_LIMIT_WAIT_SECONDS) {
        log.warning(
          `${hit}; giving up: GitHub asks to wait ${retryAfter} s, more than ${MAX_RATE_LIMIT_WAIT_SECONDS} s.`,
        );
        return false;
      }
      log.warning(`${hit}; retrying after ${retryAfter} s (retry ${count + 1} of ${retries}).`);
      return true;
    };

  return getOctokit(
    token,
    {
      baseUrl,
      userAgent: options.userAgent ?? 'hotfix-actions',
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
    },
    recognise429AsRateLimit,
    retry,
    throttling,
  );
}

/**
 * The throttling plugin recognises a rate limit by GitHub's message ("secondary rate limit") or an
 * exhausted `x-ratelimit-remaining`. A 429 is always a rate limit, so one without either mark (a proxy,
 * a GHES front end) is labelled as a secondary limit, honouring its retry-after instead of failing.
 * Registered before the other plugins, so its hook sees the error first.
 */
const recognise429AsRateLimit: OctokitPlugin = (octokit) => {
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
};

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

function retryBaseFromEnv(): number | undefined {
  const raw = process.env[RETRY_BASE_ENV];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The repository the workflow runs in, from `GITHUB_REPOSITORY` (`owner/repo`). */
export function repoFromEnv(env: NodeJS.ProcessEnv = process.env): { owner: string; repo: string } {
  const value = env.GITHUB_REPOSITORY ?? '';
  const match = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+)$/.exec(value);
  if (!match || match[2] === '.' || match[2] === '..') {
    throw new ConfigurationError(
      `GITHUB_REPOSITORY must be "owner/repo", but it is ${value ? JSON.stringify(value) : 'not set'}. ` +
        'The runner sets it; when running an action locally, export GITHUB_REPOSITORY=owner/repo.',
      'GITHUB_REPOSITORY',
    );
  }
  return { owner: match[1] ?? '', repo: match[2] ?? '' };
}
