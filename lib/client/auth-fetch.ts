/**
 * fetch for our API: attaches the Bearer access token (or, when the server binds access tokens
 * too, `DPoP <token>` with a proof of this browser's key for this request); on a 401 refreshes
 * once (shared with any concurrent 401s) and retries once. Every request has a timeout.
 * A request that changes something (any method but GET and HEAD) of a session bound to this
 * browser's key carries a proof of the key as well: the server refuses such changes without one.
 */
import type { KeyStore } from './dpop-keys';
import { boundKeyOf, type Proofs } from './dpop-proofs';
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

/** A 401 about what the user typed (a wrong password or code), not about the token. */
async function isCredentialFailure(response: Response): Promise<boolean> {
  const code = ((await jsonOrNull(response.clone())) as { code?: unknown } | null)?.code;
  return code === 'invalid_credentials' || code === 'invalid_code';
}

/** A 401 that asks the user to authenticate again before a sensitive action (RFC 9470). */
export function asksForReauthentication(response: Response): boolean {
  return (
    response.status === 401 &&
    /error="insufficient_user_authentication"/.test(response.headers.get('www-authenticate') ?? '')
  );
}

const READS = new Set(['GET', 'HEAD']);

export function createAuthFetch(deps: {
  coordinator: RefreshCoordinator;
  timeoutMs: number;
  keys: KeyStore;
  proofs: Proofs;
  /** The thumbprint of the key the stored session is bound to (its refresh token's cnf.jkt). */
  sessionKey: () => string | null;
  fetch: typeof fetch;
}): AuthFetch {
  const { coordinator, keys, proofs } = deps;
  const send = async (input: string, init: RequestInit, token: string) => {
    const method = (init.method ?? 'GET').toUpperCase();
    const accessJkt = boundKeyOf(token);
    const accessKey = accessJkt ? await keys.load(accessJkt) : null;
    const changeJkt = !accessKey && !READS.has(method) ? deps.sessionKey() : null;
    const changeKey = changeJkt ? await keys.load(changeJkt) : null;
    const headers = {
      ...Object.fromEntries(new Headers(init.headers)),
      authorization: `${accessKey ? 'DPoP' : 'Bearer'} ${token}`,
    };
    const signer = accessKey ? proofs.signer(accessKey, method, input, token) : proofs.signer(changeKey, method, input);
    return proofs.fetchWithProof(signer, { ...init, headers, cache: 'no-store' }, (request) =>
      fetchWithTimeout(input, request, deps.timeoutMs, deps.fetch),
    );
  };

  return async (input, init = {}) => {
    const token = await coordinator.accessToken();
    if (!token) throw new SignedOutError();
    const response = await send(input, init, token);
    // A step-up challenge (RFC 9470) is about the user, not the token: a refresh would not help.
    if (response.status !== 401 || asksForReauthentication(response)) return response;
    // A wrong password or code: refreshing and sending it again would only count it twice.
    if (await isCredentialFailure(response)) return response;
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
