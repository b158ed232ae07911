/**
 * The layers, as the import graph shows them (CONTRIBUTING.md "Layers"):
 * - lib/api (the wire contract) is a leaf the browser can load; lib/client (the browser) imports
 *   only itself, lib/api and React; client components in app/ import only client-safe modules;
 * - every server module says `import 'server-only'`, so a page that pulled one in fails the build;
 * - lib/auth knows nothing of HTTP, Next.js or the wiring; lib/db nothing of the rest of the app;
 * - nothing outside the composition root looks the app up; no two rooms import each other.
 * Each rule is a function of the files, tried here on the real tree and on a tree that breaks it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/paths';

type Tree = Map<string, string>; // path relative to ROOT → source

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const relative = path.posix.join(dir, name);
    if (name === 'generated' || name === 'node_modules') return [];
    if (statSync(path.join(ROOT, relative)).isDirectory()) return sourceFiles(relative);
    return /\.(ts|tsx|cjs)$/.test(name) && !/\.test\.tsx?$/.test(name) && !/\.d\.c?ts$/.test(name) ? [relative] : [];
  });
}

const TREE: Tree = new Map(
  [...sourceFiles('lib'), ...sourceFiles('app'), 'middleware.ts', 'instrumentation.ts'].map((file) => [
    file,
    readFileSync(path.join(ROOT, file), 'utf8'),
  ]),
);

function importsOf(source: string): string[] {
  return [
    ...source.matchAll(
      /(?:^|\n)\s*(?:import|export)[^'";]*?from\s*'([^']+)'|import\s*\(?\s*'([^']+)'|require\(\s*'([^']+)'/g,
    ),
  ].map((match) => (match[1] ?? match[2] ?? match[3])!);
}

/** An import as a path relative to ROOT (lib/x/y), or the package name. */
function target(file: string, specifier: string): string {
  if (specifier.startsWith('@/')) return specifier.slice(2);
  if (specifier.startsWith('.')) return path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  return specifier;
}

/** The room a file or import target is in: lib/<folder>, lib/<file>.ts, app, middleware.ts... */
function roomOf(target: string): string {
  const parts = target.split('/');
  if (parts[0] === 'lib') {
    const second = parts[1] ?? '';
    if (parts.length > 2) return `lib/${second}`;
    const asFolder = path.join(ROOT, 'lib', second);
    if (existsSync(asFolder) && statSync(asFolder).isDirectory()) return `lib/${second}`;
    return `lib/${second.replace(/\.(ts|tsx|cjs)$/, '')}.ts`;
  }
  if (parts[0] === 'app') return 'app';
  return target;
}

const isLocal = (t: string) => /^(lib|app|bench|tests)\//.test(t) || t === 'middleware.ts';

type Violation = string;

const SERVER_ROOMS = [
  'lib/auth',
  'lib/db',
  'lib/users',
  'lib/audit',
  'lib/mail',
  'lib/metrics',
  'lib/server',
  'lib/edge',
  'lib/http',
  'lib/config.ts',
  'lib/log.ts',
  'lib/ids.ts',
  'lib/errors.ts',
];
/**
 * Loaded outside any bundler too, so they cannot say server-only: by the Prisma CLI's
 * configuration (the database's location and migration adapter), and by the browser tests'
 * token forger (the token format, which holds no secret).
 */
const CLI_SHARED = new Set(['lib/db/location.ts', 'lib/db/postgres-migration-adapter.ts', 'lib/auth/token-format.ts']);
const CLIENT_SAFE_ROOMS = new Set(['lib/api', 'lib/client']);
const CLIENT_PACKAGES = new Set(['react', 'swr', 'next/navigation', 'next/link', 'zod', '@simplewebauthn/browser']);

