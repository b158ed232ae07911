/**
 * fetch for our API: attaches the Bearer access token (or, when the server binds access tokens
 * too, `DPoP <token>` with a proof of this browser's key for this request); on a 401 refreshes
 * once (shared with any concurrent 401s) and retries once. Every request has a timeout.
 */
import { accessProof, boundKeyOf, fetchWithProof, loadKey } from './dpop';
import { fetchWithTimeout, jsonOrNull } from './http';
import type { RefreshCoordinator } from './refresh-coordinator';

/** The session is over (or there never was one): the caller should go to /login. */
export class SignedOutError extends Error {
  override readonly name = 'SignedOutError';
  constructor() {
    super('you are signed out');
  }
}

/** The API answered with an error status; `problem` is its RFC 9457 body when it has one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly problem: { code?: string; detail?: string } | null,
  ) {
    super(problem?.detail ?? `the server answered ${status}`);
  }
}

export type AuthFetch = (input: string, init?: RequestInit) => Promise<Response>;

export function createAuthFetch(coordinator: RefreshCoordinator, timeoutMs: number): AuthFetch {
  const send = async (input: string, init: RequestInit, token: string) => {
    const jkt = boundKeyOf(token);
    const key = jkt ? await loadKey(jkt) : null;
    const headers = {
      ...Object.fromEntries(new Headers(init.headers)),
      authorization: `${key ? 'DPoP' : 'Bearer'} ${token}`,
    };
    return fetchWithProof(
      key && ((nonce) => accessProof(key, init.method ?? 'GET', input, token, nonce)),
      { ...init, headers, cache: 'no-store' },
      (request) => fetchWithTimeout(input, request, timeoutMs),
    );
  };

  return async (input, init = {}) => {
    const token = await coordinator.accessToken();
    if (!token) throw new SignedOutError();
    const response = await send(input, init, token);
    if (response.status !== 401) return response;
    const result = await coordinator.refresh({ staleAccessToken: token });
    if (result.kind === 'terminal' || result.kind === 'signed-out') throw new SignedOutError();
    if (result.kind === 'transient') return response; // keep the 401; the coordinator retries
    return send(input, init, result.tokens.accessToken); // retry once, never more
  };
}

/** An SWR fetcher: JSON on success, ApiError otherwise. */
export function jsonFetcher(authFetch: AuthFetch) {
  return async <T>(url: string): Promise<T> => {
    const response = await authFetch(url);
    const body = await jsonOrNull(response);
    if (!response.ok) throw new ApiError(response.status, body as { code?: string; detail?: string } | null);
    return body as T;
  };
}
