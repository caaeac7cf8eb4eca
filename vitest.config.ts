import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'actions/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    setupFiles: ['test/setup.ts'],
    // GitHub's workflow parser imports its JSON schema without an import attribute, which Node 20
    // refuses; letting vite transform the package makes the import work.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
    // Off unless asked for: measuring slows every run. `npm run coverage` (`npm test -- --coverage`) also
    // counts the committed bundles' runs in child processes, which `vitest run --coverage` alone cannot
    // see; scripts/coverage-merge.mjs reads include, exclude and reporter from here.
    coverage: {
      provider: 'v8',
      // json: coverage-final.json, the raw result the bundle runs' coverage is added to.
      reporter: ['text-summary', 'json-summary', 'json', 'lcov'],
      reportsDirectory: 'coverage',
      // The product: the shared library and the actions. Tests are outside these folders already.
      include: ['packages/*/src/**/*.ts', 'actions/*/src/**/*.ts'],
      exclude: [
        // Test-only tooling (git sandboxes, the GitHub API stand-in, the runner harness): how much of the
        // harness the tests happen to use says nothing about how well the product is tested.
        'packages/testkit/**',
        // Entry points: one `await runAction(run)` that only runs inside the bundle (importing it would run
        // the action); run() itself is measured.
        'actions/*/src/index.ts',
        // Type declarations hold no code.
        '**/*.d.ts',
      ],
      // A failing test already fails the run; the report still shows where coverage stands.
      reportOnFailure: true,
    },
  },
});
