/**
 * A real App (lib/server/app.ts) on a throwaway database, and a `fetch` that hands requests to
 * the real route handlers of app/api in this process: no Next.js, no middleware, no network. For
 * tests of the route kit and of the browser client's workflows that need a server's answers, in
 * the fast loop (npm run test:unit) without a build. HTTP tests against `next start` are in
 * tests/api.
 */
import path from 'node:path';
import { PATHS, routeOf } from '@/lib/api/routes';
import { parseConfig } from '@/lib/config';
import { noSuchEndpoint } from '@/lib/edge/route-kit';
import { problemResponse } from '@/lib/http/problem';
import { createApp, type App } from '@/lib/server/app';
import { installApp } from '@/lib/server/process-app';
import { createUser } from '@/lib/users/users';
import { TEST_SECRET } from './auth';
import { createTestDb } from './database';
import { ROOT } from './paths';

export const LOCAL_ORIGIN = 'http://app.test';
export const LOCAL_ADMIN = { username: 'admin', password: 'local admin password' };

type RouteModule = Record<
  string,
  (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>
>;

/** app/api/auth/sessions/[id]/route.ts for '/api/auth/sessions/:id'. */
function routeFile(pattern: string): string {
  return path.join(ROOT, 'app', `${pattern.replace(/:([a-z]+)/g, '[$1]')}/route.ts`);
}

function paramsOf(pattern: string, pathname: string): Record<string, string> {
  const names = [...pattern.matchAll(/:([a-z]+)/g)].map((match) => match[1]!);
  const values = new RegExp(`^${pattern.replace(/:[a-z]+/g, '([^/]+)')}$`).exec(pathname)?.slice(1) ?? [];
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(values[i] ?? '')]));
}

export async function localApp(env: Record<string, string> = {}): Promise<{
  app: App;
  fetch: typeof fetch;
  close: () => Promise<void>;
}> {
  const { url, dir } = await createTestDb('local-app');
  const config = parseConfig({ NODE_ENV: 'test', DATABASE_URL: url, DATA_DIR: dir, AUTH_SECRET: TEST_SECRET, ...env });
  const app = installApp(createApp(config, { startedAt: new Date() }));
  await createUser({ store: app.database.store, passwords: app.passwords }, { ...LOCAL_ADMIN, role: 'admin' });
  await app.revocations.start();

  const localFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(new URL(input instanceof Request ? input.url : String(input), LOCAL_ORIGIN), init);
    const { pathname } = new URL(request.url);
    const name = routeOf(pathname);
    // Paths no route serves are the middleware's 404 (lib/edge/middleware.ts).
    if (name === null) return problemResponse(noSuchEndpoint());
    const file = routeFile(PATHS[name]);
    const module = (await import(/* @vite-ignore */ file)) as RouteModule;
    const handler = module[request.method];
    if (!handler) throw new Error(`${file} has no ${request.method} handler`);
    return handler(request, { params: Promise.resolve(paramsOf(PATHS[name], pathname)) });
  };

  return {
    app,
    fetch: localFetch,
    close: async () => {
      app.revocations.stop();
      await app.database.store.close();
    },
  };
}
