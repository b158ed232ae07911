/**
 * Access and refresh tokens: HS256 JWTs signed with AUTH_SECRET (hs256.ts, on node:crypto).
 *
 *             header typ   claim type   other claims
 *   access    at+jwt       "access"     iss aud sub sid jti iat exp role auth_time amr   (RFC 9068)
 *   refresh   rt+jwt       "refresh"    iss aud sub sid gen jti iat exp
 *
 * A refresh token names its session (`sid`) and its generation in that session's chain (`gen`);
 * the session row says which generation may rotate (docs/design.md, rules 1-3). `jti` keeps every
 * token unique and is not stored. Tokens of the release before generations carry no `gen`.
 *
 * Verification pins the algorithm, issuer, audience, `typ` and `type`, so one kind of token can
 * never stand in for the other. `kid` names the key: a token signed with AUTH_SECRET_PREVIOUS
 * still verifies during a key rotation. Usable from middleware.ts (Node.js runtime).
 */
import 'server-only';
import { AppError } from '../errors';
import { checkClaims, hs256Signer, JwsError, verifyHs256, type JsonObject } from './hs256';
import { randomId } from '../ids';
import type { Role } from '../users/roles';
import { parseAmr, type Amr } from './authentication';
import { AUDIENCE, ISSUER, keyId, TYP, type TokenKind } from './token-format';

export { AUDIENCE, ISSUER, keyId, type TokenKind };

export type AccessClaims = {
  sub: string;
  sid: string;
  jti: string;
  role: Role;
  iat: number;
  exp: number;
  /** With DPOP_ACCESS_TOKENS: the key every use must prove (cnf.jkt); null for a Bearer token. */
  jkt: string | null;
  /** When the session's user last authenticated (seconds), and how (RFC 8176). */
  authTime: number;
  amr: Amr[];
};
/** `jkt`: the DPoP key thumbprint from the `cnf` claim, when the token is bound (RFC 9449 §6.1). */
export type RefreshClaims = {
  sub: string;
  sid: string;
  jti: string;
  /** The token's generation; null for a token issued before generations (lib/auth/rotation.ts). */
  gen: number | null;
  iat: number;
  exp: number;
  jkt: string | null;
};

type Key = { kid: string; key: Buffer };

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

