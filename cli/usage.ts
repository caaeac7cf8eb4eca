// Command-line plumbing shared by the `hotfix` CLI and `npm run demo`: usage errors (exit code 2)
// and a small, strict option parser over node:util's.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isConfigurationError } from '@hotfix-actions/core';

/** Exit code of a run that did what was asked and found nothing wrong. */
export const EXIT_OK = 0;
/** Exit code of a run that failed or found problems. */
export const EXIT_FAILURE = 1;
/** Exit code of a command line that could not be understood. */
export const EXIT_USAGE = 2;

/** A command line that cannot be understood; its message says what would be accepted. */
export class UsageError extends Error {
  /** The command whose help explains the fix (`plan`, `start`, `finish`, `init`, `check`, `demo`, `metrics`, or '' for the top level). */
  readonly command: string;

  constructor(message: string, command = '') {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** A failure that is not the command line's fault (exit 1); its message says what to do. */
export class CommandFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandFailure';
  }
}

/** True when `error` is a {@link CommandFailure}. */
export function isCommandFailure(error: unknown): error is CommandFailure {
  return error instanceof CommandFailure;
}

/** True when `error` is a {@link UsageError}. */
export function isUsageError(error: unknown): error is UsageError {
  return error instanceof UsageError;
}

/** Option specs in node:util's format. */
export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Parsed options and the remaining positional arguments. */
export interface ParsedCommandLine {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Parses `argv` strictly: an unknown option or a missing value is a {@link UsageError} naming the
 * option and pointing at `--help` of `command`.
 */
export function parseCommandLine(
  argv: readonly string[],
  options: OptionSpecs,
  command: string,
  maxPositionals = 0,
): ParsedCommandLine {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    throw new UsageError(simplifyParseError(text), command);
  }
  if (parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals.slice(maxPositionals).join(' ');
    throw new UsageError(
      maxPositionals === 0
        ? `Unexpected argument "${extra}": this command takes options only.`
        : `Unexpected argument "${extra}": this command takes at most ${maxPositionals} argument${maxPositionals === 1 ? '' : 's'}.`,
      command,
    );
  }
  return { values: parsed.values as ParsedCommandLine['values'], positionals: parsed.positionals };
}

function simplifyParseError(text: string): string {
  // node's messages carry a code prefix and advice about `--` that does not apply here.
  const unknown = /Unknown option '([^']+)'/.exec(text);
  if (unknown) return `Unknown option ${unknown[1]}.`;
  const missing = /Option '([^']+)' argument missing/.exec(text);
  if (missing) return `Option ${missing[1]!.replace(/^-\w, /, '').replace(/ <value>$/, '')} needs a value.`;
  return text.replace(/^TypeError \[[A-Z_]+\]: /, '');
}

/** Parses a whole number option (`--seed 7`), naming the option in the error. */
export function parseIntegerOption(value: string, option: string, command: string, min = 0): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${option} takes a whole number of at least ${min}; got "${value}".`, command);
  }
  return Number(value);
}

/** The trimmed text of a string option, or undefined when it is absent or blank. */
export function optionText(values: ParsedCommandLine['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Re-words a ConfigurationError of the shared logic for the command line (`input "x"` → `--x`). */
export function asCommandLineMessage(message: string): string {
  return message
    .replace(/[Ii]nput "([a-z-]+)"/g, '--$1')
    .replace(/"(release-branch-pattern|release-branch|tag-prefix|severity|ticket|description|trunk)"/g, '--$1');
}

/** Runs shared logic on command-line values: its ConfigurationError becomes a UsageError of `command`. */
export function asUsage<T>(command: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (isConfigurationError(error)) throw new UsageError(asCommandLineMessage(error.message), command);
    throw error;
  }
}
