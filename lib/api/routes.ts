/**
 * Every API route, once: its path, its methods, and whether the middleware lets it through
 * without an access token (it checks whatever credential it takes itself). The middleware's public
 * paths, the metrics' route labels and its 404 for unknown paths come from this table, and a test holds it
 * equal to the route files under app/api. Client-safe.
 */
export const PATHS = {
  token: '/api/auth/token',
  mfa: '/api/auth/mfa',
  reauthenticate: '/api/auth/reauthenticate',
  reauthOptions: '/api/auth/reauthenticate/options',
  passkeySignIn: '/api/auth/passkey',
  passkeySignInOptions: '/api/auth/passkey/options',
  passkeys: '/api/auth/passkeys',
  passkeyOptions: '/api/auth/passkeys/options',
  passkey: '/api/auth/passkeys/:id',
  totp: '/api/auth/totp',
  totpConfirm: '/api/auth/totp/confirm',
  recoveryCodes: '/api/auth/recovery-codes',
  ssoStatus: '/api/auth/oidc',
  ssoStart: '/api/auth/oidc/start',
  ssoCallback: '/api/auth/oidc/callback',
  ssoBackchannelLogout: '/api/auth/oidc/backchannel-logout',
  identities: '/api/auth/identities',
  identityLink: '/api/auth/identities/link',
  identity: '/api/auth/identities/:id',
  reauthSso: '/api/auth/reauthenticate/oidc',
  passwordReset: '/api/auth/password-reset',
  passwordResetConfirm: '/api/auth/password-reset/confirm',
  email: '/api/auth/email',
  emailVerify: '/api/auth/email/verify',
  notMe: '/api/auth/not-me',
  mailBacklog: '/api/admin/mail',
  refresh: '/api/auth/refresh',
  logout: '/api/auth/logout',
  me: '/api/auth/me',
  sessions: '/api/auth/sessions',
  session: '/api/auth/sessions/:id',
  revokeOthers: '/api/auth/sessions/revoke-others',
  password: '/api/auth/password',
  users: '/api/admin/users',
  user: '/api/admin/users/:id',
  userSecondFactors: '/api/admin/users/:id/second-factors',
  audit: '/api/audit',
  health: '/api/health',
  metrics: '/api/metrics',
  benchOpen: '/api/bench/open',
  benchWrite: '/api/bench/write',
  benchProtected: '/api/bench/protected',
} as const;

export type RouteName = keyof typeof PATHS;
export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

type Route = {
  methods: readonly Method[];
  /** `public`: no access token at the middleware; `token`: a Bearer (or DPoP) access token. */
  access: 'public' | 'token';
  /** Served only with ENABLE_BENCH_ROUTES (npm run bench). */
  bench?: true;
};

