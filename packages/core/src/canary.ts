// canary-gate's decision core: pure functions from measurements to a promote / abort / inconclusive
// verdict, with the statistics of CONTEXT.md §5. The sampling (HTTP, Prometheus) lives in the action.
export * from './canary/types.js';
export * from './canary/sprt.js';
export * from './canary/sprt-exact.js';
export * from './canary/baseline.js';
export * from './canary/threshold.js';
export * from './canary/counters.js';
export * from './canary/policy.js';
export * from './canary/explain.js';
