// Hostile inputs through the committed bundle (a sample; the parser takes hundreds of cases in
// inputs.test.ts): each run either writes the text exactly as given, as data, or stops with one
// ConfigurationError naming the input and leaves the remote untouched. Shell syntax in a title is
// never run: the sentinel file it would create must never appear.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beadsIssueOf, beadsLineDiff, createFakeBd, type FakeBd, type GitSandbox } from '@hotfix-actions/testkit';
import { isConfigurationError } from '@hotfix-actions/core';
import { validateLabel, validateText, validateTicketId, validateTitle } from '../src/inputs.js';
import { commitCount, explain, fixtureIssues, remoteTracker, runSync, seededTemplate } from './support.js';

const SENTINEL = join(tmpdir(), `beads-sync-fuzz-sentinel-${process.pid}`);
let sandbox: GitSandbox;
let workspace: string;
let bd: FakeBd;

beforeAll(async () => {
  await rm(SENTINEL, { force: true });
  sandbox = await seededTemplate();
  workspace = await sandbox.clone();
  bd = await createFakeBd({
    issues: ['bd-1e12', 'bd-1slh', 'bd-1hc40'].map((id) => beadsIssueOf(fixtureIssues(), id)!),
  });
});

afterAll(async () => {
  await Promise.all([sandbox?.cleanup(), bd?.cleanup()]);
  await rm(SENTINEL, { force: true });
});

const FRAGMENTS = [
  `$(touch ${SENTINEL})`,
  `\`touch ${SENTINEL}\``,
  `; touch ${SENTINEL}`,
  `| touch ${SENTINEL}`,
  `&& touch ${SENTINEL}`,
  '\n::error::injected',
  '%0A::warning::x',
  '"',
  "'",
  '\\',
  '--deps=blocks:bd-1e12',
  '-p',
  ' ',
  'é',
  '😀',
  '<b>&amp;</b>',
  '\u2028',
  '\t',
  'Fix',
  'login',
  'bd-1e12',
  ',',
];
const text = fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));

function accepted(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch (error) {
    if (!isConfigurationError(error)) throw error;
    return false;
  }
}

/** Exit 1 with exactly one annotation, naming one of the invalid inputs. */
function expectRefused(run: Awaited<ReturnType<typeof runSync>>, ...inputs: string[]): void {
  expect(run.exitCode, explain(run)).toBe(1);
  // Exactly one annotation: an input echoed into the log can never add a command of its own.
  expect(run.annotations, explain(run)).toHaveLength(1);
  const [annotation] = run.annotations;
  expect(annotation!.level).toBe('error');
  const input = inputs.find((name) => annotation!.title === `Configuration error for input "${name}"`);
  expect(input, explain(run)).toBeDefined();
  expect(annotation!.message).toContain(`"${input}"`);
}

