/** The refresh request itself: POST /api/auth/refresh (which also renews the page cookie). */
import { boundKeyOf, fetchWithProof, loadKey, postSigner } from './dpop';
import { jsonOrNull } from './http';
import { classifyRefreshAnswer, type RefreshAnswer } from './refresh-outcome';

export const REFRESH_PATH = '/api/auth/refresh';

export async function httpRefresh(refreshToken: string, signal: AbortSignal): Promise<RefreshAnswer> {
  // A bound session proves its browser key (DPoP); without the key the server refuses, for good.
  const jkt = boundKeyOf(refreshToken);
  const key = jkt ? await loadKey(jkt) : null;
  const response = await fetchWithProof(
    postSigner(key, REFRESH_PATH),
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: refreshToken }),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    },
    (init) => fetch(REFRESH_PATH, init),
  );
  const answer = classifyRefreshAnswer(response.status, await jsonOrNull(response));
  // Only a missing key ends the session; with its key in hand, a refused proof (a proxy that
  // changed the URL, a clock far off) is something to retry, not a reason to sign out.
  if (answer.kind === 'terminal' && answer.code === 'invalid_dpop_proof' && key) {
    return { kind: 'transient', reason: 'DPoP proof refused' };
  }
  return answer;
}
