import { describe, expect, it } from 'vitest';
import { isConfigurationError } from '@hotfix-actions/core';
import {
  backmergeBranchName,
  cherryPickConflictCommands,
  forwardPortLag,
  formatMarker,
  mergeConflictCommands,
  orderTargets,
  parseMarker,
  planBranches,
  planTargets,
  pullBody,
  resultsJson,
} from '../src/plan.js';
import { cascadeDiagram, formatLag, summaryMarkdown } from '../src/report.js';

const BRANCHES = [
  'main',
  'develop',
  'release/v1.1',
  'release/v1.2',
  'release/v1.3',
  'release/v1.10',
  'release/v2.0',
  'release/v2.x',
  'feature/x',
  'hotfix/bd-a1b2-login',
];
const plan = (source: string, targets?: string[], trunk = 'main') =>
  planTargets({ source, targets, trunk, releaseBranchPattern: 'release/{line}', branches: BRANCHES });

function configError(fn: () => unknown): { message: string; input: string | undefined } {
  try {
    fn();
  } catch (error) {
    expect(isConfigurationError(error), String(error)).toBe(true);
    return error as { message: string; input: string | undefined };
  }
  throw new Error('expected a ConfigurationError');
}

describe('planTargets', () => {
  it('defaults to every newer release line by version (1.10 after 1.3), then the trunk', () => {
    expect(plan('release/v1.2')).toEqual(['release/v1.3', 'release/v1.10', 'release/v2.0', 'release/v2.x', 'main']);
    expect(plan('release/v2.0')).toEqual(['main']);
  });

  it('gitflow: from main (no release line) the default target is the trunk, develop', () => {
    expect(plan('main', undefined, 'develop')).toEqual(['develop']);
    expect(plan('hotfix/bd-a1b2-login')).toEqual(['main']);
  });

  it('orders explicit targets oldest line first and the trunk last', () => {
    expect(plan('release/v1.2', ['main', 'feature/x', 'release/v2.0', 'release/v1.3'])).toEqual([
      'release/v1.3',
      'release/v2.0',
      'feature/x',
      'main',
    ]);
    expect(orderTargets(['main', 'release/v1.10', 'release/v1.9'], 'main', 'release/{line}')).toEqual([
      'release/v1.9',
      'release/v1.10',
      'main',
    ]);
  });

  it('refuses unknown targets and older lines, naming targets', () => {
    expect(configError(() => plan('release/v1.2', ['release/v9.9']))).toMatchObject({ input: 'targets' });
    const older = configError(() => plan('release/v1.2', ['release/v1.1', 'main']));
    expect(older.input).toBe('targets');
    expect(older.message).toContain('release/v1.1');
    expect(configError(() => plan('main', ['release/v1.3'])).input).toBe('targets');
  });

  it('asks for targets when there is nothing to forward-port to', () => {
    expect(configError(() => plan('main')).message).toContain('is itself the trunk');
  });
});

