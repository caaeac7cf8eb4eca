// The demo's project: a small shop service with a history a hotfix meets in real life — `main`
// ahead with unreleased features, `release/v1.2` in production with its patch tags, and a Beads
// tracker committed on `main`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGitSandbox, runSandboxGit, type GitSandbox } from '@hotfix-actions/testkit';

/** The release line the demo hotfixes. */
export const DEMO_RELEASE_BRANCH = 'release/v1.2';
/** The version production runs when the demo starts. */
export const DEMO_RUNNING_TAG = 'v1.2.3';
/** Where the tracker's commits go (`sync-branch` of the fixture's config.yaml). */
export const DEMO_TRACKER_BRANCH = 'beads-sync';
/** The tracker fixture shipped with the demo (a handful of tickets, bd 0.27 JSONL). */
export const DEMO_BEADS_DIR = join(import.meta.dirname, 'fixture', '.beads');

/** What {@link buildDemoRepository} made. */
export interface DemoRepository {
  sandbox: GitSandbox;
  /** Release tags of the line, oldest first. */
  tags: string[];
  /** Commits on main that no release contains (the unreleased features). */
  unreleased: number;
}

const CART_BUGGY = `// Cart arithmetic of the shop service.
export function cartTotal(lines) {
  const cents = lines.reduce((sum, line) => sum + Math.round(line.price * 100) * line.quantity, 0);
  return cents / 100;
}
`;

const CART_TEST = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cartTotal } from '../src/cart.mjs';

test('adds the lines of a cart', () => {
  assert.equal(cartTotal([{ price: 2.5, quantity: 2 }, { price: 0.1, quantity: 3 }]), 5.3);
});

test('an empty cart costs nothing', () => {
  assert.equal(cartTotal([]), 0);
});
`;

const DISCOUNT = `// Discount codes of the shop service.
export function applyDiscount(total, percent) {
  return Math.round(total * (100 - percent)) / 100;
}
`;

const DISCOUNT_TEST = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDiscount } from '../src/discount.mjs';

test('takes a percentage off', () => {
  assert.equal(applyDiscount(80, 25), 60);
});
`;

const PACKAGE_JSON = `${JSON.stringify(
  { name: 'shop', private: true, type: 'module', scripts: { test: 'node --test' } },
  null,
  2,
)}\n`;

/** The fixture's files as `path → content` under `.beads/`. */
function beadsFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(DEMO_BEADS_DIR)) {
    files[`.beads/${name}`] = readFileSync(join(DEMO_BEADS_DIR, name), 'utf8');
  }
  files['.gitattributes'] = '.beads/issues.jsonl merge=beads\n';
  return files;
}

/**
 * Creates the sandbox (a bare `origin` and a working clone) with the demo project's history, every
 * branch and tag pushed. Dates are fixed, so the same run makes the same commits.
 */
export async function buildDemoRepository(parentDir?: string): Promise<DemoRepository> {
  const sandbox = await createGitSandbox({ initialCommit: false, ...(parentDir ? { parentDir } : {}) });
  const day = (n: number) => new Date(Date.UTC(2024, 9, 1 + n, 9, 0, 0));
  const on = (branch: string, n: number) => ({ branch, date: day(n) });

  await sandbox.commit(
    {
      'README.md': '# shop\n\nThe shop service: carts, discounts, checkout.\n',
      'package.json': PACKAGE_JSON,
      'src/cart.mjs': CART_BUGGY,
      'test/cart.test.mjs': CART_TEST,
      ...beadsFiles(),
    },
    'feat: cart totals in cents',
    on('main', 0),
  );
  await sandbox.commit(
    { 'src/discount.mjs': DISCOUNT, 'test/discount.test.mjs': DISCOUNT_TEST },
    'feat: discount codes',
    on('main', 1),
  );
  const tags: string[] = [];
  await sandbox.createBranch(DEMO_RELEASE_BRANCH);
  tags.push('v1.2.0');
  await sandbox.tag('v1.2.0', { message: 'Release v1.2.0' });

  const fixes: [string, string][] = [
    ['docs: release notes for 1.2.1 (bd-1f8)', 'Totals are rounded to the nearest cent (bd-1f8).\n'],
    ['chore: pin the payment client for 1.2.2', 'The payment client is pinned.\n'],
    ['docs: release notes for 1.2.3 (bd-c9w)', 'Confirmation e-mails show the currency of the order (bd-c9w).\n'],
  ];
  for (const [index, [message, note]] of fixes.entries()) {
    await sandbox.commit({ [`notes/1.2.${index + 1}.md`]: note }, message, on(DEMO_RELEASE_BRANCH, 3 + index * 9));
    const tag = `v1.2.${index + 1}`;
    tags.push(tag);
    await sandbox.tag(tag, { message: `Release ${tag}` });
  }

  // The trunk took the release fixes back and went on with features nobody may ship yet.
  await sandbox.checkout('main');
  const mergeDate = day(30).toISOString();
  await runSandboxGit(
    ['merge', '--quiet', '--no-ff', '-m', `Merge ${DEMO_RELEASE_BRANCH} into main`, DEMO_RELEASE_BRANCH],
    sandbox.work,
    {
      env: { GIT_AUTHOR_DATE: mergeDate, GIT_COMMITTER_DATE: mergeDate },
    },
  );
  const features: [string, Record<string, string>][] = [
    ['feat: gift cards at checkout (bd-3pk)', { 'src/giftcards.mjs': 'export const giftCardsEnabled = true;\n' }],
    [
      'feat: gift card balance endpoint (bd-3pk)',
      { 'src/balance.mjs': 'export const balanceEndpoint = "/balance";\n' },
    ],
    [
      'refactor: checkout flow behind a feature flag',
      { 'src/flags.mjs': 'export const flags = { giftCards: true };\n' },
    ],
  ];
  for (const [index, [message, files]] of features.entries()) {
    await sandbox.commit(files, message, on('main', 32 + index * 4));
  }
  await sandbox.push();
  return { sandbox, tags, unreleased: features.length };
}
