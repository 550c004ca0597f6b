import { defineConfig } from 'vitest/config';

/**
 * Integrations installed and run the way users run them (pre-commit, the
 * GitHub Action's steps, the image built by podman and run). They install
 * packages and take minutes, so
 * `npm test` leaves them out; `.ci/run` runs them once (`npm run test:integration`).
 */
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 900_000,
    pool: 'forks',
    fileParallelism: false,
    env: {
      NO_COLOR: '1',
      METADATA_SERVER_DETECTION: 'none',
      GCE_METADATA_HOST: '127.0.0.1:9',
    },
  },
});
