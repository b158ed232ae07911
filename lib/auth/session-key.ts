/**
 * A session bound to a browser key (DPoP) acts only with a proof from that key: a refresh, and
 * every change made with its access token (ending sessions, a password change, administration).
 * Access tokens are Bearer tokens unless DPOP_ACCESS_TOKENS, so a copy of one can read for its few
 * minutes, but it cannot change anything, sign its owner out or take the account over.
 */
import { recordEvent } from '../audit/audit-log';
import type { AuditType } from '../api/audit';
import { log } from '../log';
import type { AuthDeps, ClientInfo } from './deps';
import { invalidProof, type VerifiedProof } from './dpop';

/** Throws invalid_dpop_proof (audited as `event`) unless the session is unbound or `proof` is from its key. */
export async function assertSessionKey(
  deps: Pick<AuthDeps, 'store' | 'now'>,
  session: { id: string; userId: string; dpopJkt: string | null },
  proof: VerifiedProof | null,
  context: { client: ClientInfo; event: AuditType; action?: string },
): Promise<void> {
  if (session.dpopJkt === null || proof?.jkt === session.dpopJkt) return;
  const presented = proof ? 'another key' : 'none';
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
  throw invalidProof(
    proof ? 'the DPoP proof is signed by another key than this session is bound to' : 'this session needs a DPoP proof',
  );
}
