/**
 * A real App (lib/server/app.ts) on a throwaway database, and a `fetch` that hands requests to the
 * real route handlers of app/api in this process, as the middleware does after its gate
 * (lib/edge/api-dispatch.ts): no Next.js, no gate, no network. For tests of the route kit and of
 * the browser client's workflows that need a server's answers, in the fast loop (npm run
 * test:unit) without a build. HTTP tests against `next start` are in tests/api.
 */
import { API_HANDLERS } from '@/app/api/handlers';
import { matchRoute } from '@/lib/api/routes';
import { parseConfig } from '@/lib/config';
import { dispatchApi } from '@/lib/edge/api-dispatch';
import { noSuchEndpoint } from '@/lib/edge/route-kit';
import { problemResponse } from '@/lib/http/problem';
import { createApp, type App } from '@/lib/server/app';
import { installApp } from '@/lib/server/process-app';
import { createUser } from '@/lib/users/users';
import { TEST_SECRET } from './auth';
import { createTestDb } from './database';

export const LOCAL_ORIGIN = 'http://app.test';
export const LOCAL_ADMIN = { username: 'admin', password: 'local admin password' };

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
    const match = matchRoute(new URL(request.url).pathname);
    // Paths no route serves are the middleware's 404 (lib/edge/middleware.ts); the rest it
    // answers with the route file's handler, as here.
    if (match === null) return problemResponse(noSuchEndpoint());
    const response = dispatchApi(API_HANDLERS, match, request);
    if (!response) throw new Error(`no ${request.method} handler for ${request.url}`);
    return response;
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
