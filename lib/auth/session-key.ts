/**
 * A session bound to a browser key (DPoP) acts only with a proof from that key: a refresh, and
 * every change made with its access token (ending sessions, a password change, administration).
 * Access tokens are Bearer tokens unless DPOP_ACCESS_TOKENS, so a copy of one can read for its few
 * minutes, but it cannot change anything, sign its owner out or take the account over. Every
 * refusal is on record: no proof, a proof of another key, or a proof that does not verify
 * (replayed, malformed, signed for another request).
 */
import 'server-only';
import type { AuditType } from '../api/audit';
import { recordEvent } from '../audit/audit-log';
import { log } from '../log';
import type { AuthDeps, ClientInfo } from './deps';
import { invalidProof, isRefused, type PresentedProof } from './dpop';

type Context = { client: ClientInfo; event: AuditType; action?: string };

/** Records that a request of this session was refused for its proof (or the lack of one). */
export async function recordKeyRefusal(
  deps: Pick<AuthDeps, 'store' | 'now'>,
  session: { id: string; userId: string },
  presented: string,
  context: Context,
): Promise<void> {
  await recordEvent(
    deps.store,
    {
      type: context.event,
      userId: session.userId,
      sessionId: session.id,
      client: context.client,
      detail: { proof: presented, ...(context.action ? { action: context.action } : {}) },
    },
    deps.now(),
  );
  log.warn('a request of a DPoP-bound session without its key was refused', {
    event: 'dpop_refused',
    action: context.action ?? context.event,
    sessionId: session.id,
    proof: presented,
  });
}

/**
 * Throws invalid_dpop_proof (audited as `event`) unless the proof presented is a valid one from
 * the session's key, or the session is unbound and no proof that failed to verify was presented.
 */
export async function assertSessionKey(
  deps: Pick<AuthDeps, 'store' | 'now'>,
  session: { id: string; userId: string; dpopJkt: string | null },
  proof: PresentedProof,
  context: Context,
): Promise<void> {
  if (isRefused(proof)) {
    await recordKeyRefusal(deps, session, 'invalid', context);
    throw proof.refused;
  }
  if (session.dpopJkt === null || proof?.jkt === session.dpopJkt) return;
  await recordKeyRefusal(deps, session, proof ? 'another key' : 'none', context);
  throw invalidProof(
    proof ? 'the DPoP proof is signed by another key than this session is bound to' : 'this session needs a DPoP proof',
  );
}