describe('hostile inputs through the bundle', () => {
  it('creates tickets from hostile titles and labels only when valid, verbatim (16 runs)', async () => {
    const labels = fc.oneof(text, fc.constantFrom('hotfix', 'postmortem, emergency', 'area:api,v2.1.4', 'team@ops'));
    const cases = fc.sample(fc.record({ title: text, labels: fc.option(labels, { nil: undefined }) }), {
      numRuns: 16,
      seed: 4242,
    });
    let created = 0;
    for (const { title, labels } of cases) {
      const commits = await commitCount(sandbox, 'beads-sync');
      const before = commits > 0 ? await remoteTracker(sandbox, 'beads-sync') : fixtureIssues();
      const run = await runSync({
        workspace,
        inputs: { transition: 'create', title, ...(labels === undefined ? {} : { labels }) },
      });
      const trimmed = title.trim();
      const labelList = (labels ?? '')
        .split(/\r?\n|,/)
        .map((l) => l.trim())
        .filter(Boolean);
      const invalid = [
        ...(accepted(() => validateTitle(trimmed)) && trimmed !== '' ? [] : ['title']),
        ...(labelList.every((label) => accepted(() => validateLabel(label))) ? [] : ['labels']),
      ];
      if (invalid.length > 0) {
        expectRefused(run, ...invalid);
      } else {
        expect(run.exitCode, explain(run)).toBe(0);
        const after = await remoteTracker(sandbox, 'beads-sync');
        const diff = beadsLineDiff(before, after);
        expect(diff.inserted).toHaveLength(1);
        expect(diff.changed).toEqual([]);
        const issue = JSON.parse(diff.inserted[0]!.text) as { id: string; title: string };
        expect(issue.id).toBe(run.outputs.created);
        expect(issue.title).toBe(trimmed);
        created += 1;
        continue;
      }
      expect(await commitCount(sandbox, 'beads-sync')).toBe(commits);
    }
    // The sample holds both kinds: some titles written, some refused.
    expect(created).toBeGreaterThan(2);
    expect(created).toBeLessThan(cases.length);
    expect(existsSync(SENTINEL)).toBe(false);
  });

  it('refuses hostile ticket ids before touching anything (4 runs)', async () => {
    // Well-formed ids the tracker does not know only warn; nothing may be committed either way.
    const cases = fc.sample(fc.oneof(text, fc.constantFrom('bd-nope9', 'bd-nope9,bd-zz0')), { numRuns: 4, seed: 7 });
    for (const ticket of cases) {
      const commits = await commitCount(sandbox, 'beads-sync');
      const run = await runSync({ workspace, inputs: { transition: 'start', ticket } });
      const ids = ticket
        .split(/\r?\n|,/)
        .map((t) => t.trim())
        .filter(Boolean);
      if (ids.length > 0 && ids.every((id) => accepted(() => validateTicketId(id)))) {
        expect(run.exitCode, explain(run)).toBe(0);
      } else if (ids.length > 0) {
        expectRefused(run, 'ticket');
      }
      expect(await commitCount(sandbox, 'beads-sync')).toBe(commits);
    }
    expect(existsSync(SENTINEL)).toBe(false);
  });

  it('hands hostile text to bd as single arguments, never to a shell (6 runs)', async () => {
    const cases = fc.sample(text, { numRuns: 6, seed: 99 });
    const tickets = ['bd-1e12', 'bd-1slh', 'bd-1hc40'];
    const dolt = await seededTemplate({ metadata: JSON.stringify({ backend: 'dolt', database: 'dolt' }) });
    try {
      const doltWorkspace = await dolt.clone();
      for (const [index, value] of cases.entries()) {
        const env = { PATH: bd.pathEnv() };
        const trimmed = value.trim();
        if (index % 2 === 0) {
          const run = await runSync({ workspace: doltWorkspace, env, inputs: { transition: 'create', title: value } });
          if (trimmed !== '' && accepted(() => validateTitle(trimmed))) {
            expect(run.exitCode, explain(run)).toBe(0);
            expect((await bd.issues())[run.outputs.created!]?.title).toBe(trimmed);
          } else {
            expectRefused(run, 'title');
          }
          continue;
        }
        const ticket = tickets[(index - 1) / 2]!;
        const run = await runSync({
          workspace: doltWorkspace,
          env,
          inputs: { transition: 'close', ticket, reason: value },
        });
        if (trimmed === '' || accepted(() => validateText(trimmed, 'reason'))) {
          expect(run.exitCode, explain(run)).toBe(0);
          expect((await bd.issues())[ticket]).toMatchObject({
            status: 'closed',
            ...(trimmed ? { close_reason: trimmed } : {}),
          });
        } else {
          expectRefused(run, 'reason');
        }
      }
      expect((await bd.calls()).filter((call) => call.error)).toEqual([]);
      expect(existsSync(SENTINEL)).toBe(false);
    } finally {
      await dolt.cleanup();
    }
  });
});