export const ROUTES: Record<RouteName, Route> = {
  token: { methods: ['POST'], access: 'public' },
  // The second step of a sign-in: its credential is the mfa_token, not an access token.
  mfa: { methods: ['POST'], access: 'public' },
  reauthenticate: { methods: ['POST'], access: 'token' },
  reauthOptions: { methods: ['POST'], access: 'token' },
  // Passkey sign-in: its credential is the passkey's signature, not an access token.
  passkeySignIn: { methods: ['POST'], access: 'public' },
  passkeySignInOptions: { methods: ['POST'], access: 'public' },
  passkeys: { methods: ['GET', 'POST'], access: 'token' },
  passkeyOptions: { methods: ['POST'], access: 'token' },
  passkey: { methods: ['PATCH', 'DELETE'], access: 'token' },
  totp: { methods: ['GET', 'POST', 'DELETE'], access: 'token' },
  totpConfirm: { methods: ['POST'], access: 'token' },
  recoveryCodes: { methods: ['POST'], access: 'token' },
  // Single sign-on: the sign-in page asks what it offers, starts, and hands back the provider's
  // answer; the provider itself posts logout tokens. None of them takes an access token at the
  // middleware (the callback checks the caller's own when it finishes a link or re-authentication).
  ssoStatus: { methods: ['GET'], access: 'public' },
  ssoStart: { methods: ['POST'], access: 'public' },
  ssoCallback: { methods: ['POST'], access: 'public' },
  ssoBackchannelLogout: { methods: ['POST'], access: 'public' },
  identities: { methods: ['GET'], access: 'token' },
  identityLink: { methods: ['POST'], access: 'token' },
  identity: { methods: ['DELETE'], access: 'token' },
  reauthSso: { methods: ['POST'], access: 'token' },
  // Mail links: their credential is the token in the link (or, for the request, nothing at all).
  passwordReset: { methods: ['POST'], access: 'public' },
  passwordResetConfirm: { methods: ['POST'], access: 'public' },
  email: { methods: ['POST'], access: 'token' },
  emailVerify: { methods: ['POST'], access: 'public' },
  notMe: { methods: ['POST'], access: 'public' },
  mailBacklog: { methods: ['GET'], access: 'token' },
  refresh: { methods: ['POST'], access: 'public' },
  logout: { methods: ['POST'], access: 'public' },
  me: { methods: ['GET'], access: 'token' },
  sessions: { methods: ['GET'], access: 'token' },
  session: { methods: ['DELETE'], access: 'token' },
  revokeOthers: { methods: ['POST'], access: 'token' },
  password: { methods: ['POST'], access: 'token' },
  users: { methods: ['GET', 'POST'], access: 'token' },
  user: { methods: ['PATCH', 'DELETE'], access: 'token' },
  userSecondFactors: { methods: ['DELETE'], access: 'token' },
  audit: { methods: ['GET'], access: 'token' },
  health: { methods: ['GET'], access: 'public' },
  // Checks its own credential (METRICS_TOKEN), which is not an access token.
  metrics: { methods: ['GET'], access: 'public' },
  benchOpen: { methods: ['GET'], access: 'public', bench: true },
  benchWrite: { methods: ['POST'], access: 'public', bench: true },
  benchProtected: { methods: ['GET'], access: 'token', bench: true },
};

/** A route's path with its parameters filled in: `pathTo('session', { id })`. */
export function pathTo(name: RouteName, params: Record<string, string> = {}): string {
  return PATHS[name].replace(/:([a-z]+)/g, (_, param: string) => encodeURIComponent(params[param] ?? ''));
}

const exact = new Map<string, RouteName>();
/** Routes with parameters, as their path's segments (`['', 'api', 'auth', 'sessions', ':id']`). */
const patterns: [string[], RouteName][] = [];
for (const name of Object.keys(PATHS) as RouteName[]) {
  const path = PATHS[name];
  if (path.includes(':')) patterns.push([path.split('/'), name]);
  else exact.set(path, name);
}

export type RouteMatch = { name: RouteName; params: Record<string, string> };

const NO_PARAMS: Record<string, string> = Object.freeze({});

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * The route a request path is for, and its parameters, matched as Next.js's router matches route
 * files: the path is split at its slashes first and each segment decoded on its own, so an
 * encoded letter (`/api/bench/%77rite`) names the route it spells, while an encoded slash stays
 * inside its segment (`/api/admin/users/a%2Fsecond-factors` is the user `a/second-factors`, not
 * another route). A fixed path wins over a pattern. Null for any other path.
 */
export function matchRoute(pathname: string): RouteMatch | null {
  // The common case, nothing encoded: one map lookup.
  if (!pathname.includes('%')) {
    const name = exact.get(pathname);
    if (name !== undefined) return { name, params: NO_PARAMS };
  }
  const segments: string[] = [];
  for (const raw of pathname.split('/')) {
    const segment = decodeSegment(raw);
    if (segment === null) return null;
    segments.push(segment);
  }
  if (segments.every((segment) => !segment.includes('/'))) {
    const name = exact.get(segments.join('/'));
    if (name !== undefined) return { name, params: NO_PARAMS };
  }
  for (const [template, name] of patterns) {
    if (template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = template.every((part, i) => {
      if (!part.startsWith(':')) return part === segments[i];
      params[part.slice(1)] = segments[i]!;
      return segments[i] !== '';
    });
    if (matches) return { name, params };
  }
  return null;
}

/** The route a request path is for (as `matchRoute`), or null for any other path. */
export function routeOf(pathname: string): RouteName | null {
  return matchRoute(pathname)?.name ?? null;
}

/** The paths the middleware lets through without an access token. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(
  (Object.keys(ROUTES) as RouteName[]).filter((name) => ROUTES[name].access === 'public').map((name) => PATHS[name]),
);
