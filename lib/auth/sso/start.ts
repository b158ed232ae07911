/** Starting a single sign-on, whatever it is for: 404 when it is off, the next path made safe. */
import 'server-only';
import { safeNextPath } from '../../api/safe-next';
import { AppError } from '../../errors';
import type { AuthDeps } from '../deps';
import { startSso, type SsoIntent } from './flow';
import type { OpenIdProvider } from './provider';

/** Any origin will do: only whether `next` stays on it matters, and what path it resolves to. */
const ORIGIN = 'https://app.invalid';

export function requireProvider(provider: OpenIdProvider | null): OpenIdProvider {
  if (provider === null) throw new AppError('not_found', 'single sign-on is not configured on this server');
  return provider;
}

export function startSignInThroughProvider(
  deps: AuthDeps,
  provider: OpenIdProvider | null,
  request: { intent: SsoIntent; next: string | undefined; sessionId: string | null },
): Promise<{ authorizationUrl: string; binding: string; expiresIn: number }> {
  return startSso(deps, requireProvider(provider), {
    intent: request.intent,
    // The same open-redirect rule as the sign-in page's, applied before it is kept.
    next: request.next === undefined ? null : safeNextPath(request.next, ORIGIN),
    sessionId: request.sessionId,
  });
}
