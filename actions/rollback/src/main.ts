import { finishPhase } from './finish.js';
import { planPhase } from './plan.js';

/** The phase this step runs, set by action.yml's steps (never by the user). */
export const PHASE_ENV = 'ROLLBACK_PHASE';

/** The action's entry: action.yml runs the bundle twice, as the `plan` step and as the `finish` step. */
export async function run(): Promise<void> {
  const phase = process.env[PHASE_ENV];
  if (phase === 'plan') return planPhase();
  if (phase === 'finish') return finishPhase();
  throw new Error(
    `${PHASE_ENV} is ${phase === undefined ? 'not set' : JSON.stringify(phase)}: this bundle is run by the steps of ` +
      'actions/rollback/action.yml (use the action with `uses:`), which set it to plan or finish.',
  );
}
