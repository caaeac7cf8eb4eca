// `npm run demo`: rehearses two hotfixes end to end (see demo/options.ts for the options).
import { writeFile } from 'node:fs/promises';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, isUsageError } from '../cli/usage.js';
import { DEMO_HELP, parseDemoArgs } from './options.js';
import { runDemo } from './run.js';

/** Runs the demo command line and returns the exit code. */
export async function demoMain(argv: readonly string[], usage = 'npm run demo --'): Promise<number> {
  let parsed: ReturnType<typeof parseDemoArgs>;
  try {
    parsed = parseDemoArgs(argv);
  } catch (error) {
    if (!isUsageError(error)) throw error;
    process.stderr.write(`${error.message}\nSee \`${usage} --help\`.\n`);
    return EXIT_USAGE;
  }
  if (parsed.help) {
    process.stdout.write(DEMO_HELP);
    return EXIT_OK;
  }
  const { options } = parsed;
  const summary = await runDemo(options, (line) => process.stdout.write(`${line}\n`));
  if (options.json !== undefined) await writeFile(options.json, `${JSON.stringify(summary, null, 2)}\n`);
  return summary.ok ? EXIT_OK : EXIT_FAILURE;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('demo/index.ts')) {
  process.exitCode = await demoMain(process.argv.slice(2));
}
