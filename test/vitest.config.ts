import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Installs Debian packages the suite needs (Chromium, openssl, PostgreSQL) when missing, and starts a private
    // PostgreSQL for the run (SWITCHYARD_TEST_PG): npm test works on a fresh machine.
    globalSetup: ['test/global-setup.ts'],
    root: new URL('..', import.meta.url).pathname,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
