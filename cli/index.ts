// The `hotfix` command line: plan, start, finish, init, check, demo and metrics. bin/hotfix.mjs loads this file through tsx.
import { readFileSync } from 'node:fs';
import { CHECK_HELP, checkWorkflows, formatFindings, parseCheckArgs } from './check.js';
import { PLAN_HELP, formatPlan, parsePlanArgs, planJson, planLocalHotfix } from './plan.js';
import { FINISH_HELP, finishHotfix, parseFinishArgs } from './finish.js';
import { INIT_HELP, initTemplate, parseInitArgs } from './init.js';
import { START_HELP, parseStartArgs, startHotfix } from './start.js';
import { metricsCommand } from './metrics.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, isCommandFailure, isUsageError, UsageError } from './usage.js';

/** `hotfix --help`. */
export const MAIN_HELP = `hotfix — the hotfix process of hotfix-actions, from a terminal.

Usage: hotfix <command> [options]

Commands:
  plan    walk the hotfix decision tree on this repository: which procedure, which branches
  start   start a hotfix: its base from the decision tree, a worktree with the branch, the ticket in progress
  finish  check a hotfix branch against the policy, push it, print its pull request; --cleanup after the merge
  init    write the hotfix pull request template into a repository
  check   check a repository's workflows with actionlint and the security rules
  demo    rehearse two hotfixes end to end in a temporary sandbox
  metrics measure a repository's hotfixes (time to deploy, forward-port lag, rework, tests,
          automation success) and flag SLA breaches

Run \`hotfix <command> --help\` for a command's options; \`hotfix --version\` prints the version.

Exit status: 0 on success, 1 when the command failed or found problems, 2 for a bad command line.
`;

const COMMANDS = ['plan', 'start', 'finish', 'init', 'check', 'demo', 'metrics'] as const;
type Command = (typeof COMMANDS)[number];

/** Where the CLI writes: stdout and stderr by default, replaceable for tests. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: CliOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

async function runSubcommand(command: Command, argv: readonly string[], io: CliOutput): Promise<number> {
  switch (command) {
    case 'plan': {
      const options = parsePlanArgs(argv);
      if (options === undefined) {
        io.out(PLAN_HELP);
        return EXIT_OK;
      }
      const { plan, trunk } = await planLocalHotfix(options);
      io.out(options.json ? `${JSON.stringify(planJson(plan, trunk), null, 2)}\n` : formatPlan(plan, trunk));
      return EXIT_OK;
    }
    case 'start': {
      const options = parseStartArgs(argv);
      if (options === undefined) {
        io.out(START_HELP);
        return EXIT_OK;
      }
      return startHotfix(options, io);
    }
    case 'finish': {
      const options = parseFinishArgs(argv);
      if (options === undefined) {
        io.out(FINISH_HELP);
        return EXIT_OK;
      }
      return finishHotfix(options, io);
    }
    case 'init': {
      const options = parseInitArgs(argv);
      if (options === undefined) {
        io.out(INIT_HELP);
        return EXIT_OK;
      }
      return initTemplate(options, io);
    }
    case 'check': {
      const options = parseCheckArgs(argv);
      if (options === undefined) {
        io.out(CHECK_HELP);
        return EXIT_OK;
      }
      const { files, findings } = await checkWorkflows(options.paths, { trusted: options.trusted });
      io.out(options.json ? `${JSON.stringify({ files, findings }, null, 2)}\n` : formatFindings(files, findings));
      return findings.length === 0 ? EXIT_OK : EXIT_FAILURE;
    }
    case 'demo': {
      // The demo pulls in the test tooling (sandboxes, the API stand-in): loaded only when asked for.
      const { demoMain } = await import('../demo/index.js');
      return demoMain(argv, io, 'hotfix demo');
    }
    case 'metrics':
      return metricsCommand(argv, io);
  }
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliOutput = processOutput): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    if (first === 'help' && rest[0] !== undefined) return main([rest[0], '--help'], io);
    io[first === undefined ? 'err' : 'out'](MAIN_HELP);
    return first === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (first === '--version' || first === '-V') {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    io.out(`hotfix (hotfix-actions) ${version}\n`);
    return EXIT_OK;
  }
  try {
    if (!(COMMANDS as readonly string[]).includes(first)) {
      const hint = first.startsWith('-') ? 'Give a command first' : `Unknown command "${first}"`;
      throw new UsageError(`${hint}: one of ${COMMANDS.map((command) => `hotfix ${command}`).join(', ')}.`);
    }
    return await runSubcommand(first as Command, rest, io);
  } catch (error) {
    if (isUsageError(error)) {
      const help = error.command ? `hotfix ${error.command} --help` : 'hotfix --help';
      io.err(`hotfix: ${error.message}\nSee \`${help}\`.\n`);
      return EXIT_USAGE;
    }
    if (isCommandFailure(error)) {
      io.err(`hotfix: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.err(`hotfix: unexpected error (a bug; please report it with this output):\n${detail}\n`);
    return EXIT_FAILURE;
  }
}
