// Property tests explore random cases on developers' machines; in CI every run draws the same
// cases, so a submission's result does not depend on luck. FC_SEED reproduces a local failure.
import fc from 'fast-check';

const seed = process.env.FC_SEED ?? (process.env.CI ? '20261121' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
