/** Who the caller is, as GET /api/auth/me answers: the account, this session, and what it should know. */
import 'server-only';
import type { MeResponse } from '../api/auth';
import type { DeviceAlert } from '../api/mail';
import type { SessionWithUser } from '../db';
import { sessionMethod } from './authentication';
import type { AuthDeps } from './deps';
import { describeDevice } from '../api/device';
import { hasSecondFactor } from './second-factor/factors';
import { authenticationOf } from './sessions';

/** At most this many alerts: a page shows the newest, the activity page has the rest. */
const ALERTS = 5;

/** Sign-ins from new devices since `session` began, made by other sessions (noteSignIn audits them). */
async function alertsFor(deps: AuthDeps, session: SessionWithUser): Promise<DeviceAlert[]> {
  const events = await deps.store.listAudit({ userId: session.userId, type: 'sign_in.new_device', limit: ALERTS });
  return events
    .filter((event) => event.at.getTime() > session.createdAt.getTime() && event.sessionId !== session.id)
    .map((event) => ({
      id: event.id,
      at: event.at.toISOString(),
      device: describeDevice(event.userAgent).label,
      ip: event.ip,
      sessionId: event.sessionId,
    }));
}

export async function whoAmI(deps: AuthDeps, session: SessionWithUser): Promise<MeResponse> {
  const { user } = session;
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    session: {
      id: session.id,
      createdAt: session.createdAt.toISOString(),
      lastUsedAt: session.lastUsedAt.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
      authenticatedAt: authenticationOf(session).at.toISOString(),
      method: sessionMethod(session, deps.policy.sso),
    },
    secondFactor: await hasSecondFactor(deps, user.id),
    email: user.email,
    emailVerified: user.email !== null && user.emailVerifiedAt !== null,
    mail: deps.mail !== null,
    alerts: await alertsFor(deps, session),
  };
}
