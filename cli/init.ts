// `hotfix init`: writes the hotfix pull request template into a repository, so that hotfix pull
// requests start with the sections the policy check asks for (hotfix-rules II.C, hotfix-workflow 6.7).
import { lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { HOTFIX_PR_TEMPLATE_PATH, hotfixPrTemplate } from '@hotfix-actions/core';
import { openRepository, type CommandOutput } from './start.js';
import { CommandFailure, parseCommandLine } from './usage.js';

/** `hotfix init --help`. */
export const INIT_HELP = `Writes the hotfix pull request template into a repository.

Usage: hotfix init [dir] [options]

  Writes ${HOTFIX_PR_TEMPLATE_PATH} at the top of the git repository holding dir (default: the
  current directory): the sections of a hotfix pull request (summary, root cause, fix, testing,
  quality gates, hotfix version, rollback procedure, merge instructions), the required ones being
  those the hotfix policy check of hotfix-plan reads. Pick it when opening a pull request with
  gh pr create --template hotfix.md, or ?template=hotfix.md in the compare URL.

Options:
  --force        replace an existing template (its changes are lost)
  -h, --help     this help

Exit status: 0 when the template is written (or already up to date), 1 when it cannot be (an
existing template without --force, no git repository), 2 for a bad command line.
`;

/** What `hotfix init` was asked. */
export interface InitCommandOptions {
  dir: string;
  force: boolean;
}

/** Parses `hotfix init`'s options; `undefined` when help was asked for. */
export function parseInitArgs(argv: readonly string[]): InitCommandOptions | undefined {
  const { values, positionals } = parseCommandLine(
    argv,
    { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    'init',
    1,
  );
  if (values.help) return undefined;
  return { dir: resolve(positionals[0] ?? '.'), force: values.force === true };
}

/** Runs `hotfix init`; returns the exit code. */
export async function initTemplate(options: InitCommandOptions, io: CommandOutput): Promise<number> {
  const repo = await openRepository(options.dir, 'init', 'hotfix init <dir>');
  const path = join(repo.top, ...HOTFIX_PR_TEMPLATE_PATH.split('/'));
  const template = hotfixPrTemplate();
  const existing = await lstat(path).catch(() => undefined);
  if (existing !== undefined) {
    if (existing.isSymbolicLink() || !existing.isFile()) {
      throw new CommandFailure(`${path} exists and is not a regular file: move it out of the way first.`);
    }
    if ((await readFile(path, 'utf8')) === template) {
      io.out(`${HOTFIX_PR_TEMPLATE_PATH} is up to date in ${repo.top}.\n`);
      return 0;
    }
    if (!options.force) {
      throw new CommandFailure(
        `${path} exists already and differs from the hotfix template: nothing was written. Pass --force to ` +
          'replace it (your changes to it are lost).',
      );
    }
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, template);
  io.out(
    [
      `${existing === undefined ? 'Wrote' : 'Replaced'} ${HOTFIX_PR_TEMPLATE_PATH} in ${repo.top}.`,
      `Commit it (git add ${HOTFIX_PR_TEMPLATE_PATH}); hotfix pull requests then start from it with`,
      'gh pr create --template hotfix.md, or ?template=hotfix.md in the compare URL.',
      '',
    ].join('\n'),
  );
  return 0;
}
