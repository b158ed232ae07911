// What the request guard (a CommonJS preload that runs before the app exists) and the app's
// TypeScript share: one source for each value. TypeScript imports this file (shared.d.cts types it).
'use strict';

/** The largest request body any endpoint accepts: the guard refuses more before Next.js reads it. */
const MAX_BODY_BYTES = 16 * 1024;

/**
 * The guard passes the socket's peer address on under this request header (overwriting any copy a
 * client sent): route handlers cannot see the socket, and sign-in throttling needs the address.
 */
const PEER_HEADER = 'x-staysignedin-peer';

/** Set on globalThis when the guard runs in this process: only then does PEER_HEADER come from the socket. */
const GUARD_ACTIVE = Symbol.for('staysignedin.requestGuard');

/** The RFC 9457 problem body every error answer has (lib/http/problem.ts builds the same from AppError). */
function problemBody(code, title, status, detail) {
  return { type: `/problems/${code}`, title, status, detail, code };
}

module.exports = { MAX_BODY_BYTES, PEER_HEADER, GUARD_ACTIVE, problemBody };
