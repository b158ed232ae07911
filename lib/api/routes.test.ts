// The route table is the one list of API routes: the middleware's public paths, the metrics'
// labels and the 404 for unknown paths come from it, so it must say exactly what app/api serves.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@/tests/helpers/paths';
import { PATHS, ROUTES, type RouteName } from './routes';

/** Every route file under app/api, as the path pattern it serves ('[id]' → ':id'). */
function routeFiles(dir = 'app/api'): { pattern: string; source: string }[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const relative = path.posix.join(dir, name);
    if (statSync(path.join(ROOT, relative)).isDirectory()) return routeFiles(relative);
    if (name !== 'route.ts') return [];
    const pattern = `/${path.posix.dirname(relative).replace(/^app\//, '')}`.replace(/\[([a-z]+)\]/g, ':$1');
    return [{ pattern, source: readFileSync(path.join(ROOT, relative), 'utf8') }];
  });
}

const FILES = routeFiles();
const nameOf = new Map((Object.keys(PATHS) as RouteName[]).map((name) => [PATHS[name] as string, name]));

describe('the route table', () => {
  it('names exactly the routes app/api serves', () => {
    expect(FILES.map((file) => file.pattern).sort()).toEqual(Object.values(PATHS).sort());
  });

  it('gives each route the methods its file answers', () => {
    for (const { pattern, source } of FILES) {
      const served = /methods\(\{([^}]*)\}\)/.exec(source)?.[1] ?? '';
      const methods = [...served.matchAll(/([A-Z]+):/g)].map((match) => match[1]);
      expect(methods.sort(), pattern).toEqual([...ROUTES[nameOf.get(pattern)!].methods].sort());
    }
  });

  it('has every route file answer each request anew (force-dynamic)', () => {
    for (const { pattern, source } of FILES) {
      expect(source, pattern).toMatch(/^export const dynamic = 'force-dynamic';$/m);
    }
  });
});
