import { describe, expect, it } from 'vitest';
import { checkWorkflowSecurity, isTrustedAction } from '../cli/rules.js';
import { githubRepoOfRemote } from '../cli/check.js';

// The security rules of `hotfix check`, one planted violation at a time on an otherwise clean workflow.

const CHECKOUT = 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1';

function workflow(parts: { on?: string; permissions?: string | null; job?: string; steps?: string }): string {
  const permissions = parts.permissions === null ? '' : `permissions:\n${parts.permissions ?? '  contents: read'}\n`;
  return [
    'name: w',
    `on:\n${parts.on ?? '  push:'}`,
    permissions.trimEnd(),
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    parts.job ?? '',
    '    steps:',
    parts.steps ??
      `      - uses: ${CHECKOUT}\n        with:\n          persist-credentials: false\n      - run: echo hello`,
  ]
    .filter((line) => line !== '')
    .join('\n');
}

function rules(source: string, trusted: string[] = []): string[] {
  return checkWorkflowSecurity(source, { trusted }).map((f) => `${f.rule}@${f.line}`);
}

describe('checkWorkflowSecurity', () => {
  it('finds nothing in a clean workflow', () => {
    expect(rules(workflow({}))).toEqual([]);
  });

  it('S1: an expression inside run:, at its line, also in a block script', () => {
    const source = workflow({
      steps: `      - uses: ${CHECKOUT}\n        with:\n          persist-credentials: false\n      - run: |\n          echo start\n          echo "\${{ github.head_ref }}"`,
    });
    const findings = checkWorkflowSecurity(source);
    expect(findings.map((f) => f.rule)).toEqual(['S1']);
    expect(source.split('\n')[findings[0]!.line - 1]).toContain('${{ github.head_ref }}');
    expect(findings[0]!.message).toContain('VALUE: ${{ github.head_ref }}');
  });

  it('S3: no top-level permissions, write-all, or a write scope at the top', () => {
    expect(rules(workflow({ permissions: null }))).toEqual(['S3@1']);
    expect(rules(workflow({ permissions: '  contents: write' }))).toEqual(['S3@5']);
    expect(
      rules(workflow({ permissions: 'write-all' }).replace('permissions:\nwrite-all', 'permissions: write-all')),
    ).toEqual(['S3@4']);
    expect(
      rules(workflow({ permissions: 'read-all' }).replace('permissions:\nread-all', 'permissions: read-all')),
    ).toEqual([]);
    expect(rules(workflow({ job: '    permissions: write-all' }))).toEqual(['S3@9']);
  });

  it('S4: tags and branches are not pins, a SHA needs its version comment, docker images need a digest', () => {
    const step = (uses: string) =>
      workflow({
        steps: `      - uses: ${CHECKOUT}\n        with:\n          persist-credentials: false\n      - uses: ${uses}`,
      });
    expect(rules(step('acme/deploy@v2'))).toEqual(['S4@13']);
    expect(rules(step('acme/deploy@main'))).toEqual(['S4@13']);
    expect(rules(step('acme/deploy@0123456789abcdef0123456789abcdef01234567'))).toEqual(['S4@13']);
    expect(rules(step('acme/deploy@0123456789abcdef0123456789abcdef01234567 # v2.1.0'))).toEqual([]);
    expect(rules(step('docker://alpine:3.20'))).toEqual(['S4@13']);
    expect(
      rules(step('docker://alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000')),
    ).toEqual([]);
    expect(rules(step('./actions/local'))).toEqual([]);
    expect(rules(step('acme/deploy@v2'), ['acme'])).toEqual([]);
    expect(rules(step('acme/deploy@v2'), ['acme/other'])).toEqual(['S4@13']);
  });

  it('S5: pull_request_target and workflow_run triggers, in any form', () => {
    expect(rules(workflow({ on: '  pull_request_target:' }))).toEqual(['S5@3']);
    expect(rules(workflow({ on: '  workflow_run:\n    workflows: [ci]' }))).toEqual(['S5@3']);
    expect(rules(workflow({}).replace('on:\n  push:', 'on: [push, pull_request_target]'))).toEqual(['S5@2']);
  });

  it('S6: persisted credentials in a job that does not push; fine in one that does', () => {
    const persisted = `      - uses: ${CHECKOUT}\n      - run: echo hi`;
    expect(rules(workflow({ steps: persisted }))).toEqual(['S6@10']);
    expect(rules(workflow({ steps: persisted, job: '    permissions:\n      contents: write' }))).toEqual([]);
  });

  it('S6: secrets: inherit, and untrusted text written to GITHUB_ENV', () => {
    const caller = [
      'name: w',
      'on: push',
      'permissions: {}',
      'jobs:',
      '  call:',
      '    uses: ./.github/workflows/reusable.yml',
      '    secrets: inherit',
    ].join('\n');
    expect(rules(caller)).toEqual(['S6@7']);
    const envFile = workflow({
      steps: `      - env:\n          TITLE: \${{ github.event.pull_request.title }}\n        run: |\n          echo "title=$TITLE" >> "$GITHUB_ENV"`,
    });
    expect(rules(envFile)).toEqual(['S6@13']);
    const trustedEnv = workflow({
      steps: `      - env:\n          SHA: \${{ github.sha }}\n        run: echo "sha=$SHA" >> "$GITHUB_ENV"`,
    });
    expect(rules(trustedEnv)).toEqual([]);
  });

  it('leaves text that is not a workflow mapping to actionlint', () => {
    expect(checkWorkflowSecurity('on: [push\n')).toEqual([]);
    expect(checkWorkflowSecurity('- a list\n')).toEqual([]);
  });
});

describe('helpers', () => {
  it('isTrustedAction matches owners and repositories without regard to case', () => {
    expect(isTrustedAction('Acme/Tools/sub@v1', ['acme'])).toBe(true);
    expect(isTrustedAction('acme/tools@v1', ['acme/tools'])).toBe(true);
    expect(isTrustedAction('acme/tools@v1', ['acme/other'])).toBe(false);
    expect(isTrustedAction('evil/acme@v1', ['acme'])).toBe(false);
  });

  it('githubRepoOfRemote reads https, ssh and scp-like remotes, and nothing else', () => {
    expect(githubRepoOfRemote('https://github.com/acme/shop.git')).toBe('acme/shop');
    expect(githubRepoOfRemote('git@github.com:acme/shop.git\n')).toBe('acme/shop');
    expect(githubRepoOfRemote('ssh://git@github.com/acme/shop')).toBe('acme/shop');
    expect(githubRepoOfRemote('https://gitlab.com/acme/shop.git')).toBeUndefined();
  });
});
