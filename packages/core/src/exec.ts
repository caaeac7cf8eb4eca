import { getExecOutput } from '@actions/exec';

/** What a finished command returned. */
export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Options for {@link runCommand}. */
export interface CommandOptions {
  /** Working directory. */
  cwd?: string;
  /** Extra environment variables, merged over `process.env`. */
  env?: Record<string, string>;
  /** Text written to the command's standard input. */
  input?: string | Buffer;
  /** Echo the command and its output to the log (default false: our logs stay readable). */
  echo?: boolean;
}

/**
 * Runs a program with an argument array (never a shell string, so nothing in `args` is ever
 * interpreted by a shell) and returns its exit code and output. It never throws on a non-zero
 * exit: callers decide what a failure means.
 */
export async function runCommand(
  command: string,
  args: readonly string[],
  options: CommandOptions = {},
): Promise<CommandResult> {
  const env = options.env ? ({ ...process.env, ...options.env } as Record<string, string>) : undefined;
  const result = await getExecOutput(command, [...args], {
    cwd: options.cwd,
    env,
    input: options.input === undefined ? undefined : Buffer.from(options.input),
    silent: !options.echo,
    ignoreReturnCode: true,
  });
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}
