// The two hotfixes of the demo, stage by stage, as the seed process runs them.
import { DEMO_BAD_TAG } from './fleet.js';
import { DEMO_RELEASE_BRANCH, DEMO_RUNNING_TAG } from './repository.js';
import {
  backmerge,
  build,
  bumpVersion,
  canary,
  closeTicket,
  commitFixAndTest,
  createHotfixBranch,
  deployStaging,
  mergeHotfix,
  notify,
  productionHealth,
  promote,
  rollback,
  scheduleReview,
  startTicket,
  stagingHealth,
  triage,
  type HotfixState,
} from './stages.js';
import type { DemoWorld } from './world.js';

/** The ticket of hotfix A (in the demo's tracker fixture). */
export const TICKET_A = 'bd-7k2m';
/** The ticket of hotfix B. */
export const TICKET_B = 'bd-q4x9';

const CART_FIXED = `// Cart arithmetic of the shop service.
export function cartTotal(lines) {
  // The mobile app leaves out the quantity of a single item.
  const cents = lines.reduce((sum, line) => sum + Math.round(line.price * 100) * (line.quantity ?? 1), 0);
  return cents / 100;
}
`;

const CART_REGRESSION_TEST = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cartTotal } from '../src/cart.mjs';

// bd-7k2m: orders from the mobile app have lines without a quantity.
test('a line without a quantity counts once', () => {
  assert.equal(cartTotal([{ price: 4.2 }, { price: 1, quantity: 2 }]), 6.2);
});
`;

const DISCOUNT_FIXED = `// Discount codes of the shop service.
const applied = new Set();

export function applyDiscount(total, percent) {
  return Math.round(total * (100 - percent)) / 100;
}

// A retried payment must not take the discount off twice.
export function applyDiscountOnce(orderId, total, percent) {
  if (applied.has(orderId)) return total;
  applied.add(orderId);
  return applyDiscount(total, percent);
}
`;

const DISCOUNT_REGRESSION_TEST = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDiscountOnce } from '../src/discount.mjs';

// bd-q4x9: the payment provider retries, the discount must apply once.
test('a retried payment keeps a single discount', () => {
  const once = applyDiscountOnce('order-1', 80, 25);
  assert.equal(once, 60);
  assert.equal(applyDiscountOnce('order-1', once, 25), 60);
});
`;

/** Puts v1.2.3 in production and staging, recorded as successful deployments (the history a rollback reads). */
export async function seedProduction(world: DemoWorld): Promise<void> {
  for (const environment of ['staging', 'production'] as const) {
    const id = await world.github.createDeployment(DEMO_RUNNING_TAG, environment, `${DEMO_RUNNING_TAG}`, {
      version: DEMO_RUNNING_TAG.slice(1),
      tag: DEMO_RUNNING_TAG,
    });
    await world.github.setDeploymentState(id, 'in_progress', `deploying ${DEMO_RUNNING_TAG}`);
    await world.fleet.deploy(environment, DEMO_RUNNING_TAG);
    await world.github.setDeploymentState(
      id,
      'success',
      `${DEMO_RUNNING_TAG} healthy`,
      world.fleet.healthUrl(environment),
    );
  }
}

/** A stage runner bound to a scenario. */
function stager(world: DemoWorld, scenario: 'A' | 'B') {
  return (stage: string, step: string, run: Parameters<DemoWorld['timeline']['stage']>[3]) =>
    world.timeline.stage(scenario, stage, step, run);
}

