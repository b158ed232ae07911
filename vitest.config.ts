import path from 'node:path';
import { defineConfig } from 'vitest/config';

const databases = 'tests/helpers/setup-databases.ts';
const build = 'tests/helpers/setup-build.ts';

/**
 * Four projects, each with its own npm script; `vitest run` (npm test) runs them all.
 * - unit: lib/ and the repository's own rules, on real databases, with no build and no server;
 * - api: HTTP against `next start` (the production build), the attack catalogue, the migrations;
 * - faults: the database locked, gone, or the server killed mid-rotation;
 * - upgrade: sessions of the previous release, served by this one on the same database.
 */
export default defineConfig({
  resolve: {
    alias: {
      '@': path.resolve(import.meta.dirname),
      // Server modules say `import 'server-only'` (it throws outside React's server build); in
      // Node tests they are where they belong.
      'server-only': path.resolve(import.meta.dirname, 'node_modules/server-only/empty.js'),
    },
  },
  test: {
    environment: 'node',
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'lib/**/*.test.ts',
            'tests/architecture.test.ts',
            'tests/docs/**/*.test.ts',
            'tests/deploy/**/*.test.ts',
          ],
          globalSetup: [databases],
          testTimeout: 15_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'api',
          include: ['tests/api/**/*.test.ts', 'tests/adversarial/**/*.test.ts', 'tests/db/**/*.test.ts'],
          globalSetup: [databases, build],
          // Integration tests start real servers; give them room on a 2-core machine.
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          globalSetup: [databases, build],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'upgrade',
          include: ['tests/upgrade/**/*.test.ts'],
          globalSetup: [databases, build],
          // Building the previous release takes a minute or two the first time.
          testTimeout: 60_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
