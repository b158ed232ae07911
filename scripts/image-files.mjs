#!/usr/bin/env node
// @ts-check
// Assembles what the image runs (the Dockerfile's build stage calls it after a standalone build):
//   node scripts/image-files.mjs OUT
// OUT gets Next.js's traced server (.next/standalone: server.js, the server build and only the
// node_modules files it loads), the static assets, and what the start script needs before the
// server exists: the Prisma CLI that applies migrations, its config and schema, the request guard.
// Nothing else: no build tools, no dev or build-only packages, no other platform's binaries.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './prisma-schemas.mjs';

const out = path.resolve(process.argv[2] ?? '');
if (!process.argv[2]) {
  console.error('usage: node scripts/image-files.mjs OUT');
  process.exit(2);
}
const standalone = path.join(ROOT, '.next/standalone');
if (!existsSync(path.join(standalone, 'server.js'))) {
  console.error('no .next/standalone/server.js: build with NEXT_OUTPUT=standalone npm run build first');
  process.exit(1);
}

/** What `prisma migrate deploy` and the start script load, outside the server's own trace. */
const START_PACKAGES = [
  'prisma',
  '@prisma/adapter-better-sqlite3',
  '@prisma/adapter-pg',
  'better-sqlite3',
  'pg',
  '@next/env',
];

/**
 * Files in those packages that migrations never load: the CLI's client generator and query
 * engines (it only runs the schema engine here), sources, type declarations and ES-module twins.
 */
const NOT_NEEDED = [
  'prisma/prisma-client',
  'prisma/build/public',
  'effect/src',
  'effect/dist/esm',
  'effect/dist/dts',
  'better-sqlite3/deps',
  'better-sqlite3/src',
  'better-sqlite3/build/Release/obj',
  'better-sqlite3/build/Release/obj.target',
  'better-sqlite3/build/Release/.deps',
  'better-sqlite3/build/deps',
];
const NOT_NEEDED_IN_PRISMA_BUILD = /^query_(compiler|engine)_bg\..*\.wasm$/;
/**
 * Files of Prisma's client runtime the server never loads (the trace takes the whole folder): the
 * query engines and compilers of databases this app does not speak, the engine-based and edge
 * runtimes, ES-module twins and type declarations. The generated clients load `client.js` and
 * their provider's `query_compiler_bg.*` only.
 */
const NOT_NEEDED_IN_CLIENT_RUNTIME =
  /(\.mjs$|\.d\.[cm]?ts$|mysql|sqlserver|cockroachdb|^query_engine|edge|^react-native|^library|^binary|^index-browser)/;
/** Image optimisation's native library: this app serves no next/image. */
const NOT_NEEDED_IN_SERVER = ['@img', 'sharp'];

/**
 * A package and every package it depends on, as folders under node_modules (npm's flat layout).
 * @param {string[]} names
 */
function closure(names) {
  /** @type {Set<string>} */
  const seen = new Set();
  /** @param {string} name */
  const visit = (name) => {
    if (seen.has(name)) return;
    const manifest = path.join(ROOT, 'node_modules', name, 'package.json');
    if (!existsSync(manifest)) return; // an optional dependency not installed on this platform
    seen.add(name);
    const parsed = /** @type {unknown} */ (JSON.parse(readFileSync(manifest, 'utf8')));
    const { dependencies = {}, optionalDependencies = {} } =
      /** @type {{ dependencies?: Record<string, string>, optionalDependencies?: Record<string, string> }} */ (parsed);
    for (const dependency of Object.keys({ ...dependencies, ...optionalDependencies })) visit(dependency);
  };
  names.forEach(visit);
  return [...seen].sort();
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// Symlinks are copied as they are: the server build links its external packages
// (.next/node_modules/<name>-<hash> → ../../node_modules/<name>) relative to itself, and the image
// puts the copy somewhere else.
cpSync(standalone, out, { recursive: true, verbatimSymlinks: true });
cpSync(path.join(ROOT, '.next/static'), path.join(out, '.next/static'), { recursive: true, verbatimSymlinks: true });
if (existsSync(path.join(ROOT, 'public')))
  cpSync(path.join(ROOT, 'public'), path.join(out, 'public'), { recursive: true, verbatimSymlinks: true });

for (const name of closure(START_PACKAGES)) {
  cpSync(path.join(ROOT, 'node_modules', name), path.join(out, 'node_modules', name), {
    recursive: true,
    verbatimSymlinks: true,
  });
}
for (const relative of NOT_NEEDED) rmSync(path.join(out, 'node_modules', relative), { recursive: true, force: true });
const prismaBuild = path.join(out, 'node_modules/prisma/build');
for (const file of existsSync(prismaBuild) ? readdirSync(prismaBuild) : []) {
  if (NOT_NEEDED_IN_PRISMA_BUILD.test(file)) rmSync(path.join(prismaBuild, file));
}

const clientRuntime = path.join(out, 'node_modules/@prisma/client/runtime');
for (const file of readdirSync(clientRuntime)) {
  if (NOT_NEEDED_IN_CLIENT_RUNTIME.test(file)) rmSync(path.join(clientRuntime, file));
}
for (const name of NOT_NEEDED_IN_SERVER) rmSync(path.join(out, 'node_modules', name), { recursive: true, force: true });

// The start script and what it runs before the server: migrations (the CLI, its config and the
// schema), the request guard, the health check and the backup command.
const START_FILES = [
  'package.json',
  'prisma.config.ts',
  'next.config.js',
  'prisma',
  'scripts',
  'lib/db/location.ts',
  'lib/db/postgres-migration-adapter.ts',
  'lib/db/store.ts',
  'lib/preload',
];
for (const relative of START_FILES)
  cpSync(path.join(ROOT, relative), path.join(out, relative), { recursive: true, verbatimSymlinks: true });
rmSync(path.join(out, 'prisma/.generated'), { recursive: true, force: true });
console.log(`image files assembled in ${out}`);
