import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BUNDLE_COVERAGE_ENV, runBundle, runComposite } from '../src/index.js';

// The coverage run (`npm test -- --coverage`) names a directory in BUNDLE_COVERAGE_ENV; the harness then
// measures every committed bundle it runs and keeps, per test process, one merged file of dist/ coverage.

const DIST_URL = pathToFileURL(join(import.meta.dirname, '../../../dist')).href + '/';

interface Dump {
  result: { url: string; functions: { functionName: string; ranges: { count: number }[] }[] }[];
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotfix-bundle-coverage-'));
  vi.stubEnv(BUNDLE_COVERAGE_ENV, dir);
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

function kept(): Dump[] {
  return readdirSync(dir).map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dump);
}

/** How often the bundle's top-level code ran: the count of its outermost function. */
function scriptRuns(dump: Dump, url: string): number | undefined {
  return dump.result.find((script) => script.url === url)?.functions.find((fn) => fn.functionName === '')?.ranges[0]
    ?.count;
}

describe('bundle coverage', () => {
  it('keeps one merged file of the dist/ scripts the runs executed, and nothing of Node’s internals', async () => {
    // No inputs: the action refuses at once, which is enough to load and run the bundle.
    const first = await runBundle({ bundle: 'quality-gates' });
    const second = await runBundle({ bundle: 'quality-gates' });
    expect([first.exitCode, second.exitCode]).toEqual([1, 1]);

    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^coverage-bundles-\d+-[0-9a-f]{8}\.json$/)]);
    const [dump] = kept();
    const urls = dump!.result.map((script) => script.url);
    expect(urls).toContain(`${DIST_URL}quality-gates/index.js`);
    expect(urls.every((url) => url.startsWith(DIST_URL))).toBe(true);
    // Merged, not appended: one entry per script, counting both runs.
    expect(new Set(urls).size).toBe(urls.length);
    expect(scriptRuns(dump!, `${DIST_URL}quality-gates/index.js`)).toBe(2);
  });

  it('measures the bundles a composite action’s steps run', async () => {
    // Without inputs the composite rollback stops in its first bundle step, dist/rollback.
    const run = await runComposite();
    expect(run.success).toBe(false);
    const urls = kept().flatMap((dump) => dump.result.map((script) => script.url));
    expect(urls).toContain(`${DIST_URL}rollback/index.js`);
  });

  it('measures nothing when no coverage directory is named', async () => {
    vi.stubEnv(BUNDLE_COVERAGE_ENV, '');
    vi.stubEnv('NODE_V8_COVERAGE', '');
    const run = await runBundle({ bundle: 'quality-gates' });
    expect(run.exitCode).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  });
});
