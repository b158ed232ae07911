/**
 * Access and refresh tokens: HS256 JWTs signed with AUTH_SECRET (jose).
 *
 *             header typ   claim type   other claims
 *   access    at+jwt       "access"     iss aud sub sid jti iat exp role   (RFC 9068)
 *   refresh   rt+jwt       "refresh"    iss aud sub sid jti iat exp
 *
 * Verification pins the algorithm, issuer, audience, `typ` and `type`, so one kind of token can
 * never stand in for the other. `kid` names the key: a token signed with AUTH_SECRET_PREVIOUS
 * still verifies during a key rotation. Usable from middleware.ts (Node.js runtime).
 */
import 'server-only';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { AppError } from '../errors';
import { randomId } from '../ids';
import type { Role } from '../users/roles';
import { AUDIENCE, ISSUER, keyId, TYP, type TokenKind } from './token-format';

export { AUDIENCE, ISSUER, keyId, type TokenKind };

const ALGORITHM = 'HS256';

export type AccessClaims = {
  sub: string;
  sid: string;
  jti: string;
  role: Role;
  iat: number;
  exp: number;
  /** With DPOP_ACCESS_TOKENS: the key every use must prove (cnf.jkt); null for a Bearer token. */
  jkt: string | null;
};
/** `jkt`: the DPoP key thumbprint from the `cnf` claim, when the token is bound (RFC 9449 §6.1). */
export type RefreshClaims = { sub: string; sid: string; jti: string; iat: number; exp: number; jkt: string | null };

type Key = { kid: string; key: Promise<CryptoKey> };

function invalid(detail: string, cause?: unknown): AppError {
  return new AppError('invalid_token', detail, { cause });
}

function article(kind: TokenKind): string {
  return kind === 'access' ? 'an' : 'a';
}

/** Accepts the media-type form as well (RFC 7515 §4.1.9): "application/at+jwt". */
function typMatches(typ: unknown, expected: string): boolean {
  return typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === expected;
}

function describe(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'the token algorithm is not allowed';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `the token "${error.claim}" claim is invalid`;
  if (error instanceof AppError) return error.message;
  return 'the token is malformed';
}

/** The confirmation claim of a DPoP-bound token (RFC 9449 §6.1); none for a Bearer token. */
function confirmation(jkt: string | null | undefined): { cnf?: { jkt: string } } {
  return jkt ? { cnf: { jkt } } : {};
}

/** The key thumbprint a verified token is bound to, or null. */
function boundKey(payload: JWTPayload): string | null {
  const cnf = payload.cnf as { jkt?: unknown } | undefined;
  return typeof cnf?.jkt === 'string' ? cnf.jkt : null;
}

export type TokenServiceOptions = {
  secret: string;
  previousSecret?: string | undefined;
  /** Verified access tokens remembered to skip repeated signature checks; 0 disables. */
  cacheSize?: number;
};

export type TokenService = ReturnType<typeof createTokenService>;

