/**
 * Security headers for pages, set by middleware.ts on every request it sees.
 *
 * Tokens live in localStorage, so a script injected into our pages could read them: the
 * Content-Security-Policy is the second wall. Scripts run only with this response's nonce (Next.js
 * reads it from the request's CSP header and puts it on its own scripts) or when loaded by such a
 * script ('strict-dynamic'); inline event handlers, `javascript:` URLs, plugins, <base> hijacks
 * and framing are all refused.
 */
import 'server-only';
import { randomBytes } from 'node:crypto';
import { isHttps, type ProxyTrust } from './forwarded';

/** 128 bits, fresh for every response: a nonce that repeats is no nonce. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(nonce: string, options: { development: boolean }): string {
  return [
    "default-src 'self'",
    // 'unsafe-eval' only for React's development tooling, never in production.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ''}`,
    // Styles cannot run code; inline style attributes are allowed for React's `style` props.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Two years, subdomains included: sent only on responses that went out over HTTPS (RFC 6797 §7.2). */
export const STRICT_TRANSPORT_SECURITY = 'max-age=63072000; includeSubDomains';

/** `response` with HSTS when the request came over HTTPS: every answer, the middleware's and the handlers'. */
export function withTransportSecurity<R extends Response>(request: Request, config: ProxyTrust, response: R): R {
  if (isHttps(request, config)) response.headers.set('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
  return response;
}
