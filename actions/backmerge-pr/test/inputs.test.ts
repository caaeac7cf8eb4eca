import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isConfigurationError, isValidRefName } from '@hotfix-actions/core';
import { readInputs } from '../src/inputs.js';

const NAMES = [
  'source',
  'targets',
  'trunk',
  'release-branch-pattern',
  'strategy',
  'commits',
  'ticket',
  'ticket-prefix',
  'branch-prefix',
  'labels',
  'reviewers',
  'conflict-label',
  'draft-on-conflict',
  'auto-merge',
  'direct-push',
  'fail-on-conflict',
  'dry-run',
];
let saved: NodeJS.ProcessEnv;

beforeEach(() => {
  saved = { ...process.env };
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('INPUT_') || key.startsWith('GITHUB_')) delete process.env[key];
  }
  Object.assign(process.env, { GITHUB_REF: 'refs/heads/release/v1.2', INPUT_TOKEN: 't' });
});
afterEach(() => {
  process.env = saved;
});

const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '$(touch /tmp/x)',
    '`id`',
    'a;b',
    'a|b',
    '../..',
    'release/v1.2 ',
    'release/v1.2',
    '-x',
    'a.lock',
    '@{u}',
    '\n',
    'main\nrelease/v1.3',
    'main,release/v1.4',
    'refs/tags/v1.2.3',
    'refs/heads/main',
    'cherry-pick',
    'MERGE',
    'a'.repeat(40),
    `${'a'.repeat(40)}\n${'b'.repeat(40)}`,
    'bd-a1b2',
    'octocat, acme/release-team',
    'x'.repeat(60),
    '%0A',
    'release/{line}',
    'release/*/{line}',
    'yes',
  ),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

describe('backmerge-pr inputs under fuzzing', () => {
  it('parse into valid values or throw a ConfigurationError naming the input (800 cases)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), hostile, fc.boolean(), (name, value, cherryPick) => {
        if (cherryPick) process.env['INPUT_STRATEGY'] = 'cherry-pick';
        process.env[`INPUT_${name.toUpperCase()}`] = value;
        try {
          const inputs = readInputs();
          expect(isValidRefName(inputs.source)).toBe(true);
          expect(isValidRefName(inputs.trunk)).toBe(true);
          for (const target of inputs.targets ?? []) {
            expect(isValidRefName(target)).toBe(true);
            expect(target).not.toBe(inputs.source);
          }
          expect(['merge', 'cherry-pick']).toContain(inputs.strategy);
          for (const sha of inputs.commits ?? []) expect(sha).toMatch(/^[0-9a-f]{40}$/);
          if (inputs.commits) expect(inputs.strategy).toBe('cherry-pick');
          expect(isValidRefName(`${inputs.branchPrefix}bd-a1b2-to-main`)).toBe(true);
          for (const label of [...inputs.labels, inputs.conflictLabel]) expect(label.length).toBeLessThanOrEqual(50);
          for (const login of inputs.reviewers.users) expect(login).toMatch(/^[A-Za-z0-9-]+$/);
          if (inputs.ticket !== undefined) expect(inputs.ticket).toMatch(/^[A-Za-z][\w-]*-[0-9a-z.]+$/);
        } catch (error) {
          expect(isConfigurationError(error), String(error)).toBe(true);
          expect((error as Error).message).toContain(`Input "${name}"`);
        } finally {
          delete process.env[`INPUT_${name.toUpperCase()}`];
          delete process.env['INPUT_STRATEGY'];
        }
      }),
      { numRuns: 800, seed: 20261204 },
    );
  });

  it('defaults: the run branch, main as trunk, merge, backmerge/ branches, drafts on conflict', () => {
    expect(readInputs()).toMatchObject({
      source: 'release/v1.2',
      targets: undefined,
      trunk: 'main',
      strategy: 'merge',
      branchPrefix: 'backmerge/',
      conflictLabel: 'backmerge-conflict',
      draftOnConflict: true,
      autoMerge: false,
      directPush: false,
      failOnConflict: false,
      dryRun: false,
      labels: [],
      reviewers: { users: [], teams: [] },
    });
  });

  it('reads reviewers, labels, targets and commits', () => {
    Object.assign(process.env, {
      INPUT_REVIEWERS: '@octocat, acme/release-team\nmonalisa',
      INPUT_LABELS: 'backmerge\nhotfix, backmerge',
      INPUT_TARGETS: 'main, release/v1.3',
      INPUT_STRATEGY: 'cherry-pick',
      INPUT_COMMITS: `${'A'.repeat(40)}\n${'b'.repeat(40)}`,
    });
    expect(readInputs()).toMatchObject({
      reviewers: { users: ['octocat', 'monalisa'], teams: ['release-team'] },
      labels: ['backmerge', 'hotfix'],
      targets: ['main', 'release/v1.3'],
      commits: ['a'.repeat(40), 'b'.repeat(40)],
    });
  });

  it('takes the base branch, number and text of a pull request event', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bm-event-')), 'event.json');
    writeFileSync(
      path,
      JSON.stringify({
        number: 12,
        pull_request: {
          number: 12,
          title: 'Fix login',
          body: 'Resolves bd-x1y2',
          head: { ref: 'hotfix/bd-x1y2-login' },
        },
      }),
    );
    Object.assign(process.env, {
      GITHUB_EVENT_PATH: path,
      GITHUB_BASE_REF: 'release/v2.1',
      GITHUB_REF: 'refs/pull/12/merge',
    });
    const inputs = readInputs();
    expect(inputs).toMatchObject({ source: 'release/v2.1', pullNumber: 12 });
    expect(inputs.eventText).toContain('bd-x1y2');
  });

  it('asks for source on a tag run, and refuses a tag as source', () => {
    process.env.GITHUB_REF = 'refs/tags/v1.2.4';
    expect(() => readInputs()).toThrow(/Input "source" is required/);
    process.env.INPUT_SOURCE = 'refs/tags/v1.2.4';
    expect(() => readInputs()).toThrow(/Input "source" must be a branch/);
  });
});
