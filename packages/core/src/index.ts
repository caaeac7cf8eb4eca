// The public API of @hotfix-actions/core. Each module is one concern; see its JSDoc.
export * from './errors.js';
export * from './exec.js';
export * from './refname.js';
export * from './inputs.js';
export * from './run.js';
export * from './versions.js';
export * from './tickets.js';
export * from './summary.js';
export * from './context.js';
export * from './git.js';
export * from './github.js';
export * from './github-errors.js';
export * from './canary.js';
export * from './beads/index.js';
export * from './tagging.js';
export * from './plan.js';
export * from './rollback.js';
