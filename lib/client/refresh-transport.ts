/** The refresh request itself: POST /api/auth/refresh (which also renews the page cookie). */
import { PATHS } from '../api/routes';
import type { KeyStore } from './dpop-keys';
import { boundKeyOf, type Proofs } from './dpop-proofs';
import { jsonOrNull } from './http';
import type { RefreshTransport } from './refresh-coordinator';
import { classifyRefreshAnswer } from './refresh-outcome';

export function createRefreshTransport(deps: {
  keys: KeyStore;
  proofs: Proofs;
  fetch: typeof fetch;
}): RefreshTransport {
  return async (refreshToken, signal) => {
    // A bound session proves its browser key (DPoP); without the key the server refuses, for good.
    const jkt = boundKeyOf(refreshToken);
    const key = jkt ? await deps.keys.load(jkt) : null;
    const response = await deps.proofs.fetchWithProof(
      deps.proofs.signer(key, 'POST', PATHS.refresh),
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: refreshToken }),
        credentials: 'same-origin',
        cache: 'no-store',
        signal,
      },
      (init) => deps.fetch(PATHS.refresh, init),
    );
    const answer = classifyRefreshAnswer(response.status, await jsonOrNull(response));
    // Only a missing key ends the session; with its key in hand, a refused proof (a proxy that
    // changed the URL, a clock far off) is something to retry, not a reason to sign out.
    if (answer.kind === 'terminal' && answer.code === 'invalid_dpop_proof' && key) {
      return { kind: 'transient', reason: 'DPoP proof refused' };
    }
    return answer;
  };
}
