/**
 * The one check of an API request's access token, used by the middleware (the gate in front of
 * every /api path) and by protectedRoute (which takes the caller's identity from it).
 *
 * The handler checks the token again rather than trusting a header from the middleware: the
 * second check of the same token string is a lookup in the token service's cache of verified
 * tokens and in the in-memory revocation feed (no signature, no database), and it needs no signed
 * identity header to be built, copied into the request and checked again (docs/design.md).
 *
 * A DPoP-bound access token (DPOP_ACCESS_TOKENS) comes as `Authorization: DPoP <token>` with a
 * proof of its key for this very request (`ath` = the token's hash). The middleware verifies the
 * proof; the handler takes it over once (lib/auth/access-proofs.ts).
 */
import 'server-only';
import { decodeJwt } from 'jose';
import type { AccessProofLedger } from '../auth/access-proofs';
import type { AuthDeps } from '../auth/deps';
import { proofId, verifyProof } from '../auth/dpop';
import type { RevocationFeed } from '../auth/revocation-feed';
import type { AccessClaims } from '../auth/tokens';
import { AppError } from '../errors';
import { authorizationCredentials } from '../http/authorization';
import type { ProxyTrust } from '../http/forwarded';
import { dpopProofHeader, requestUri } from './dpop-request';

/** The revocation feed polls every second; older than this, it is behind. */
export const FEED_MAX_AGE_MS = 5000;

/** What the check needs: the app's token service, revocation feed and proof ledger. */
export type AccessCheckDeps = {
  auth: Pick<AuthDeps, 'tokens' | 'nonces' | 'now'>;
  revocations: Pick<RevocationFeed, 'isRevoked' | 'isCurrent'>;
  accessProofs: AccessProofLedger;
  config: ProxyTrust;
};

export type Identity = {
  userId: string;
  sessionId: string;
  role: AccessClaims['role'];
  tokenId: string;
  expiresAt: number;
  /** The browser key the access token itself is bound to (DPOP_ACCESS_TOKENS), its proof checked. */
  jkt: string | null;
};

/** A signed, unexpired access token whose session has not ended; an AppError otherwise. */
export function checkAccessToken(
  deps: Pick<AccessCheckDeps, 'auth' | 'revocations'>,
  token: string,
  now: Date = deps.auth.now(),
): AccessClaims | AppError {
  let claims: AccessClaims;
  try {
    claims = deps.auth.tokens.verifyAccessNow(token, now);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  // Signed and unexpired, but its session may have ended since: sign-out, revocation, reuse.
  if (deps.revocations.isRevoked(claims.sid)) return new AppError('invalid_token', 'the session has ended');
  return claims;
}

/** The jti a proof claims, read without checking it (to find the gate's record of it). */
function claimedJti(proof: string): string | null {
  try {
    const { jti } = decodeJwt(proof);
    return typeof jti === 'string' ? jti : null;
  } catch {
    return null;
  }
}

/** A bound token's proof: verified by the gate, taken over once by the handler. */
async function assertProof(
  deps: AccessCheckDeps,
  request: Request,
  token: string,
  jkt: string,
  stage: 'gate' | 'handler',
): Promise<void> {
  const proof = dpopProofHeader(request);
  if (proof === null) throw new AppError('invalid_dpop_proof', 'this access token needs a DPoP proof of its key');
  const ledger = deps.accessProofs;
  const used = () => new AppError('invalid_dpop_proof', 'the DPoP proof was already used');
  if (stage === 'handler') {
    // After the gate: the very proof string it verified a moment ago in this process.
    const jti = claimedJti(proof);
    const turn = jti === null ? 'unseen' : ledger.handOver(proofId({ jkt, jti }), proof);
    if (turn === 'admitted') return;
    if (turn === 'replayed') throw used();
  }
  const verified = await verifyProof(proof, {
    method: request.method,
    url: requestUri(request, deps.config),
    schemeKnown: deps.config.trustProxy,
    now: deps.auth.now(),
    nonces: deps.auth.nonces,
    requireNonce: false,
    accessToken: token,
  });
  if (verified.jkt !== jkt) throw new AppError('invalid_dpop_proof', 'the DPoP proof is signed by another key');
  const id = proofId(verified);
  if (!ledger.admit(id, proof)) throw used();
  // A route no gate covered checks and uses up the proof by itself.
  if (stage === 'handler') ledger.handOver(id, proof);
}

/**
 * The caller behind the request's access token; throws the AppError to answer with. Answers at
 * once for a Bearer token (a promise only for a DPoP-bound one, whose proof is checked): this runs
 * twice in front of every API request, and every promise is a cost there.
 */
export function authenticate(
  deps: AccessCheckDeps,
  request: Request,
  stage: 'gate' | 'handler',
): Identity | Promise<Identity> {
  const given = authorizationCredentials(request.headers.get('authorization'));
  if (given === null) throw new AppError('unauthenticated', 'a Bearer access token is required');
  if (given === undefined) {
    throw new AppError('invalid_token', 'the Authorization header is not a valid Bearer or DPoP credential');
  }
  // One clock reading for the whole check: in Next.js's server a Date costs several µs.
  const now = deps.auth.now();
  const claims = checkAccessToken(deps, given.token, now);
  if (claims instanceof AppError) throw claims;
  // The scheme must match the token: a bound token is never accepted as a plain Bearer token.
  if (claims.jkt !== null) {
    if (given.scheme !== 'dpop')
      throw new AppError('invalid_token', 'this access token is DPoP-bound: send it as DPoP');
    const jkt = claims.jkt;
    return assertProof(deps, request, given.token, jkt, stage).then(() => identityOf(deps, claims, deps.auth.now()));
  }
  if (given.scheme !== 'bearer') {
    throw new AppError('invalid_token', 'this access token is not DPoP-bound: send it as Bearer');
  }
  return identityOf(deps, claims, now);
}

function identityOf(deps: AccessCheckDeps, claims: AccessClaims, now: Date): Identity {
  // Fail closed: while the revocation log cannot be read, a revoked session could pass here.
  if (!deps.revocations.isCurrent(FEED_MAX_AGE_MS, now.getTime())) {
    throw new AppError('service_unavailable', 'cannot confirm that the session is still live; try again shortly', {
      retryAfter: 1,
    });
  }
  return {
    userId: claims.sub,
    sessionId: claims.sid,
    role: claims.role,
    tokenId: claims.jti,
    expiresAt: claims.exp,
    jkt: claims.jkt,
  };
}