describe('branches, markers and bodies', () => {
  it('names one branch per fix and target', () => {
    expect(backmergeBranchName('backmerge/', 'bd-a1b2', 'release/v1.3')).toBe('backmerge/bd-a1b2-to-release-v1.3');
    expect(backmergeBranchName('backmerge/', 'release/v1.2', 'main')).toBe('backmerge/release-v1.2-to-main');
  });

  it('refuses prefixes that would rewrite a release branch, or two targets on one branch', () => {
    const names = { source: 'release/v1.2', trunk: 'main', releaseBranchPattern: 'release/{line}' };
    const loose = { ...names, releaseBranchPattern: 'release/{line}*' };
    expect(configError(() => planBranches('release/', 'v1.4', ['main'], loose)).input).toBe('branch-prefix');
    expect(configError(() => planBranches('bm/', 'bd-1', ['main', 'bm/bd-1-to-main'], names)).input).toBe(
      'branch-prefix',
    );
    expect(configError(() => planBranches('bm/', 'bd-1', ['a/b', 'a-b'], names)).input).toBe('targets');
    expect(planBranches('backmerge/', 'bd-a1b2', ['main'], names).get('main')).toBe('backmerge/bd-a1b2-to-main');
  });

  it('round-trips the hidden marker', () => {
    const marker = { source: 'release/v1.2', target: 'main', strategy: 'merge' as const, sha: 'a'.repeat(40) };
    expect(parseMarker(`text\n\n${formatMarker(marker)}\n`)).toEqual(marker);
    expect(parseMarker('no marker')).toBeUndefined();
    expect(parseMarker(null)).toBeUndefined();
  });

  it('gives commands that name the target, the branch and the files (quoted when needed)', () => {
    const merge = mergeConflictCommands('main', 'backmerge/bd-a1b2-to-main', ['src/a.ts', "it's here.txt"]);
    expect(merge).toContain('git merge origin/main');
    expect(merge).toContain("git add src/a.ts 'it'\\''s here.txt'");
    const pick = cherryPickConflictCommands('backmerge/x-to-main', ['a'.repeat(40)], []);
    expect(pick).toContain(`git cherry-pick -x ${'a'.repeat(40)}`);
    expect(pick).toContain('git add --all');
  });

  it('writes a body with the ticket, the conflict section and the marker last', () => {
    const body = pullBody({
      strategy: 'merge',
      source: 'release/v1.2',
      target: 'main',
      branch: 'backmerge/bd-a1b2-to-main',
      sha: 'b'.repeat(40),
      ticket: 'bd-a1b2',
      conflict: { files: ['login.txt'], filesExact: false, commands: ['git merge origin/main'] },
    });
    expect(body).toContain('Ticket: bd-a1b2');
    expect(body).toContain('Files changed on both sides');
    expect(body).toContain('```sh\ngit merge origin/main\n```');
    expect(body.trim().endsWith('-->')).toBe(true);
  });
});

describe('lag, results and summary', () => {
  it('measures the forward-port lag to the last pull request', () => {
    const results = [
      { target: 'a', status: 'created' as const, at: '2026-01-01T10:30:00Z' },
      { target: 'b', status: 'up-to-date' as const },
      { target: 'c', status: 'exists' as const, at: '2026-01-01T12:00:00Z' },
    ];
    expect(forwardPortLag('2026-01-01T10:00:00Z', results)).toBe(7200);
    expect(forwardPortLag('2026-01-01T10:00:00Z', [{ target: 'b', status: 'up-to-date' }])).toBeUndefined();
    expect(forwardPortLag(undefined, results)).toBeUndefined();
    expect(formatLag(7260)).toBe('2h 1m');
    expect(formatLag(42)).toBe('42s');
  });

  it('lists results with null for what does not apply', () => {
    expect(JSON.parse(resultsJson([{ target: 'main', status: 'up-to-date' }]))).toEqual([
      { target: 'main', status: 'up-to-date', 'pr-number': null, 'pr-url': null, branch: null },
    ]);
  });

  it('draws the cascade and tabulates the targets', () => {
    const input = {
      source: 'release/v1.2',
      sourceSha: 'c'.repeat(40),
      strategy: 'merge' as const,
      ticket: 'bd-a1b2',
      dryRun: false,
      lagSeconds: 90,
      results: [
        { target: 'release/v1.3', status: 'conflict' as const, pullNumber: 1, pullUrl: 'https://x/1', files: ['a|b'] },
        { target: 'main', status: 'created' as const, pullNumber: 2, pullUrl: 'https://x/2' },
      ],
    };
    expect(cascadeDiagram(input)).toContain('s0 --> t1 --> t2');
    const summary = summaryMarkdown(input);
    expect(summary).toContain('### Back-merge of release/v1.2 (ccccccc)');
    expect(summary).toContain('forward-port lag: 1m');
    expect(summary).toContain('`a\\|b`');
    expect(summary).toContain('[#2](https://x/2)');
  });
});
