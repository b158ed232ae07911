/**
 * What the client does with the refresh endpoint's answer. The error `code` decides: these
 * five mean the session is over (sign out); anything else (network error, timeout, 5xx, 429,
 * an unknown code) is transient: keep the tokens and retry.
 */
import type { TokenResponse } from '../api/auth';

// invalid_dpop_proof: the session is bound to a key this browser no longer has; it cannot go on.
export const TERMINAL_CODES = [
  'invalid_token',
  'token_reused',
  'session_revoked',
  'account_disabled',
  'invalid_dpop_proof',
] as const;
export type TerminalCode = (typeof TERMINAL_CODES)[number];

/** What the client reads of a token response. */
export type TokenAnswer = Pick<TokenResponse, 'access_token' | 'refresh_token' | 'expires_in' | 'refresh_expires_in'>;

export type RefreshAnswer =
  { kind: 'ok'; body: TokenAnswer } | { kind: 'terminal'; code: TerminalCode } | { kind: 'transient'; reason: string };

/**
 * The fields the client relies on (lib/api/auth.ts has the whole shape). Checked by hand, not with
 * the zod schema, so the page's auth client does not carry a validation library.
 */
function isTokenResponse(value: unknown): value is TokenAnswer {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.access_token === 'string' &&
    typeof v.refresh_token === 'string' &&
    typeof v.expires_in === 'number' &&
    typeof v.refresh_expires_in === 'number'
  );
}

export function classifyRefreshAnswer(status: number, body: unknown): RefreshAnswer {
  if (status === 200) {
    return isTokenResponse(body) ? { kind: 'ok', body } : { kind: 'transient', reason: 'malformed token response' };
  }
  const code = typeof body === 'object' && body !== null ? (body as { code?: unknown }).code : undefined;
  if (status === 401 || status === 403) {
    const terminal = TERMINAL_CODES.find((c) => c === code);
    if (terminal) return { kind: 'terminal', code: terminal };
  }
  return { kind: 'transient', reason: `HTTP ${status}${typeof code === 'string' ? ` ${code}` : ''}` };
}
