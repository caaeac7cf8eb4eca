/**
 * A mistake in the user's configuration (an input, a branch name, a missing file).
 * The message says what is wrong and how to fix it; `runAction` shows it as one annotation
 * without a stack. Anything that is not a ConfigurationError is treated as a bug.
 */
export class ConfigurationError extends Error {
  /** The input (or setting) the error is about, when there is one. */
  readonly input: string | undefined;

  /**
   * @param message what is wrong and what would be accepted
   * @param input the name of the offending input, e.g. `release-branch-pattern`
   */
  constructor(message: string, input?: string) {
    super(message);
    this.name = 'ConfigurationError';
    this.input = input;
  }
}

/** True when `error` is a {@link ConfigurationError} (also across bundle copies of this class). */
export function isConfigurationError(error: unknown): error is ConfigurationError {
  return error instanceof ConfigurationError || (error instanceof Error && error.name === 'ConfigurationError');
}

/** The message of any thrown value, for logs and annotations. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
