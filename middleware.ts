// The HTTP edge in front of every page and API request (lib/edge/middleware.ts says what it does),
// bound to this process's App.
import { createMiddleware } from './lib/edge/middleware';
import { processApp } from './lib/server/process-app';

export const middleware = createMiddleware(processApp);

export const config = {
  runtime: 'nodejs',
  // Everything but build assets and the public endpoints: pages need their CSP nonce, and the API
  // its Bearer check. The public endpoints (the route table's `public` routes, lib/api/routes.ts)
  // check their own credentials, so running the middleware for them would only cost time; a test
  // holds this list equal to the table. Next.js needs the matcher as a literal, hence the copy.
  // /bench/outside is the benchmark's route outside the middleware (404 unless ENABLE_BENCH_ROUTES);
  // /api/bench/open stays inside: it measures the middleware's cost.
  matcher: [
    '/((?!_next/static/|_next/image|favicon\\.ico|bench/outside$|api/auth/(?:token|mfa|refresh|logout|passkey|passkey/options|oidc|oidc/start|oidc/callback|oidc/backchannel-logout|password-reset|password-reset/confirm|email/verify|not-me)$|api/(?:health|metrics)$).*)',
  ],
};