/** The key thumbprint a verified token is bound to, or null. */
function boundKey(payload: JsonObject): string | null {
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
  const keyFor = (secret: string): Key => ({ kid: keyId(secret), key: Buffer.from(secret, 'utf8') });
  const current = keyFor(options.secret);
  const keys = new Map<string, Key>([[current.kid, current]]);
  if (options.previousSecret) {
    const previous = keyFor(options.previousSecret);
    keys.set(previous.kid, previous);
  }
  const cacheSize = options.cacheSize ?? 10_000;
  // Keyed by the whole token string: the same string carries the same, already checked signature.
  const accessCache = new Map<string, AccessClaims>();

  const signers: Record<TokenKind, (payload: JsonObject) => string> = {
    access: hs256Signer({ typ: TYP.access, kid: current.kid }, current.key),
    refresh: hs256Signer({ typ: TYP.refresh, kid: current.kid }, current.key),
  };

  function sign(kind: TokenKind, claims: JsonObject, expiresAt: number, now: Date): string {
    claims.type = kind;
    claims.iss = ISSUER;
    claims.aud = AUDIENCE;
    claims.iat = Math.floor(now.getTime() / 1000);
    claims.exp = expiresAt;
    return signers[kind](claims);
  }

  function verify(kind: TokenKind, token: string, now: Date): JsonObject {
    let payload: JsonObject;
    let header: JsonObject;
    try {
      // Only our own keys, looked up by kid; a token without a known kid is refused.
      ({ header, payload } = verifyHs256(
        token,
        (h) => (typeof h.kid === 'string' ? keys.get(h.kid)?.key : null) ?? null,
      ));
      checkClaims(payload, {
        issuer: ISSUER,
        audience: AUDIENCE,
        required: ['sub', 'sid', 'jti', 'iat', 'exp'],
        nowSeconds: now.getTime() / 1000,
      });
    } catch (error) {
      throw invalid(error instanceof JwsError ? error.message : 'the token is malformed', error);
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
    if ((payload.iat as number) > now.getTime() / 1000 + 60) throw invalid('the token "iat" claim is in the future');
    return payload;
  }

  /**
   * The claims of a valid access token, at once: the check in front of every API request, where
   * a promise per call is a cost of its own. Throws the invalid_token AppError otherwise.
   */
  function verifyAccessNow(token: string, now: Date): AccessClaims {
    const seconds = now.getTime() / 1000;
    const hit = accessCache.get(token);
    // exp is re-checked on every hit: a cached token still expires on time.
    if (hit && hit.exp > seconds) return hit;
    if (hit) accessCache.delete(token);
    const payload = verify('access', token, now);
    if (payload.role !== 'admin' && payload.role !== 'user') throw invalid('the token "role" claim is invalid');
    const claims: AccessClaims = {
      sub: payload.sub as string,
      sid: payload.sid as string,
      jti: payload.jti as string,
      role: payload.role,
      iat: payload.iat as number,
      exp: payload.exp as number,
      jkt: boundKey(payload),
      // Tokens signed before auth_time was a claim: their session's sign-in, at the latest.
      authTime: typeof payload.auth_time === 'number' ? payload.auth_time : (payload.iat as number),
      amr: Array.isArray(payload.amr) ? parseAmr(payload.amr.filter((v) => typeof v === 'string').join(' ')) : ['pwd'],
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
  }

  /** The claims of a valid refresh token, at once; throws the invalid_token AppError otherwise. */
  function verifyRefreshNow(token: string, now: Date): RefreshClaims {
    const payload = verify('refresh', token, now);
    const gen = payload.gen;
    if (gen !== undefined && !(Number.isSafeInteger(gen) && (gen as number) >= 0)) {
      throw invalid('the token "gen" claim is invalid');
    }
    return {
      sub: payload.sub as string,
      sid: payload.sid as string,
      jti: payload.jti as string,
      gen: gen === undefined ? null : (gen as number),
      iat: payload.iat as number,
      exp: payload.exp as number,
      jkt: boundKey(payload),
    };
  }

  return {
    kid: current.kid,

    /** Signs at once: HMAC on node:crypto needs no promise. */
    signAccess(
      claims: { sub: string; sid: string; role: Role; jkt?: string | null; authTime: number; amr: readonly Amr[] },
      expiresAt: number,
      now: Date,
    ): string {
      const payload: JsonObject = {
        sub: claims.sub,
        sid: claims.sid,
        role: claims.role,
        jti: randomId(),
        auth_time: claims.authTime,
        amr: [...claims.amr],
      };
      if (claims.jkt) payload.cnf = { jkt: claims.jkt };
      return sign('access', payload, expiresAt, now);
    },

    signRefresh(
      claims: { sub: string; sid: string; gen: number; jkt?: string | null },
      expiresAt: number,
      now: Date,
    ): string {
      const payload: JsonObject = { sub: claims.sub, sid: claims.sid, gen: claims.gen, jti: randomId() };
      // A bound token names its key (RFC 9449 §6.1).
      if (claims.jkt) payload.cnf = { jkt: claims.jkt };
      return sign('refresh', payload, expiresAt, now);
    },

    verifyAccessNow,
    verifyRefreshNow,

    /** verifyAccessNow, as a promise. */
    async verifyAccess(token: string, now = new Date()): Promise<AccessClaims> {
      return verifyAccessNow(token, now);
    },

    /** verifyRefreshNow, as a promise. */
    async verifyRefresh(token: string, now = new Date()): Promise<RefreshClaims> {
      return verifyRefreshNow(token, now);
    },
  };
}
