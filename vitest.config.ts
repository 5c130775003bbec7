import { defineConfig } from 'vitest/config';

/** Each workspace package is a vitest project named after its package; tests run on `src` via the `@cnn/source` condition. */
const projects = ['backend', 'data', 'augment', 'layers', 'models', 'metrics', 'train'].map((name) => ({
  extends: true as const,
  test: { name: `@cnn/${name}`, root: `packages/${name}`, include: ['src/**/*.test.ts'] },
}));

export default defineConfig({
  resolve: { conditions: ['@cnn/source', 'module', 'node', 'import', 'default'] },
  ssr: { resolve: { conditions: ['@cnn/source', 'node', 'import', 'default'], externalConditions: ['@cnn/source'] } },
  test: {
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      ...projects,
      { extends: true, test: { name: '@cnn/app-fashion-mnist', root: 'apps/fashion-mnist', include: ['src/**/*.test.ts'] } },
      { extends: true, test: { name: '@cnn/tools', root: 'tools', include: ['**/*.test.ts'], exclude: ['**/node_modules/**'] } },
    ],
  },
});
