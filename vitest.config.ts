import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'actions/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // GitHub's workflow parser imports its JSON schema without an import attribute, which Node 20
    // refuses; letting vite transform the package makes the import work.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
