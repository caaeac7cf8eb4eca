// Recognising GitHub API errors without loading the client: cheap to import from anywhere.

/** True when `error` is an HTTP error (an Octokit `RequestError`) with this status code. */
export function isHttpStatus(error: unknown, status: number): boolean {
  return typeof error === 'object' && error !== null && (error as { status?: unknown }).status === status;
}

/**
 * True for GitHub's 422 "Reference already exists" (creating a ref that exists). It is success only
 * when the existing ref points at the intended sha: check that before treating it as such.
 */
export function isAlreadyExists(error: unknown): boolean {
  if (!isHttpStatus(error, 422)) return false;
  const data = (error as { response?: { data?: { message?: unknown } } }).response?.data;
  const message = typeof data?.message === 'string' ? data.message : error instanceof Error ? error.message : '';
  return /reference already exists/i.test(message);
}
