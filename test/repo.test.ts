import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// @ts-expect-error -- plain JavaScript build script, no types
import { actionDocsStatus } from '../scripts/docs.mjs';

// Conventions every action and workflow of this repository keeps; each check fails on a planted
// violation (see the last describe block).

const root = resolve(import.meta.dirname, '..');
const actions = readdirSync(join(root, 'actions')).filter((name) =>
  existsSync(join(root, 'actions', name, 'action.yml')),
);

interface ActionYml {
  name?: string;
  description?: string;
  inputs?: Record<string, { description?: string; default?: unknown }>;
  outputs?: Record<string, { description?: string }>;
  runs?: { using?: string; main?: string; steps?: unknown[] };
}

/** Problems of one action.yml, as sentences. */
function actionProblems(name: string, yml: ActionYml): string[] {
  const problems: string[] = [];
  if (!yml.name || !yml.description) problems.push('needs a name and a description');
  for (const [input, spec] of Object.entries(yml.inputs ?? {})) {
    if (!/^[a-z][a-z0-9-]*$/.test(input)) problems.push(`input "${input}" is not kebab-case`);
    if (!spec?.description) problems.push(`input "${input}" has no description`);
  }
  for (const [output, spec] of Object.entries(yml.outputs ?? {})) {
    if (!/^[a-z][a-z0-9-]*$/.test(output)) problems.push(`output "${output}" is not kebab-case`);
    if (!spec?.description) problems.push(`output "${output}" has no description`);
  }
  if (yml.runs?.using === 'composite') return problems;
  if (yml.runs?.using !== 'node24') problems.push(`runs.using is ${yml.runs?.using}, expected node24`);
  if (yml.runs?.main !== `../../dist/${name}/index.js`) problems.push(`runs.main must be ../../dist/${name}/index.js`);
  else if (!existsSync(join(root, 'dist', name, 'index.js')))
    problems.push(`dist/${name}/index.js is missing: npm run bundle`);
  return problems;
}

// This repository's own actions and reusable workflows are named by the exact release tag (a commit
// cannot contain its own SHA); the release workflow keeps those refs in step. See docs/pipeline.md.
const OWN_REF = /^[^/\s]+\/hotfix-actions\/(?:actions\/[a-z0-9-]+|\.github\/workflows\/[\w.-]+\.ya?ml)@v\d+\.\d+\.\d+$/;

/** `uses:` lines of a workflow or composite action that are not pinned to a full commit SHA. */
function unpinnedUses(text: string): string[] {
  const bad: string[] = [];
  for (const match of text.matchAll(/^\s*(?:-\s*)?uses:\s*(\S+)(.*)$/gm)) {
    const [, ref, rest] = match as unknown as [string, string, string];
    if (ref.startsWith('./') || ref.startsWith('$/') || OWN_REF.test(ref)) continue;
    if (!/@[0-9a-f]{40}$/.test(ref) || !/#\s*v\d/.test(rest)) bad.push(ref);
  }
  return bad;
}

describe('actions', () => {
  it.each(actions)('%s: action.yml follows the house rules', (name) => {
    const yml = parse(readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8')) as ActionYml;
    expect(actionProblems(name, yml)).toEqual([]);
  });

  it('READMEs carry the inputs and outputs of their action.yml (npm run docs)', () => {
    const stale = (actionDocsStatus() as { name: string }[]).map((entry) => entry.name);
    expect(stale).toEqual([]);
  });
});

describe('workflows', () => {
  const dir = join(root, '.github', 'workflows');
  const files = readdirSync(dir).filter((file) => /\.ya?ml$/.test(file));

  it.each(files)('%s: every third-party action is pinned to a full SHA with a version comment', (file) => {
    expect(unpinnedUses(readFileSync(join(dir, file), 'utf8'))).toEqual([]);
  });

  it.each(files)('%s: read-only permissions at the top', (file) => {
    const yml = parse(readFileSync(join(dir, file), 'utf8')) as { permissions?: unknown };
    expect(yml.permissions === undefined ? 'missing' : yml.permissions).not.toBe('missing');
    expect(JSON.stringify(yml.permissions)).not.toMatch(/write/);
  });
});

describe('the checks themselves', () => {
  it('catch planted violations', () => {
    expect(unpinnedUses('      - uses: actions/checkout@v4\n')).toEqual(['actions/checkout@v4']);
    expect(unpinnedUses(`      - uses: actions/checkout@${'a'.repeat(40)}\n`)).toHaveLength(1);
    expect(unpinnedUses(`      - uses: actions/checkout@${'a'.repeat(40)} # v7.0.1\n`)).toEqual([]);
    expect(unpinnedUses('      - uses: org/hotfix-actions/actions/version-bump@v1.0.0\n')).toEqual([]);
    expect(unpinnedUses('      - uses: org/hotfix-actions/actions/version-bump@v1\n')).toHaveLength(1);
    expect(unpinnedUses('      - uses: evil/not-hotfix-actions/actions/x@v1.0.0\n')).toHaveLength(1);
    expect(actionProblems('x', { name: 'x', description: 'd', runs: { using: 'node20', main: 'index.js' } })).toEqual([
      'runs.using is node20, expected node24',
      'runs.main must be ../../dist/x/index.js',
    ]);
    expect(
      actionProblems('x', { name: 'x', description: 'd', inputs: { dryRun: {} }, runs: { using: 'composite' } }),
    ).toEqual(['input "dryRun" is not kebab-case', 'input "dryRun" has no description']);
  });
});
