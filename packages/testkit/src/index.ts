// Test-only tooling: never imported by an action's bundle.
export * from './sandbox.js';
export * from './harness.js';
export * from './api/index.js';
export * from './prometheus.js';
export * from './service.js';
export * from './beads.js';
export * from './receivers.js';
export * from './random.js';
export * from './composite.js';
export * from './net.js';
export * from './proxy.js';
