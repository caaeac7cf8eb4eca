// The demo's command line, shared by `npm run demo` and `hotfix demo`.
import { parseCommandLine, parseIntegerOption, UsageError } from '../cli/usage.js';

/** How the demo runs. */
export interface DemoOptions {
  /** Seed of every random draw (the services' errors): the same seed tells the same story. */
  seed: number;
  /** CI mode: short intervals, HTTP checks instead of Prometheus. */
  fast: boolean;
  /** Keep the sandbox (repository, tracker, reports) instead of removing it at the end. */
  keep: boolean;
  /** Where to write the machine-readable summary (JSON), if anywhere. */
  json?: string;
  /** Where to write the HTML report (default: inside the sandbox when kept, else the OS temp dir). */
  report?: string;
  /** `auto`: Prometheus when installed (not in fast mode); `off`: HTTP checks only. */
  prometheus: 'auto' | 'off';
  /** Print the timeline with colours (default: when stdout is a terminal and NO_COLOR is unset). */
  color: boolean;
}

/** The demo's help text. */
export const DEMO_HELP = `Rehearses two hotfixes end to end in a temporary sandbox, with the committed action bundles.

Usage: npm run demo -- [options]
       hotfix demo [options]

Hotfix A (good): plan says release-first, ticket in_progress, fix and regression test merged to
release/v1.2, v1.2.4 tagged, staging deploy and health gate, canary with a sequential test, promoted,
production health checked, ticket closed with the version, back-merge pull request to main.
Hotfix B (bad): v1.2.5 tagged, its canary aborts, production rolls back to v1.2.4 (recorded as a
deployment), a P0 regression ticket blocked by the original is opened, the team is notified.

Everything runs on this machine: a real git repository, a GitHub API stand-in on loopback, a Beads
tracker, a small service in several versions, Prometheus when installed (HTTP checks otherwise).

Options:
  --seed <n>        seed of the services' random errors (default 1)
  --fast            CI mode: short intervals and HTTP checks (under 30 s)
  --keep            keep the sandbox and print where it is
  --json <file>     also write a machine-readable summary of the run to <file>
  --report <file>   write the HTML report to <file> (default: a temporary file, printed)
  --no-prometheus   use HTTP checks even when Prometheus is installed
  --no-color        plain output
  -h, --help        this help

Exit status: 0 when both hotfixes ended as expected, 1 otherwise, 2 for a bad command line.
`;

/** Parses the demo's options (without the command name); `help` is true when help was asked for. */
export function parseDemoArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  isTty = Boolean(process.stdout.isTTY),
): { help: true } | { help: false; options: DemoOptions } {
  const { values } = parseCommandLine(
    argv,
    {
      seed: { type: 'string' },
      fast: { type: 'boolean' },
      keep: { type: 'boolean' },
      json: { type: 'string' },
      report: { type: 'string' },
      'no-prometheus': { type: 'boolean' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    'demo',
  );
  if (values.help) return { help: true };
  const path = (name: 'json' | 'report'): string | undefined => {
    const value = values[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      throw new UsageError(`--${name} needs a file path.`, 'demo');
    }
    return value;
  };
  const json = path('json');
  const report = path('report');
  const options: DemoOptions = {
    seed: typeof values.seed === 'string' ? parseIntegerOption(values.seed, '--seed', 'demo', 0) : 1,
    fast: values.fast === true,
    keep: values.keep === true,
    prometheus: values['no-prometheus'] === true ? 'off' : 'auto',
    color: values['no-color'] !== true && isTty && env.NO_COLOR === undefined && env.TERM !== 'dumb',
    ...(json !== undefined ? { json } : {}),
    ...(report !== undefined ? { report } : {}),
  };
  return { help: false, options };
}
