/**
 * DPoP proofs (RFC 9449): a refresh token bound to a key that never leaves the browser which
 * received it. Every request that presents the long-lived credential carries a proof, a JWT the
 * browser signs with its non-extractable private key; a copied refresh token without that key is
 * worth nothing.
 *
 * A proof is accepted when (§4.3):
 *  - it is a JWS with `typ: dpop+jwt` and `alg: ES256` (pinned: no `none`, no HMAC), signed by the
 *    P-256 public key in its own `jwk` header, which carries no private member;
 *  - `htm` and `htu` name this request (method; URI without query and fragment, as the server sees
 *    it behind TRUST_PROXY);
 *  - it is fresh: a valid server nonce when it carries or must carry one (then the client's clock
 *    does not matter), else an `iat` within IAT_WINDOW (outside it, the answer is a nonce);
 *  - its `jti` was never seen before (checked in the database by the caller, on every instance).
 * The caller binds to the key's RFC 7638 thumbprint (`jkt`).
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { AppError } from '../errors';
import { JwsError, type JsonObject } from './compact-jws';
import { verifyEs256, type P256PublicJwk } from './es256';
import type { AuthDeps } from './deps';
import { NONCE_LIFETIME_SECONDS, type NonceService } from './dpop-nonce';

/** How far a proof's `iat` may be from the server's clock without a nonce (either way). */
export const IAT_WINDOW_SECONDS = 300;
/** Long enough to outlive every proof that could still be accepted (by its iat or its nonce). */
export const PROOF_ID_RETENTION_SECONDS = Math.max(IAT_WINDOW_SECONDS * 2, NONCE_LIFETIME_SECONDS) + 60;

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];

export type VerifiedProof = { jkt: string; jti: string; iat: number };

export type ProofCheck = {
  method: string;
  /** The request's URI as the server sees it; its query and fragment are ignored. */
  url: string;
  /**
   * False when the server cannot know the browser's scheme (TLS ended at a proxy that is not
   * trusted to say so): `htu` is then compared by host and path only.
   */
  schemeKnown?: boolean;
  now: Date;
  nonces: NonceService;
  /** Demand a nonce (refresh): a proof without a valid one is answered with use_dpop_nonce. */
  requireNonce: boolean;
  /** With an access token (an API call): the proof's `ath` must be its SHA-256 (§4.3 step 11). */
  accessToken?: string;
};

export function invalidProof(detail: string, cause?: unknown): AppError {
  return new AppError('invalid_dpop_proof', detail, { cause });
}

/** Asks the client to sign again with this nonce (RFC 9449 §8). */
function nonceRequired(nonce: string): AppError {
  return new AppError('use_dpop_nonce', 'sign the DPoP proof again with the nonce in the DPoP-Nonce header', {
    dpopNonce: nonce,
  });
}

/** The URI without query and fragment, scheme and host lower-cased, default port dropped. */
function normalizedUri(value: string, withScheme: boolean): string | null {
  try {
    const url = new URL(value);
    // Without the scheme, the default port of either scheme is dropped too.
    const port = url.port === '' || (!withScheme && (url.port === '80' || url.port === '443')) ? '' : `:${url.port}`;
    return `${withScheme ? url.protocol : ''}//${url.hostname}${port}${url.pathname}`;
  } catch {
    return null;
  }
}

function assertPublicP256(jwk: unknown): P256PublicJwk {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
    throw invalidProof('the proof has no "jwk" header');
  const key = jwk as Record<string, unknown>;
  // The proof must carry the public key only: a private member means the client leaked its key.
  if (PRIVATE_MEMBERS.some((member) => member in key)) throw invalidProof('the proof "jwk" contains a private key');
  if (key.kty !== 'EC' || key.crv !== 'P-256' || typeof key.x !== 'string' || typeof key.y !== 'string') {
    throw invalidProof('the proof "jwk" must be a P-256 public key');
  }
  return { kty: 'EC', crv: 'P-256', x: key.x, y: key.y };
}

/** What a proof that is not a well-formed ES256 JWS is told (es256.ts says it of any token). */
const JWS_REFUSALS: Record<string, string> = {
  'the token is malformed': 'the DPoP proof is not a JWT',
  // Pinned before any key is touched: "none", HMAC and every other algorithm are refused.
  'the token algorithm is not allowed': 'the DPoP proof must be signed with ES256',
  'the token key is not a P-256 public key': 'the proof "jwk" must be a P-256 public key',
};

/** The time claims as jose's jwtVerify checks them: numbers, `exp` (if any) ahead, `nbf` behind. */
function checkTimes(payload: JsonObject, now: Date): void {
  for (const claim of ['iat', 'exp', 'nbf']) {
    if (payload[claim] !== undefined && typeof payload[claim] !== 'number') {
      throw invalidProof(`the DPoP proof "${claim}" claim is invalid`);
    }
  }
  const seconds = Math.floor(now.getTime() / 1000);
  if (typeof payload.exp === 'number' && payload.exp <= seconds) throw invalidProof('the DPoP proof has expired');
  if (typeof payload.nbf === 'number' && payload.nbf > seconds) throw invalidProof('the DPoP proof is not valid yet');
}

