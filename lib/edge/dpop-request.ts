/**
 * The HTTP side of DPoP (RFC 9449): reading the `DPoP` header, the request URI a proof must name
 * (as the browser addressed it, behind TRUST_PROXY), and handing out the next server nonce.
 */
import 'server-only';
import { invalidProof, presentProof, type PresentedProof } from '../auth/dpop';
import type { AuthDeps } from '../auth/deps';
import { isHttps, requestHost, type ProxyTrust } from '../http/forwarded';

export const DPOP_HEADER = 'dpop';
export const DPOP_NONCE_HEADER = 'DPoP-Nonce';

/** The request's one DPoP proof; null when there is none. */
export function dpopProofHeader(request: Request): string | null {
  const value = request.headers.get(DPOP_HEADER);
  if (value === null) return null;
  // Headers joins repeated headers with ", "; a JWS has no comma or space (§4.3: exactly one).
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value)) {
    throw invalidProof('the request must carry exactly one DPoP proof, a compact JWS');
  }
  return value;
}

/** The URI the browser sent this request to, without query: what a proof's `htu` must name. */
export function requestUri(request: Request, trust: ProxyTrust): string {
  const host = requestHost(request, trust) ?? new URL(request.url).host;
  return `${isHttps(request, trust) ? 'https' : 'http'}://${host}${new URL(request.url).pathname}`;
}

/**
 * Verifies and records the request's proof: the verified proof, a refused one (for the caller to
 * put on record and answer with), or null without one.
 */
export async function requestProof(
  deps: AuthDeps,
  request: Request,
  trust: ProxyTrust,
  options: { requireNonce: boolean },
): Promise<PresentedProof> {
  let header: string | null;
  try {
    header = dpopProofHeader(request);
  } catch (error) {
    // Two proofs, or something that is not a JWS: refused like a proof that does not verify.
    return { refused: error as ReturnType<typeof invalidProof> };
  }
  // No proof at all (most clients but browsers): nothing to check, and no URL to build.
  if (header === null) return null;
  return presentProof(deps, header, {
    method: request.method,
    url: requestUri(request, trust),
    // Behind a proxy we do not trust, the browser's scheme is unknown (docs/operations.md, "Behind a reverse proxy").
    schemeKnown: trust.trustProxy,
    requireNonce: options.requireNonce,
  });
}

/** Every token response names the nonce for the next proof, so the client never needs a round trip. */
export function withNextNonce(response: Response, deps: AuthDeps): Response {
  response.headers.set(DPOP_NONCE_HEADER, deps.nonces.issue(deps.now()));
  return response;
}
