// The HTTP edge in front of every page and API request (lib/edge/middleware.ts says what it does),
// bound to this process's App and to the API's route handlers.
import { createMiddleware } from './lib/edge/middleware';
import { API_HANDLERS } from './app/api/handlers';
import { processApp } from './lib/server/process-app';

export const middleware = createMiddleware(processApp, API_HANDLERS);

export const config = {
  runtime: 'nodejs',
  // Every page (its CSP nonce, and the sign-in check of /dashboard) and every API request: the
  // middleware checks the access token where the route table asks for one and then answers with
  // the route's own handler (lib/edge/api-dispatch.ts). Not build assets, and not /bench/outside,
  // the benchmark's route outside the middleware (404 unless ENABLE_BENCH_ROUTES).
  matcher: ['/((?!_next/static/|_next/image|favicon\\.ico|bench/outside$).*)'],
};
