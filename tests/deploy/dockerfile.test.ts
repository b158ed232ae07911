// The Dockerfile copies files that exist: a module moved in the tree must not leave the image
// without it (the runtime stage would fail only when the container test builds it).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';

/** What is built or installed in the build stage, not taken from the repository. */
const BUILT = ['node_modules', '.next'];

/** Every source a COPY names, as a path in the repository (build-stage paths under /app/). */
function copiedSources(dockerfile: string): string[] {
  return dockerfile
    .split('\n')
    .filter((line) => /^COPY\s/.test(line))
    .flatMap((line) => {
      const words = line
        .trim()
        .split(/\s+/)
        .slice(1)
        .filter((word) => !word.startsWith('--'));
      return words.slice(0, -1).map((source) => source.replace(/^\/app\//, ''));
    })
    .filter((source) => source !== '.' && !BUILT.some((built) => source === built || source.startsWith(`${built}/`)));
}

describe('the Dockerfile', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

  it('copies only files and folders the repository has', () => {
    const sources = copiedSources(dockerfile);
    expect(sources).toContain('prisma');
    expect(sources.filter((source) => !existsSync(path.join(ROOT, source)))).toEqual([]);
  });

  it('ships the files the start script needs, each of which the repository has', () => {
    const script = readFileSync(path.join(ROOT, 'scripts/image-files.mjs'), 'utf8');
    const list = /const START_FILES = \[([^\]]*)\]/.exec(script)?.[1] ?? '';
    const files = [...list.matchAll(/'([^']+)'/g)].map((match) => match[1] ?? '');
    expect(files).toEqual(expect.arrayContaining(['lib/preload', 'prisma', 'prisma.config.ts', 'scripts']));
    expect(files.filter((file) => !existsSync(path.join(ROOT, file)))).toEqual([]);
  });

  it('reads the sources of each COPY, build-stage paths included', () => {
    expect(
      copiedSources('COPY a.json b.ts ./\nCOPY --from=build --chown=node:node /app/lib/x.cjs /app/.next ./lib/\nRUN x'),
    ).toEqual(['a.json', 'b.ts', 'lib/x.cjs']);
  });
});

/** The .dockerignore patterns, in order (a leading `!` takes a path back in). */
function ignorePatterns(text: string): { negated: boolean; pattern: RegExp }[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const glob = line.replace(/^!/, '').replace(/^\/|\/$/g, '');
      const source = glob
        .split('/')
        .map((part) =>
          part === '**'
            ? '.*'
            : part
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/\.\*\//g, '(?:.*/)?');
      return { negated, pattern: new RegExp(`^${source}$`) };
    });
}

/** Whether the build context leaves `file` out: a pattern matches it or one of its folders; the last match wins. */
function ignored(file: string, patterns: { negated: boolean; pattern: RegExp }[]): boolean {
  const parts = file.split('/');
  const prefixes = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
  let excluded = false;
  for (const { negated, pattern } of patterns) {
    if (prefixes.some((prefix) => pattern.test(prefix))) excluded = !negated;
  }
  return excluded;
}

/** Source files the production build compiles: the app, the library and the root modules, tests aside. */
function productionSources(): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(path.join(ROOT, folder), { withFileTypes: true })) {
      const relative = `${folder}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'generated' && entry.name !== 'node_modules') walk(relative);
      } else if (/\.(ts|tsx|js|cjs|mjs)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) files.push(relative);
    }
  };
  walk('app');
  walk('lib');
  return [
    ...files,
    ...['middleware.ts', 'instrumentation.ts', 'next.config.js'].filter((file) => existsSync(path.join(ROOT, file))),
  ];
}

/** The repository files `file` imports by a relative or `@/` path (packages aside). */
function localImports(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)'([^']+)'/g)].map(
    (match) => match[1] ?? '',
  );
  return specifiers
    .filter((specifier) => specifier.startsWith('.') || specifier.startsWith('@/'))
    .map((specifier) =>
      specifier.startsWith('@/')
        ? specifier.slice(2)
        : path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)),
    );
}

describe('the build context', () => {
  const patterns = ignorePatterns(readFileSync(path.join(ROOT, '.dockerignore'), 'utf8'));

  it('holds every module the production build imports', () => {
    const missing = productionSources().flatMap((file) =>
      localImports(file)
        // The Prisma clients are generated in the build stage, not taken from the context.
        .filter((target) => !target.startsWith('lib/db/generated/') && ignored(target, patterns))
        .map((target) => `${file} → ${target}`),
    );
    expect(missing).toEqual([]);
  });

  it('reads .dockerignore as the builder does: folders, globs and taking a path back', () => {
    const sample = ignorePatterns('bench/run.ts\n**/*.test.ts\n.env.*\n!.env.example\ntests\n');
    expect(ignored('bench/run.ts', sample)).toBe(true);
    expect(ignored('bench/server/bare-write', sample)).toBe(false);
    expect(ignored('lib/auth/x.test.ts', sample)).toBe(true);
    expect(ignored('.env.local', sample)).toBe(true);
    expect(ignored('.env.example', sample)).toBe(false);
    expect(ignored('tests/helpers/http.ts', sample)).toBe(true);
    expect(ignored('lib/auth/tokens.ts', sample)).toBe(false);
  });
});