export function createTokenService(options: TokenServiceOptions) {
  // Imported into WebCrypto once: handing jose the raw bytes re-imports them on every token,
  // which doubled the cost of each signature (docs/performance.md).
  const keyFor = (secret: string): Key => ({
    kid: keyId(secret),
    key: crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]),
  });
  const current = keyFor(options.secret);
  const keys = new Map<string, Key>([[current.kid, current]]);
  if (options.previousSecret) {
    const previous = keyFor(options.previousSecret);
    keys.set(previous.kid, previous);
  }
  const cacheSize = options.cacheSize ?? 10_000;
  // Keyed by the whole token string: the same string carries the same, already checked signature.
  const accessCache = new Map<string, AccessClaims>();

  async function sign(kind: TokenKind, claims: JWTPayload, expiresAt: number, now: Date): Promise<string> {
    return new SignJWT({ ...claims, type: kind })
      .setProtectedHeader({ alg: ALGORITHM, typ: TYP[kind], kid: current.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(expiresAt)
      .sign(await current.key);
  }

  async function verify(kind: TokenKind, token: string, now: Date): Promise<JWTPayload> {
    let payload: JWTPayload;
    let header: JWTHeaderParameters;
    try {
      ({ payload, protectedHeader: header } = await jwtVerify(
        token,
        (h) => {
          // Only our own keys, looked up by kid; a token without a known kid is refused.
          const key = typeof h.kid === 'string' ? keys.get(h.kid) : undefined;
          if (!key) throw invalid('the token was not signed with a known key');
          return key.key;
        },
        {
          algorithms: [ALGORITHM], // pinned: no "none", no RS/HS confusion
          issuer: ISSUER,
          audience: AUDIENCE,
          requiredClaims: ['sub', 'sid', 'jti', 'iat', 'exp'],
          currentDate: now,
        },
      ));
    } catch (error) {
      throw invalid(describe(error), error);
    }
    // typ and type are checked after the signature so the message can say which kind was sent.
    const other: TokenKind = kind === 'access' ? 'refresh' : 'access';
    if (payload.type === other || typMatches(header.typ, TYP[other])) {
      throw invalid(`${article(other)} ${other} token was presented where ${article(kind)} ${kind} token is required`);
    }
    if (payload.type !== kind || !typMatches(header.typ, TYP[kind])) {
      throw invalid(`the token is not an ${kind} token`);
    }
    for (const claim of ['sub', 'sid', 'jti'] as const) {
      if (typeof payload[claim] !== 'string' || payload[claim] === '')
        throw invalid(`the token "${claim}" claim is invalid`);
    }
    // A token "issued" in the future was not issued by us with a sane clock.
    if ((payload.iat ?? 0) > now.getTime() / 1000 + 60) throw invalid('the token "iat" claim is in the future');
    return payload;
  }

  return {
    kid: current.kid,

    signAccess(
      claims: { sub: string; sid: string; role: Role; jkt?: string | null },
      expiresAt: number,
      now: Date,
    ): Promise<string> {
      const payload = { sub: claims.sub, sid: claims.sid, role: claims.role, jti: randomId() };
      return sign('access', { ...payload, ...confirmation(claims.jkt) }, expiresAt, now);
    },

    signRefresh(
      claims: { sub: string; sid: string; jti: string; jkt?: string | null },
      expiresAt: number,
      now: Date,
    ): Promise<string> {
      const payload = { sub: claims.sub, sid: claims.sid, jti: claims.jti };
      return sign('refresh', { ...payload, ...confirmation(claims.jkt) }, expiresAt, now);
    },

    async verifyAccess(token: string, now = new Date()): Promise<AccessClaims> {
      const seconds = now.getTime() / 1000;
      const hit = accessCache.get(token);
      // exp is re-checked on every hit: a cached token still expires on time.
      if (hit && hit.exp > seconds) return hit;
      if (hit) accessCache.delete(token);
      const payload = await verify('access', token, now);
      if (payload.role !== 'admin' && payload.role !== 'user') throw invalid('the token "role" claim is invalid');
      const claims: AccessClaims = {
        sub: payload.sub as string,
        sid: payload.sid as string,
        jti: payload.jti as string,
        role: payload.role,
        iat: payload.iat as number,
        exp: payload.exp as number,
        jkt: boundKey(payload),
      };
      if (cacheSize > 0) {
        if (accessCache.size >= cacheSize) {
          // Evict the oldest entry (Map keeps insertion order).
          const oldest = accessCache.keys().next().value;
          if (oldest !== undefined) accessCache.delete(oldest);
        }
        accessCache.set(token, claims);
      }
      return claims;
    },

    async verifyRefresh(token: string, now = new Date()): Promise<RefreshClaims> {
      const payload = await verify('refresh', token, now);
      return {
        sub: payload.sub as string,
        sid: payload.sid as string,
        jti: payload.jti as string,
        iat: payload.iat as number,
        exp: payload.exp as number,
        jkt: boundKey(payload),
      };
    },
  };
}
