/** Who is calling: user agent, and the client address when it can be known. */
import 'server-only';
import type { ClientInfo } from '../auth/deps';
import { GUARD_ACTIVE, PEER_HEADER } from '../preload/shared.cjs';

/** Whether request-guard.cjs runs in this process (then PEER_HEADER comes from the socket). */
export function requestGuardActive(): boolean {
  return (globalThis as Record<symbol, unknown>)[GUARD_ACTIVE] === true;
}

function peerAddress(request: Request): string | null {
  // Without the guard, a client could send this header itself: then the address is unknown.
  if (!requestGuardActive()) return null;
  const value = request.headers.get(PEER_HEADER)?.replace(/^::ffff:/, '');
  return value ? value : null;
}

/**
 * X-Forwarded-For is set by whoever is in front of us; any client can send one. It is used only
 * with TRUST_PROXY=true (a reverse proxy that overwrites it), taking the address the proxy saw.
 * Otherwise the address is the socket's peer.
 */
export function clientInfo(request: Request, trustProxy: boolean): ClientInfo {
  const forwarded = trustProxy ? request.headers.get('x-forwarded-for') : null;
  const ip = forwarded ? (forwarded.split(',').at(-1)?.trim() ?? null) : peerAddress(request);
  return { userAgent: request.headers.get('user-agent'), ip: ip || null, deviceId: deviceIdOf(request) };
}

/** The header the browser client sends its device id in (lib/client/device-id.ts). */
export const DEVICE_HEADER = 'x-device-id';

/** The browser's random device id: 22 to 64 base64url characters, or null. */
function deviceIdOf(request: Request): string | null {
  const value = request.headers.get(DEVICE_HEADER);
  return value !== null && /^[A-Za-z0-9_-]{22,64}$/.test(value) ? value : null;
}
