// @ts-check
/**
 * The bench's bare Next.js app (bench/run.ts builds and starts it): what the framework alone
 * costs, beside which the app's own numbers are read. Nothing of the app is in it.
 */

/** @type {import('next').NextConfig} */
module.exports = {
  poweredByHeader: false,
  serverExternalPackages: ['better-sqlite3', 'pg'],
};
