/**
 * Where the browser keeps its tokens: localStorage, shared by every tab of the origin.
 *
 * Times are on this device's clock but measured from the moment each response arrived
 * (`expires_in` seconds after receipt), never compared with the token's `exp` claim: a device
 * clock minutes or hours off would otherwise refresh too late or in a loop.
 *
 * A generation counter makes sign-out win every race: sign-in and sign-out bump it, and a
 * refresh that started under an older generation may not write its result.
 */
import type { MeResponse, TokenResponse } from '../api/auth';

/** Who signed in, as /api/auth/me says: shown on every page, kept with the tokens. */
export type SignedInUser = Pick<MeResponse, 'id' | 'username' | 'role'>;

export type StoredTokens = {
  accessToken: string;
  refreshToken: string;
  /** Device-clock ms when the response arrived. */
  receivedAt: number;
  /** receivedAt + expires_in. */
  accessExpiresAt: number;
  /** receivedAt + refresh_expires_in. */
  refreshExpiresAt: number;
  user: SignedInUser | null;
};

/** The subset of the Web Storage API used here (tests pass an in-memory one). */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export const TOKENS_KEY = 'staysignedin.tokens';
export const GENERATION_KEY = 'staysignedin.generation';

export function tokensFromResponse(
  body: Pick<TokenResponse, 'access_token' | 'refresh_token' | 'expires_in' | 'refresh_expires_in'>,
  receivedAt: number,
  user: SignedInUser | null,
): StoredTokens {
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    receivedAt,
    accessExpiresAt: receivedAt + body.expires_in * 1000,
    refreshExpiresAt: receivedAt + body.refresh_expires_in * 1000,
    user,
  };
}

function isStoredTokens(value: unknown): value is StoredTokens {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.accessToken === 'string' &&
    typeof v.refreshToken === 'string' &&
    typeof v.receivedAt === 'number' &&
    typeof v.accessExpiresAt === 'number' &&
    typeof v.refreshExpiresAt === 'number'
  );
}

export type TokenStore = ReturnType<typeof createTokenStore>;

export function createTokenStore(storage: KeyValueStorage) {
  function generation(): number {
    return Number(storage.getItem(GENERATION_KEY) ?? '0') || 0;
  }

  function bump(): number {
    const next = generation() + 1;
    storage.setItem(GENERATION_KEY, String(next));
    return next;
  }

  return {
    generation,

    read(): StoredTokens | null {
      try {
        const value: unknown = JSON.parse(storage.getItem(TOKENS_KEY) ?? 'null');
        return isStoredTokens(value) ? { ...value, user: value.user ?? null } : null;
      } catch {
        return null; // corrupt entry: treat as signed out
      }
    },

    /** A new sign-in: a new generation, so nothing from before it can overwrite it. */
    signIn(tokens: StoredTokens): number {
      const next = bump();
      storage.setItem(TOKENS_KEY, JSON.stringify(tokens));
      return next;
    },

    /** Writes only if nobody signed in or out since `expected` was read. */
    writeIf(expected: number, tokens: StoredTokens): boolean {
      if (generation() !== expected) return false;
      storage.setItem(TOKENS_KEY, JSON.stringify(tokens));
      return true;
    },

    /** Sign-out: tokens gone, and any refresh still in flight may no longer write. */
    clear(): void {
      bump();
      storage.removeItem(TOKENS_KEY);
    },

    /** Clears only if still on `expected` (a terminal refresh answer for the current session). */
    clearIf(expected: number): boolean {
      if (generation() !== expected) return false;
      this.clear();
      return true;
    },
  };
}
