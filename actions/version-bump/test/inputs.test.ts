import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isConfigurationError, isValidRefName } from '@hotfix-actions/core';
import { readInputs } from '../src/inputs.js';

const NAMES = [
  'branch',
  'sha',
  'line',
  'release-branch-pattern',
  'tag-prefix',
  'scheme',
  'method',
  'annotated',
  'dry-run',
  'max-attempts',
];
const SHA = 'a'.repeat(40);
let saved: NodeJS.ProcessEnv;

beforeEach(() => {
  saved = { ...process.env };
  for (const key of Object.keys(process.env))
    if (key.startsWith('INPUT_') || key.startsWith('GITHUB_')) delete process.env[key];
  Object.assign(process.env, { GITHUB_REF_NAME: 'release/v1.2', GITHUB_SHA: SHA, INPUT_TOKEN: 't' });
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
    '-x',
    'a.lock',
    '@{u}',
    '\n',
    'v1.2.3\nx',
    '%0A',
  ),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

describe('version-bump inputs under fuzzing', () => {
  it('either parse into valid values or throw a ConfigurationError naming the input (600 cases)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), hostile, (name, value) => {
        process.env[`INPUT_${name.toUpperCase()}`] = value;
        try {
          const inputs = readInputs();
          expect(isValidRefName(inputs.branch)).toBe(true);
          expect(inputs.sha).toMatch(/^[0-9a-f]{40}$/);
          expect(['patch', 'hotfix-suffix']).toContain(inputs.scheme);
          expect(inputs.tagPrefix).not.toMatch(/[\s;|&$`]/);
        } catch (error) {
          expect(isConfigurationError(error), String(error)).toBe(true);
          expect((error as Error).message).toContain(`Input "${name}"`);
        } finally {
          delete process.env[`INPUT_${name.toUpperCase()}`];
        }
      }),
      { numRuns: 600, seed: 20261121 },
    );
  });

  it('takes the base branch and merge commit of a merged pull request event', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const path = join(mkdtempSync(join(tmpdir(), 'vb-event-')), 'event.json');
    const merge = 'b'.repeat(40);
    writeFileSync(
      path,
      JSON.stringify({
        pull_request: {
          merged: true,
          merge_commit_sha: merge,
          title: 'hotfix(bd-x1y2): fix',
          head: { ref: 'hotfix/bd-x1y2-fix' },
        },
      }),
    );
    Object.assign(process.env, {
      GITHUB_EVENT_PATH: path,
      GITHUB_BASE_REF: 'release/v2.1',
      GITHUB_REF_NAME: '12/merge',
    });
    const inputs = readInputs();
    expect(inputs).toMatchObject({ branch: 'release/v2.1', sha: merge, line: { major: 2, minor: 1 } });
    expect(inputs.eventText).toContain('bd-x1y2');
  });
});
