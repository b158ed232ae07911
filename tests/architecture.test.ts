/**
 * The layers, as the import graph shows them: lib/auth knows nothing of HTTP or Next.js, lib/db
 * nothing of the rest of the app, and no folder imports a folder that imports it back.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/paths';

const LIB = path.join(ROOT, 'lib');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'generated') return [];
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|cjs)$/.test(name) && !/\.test\.ts$/.test(name) && !name.endsWith('.d.cts') ? [full] : [];
  });
}

/** "auth" for lib/auth/x.ts, "config.ts" for lib/config.ts. */
function roomOf(file: string): string {
  return path.relative(LIB, file).split(path.sep)[0]!;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import|require)\s*\(?\s*'([^']+)'/g)].map((match) => match[1]!);
}

const files = sourceFiles(LIB);

/** The room an import lands in: a folder of lib/, or a file at its top (named with its extension). */
function roomOfTarget(target: string): string {
  const [first, ...rest] = path.relative(LIB, target).split(path.sep) as [string, ...string[]];
  if (rest.length > 0) return first;
  const asDirectory = path.join(LIB, first);
  if (existsSync(asDirectory) && statSync(asDirectory).isDirectory()) return first;
  return /\.(ts|cjs)$/.test(first) ? first : `${first}.ts`;
}

/** room → rooms it imports (relative imports inside lib/ only). */
function roomGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const from = roomOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const specifier of importsOf(file)) {
      if (!specifier.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), specifier);
      if (!target.startsWith(LIB)) continue;
      const to = roomOfTarget(target);
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

describe('the import graph of lib/', () => {
  it('keeps lib/auth free of HTTP and Next.js', () => {
    for (const file of files.filter((f) => roomOf(f) === 'auth')) {
      for (const specifier of importsOf(file)) {
        expect(specifier, path.relative(ROOT, file)).not.toMatch(/^next(\/|$)|\/http(\/|$)|^\.\.\/runtime/);
      }
    }
  });

  it('keeps lib/db free of every other room of the app but the error table', () => {
    expect([...(roomGraph().get('db') ?? [])]).toEqual(['errors.ts']);
  });

  it('has no two rooms that import each other, directly or through others', () => {
    const graph = roomGraph();
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
      for (const next of graph.get(from) ?? []) {
        if (next === to) return true;
        if (!seen.has(next)) {
          seen.add(next);
          if (reaches(next, to, seen)) return true;
        }
      }
      return false;
    };
    expect(graph.get('auth')).toContain('users'); // the graph is really read
    const cycles = [...graph.keys()].filter((room) => reaches(room, room));
    expect(cycles).toEqual([]);
  });
});
