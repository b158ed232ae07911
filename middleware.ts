// The HTTP edge in front of every page and API request (lib/edge/middleware.ts says what it does),
// bound to this process's App.
import { createMiddleware } from './lib/edge/middleware';
import { processApp } from './lib/server/process-app';

export const middleware = createMiddleware(processApp);

export const config = {
  runtime: 'nodejs',
  // Everything but build assets: pages need their CSP nonce, and the API its Bearer check.
  // Public endpoints under /api are let through in code (lib/api/routes.ts).
  // /bench/outside is the benchmark's route outside the middleware (404 unless ENABLE_BENCH_ROUTES).
  matcher: ['/((?!_next/static/|_next/image|favicon\\.ico|bench/outside$).*)'],
};
