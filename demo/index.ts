// `npm run demo`: rehearses two hotfixes end to end (see demo/options.ts for the options).
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, isUsageError } from '../cli/usage.js';
import { DEMO_HELP, parseDemoArgs } from './options.js';
import { runDemo } from './run.js';

/** Where the demo writes: stdout and stderr by default. */
export interface DemoOutput {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: DemoOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * Runs the demo's command line and returns the exit code: 0 when both hotfixes ended as expected,
 * 1 otherwise, 2 for a bad command line. `command` is how the user called it, for the hints.
 */
export async function demoMain(
  argv: readonly string[],
  io: DemoOutput = processOutput,
  command = 'npm run demo --',
): Promise<number> {
  let parsed: ReturnType<typeof parseDemoArgs>;
  try {
    parsed = parseDemoArgs(argv);
  } catch (error) {
    if (!isUsageError(error)) throw error;
    io.err(`${command.startsWith('hotfix') ? 'hotfix' : 'demo'}: ${error.message}\nSee \`${command} --help\`.\n`);
    return EXIT_USAGE;
  }
  if (parsed.help) {
    io.out(DEMO_HELP);
    return EXIT_OK;
  }
  const { options } = parsed;
  const summary = await runDemo(options, (line) => io.out(`${line}\n`));
  if (options.json !== undefined) await writeFile(options.json, `${JSON.stringify(summary, null, 2)}\n`);
  return summary.ok ? EXIT_OK : EXIT_FAILURE;
}

// Run directly (`tsx demo/index.ts`), not when imported by the CLI.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await demoMain(process.argv.slice(2));
}
