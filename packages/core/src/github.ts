import * as core from '@actions/core';
import { ConfigurationError } from './errors.js';
import type { GitHubClient, RateLimitHandler } from './octokit.js';

export type { GitHubClient } from './octokit.js';

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

/** Creates the GitHub REST client: checks and masks the token, honours GHES base URLs, retries and throttles. */
export async function createGitHubClient(options: GitHubClientOptions): Promise<GitHubClient> {
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
    (kind: string): RateLimitHandler =>
    (retryAfter, request, _octokit, count) => {
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

  // Octokit is loaded here, not at start-up (see octokit.ts).
  const { newOctokit } = await import('./octokit.js');
  return newOctokit({ token, baseUrl, userAgent: options.userAgent ?? 'hotfix-actions', retries, unit, log, onLimit });
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
