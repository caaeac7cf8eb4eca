// The input parser, fuzzed in-process (hundreds of cases each; the bundle runs a sample of these in
// fuzz.test.ts), and the pure decisions: what an event means and where it names its tickets.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { isConfigurationError } from '@hotfix-actions/core';
import { deriveAutoTransition, ticketSources, ticketsFromSources } from '../src/event.js';
import { readInputs, validateLabel, validateTicketId, validateTitle } from '../src/inputs.js';

const ACTION = parseYaml(readFileSync(fileURLToPath(new URL('../action.yml', import.meta.url)), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
};
const INPUT_NAMES = Object.keys(ACTION.inputs);

/** Sets the inputs as the runner does: action.yml defaults, then the given values. */
function setInputs(values: Record<string, string>): void {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  for (const [name, spec] of Object.entries(ACTION.inputs)) {
    if (spec.default !== undefined) process.env[`INPUT_${name.toUpperCase()}`] = String(spec.default);
  }
  for (const [name, value] of Object.entries(values)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

afterEach(() => setInputs({}));

// Fragments an attacker (or a careless paste) puts in a workflow input.
const FRAGMENTS = [
  '$(touch /tmp/x)',
  '`id`',
  '; rm -rf /',
  '| cat /etc/passwd',
  '&& curl evil',
  '\n::error::injected',
  '%0A::warning::x',
  '\r',
  '\t',
  '"',
  "'",
  '\\',
  '--deps=blocks:bd-1',
  '-x',
  ' ',
  ',',
  'é',
  '😀',
  '<script>',
  '&',
  '\u2028',
  '\u0007',
  '\u007f',
  'bd-1e12',
  'a',
  'Z9',
  '.',
  ':',
  '/',
  '_',
  '-',
  '..',
  '\ud800',
];
const hostile = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 8 }).map((parts) => parts.join(''));
const anyText = fc.oneof(hostile, fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ maxLength: 600 }));
// Environment variables cannot carry NUL; everything else can reach an input.
const envText = anyText.map((text) => text.replace(/\0/g, ''));
const SHELL_META = /[\s$`;|&<>"'\\(){}*?!#~]/;

function expectConfigurationError(run: () => unknown, input: string): void {
  try {
    run();
  } catch (error) {
    expect(isConfigurationError(error), String(error)).toBe(true);
    expect((error as { input?: string }).input).toBe(input);
    expect((error as Error).message).toContain(`"${input}"`);
    return;
  }
  throw new Error('expected a ConfigurationError');
}

describe('input parser under fuzzing', () => {
  it('accepts a title only as one line of at most 500 bytes, kept exactly (600 cases)', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        let title: string;
        try {
          title = validateTitle(text);
        } catch (error) {
          expect(isConfigurationError(error) && (error as { input?: string }).input === 'title').toBe(true);
          return;
        }
        expect(title).toBe(text);
        expect(title.trim()).not.toBe('');
        // eslint-disable-next-line no-control-regex
        expect(/[\u0000-\u001f\u007f\u2028\u2029]/.test(title)).toBe(false);
        expect(Buffer.byteLength(title)).toBeLessThanOrEqual(500);
      }),
      { numRuns: 600 },
    );
  });

  it('accepts ticket ids and labels only in shapes no shell or flag parser can misread (1,000 cases)', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        for (const [validate, input] of [
          [validateTicketId, 'ticket'],
          [validateLabel, 'labels'],
        ] as const) {
          let value: string;
          try {
            value = validate(text);
          } catch (error) {
            expect((error as { input?: string }).input).toBe(input);
            continue;
          }
          expect(value).toBe(text);
          expect(SHELL_META.test(value)).toBe(false);
          expect(value.startsWith('-')).toBe(false);
          expect(value.includes(',')).toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('reads any combination of hostile inputs into valid settings or one ConfigurationError naming the input (800 cases)', () => {
    const names = [
      'transition',
      'ticket',
      'labels',
      'title',
      'description',
      'type',
      'priority',
      'depends-on',
      'external-ref',
      'reason',
      'path',
      'sync-branch',
      'notes',
      'context',
      'max-attempts',
      'push',
      'dry-run',
      'backend',
    ];
    const value = fc.oneof(
      envText,
      fc.constantFrom(
        'create',
        'start',
        'close',
        'auto',
        'bd-1e12',
        'discovered-from:bd-1e12',
        'P1',
        '3',
        'true',
        'bug',
        '.beads/issues.jsonl',
        'beads-sync',
      ),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), value, { maxKeys: 6 }), (values) => {
        setInputs(values);
        let inputs: ReturnType<typeof readInputs>;
        try {
          inputs = readInputs();
        } catch (error) {
          expect(isConfigurationError(error), String(error)).toBe(true);
          const input = (error as { input?: string }).input;
          expect(INPUT_NAMES).toContain(input);
          expect((error as Error).message).toContain(`"${input}"`);
          return;
        }
        for (const ticket of inputs.tickets) expect(validateTicketId(ticket)).toBe(ticket);
        for (const label of inputs.labels) expect(validateLabel(label)).toBe(label);
        if (inputs.title !== undefined) expect(validateTitle(inputs.title)).toBe(inputs.title);
        expect(inputs.path.startsWith('..') || inputs.path.startsWith('/')).toBe(false);
        expect(inputs.path.endsWith('.jsonl')).toBe(true);
        if (inputs.transition === 'create') expect(inputs.title).toBeDefined();
      }),
      { numRuns: 800 },
    );
  });

  it('names the input and the accepted shape in each refusal', () => {
    setInputs({ transition: 'create', title: 'Review', labels: 'ok,$(touch /tmp/x)' });
    expectConfigurationError(readInputs, 'labels');
    setInputs({ transition: 'start', ticket: 'bd-1e12; rm -rf /' });
    expectConfigurationError(readInputs, 'ticket');
    setInputs({ transition: 'create', title: 'line one\nline two' });
    expectConfigurationError(readInputs, 'title');
    setInputs({ transition: 'create' });
    expectConfigurationError(readInputs, 'title');
    setInputs({ transition: 'start', title: 'x' });
    expectConfigurationError(readInputs, 'title');
    setInputs({ transition: 'start', reason: 'why' });
    expectConfigurationError(readInputs, 'reason');
    setInputs({ transition: 'create', title: 'x', 'depends-on': 'blocked-by:bd-1e12' });
    expectConfigurationError(readInputs, 'depends-on');
    setInputs({ transition: 'create', title: 'x', 'depends-on': 'blocks:bd-1e12,discovered-from:bd-1e12' });
    expectConfigurationError(readInputs, 'depends-on');
    setInputs({ transition: 'start', path: '../elsewhere/issues.jsonl' });
    expectConfigurationError(readInputs, 'path');
    setInputs({ transition: 'start', 'sync-branch': 'refs/heads/x' });
    expectConfigurationError(readInputs, 'sync-branch');
    setInputs({ transition: 'start', priority: 'P5' });
    expectConfigurationError(readInputs, 'priority');
    setInputs({ transition: 'start', context: '{"tickets": "bd-1"}' });
    expectConfigurationError(readInputs, 'context');
  });

  it('reads a complete create request', () => {
    setInputs({
      transition: 'create',
      title: '  Post-incident review for bd-1e12  ',
      description: '\nWhat happened:\n  - a\n',
      type: 'task',
      priority: 'P1',
      labels: 'postmortem, hotfix,postmortem',
      'depends-on': 'discovered-from:bd-1e12\nblocks:bd-c3d4',
      'external-ref': 'gh-123',
    });
    expect(readInputs()).toMatchObject({
      transition: 'create',
      title: 'Post-incident review for bd-1e12',
      description: 'What happened:\n  - a',
      priority: 1,
      labels: ['postmortem', 'hotfix'],
      dependsOn: [
        { type: 'discovered-from', dependsOn: 'bd-1e12' },
        { type: 'blocks', dependsOn: 'bd-c3d4' },
      ],
      externalRef: 'gh-123',
      push: true,
      path: '.beads/issues.jsonl',
      maxAttempts: 10,
      failOnError: false,
    });
  });
});

describe('transition auto', () => {
  it('maps branch creation, merges and deployments, and nothing else', () => {
    const prefix = 'hotfix/';
    expect(deriveAutoTransition('create', { ref: 'hotfix/bd-a1b2-x', ref_type: 'branch' }, prefix).transition).toBe(
      'start',
    );
    expect(deriveAutoTransition('create', { ref: 'feature/x', ref_type: 'branch' }, prefix).transition).toBeUndefined();
    expect(deriveAutoTransition('create', { ref: 'v1.2.3', ref_type: 'tag' }, prefix).transition).toBeUndefined();
    expect(deriveAutoTransition('push', { ref: 'refs/heads/hotfix/bd-a1b2', created: true }, prefix).transition).toBe(
      'start',
    );
    expect(
      deriveAutoTransition('push', { ref: 'refs/heads/hotfix/bd-a1b2', created: false }, prefix).transition,
    ).toBeUndefined();
    const pr = { head: { ref: 'hotfix/bd-a1b2' }, title: 't' };
    expect(
      deriveAutoTransition('pull_request', { action: 'closed', pull_request: { ...pr, merged: true } }, prefix)
        .transition,
    ).toBe('merged');
    expect(
      deriveAutoTransition('pull_request', { action: 'closed', pull_request: { ...pr, merged: false } }, prefix)
        .transition,
    ).toBeUndefined();
    expect(
      deriveAutoTransition('pull_request', { action: 'opened', pull_request: pr }, prefix).transition,
    ).toBeUndefined();
    const production = deriveAutoTransition(
      'deployment_status',
      { deployment_status: { state: 'success', environment: 'production' } },
      prefix,
    );
    expect(production).toMatchObject({ transition: 'close', markDeployed: true });
    expect(
      deriveAutoTransition(
        'deployment_status',
        {
          deployment_status: { state: 'success', environment: 'eu-live' },
          deployment: { production_environment: true },
        },
        prefix,
      ).transition,
    ).toBe('close');
    expect(
      deriveAutoTransition(
        'deployment_status',
        { deployment_status: { state: 'success', environment: 'staging' } },
        prefix,
      ).transition,
    ).toBe('deployed');
    expect(
      deriveAutoTransition(
        'deployment_status',
        { deployment_status: { state: 'failure', environment: 'production' } },
        prefix,
      ).transition,
    ).toBeUndefined();
    expectConfigurationError(() => deriveAutoTransition('schedule', {}, prefix), 'transition');
  });

  it('takes tickets from branches and titles whole, from bodies and commits only after a closing keyword', () => {
    const sources = ticketSources(
      'pull_request',
      {
        pull_request: {
          head: { ref: 'hotfix/bd-a1b2-login' },
          title: 'hotfix(bd-c3d4): login loop',
          body: 'Resolves bd-e5f6. Related to bd-0000 and https://example.com/bd-9999.',
        },
        commits: [{ message: 'fix: x\n\nFixes bd-g7h8' }, { message: 'see bd-zzzz' }],
      },
      {},
    );
    expect(ticketsFromSources(sources, { prefixes: ['bd'] })).toEqual(['bd-a1b2', 'bd-c3d4', 'bd-e5f6', 'bd-g7h8']);
    const deployment = ticketSources(
      'deployment_status',
      { deployment: { ref: '0123456789abcdef0123456789abcdef01234567', description: 'bd-a1b2' } },
      {},
    );
    expect(ticketsFromSources(deployment, { prefixes: ['bd'] })).toEqual(['bd-a1b2']);
  });
});
