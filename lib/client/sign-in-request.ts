/** The sign-in request and what to tell the person when it fails. */
import { fetchWithProof, postSigner, type DpopKey } from './dpop';
import { fetchWithTimeout, jsonOrNull, RequestTimeoutError } from './http';
import type { TokenResponse } from './token-store';

export type SignInFailure = { code: string; message: string };

export async function requestTokens(
  username: string,
  password: string,
  timeoutMs: number,
  /** Binds the new session to this browser key (DPoP); null for an unbound session. */
  key: DpopKey | null = null,
): Promise<{ ok: true; body: TokenResponse } | { ok: false; failure: SignInFailure }> {
  let response: Response;
  const send = (signer: DpopKey | null) =>
    fetchWithProof(
      postSigner(signer, '/api/auth/token'),
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
        credentials: 'same-origin',
      },
      (init) => fetchWithTimeout('/api/auth/token', init, timeoutMs),
    );
  try {
    response = await send(key);
    // A proof the server cannot check (a proxy that rewrites the URL): sign in unbound rather than
    // not at all. The sessions page then says the session is not bound.
    if (
      key &&
      response.status === 401 &&
      ((await jsonOrNull(response.clone())) as { code?: string })?.code === 'invalid_dpop_proof'
    ) {
      response = await send(null);
    }
  } catch (error) {
    return {
      ok: false,
      failure: {
        code: 'network',
        message:
          error instanceof RequestTimeoutError
            ? 'The server did not answer in time. Check your connection and try again.'
            : 'Cannot reach the server. Check your connection and try again.',
      },
    };
  }
  const body = (await jsonOrNull(response)) as (TokenResponse & { code?: string }) | null;
  if (response.ok && body?.access_token) return { ok: true, body };
  return { ok: false, failure: describeFailure(response, body?.code) };
}

function describeFailure(response: Response, code: string | undefined): SignInFailure {
  switch (code) {
    case 'invalid_credentials':
      return { code, message: 'Wrong username or password.' };
    case 'account_disabled':
      return { code, message: 'This account has been disabled. Ask an administrator to re-enable it.' };
    case 'too_many_attempts': {
      const seconds = Number(response.headers.get('retry-after'));
      const wait = seconds > 0 ? ` Try again in ${seconds} second${seconds === 1 ? '' : 's'}.` : ' Try again later.';
      return { code, message: `Too many sign-in attempts.${wait}` };
    }
    case 'invalid_request':
      return { code, message: 'Enter your username and password.' };
    case 'dpop_required':
      return { code, message: 'This browser cannot keep a sign-in key here. Leave private browsing and try again.' };
    default:
      return {
        code: code ?? `http_${response.status}`,
        message: 'Something went wrong on our side. Please try again in a moment.',
      };
  }
}
