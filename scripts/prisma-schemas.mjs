// @ts-check
// One source of truth for the data model (prisma/schema.prisma, SQLite), and the same models for
// PostgreSQL, derived from it: only the datasource provider and the client's output folder differ.
// The derived schema is written on use (it is build output, not source); both providers' clients
// are generated from these two files.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** @type {Provider[]} */
export const PROVIDERS = ['sqlite', 'postgresql'];
const SOURCE = path.join(ROOT, 'prisma/schema.prisma');

/** @typedef {'sqlite' | 'postgresql'} Provider */

/**
 * `file:` → sqlite; `postgres://` or `postgresql://` → postgresql.
 * @param {string | undefined} databaseUrl
 * @returns {Provider}
 */
export function providerOf(databaseUrl) {
  if (!databaseUrl || databaseUrl.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return 'postgresql';
  throw new Error(`DATABASE_URL must start with file: or postgresql:// (got ${databaseUrl.split(':')[0]}:...)`);
}

/**
 * The schema text for a provider.
 * @param {Provider} provider
 * @returns {string}
 */
export function schemaText(provider) {
  const source = readFileSync(SOURCE, 'utf8');
  if (provider === 'sqlite') return source;
  const derived = source
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/url\s*=\s*"file:[^"]*"/, 'url      = "postgresql://see-prisma-config"')
    .replace(
      /output\s*=\s*"\.\.\/lib\/db\/generated\/sqlite"/,
      'output          = "../../lib/db/generated/postgresql"',
    );
  if (derived === source || !derived.includes('generated/postgresql')) {
    throw new Error('prisma/schema.prisma no longer has the shape scripts/prisma-schemas.mjs derives from');
  }
  return `// Derived from prisma/schema.prisma by scripts/prisma-schemas.mjs. Do not edit.\n${derived}`;
}

/**
 * The path of a provider's schema file, written first when it is derived.
 * @param {Provider} provider
 * @returns {string}
 */
export function schemaPath(provider) {
  if (provider === 'sqlite') return 'prisma/schema.prisma';
  const file = path.join(ROOT, 'prisma/.generated', `${provider}.prisma`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, schemaText(provider));
  return path.relative(ROOT, file);
}

/**
 * @param {Provider} provider
 * @returns {string}
 */
export function migrationsPath(provider) {
  return `prisma/migrations/${provider}`;
}