/** Hotfix A: the good fix, from triage to the back-merge pull request. Its state joins `hotfixes` first. */
export async function hotfixA(world: DemoWorld, hotfixes: HotfixState[]): Promise<HotfixState> {
  const hotfix: HotfixState = { scenario: 'A', ticket: TICKET_A, branch: `hotfix/${TICKET_A}-cart-quantity` };
  hotfixes.push(hotfix);
  const stage = stager(world, 'A');
  await stage('triage', 'hotfix-plan', () =>
    triage(world, hotfix, { severity: 'P1', labels: 'hotfix,production', description: 'cart quantity' }),
  );
  await stage('branch', 'git', () => createHotfixBranch(world, hotfix));
  await stage('ticket', 'beads-sync', () => startTicket(world, hotfix));
  await stage('notify', 'notify', () =>
    notify(world, hotfix, {
      event: 'hotfix-start',
      decision: 'release-first',
      message: 'Checkout refuses mobile orders; fixing on release/v1.2.',
    }),
  );
  await stage('1 tests', 'node --test', () =>
    commitFixAndTest(
      world,
      hotfix,
      { 'src/cart.mjs': CART_FIXED, 'test/cart-quantity.test.mjs': CART_REGRESSION_TEST },
      `hotfix(${TICKET_A}): count a cart line without quantity once\n\nResolves ${TICKET_A}\n\nRoot cause: the mobile app omits the quantity of single items.\nRegression test: test/cart-quantity.test.mjs\n`,
    ),
  );
  await stage('PR → release', 'pull request', () =>
    mergeHotfix(world, hotfix, `hotfix(${TICKET_A}): checkout total is NaN for lines without quantity`),
  );
  await stage('2 version bump', 'version-bump', () => bumpVersion(world, hotfix, 'v1.2.4'));
  await stage('3 build', 'build', async () => build(hotfix));
  await stage('4 staging deploy', 'deploy', () => deployStaging(world, hotfix));
  await stage('5 staging health', 'canary-gate', () => stagingHealth(world, hotfix));
  await stage('notify', 'notify', () =>
    notify(world, hotfix, {
      event: 'pre-deploy',
      environment: 'production',
      message:
        'Canary beside v1.2.3, promoted or aborted by a sequential test (0.01 vs 0.05 error rate, α = β = 0.05).',
    }),
  );
  await stage('6 canary', 'canary-gate', () => canary(world, hotfix, 'promote'));
  await stage('promote', 'deploy', () => promote(world, hotfix));
  await stage('7 production health', 'canary-gate', () => productionHealth(world, hotfix));
  await stage('ticket', 'beads-sync', () => closeTicket(world, hotfix));
  await stage('9 back-merge', 'backmerge-pr', () => backmerge(world, hotfix));
  await stage('notify', 'notify', () =>
    notify(world, hotfix, {
      event: 'post-deploy',
      status: 'success',
      environment: 'production',
      decision: `canary ${hotfix.canary?.decision ?? '?'}`,
      message: hotfix.canary?.explanation ?? '',
      comment: hotfix.pull!,
    }),
  );
  return hotfix;
}

/** Hotfix B: a second fix that fails its canary and is rolled back. Its state joins `hotfixes` first. */
export async function hotfixB(world: DemoWorld, hotfixes: HotfixState[]): Promise<HotfixState> {
  const hotfix: HotfixState = { scenario: 'B', ticket: TICKET_B, branch: `hotfix/${TICKET_B}-discount-retry` };
  hotfixes.push(hotfix);
  const stage = stager(world, 'B');
  await stage('triage', 'hotfix-plan', () =>
    triage(world, hotfix, { severity: 'P1', labels: 'hotfix,production', description: 'discount retry' }),
  );
  await stage('branch', 'git', () => createHotfixBranch(world, hotfix));
  await stage('ticket', 'beads-sync', () => startTicket(world, hotfix));
  await stage('notify', 'notify', () =>
    notify(world, hotfix, {
      event: 'hotfix-start',
      decision: 'release-first',
      message: 'Retried payments get the discount twice.',
    }),
  );
  await stage('1 tests', 'node --test', () =>
    commitFixAndTest(
      world,
      hotfix,
      { 'src/discount.mjs': DISCOUNT_FIXED, 'test/discount-retry.test.mjs': DISCOUNT_REGRESSION_TEST },
      `hotfix(${TICKET_B}): apply a discount once per order\n\nResolves ${TICKET_B}\n\nRoot cause: payment retries re-ran the discount.\nRegression test: test/discount-retry.test.mjs\n`,
    ),
  );
  await stage('PR → release', 'pull request', () =>
    mergeHotfix(world, hotfix, `hotfix(${TICKET_B}): discount applied twice on a retried payment`),
  );
  await stage('2 version bump', 'version-bump', () => bumpVersion(world, hotfix, DEMO_BAD_TAG));
  await stage('3 build', 'build', async () => build(hotfix));
  await stage('4 staging deploy', 'deploy', () => deployStaging(world, hotfix));
  await stage('5 staging health', 'canary-gate', () => stagingHealth(world, hotfix));
  await stage('6 canary', 'canary-gate', () => canary(world, hotfix, 'abort'));
  const rolledBack = await stage('8 rollback', 'rollback', () => rollback(world, hotfix));
  const regression = String(rolledBack.data?.regressionTicket ?? '');
  await stage('review', 'beads-sync', () => scheduleReview(world, hotfix, regression));
  await stage('notify', 'notify', () =>
    notify(world, hotfix, {
      event: 'rollback',
      status: 'success',
      version: hotfix.previousTag!,
      environment: 'production',
      decision: `canary ${hotfix.canary?.decision ?? '?'}`,
      message: `${hotfix.canary?.explanation ?? ''} Production is back on ${hotfix.previousTag}; the P0 regression ${regression} is blocked by ${TICKET_B}, its post-incident review is scheduled.`,
      comment: hotfix.pull!,
    }),
  );
  return hotfix;
}

/** The release branch the scenarios work on (for the report). */
export const SCENARIO_BRANCH = DEMO_RELEASE_BRANCH;