/** The key's RFC 7638 thumbprint: SHA-256 of its required members, in this order, no spaces. */
export function thumbprint(jwk: P256PublicJwk): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

/** Verifies one DPoP proof for this request; throws invalid_dpop_proof or use_dpop_nonce. */
export async function verifyProof(proof: string, check: ProofCheck): Promise<VerifiedProof> {
  let payload: JsonObject;
  let jwk: P256PublicJwk;
  try {
    ({ payload, jwk } = verifyEs256(proof, (header) => {
      if (header.typ !== 'dpop+jwt') throw invalidProof('the DPoP proof must have typ "dpop+jwt"');
      return assertPublicP256(header.jwk);
    }));
  } catch (error) {
    if (!(error instanceof JwsError)) throw error;
    throw invalidProof(JWS_REFUSALS[error.message] ?? 'the DPoP proof signature is invalid', error);
  }
  checkTimes(payload, check.now);

  if (payload.htm !== check.method) throw invalidProof('the DPoP proof "htm" does not match the request method');
  const withScheme = check.schemeKnown ?? true;
  const htu = typeof payload.htu === 'string' ? normalizedUri(payload.htu, withScheme) : null;
  const expected = normalizedUri(check.url, withScheme);
  if (htu === null || htu !== expected) {
    // Naming what the server sees tells an operator behind a proxy what to fix (TRUST_PROXY).
    throw invalidProof(`the DPoP proof "htu" does not match the request URI as this server sees it (${check.url})`);
  }
  if (typeof payload.jti !== 'string' || payload.jti.length < 16 || payload.jti.length > 128) {
    throw invalidProof('the DPoP proof needs a unique "jti"');
  }
  if (check.accessToken !== undefined) {
    const ath = createHash('sha256').update(check.accessToken).digest('base64url');
    if (payload.ath !== ath) throw invalidProof('the DPoP proof "ath" does not match the access token');
  }
  if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat)) {
    throw invalidProof('the DPoP proof needs an "iat"');
  }

  const nowSeconds = check.now.getTime() / 1000;
  const skew = Math.abs(nowSeconds - payload.iat);
  const nonce = payload.nonce;
  if (nonce !== undefined || check.requireNonce) {
    // A missing, stale or foreign nonce is answered with a fresh one, so the client can retry.
    // A valid nonce proves the proof fresh (§11.1), whatever the client's clock says.
    if (typeof nonce !== 'string' || !check.nonces.accepts(nonce, check.now)) {
      throw nonceRequired(check.nonces.issue(check.now));
    }
  } else if (skew > IAT_WINDOW_SECONDS) {
    // Without a nonce the clock is all we have; a client whose clock is off can use a nonce.
    throw nonceRequired(check.nonces.issue(check.now));
  }

  return { jkt: thumbprint(jwk), jti: payload.jti, iat: payload.iat };
}

/**
 * What makes a proof one proof: its key and its jti, not its encoding (an ECDSA signature has more
 * than one valid form). Per key, so two browsers that happen to pick the same jti do not collide.
 */
export function proofId(proof: { jkt: string; jti: string }): string {
  return createHash('sha256').update(`${proof.jkt}\0${proof.jti}`).digest('base64url');
}

/** A proof that was presented and did not verify: the refusal to answer with, once it is on record. */
export type RefusedProof = { refused: AppError };

/** What a request presented: a proof that verified, one that did not, or none (null). */
export type PresentedProof = VerifiedProof | RefusedProof | null;

export function isRefused(proof: PresentedProof): proof is RefusedProof {
  return proof !== null && 'refused' in proof;
}

/**
 * The proof a sign-in or refresh carries, verified and its id recorded as used (on every instance:
 * the database refuses a second use); null when the request carries none.
 */
export async function acceptProof(
  deps: Pick<AuthDeps, 'store' | 'nonces' | 'now'>,
  proof: string | null,
  request: { method: string; url: string; schemeKnown?: boolean; requireNonce: boolean },
): Promise<VerifiedProof | null> {
  if (proof === null) return null;
  const now = deps.now();
  const verified = await verifyProof(proof, { ...request, now, nonces: deps.nonces });
  const id = proofId(verified);
  const expiresAt = new Date(now.getTime() + PROOF_ID_RETENTION_SECONDS * 1000);
  if (!(await deps.store.rememberDpopProof(id, expiresAt))) throw invalidProof('the DPoP proof was already used');
  return verified;
}

/**
 * acceptProof, with a proof that does not verify handed back as a value rather than thrown, so the
 * caller can put the refusal on record against the session it was for (lib/auth/session-key.ts).
 * A request for a fresh nonce (use_dpop_nonce) is not a refusal: it is thrown as before.
 */
export async function presentProof(
  deps: Pick<AuthDeps, 'store' | 'nonces' | 'now'>,
  proof: string | null,
  request: { method: string; url: string; schemeKnown?: boolean; requireNonce: boolean },
): Promise<PresentedProof> {
  try {
    return await acceptProof(deps, proof, request);
  } catch (error) {
    if (error instanceof AppError && error.code === 'invalid_dpop_proof') return { refused: error };
    throw error;
  }
}
