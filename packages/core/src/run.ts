import * as core from '@actions/core';
import { isConfigurationError } from './errors.js';

/** How a failed action reports itself: the annotation's title and message, and a stack for the debug log. */
export interface FailureDescription {
  /** `Configuration error for input "x"`, `Configuration error`, or `Unexpected error`. */
  title: string;
  /** The annotation's text. */
  message: string;
  /** For bugs only: the stack (with the stacks of its causes), written to the debug log. */
  stack?: string;
}

function stackOf(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const parts: string[] = [error.stack ?? `${error.name}: ${error.message}`];
  const seen = new Set<unknown>([error]);
  for (let cause: unknown = error.cause; cause !== undefined && !seen.has(cause);) {
    seen.add(cause);
    parts.push(`Caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return parts.join('\n');
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message || error.name;
  if (error instanceof AggregateError && error.errors.length > 0) {
    return `${message}: ${error.errors.map((inner: unknown) => messageOf(inner)).join('; ')}`;
  }
  return message;
}

/**
 * Decides how a thrown value is reported. A ConfigurationError is the user's to fix: its message only,
 * titled with the input it names. Anything else is a bug: its message, a pointer to the stack in the debug log.
 */
export function describeFailure(error: unknown): FailureDescription {
  if (isConfigurationError(error)) {
    const input = (error as { input?: unknown }).input;
    return {
      title:
        typeof input === 'string' && input !== '' ? `Configuration error for input "${input}"` : 'Configuration error',
      message: error.message,
    };
  }
  const stack = stackOf(error);
  const api = describeGitHubApiError(error);
  if (api !== undefined) return { ...api, ...(stack === undefined ? {} : { stack }) };
  return {
    title: 'Unexpected error',
    message: `${messageOf(error)} (see debug log for the stack)`,
    ...(stack === undefined ? {} : { stack }),
  };
}

/** What to do about a GitHub API status that retries cannot fix. */
const API_HINTS: Record<number, string> = {
  401: 'The token was refused: check the `token` input (the default is ${{ github.token }}).',
  403: 'The token lacks a permission: grant the job the permissions this action documents (for example `contents: write`).',
  404: 'Not found: check the repository, branch or tag names, and that the token can see the repository.',
  409: 'GitHub reports a conflict with the current state: re-run the job.',
  422: 'GitHub refused the request as invalid for the current state of the repository.',
};

/**
 * A failed GitHub API request (an Octokit RequestError: it carries `status` and `request`) reported
 * with the request that failed and what to do, rather than as a bare "Server Error".
 */
function describeGitHubApiError(error: unknown): FailureDescription | undefined {
  if (!(error instanceof Error)) return undefined;
  const { status, request } = error as { status?: unknown; request?: { method?: unknown; url?: unknown } };
  if (typeof status !== 'number' || typeof request?.method !== 'string' || typeof request.url !== 'string') {
    return undefined;
  }
  let path = request.url;
  try {
    path = new URL(request.url).pathname;
  } catch {
    // Keep the URL as given.
  }
  const hint =
    API_HINTS[status] ??
    (status >= 500 ? 'GitHub kept failing after the retries: re-run the job; nothing was left half done.' : '');
  return {
    title: `GitHub API error ${status}`,
    message: `${request.method} ${path} answered ${status}: ${messageOf(error)}. ${hint}`.trim(),
  };
}

/**
 * Runs an action's `main` and turns a failure into exactly one `::error title=…::` annotation and exit code 1
 * (through `process.exitCode`, so pending output is still flushed); a bug's stack goes to the debug log.
 */
export async function runAction(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const failure = describeFailure(error);
    // core.setFailed would add a second, title-less annotation: report once, then set the exit code.
    core.error(failure.message, { title: failure.title });
    if (failure.stack !== undefined) core.debug(failure.stack);
    process.exitCode = 1;
  }
}
