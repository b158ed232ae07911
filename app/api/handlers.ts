/**
 * Every API route file by its name in the route table (lib/api/routes.ts): the middleware calls
 * these handlers itself for the requests it admits (lib/edge/api-dispatch.ts). The type makes
 * this list name every route; a test holds each entry to the file that serves its path.
 */
import type { ApiHandlers } from '@/lib/edge/api-dispatch';
import * as token from './auth/token/route';
import * as mfa from './auth/mfa/route';
import * as reauthenticate from './auth/reauthenticate/route';
import * as reauthOptions from './auth/reauthenticate/options/route';
import * as passkeySignIn from './auth/passkey/route';
import * as passkeySignInOptions from './auth/passkey/options/route';
import * as passkeys from './auth/passkeys/route';
import * as passkeyOptions from './auth/passkeys/options/route';
import * as passkey from './auth/passkeys/[id]/route';
import * as totp from './auth/totp/route';
import * as totpConfirm from './auth/totp/confirm/route';
import * as recoveryCodes from './auth/recovery-codes/route';
import * as ssoStatus from './auth/oidc/route';
import * as ssoStart from './auth/oidc/start/route';
import * as ssoCallback from './auth/oidc/callback/route';
import * as ssoBackchannelLogout from './auth/oidc/backchannel-logout/route';
import * as identities from './auth/identities/route';
import * as identityLink from './auth/identities/link/route';
import * as identity from './auth/identities/[id]/route';
import * as reauthSso from './auth/reauthenticate/oidc/route';
import * as passwordReset from './auth/password-reset/route';
import * as passwordResetConfirm from './auth/password-reset/confirm/route';
import * as email from './auth/email/route';
import * as emailVerify from './auth/email/verify/route';
import * as notMe from './auth/not-me/route';
import * as mailBacklog from './admin/mail/route';
import * as refresh from './auth/refresh/route';
import * as logout from './auth/logout/route';
import * as me from './auth/me/route';
import * as sessions from './auth/sessions/route';
import * as session from './auth/sessions/[id]/route';
import * as revokeOthers from './auth/sessions/revoke-others/route';
import * as password from './auth/password/route';
import * as users from './admin/users/route';
import * as user from './admin/users/[id]/route';
import * as userSecondFactors from './admin/users/[id]/second-factors/route';
import * as audit from './audit/route';
import * as health from './health/route';
import * as metrics from './metrics/route';
import * as benchOpen from './bench/open/route';
import * as benchWrite from './bench/write/route';
import * as benchProtected from './bench/protected/route';

export const API_HANDLERS: ApiHandlers = {
  token,
  mfa,
  reauthenticate,
  reauthOptions,
  passkeySignIn,
  passkeySignInOptions,
  passkeys,
  passkeyOptions,
  passkey,
  totp,
  totpConfirm,
  recoveryCodes,
  ssoStatus,
  ssoStart,
  ssoCallback,
  ssoBackchannelLogout,
  identities,
  identityLink,
  identity,
  reauthSso,
  passwordReset,
  passwordResetConfirm,
  email,
  emailVerify,
  notMe,
  mailBacklog,
  refresh,
  logout,
  me,
  sessions,
  session,
  revokeOthers,
  password,
  users,
  user,
  userSecondFactors,
  audit,
  health,
  metrics,
  benchOpen,
  benchWrite,
  benchProtected,
};
