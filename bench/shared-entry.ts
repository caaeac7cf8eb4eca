// The shared-bundle experiment of the cold-start benchmark: every action in one bundle, as
// github/codeql-action ships its actions, with thin per-action entries calling `start(name)`. Each
// action's code is a chunk loaded by name, so libraries the actions share are stored once.
import { runAction } from '@hotfix-actions/core';

type ActionModule = { run(): Promise<void> };

const actions: Record<string, () => Promise<ActionModule>> = {
  'backmerge-pr': () => import('../actions/backmerge-pr/src/main.js'),
  'beads-sync': () => import('../actions/beads-sync/src/main.js'),
  'break-glass': () => import('../actions/break-glass/src/main.js'),
  'canary-gate': () => import('../actions/canary-gate/src/main.js'),
  'hotfix-plan': () => import('../actions/hotfix-plan/src/main.js'),
  notify: () => import('../actions/notify/src/main.js'),
  'quality-gates': () => import('../actions/quality-gates/src/main.js'),
  rollback: () => import('../actions/rollback/src/main.js'),
  'version-bump': () => import('../actions/version-bump/src/main.js'),
};

/** Runs one action of the shared bundle, as its own bundle's entry would. */
export async function start(name: string): Promise<void> {
  const load = actions[name];
  if (!load) throw new Error(`the shared bundle has no action "${name}"`);
  const { run } = await load();
  await runAction(run);
}