function isClientComponent(source: string): boolean {
  return /^\s*['"]use client['"]/.test(source);
}

const RULES: Record<string, (tree: Tree) => Violation[]> = {
  'lib/api is a leaf the browser can load: zod and itself only': (tree) =>
    [...tree].flatMap(([file, source]) =>
      file.startsWith('lib/api/')
        ? importsOf(source)
            .map((s) => target(file, s))
            .filter((t) => t !== 'zod' && roomOf(t) !== 'lib/api')
            .map((t) => `${file} imports ${t}`)
        : [],
    ),

  // The WebAuthn browser library, for the passkey prompts (loaded only when one is asked for).
  'lib/client imports only itself, lib/api, React and the WebAuthn browser library': (tree) =>
    [...tree].flatMap(([file, source]) =>
      file.startsWith('lib/client/')
        ? importsOf(source)
            .map((s) => target(file, s))
            .filter(
              (t) =>
                !(isLocal(t) ? CLIENT_SAFE_ROOMS.has(roomOf(t)) : t === 'react' || t === '@simplewebauthn/browser'),
            )
            .map((t) => `${file} imports ${t}`)
        : [],
    ),

  'client components in app/ import only client-safe modules': (tree) =>
    [...tree].flatMap(([file, source]) =>
      file.startsWith('app/') && isClientComponent(source)
        ? importsOf(source)
            .map((s) => target(file, s))
            .filter((t) => {
              if (!isLocal(t)) return !CLIENT_PACKAGES.has(t) && !t.endsWith('.css');
              if (roomOf(t) === 'app') return !isClientSafeAppModule(tree, t);
              return !CLIENT_SAFE_ROOMS.has(roomOf(t));
            })
            .map((t) => `${file} imports ${t}`)
        : [],
    ),

  "every server module says import 'server-only'": (tree) =>
    [...tree]
      .filter(([file]) => SERVER_ROOMS.includes(roomOf(file)) && /\.tsx?$/.test(file) && !CLI_SHARED.has(file))
      .filter(([, source]) => !source.includes("import 'server-only';"))
      .map(([file]) => `${file} is not marked server-only`),

  'lib/auth knows nothing of HTTP, Next.js, the browser or the wiring': (tree) =>
    [...tree].flatMap(([file, source]) =>
      file.startsWith('lib/auth/')
        ? importsOf(source)
            .map((s) => target(file, s))
            .filter(
              (t) =>
                /^next(\/|$)/.test(t) ||
                ['lib/http', 'lib/edge', 'lib/server', 'lib/client', 'lib/preload'].includes(roomOf(t)),
            )
            .map((t) => `${file} imports ${t}`)
        : [],
    ),

  'lib/db imports nothing of the app but the error table': (tree) =>
    [...tree].flatMap(([file, source]) =>
      file.startsWith('lib/db/')
        ? importsOf(source)
            .map((s) => target(file, s))
            .filter((t) => isLocal(t) && !['lib/db', 'lib/errors.ts'].includes(roomOf(t)))
            .map((t) => `${file} imports ${t}`)
        : [],
    ),

  'only the composition root looks the app up; no global getter anywhere else': (tree) =>
    [...tree].flatMap(([file, source]) => {
      const found: Violation[] = [];
      const lookups = ['lib/server/routes.ts', 'lib/server/pages.ts', 'middleware.ts'];
      if (/\bprocessApp\(/.test(source.replace(/export function processApp\(/, '')) && !lookups.includes(file)) {
        found.push(`${file} calls processApp()`);
      }
      if (
        /(?<![.\w])get(Config|Store|AuthDeps|Database|TokenService|RevocationFeed|AccessProofs|RefreshLimiter)\(/.test(
          source,
        )
      ) {
        found.push(`${file} calls a global getter`);
      }
      // globalThis holds what must be one per process across Next.js bundles: the App (one key),
      // the request guard's flag and the AppError brand. Nothing else may hide state there.
      const allowed = [
        'lib/server/process-app.ts',
        'lib/http/client-info.ts',
        'lib/errors.ts',
        'lib/preload/request-guard.cjs',
      ];
      if (/\bglobalThis\s*(as\b|\[)/.test(source) && !allowed.includes(file))
        found.push(`${file} keeps state on globalThis`);
      return found;
    }),

  'no two rooms import each other, directly or through others': (tree) => {
    const graph = new Map<string, Set<string>>();
    for (const [file, source] of tree) {
      const from = roomOf(file);
      const edges = graph.get(from) ?? new Set<string>();
      graph.set(from, edges);
      for (const specifier of importsOf(source)) {
        const t = target(file, specifier);
        if (isLocal(t) && roomOf(t) !== from) edges.add(roomOf(t));
      }
    }
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      [...(graph.get(from) ?? [])].some(
        (next) => next === to || (!seen.has(next) && (seen.add(next), reaches(next, to, seen))),
      );
    return [...graph.keys()].filter((room) => reaches(room, room)).map((room) => `${room} is in a cycle`);
  },
};

/** A module of app/ a client component may import: itself client-side, or free of imports that are not. */
function isClientSafeAppModule(tree: Tree, t: string): boolean {
  const file = ['.ts', '.tsx', '/index.ts'].map((ext) => `${t}${ext}`).find((candidate) => tree.has(candidate));
  if (!file) return false;
  return importsOf(tree.get(file)!).every((s) => {
    const imported = target(file, s);
    return isLocal(imported)
      ? CLIENT_SAFE_ROOMS.has(roomOf(imported)) || roomOf(imported) === 'app'
      : CLIENT_PACKAGES.has(imported);
  });
}

/** A tree that breaks each rule once. */
const BROKEN: Record<string, Tree> = {
  'lib/api is a leaf the browser can load: zod and itself only': new Map([
    ['lib/api/x.ts', "import { log } from '../log';"],
  ]),
  'lib/client imports only itself, lib/api, React and the WebAuthn browser library': new Map([
    ['lib/client/x.ts', "import { createHash } from 'node:crypto';\nimport { AppError } from '../errors';"],
  ]),
  'client components in app/ import only client-safe modules': new Map([
    ['app/dashboard/x/page.tsx', "'use client';\nimport { processApp } from '@/lib/server/process-app';"],
  ]),
  "every server module says import 'server-only'": new Map([['lib/auth/x.ts', "import { z } from 'zod';"]]),
  'lib/auth knows nothing of HTTP, Next.js, the browser or the wiring': new Map([
    [
      'lib/auth/x.ts',
      "import 'server-only';\nimport { NextResponse } from 'next/server';\nimport { jsonResponse } from '../http/problem';",
    ],
  ]),
  'lib/db imports nothing of the app but the error table': new Map([['lib/db/x.ts', "import { log } from '../log';"]]),
  'only the composition root looks the app up; no global getter anywhere else': new Map([
    ['app/api/x/route.ts', "import { processApp } from '@/lib/server/process-app';\nconst app = processApp();"],
    ['lib/http/x.ts', 'const cache = (globalThis as any)[Symbol.for("x")];'],
  ]),
  'no two rooms import each other, directly or through others': new Map([
    ['lib/users/x.ts', "import { y } from '../auth/y';"],
    ['lib/auth/y.ts', "import { x } from '../users/x';"],
  ]),
};

describe('the architecture', () => {
  for (const [rule, check] of Object.entries(RULES)) {
    it(`holds: ${rule}`, () => {
      expect(check(TREE)).toEqual([]);
    });
    it(`catches a tree that breaks it: ${rule}`, () => {
      expect(check(BROKEN[rule]!).length).toBeGreaterThan(0);
    });
  }

  it('really reads the import graph', () => {
    expect(TREE.size).toBeGreaterThan(80);
    expect(importsOf(TREE.get('lib/auth/sign-in.ts')!).map((s) => target('lib/auth/sign-in.ts', s))).toContain(
      'lib/users/username',
    );
  });
});
