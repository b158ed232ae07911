/**
 * What the client's request looked like before any proxy: its scheme, host and address.
 *
 * `next start` serves plain HTTP, so a request is HTTPS only when a TLS-terminating proxy says so.
 * Any client can send X-Forwarded-* headers, so they count only with TRUST_PROXY=true (a proxy in
 * front that overwrites them). Next.js itself builds `request.url` from X-Forwarded-Proto without
 * asking, so `request.url`'s scheme is never used for a security decision.
 */
import 'server-only';
export type ProxyTrust = { trustProxy: boolean };

function firstValue(header: string | null): string | null {
  const value = header?.split(',')[0]?.trim();
  return value ? value : null;
}

/** True when the browser reached us over HTTPS (as far as we can know). */
export function isHttps(request: Request, { trustProxy }: ProxyTrust): boolean {
  return trustProxy && firstValue(request.headers.get('x-forwarded-proto'))?.toLowerCase() === 'https';
}

/** The host (and port) the browser addressed: Host, or X-Forwarded-Host behind a trusted proxy. */
export function requestHost(request: Request, { trustProxy }: ProxyTrust): string | null {
  const forwarded = trustProxy ? firstValue(request.headers.get('x-forwarded-host')) : null;
  return (forwarded ?? request.headers.get('host'))?.toLowerCase() ?? null;
}
