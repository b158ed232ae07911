/** Who is calling: user agent, and the client IP when it can be trusted. */
import type { ClientInfo } from '../auth/deps';

/**
 * X-Forwarded-For is set by whoever is in front of us; any client can send one. It is used only
 * with TRUST_PROXY=true (a reverse proxy that overwrites it), taking the address the proxy saw.
 */
export function clientInfo(request: Request, trustProxy: boolean): ClientInfo {
  const forwarded = trustProxy ? request.headers.get('x-forwarded-for') : null;
  const ip = forwarded ? (forwarded.split(',').at(-1)?.trim() ?? null) : null;
  return { userAgent: request.headers.get('user-agent'), ip: ip || null };
}
