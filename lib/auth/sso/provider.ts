/**
 * The connection to the OpenID Provider (OIDC_ISSUER), through openid-client: discovery, the
 * authorization URL, the code exchange with every check on the ID token, the logout URL, and the
 * provider's keys for back-channel logout tokens.
 *
 * Discovery runs at start-up and again on demand while it has not succeeded (at most every
 * RETRY_MS): a provider that is down or misconfigured makes single sign-on unavailable
 * (503 sso_unavailable, and the sign-in page says so) without stopping the app, and sign-in through
 * it comes back by itself once the provider answers.
 */
import 'server-only';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import * as oidc from 'openid-client';
import type { Config } from '../../config';
import { AppError } from '../../errors';

export type SsoSettings = NonNullable<Config['sso']>;

/** How long a discovery or token request may take before the provider counts as unreachable. */
const REQUEST_TIMEOUT_SECONDS = 10;
/** How soon after a failed discovery the next request may try again. */
const RETRY_MS = 10_000;

export type ProviderStatus = { available: boolean; problem: string | null };

/** The claims of a verified ID token that sign-in reads. */
export type IdTokenClaims = {
  iss: string;
  sub: string;
  sid?: string;
  auth_time?: number;
  amr?: unknown;
  [claim: string]: unknown;
};

export type OpenIdProvider = {
  readonly settings: SsoSettings;
  status(): ProviderStatus;
  /** Discovers the provider now if it has not been (start-up; a retry after RETRY_MS). */
  discover(): Promise<ProviderStatus>;
  /** Resolves once the provider is discovered (trying again if due); sso_unavailable otherwise. */
  ready(): Promise<unknown>;
  authorizationUrl(parameters: {
    state: string;
    nonce: string;
    codeChallenge: string;
    /** Re-authentication: the provider must ask again, whatever session it has. */
    fresh: boolean;
  }): Promise<URL>;
  /**
   * The code exchange for the browser's return to `callback`: state, issuer (RFC 9207), PKCE and
   * the ID token (signature by the provider's keys with the one allowed algorithm, iss, aud, azp,
   * exp, iat, nonce; auth_time within `maxAge` when given) all checked by openid-client.
   */
  exchange(
    callback: URL,
    checks: { state: string; nonce: string; codeVerifier: string; maxAge?: number },
  ): Promise<IdTokenClaims>;
  /** RP-initiated logout: where to send the browser, or null when the provider has no such endpoint. */
  endSessionUrl(): URL | null;
  /** The provider's signing keys (its jwks_uri), for back-channel logout tokens. */
  keys(): Promise<JWTVerifyGetKey>;
  /**
   * The issuer exactly as the provider's metadata spells it (OIDC_ISSUER may differ by a trailing
   * slash): what its tokens carry as `iss`, and what sessions and identities are stored under.
   */
  issuer(): Promise<string>;
};

/** The profile claims sign-in reads, where a source has them. */
const PROFILE = ['email', 'email_verified', 'preferred_username', 'name', 'nickname'];
function profileOf(source: Record<string, unknown>, groupsClaim: string): Record<string, unknown> {
  return Object.fromEntries(
    [...PROFILE, groupsClaim].filter((name) => source[name] !== undefined).map((name) => [name, source[name]]),
  );
}

/** A failure to reach the provider (network, timeout, 5xx), as opposed to an answer that is wrong. */
function unreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return true;
  // fetch's own failure: refused, reset, unknown host.
  if (error instanceof TypeError && /fetch failed/i.test(error.message)) return true;
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' && status >= 500;
}

export function unavailable(settings: SsoSettings, cause?: unknown): AppError {
  return new AppError('sso_unavailable', `${settings.displayName} cannot be reached right now; try again later`, {
    retryAfter: 10,
    cause,
  });
}

/** What went wrong, in words an operator can act on (no secrets: openid-client never puts one in). */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${message}${cause}`.slice(0, 300);
}

export function createOpenIdProvider(settings: SsoSettings, log: (problem: string) => void): OpenIdProvider {
  let configuration: oidc.Configuration | null = null;
  let problem: string | null = 'not discovered yet';
  let lastAttempt = 0;
  let inFlight: Promise<void> | null = null;
  let keys: JWTVerifyGetKey | null = null;

  async function attempt(): Promise<void> {
    lastAttempt = Date.now();
    try {
      const metadata: Partial<oidc.ClientMetadata> = {
        // The one algorithm an ID token may be signed with: no "none", no HMAC with our secret.
        id_token_signed_response_alg: settings.idTokenAlg,
      };
      configuration = await oidc.discovery(
        new URL(settings.issuer),
        settings.clientId,
        metadata,
        // A confidential client authenticates at the token endpoint; a public one relies on PKCE.
        settings.clientSecret === null ? oidc.None() : oidc.ClientSecretBasic(settings.clientSecret),
        {
          timeout: REQUEST_TIMEOUT_SECONDS,
          execute: [
            // Plain http only to a loopback provider or with OIDC_ALLOW_HTTP (lib/config.ts).
            ...(settings.allowHttp ? [oidc.allowInsecureRequests] : []),
            // The ID token's signature is checked against the provider's keys even though it comes
            // straight from its token endpoint: that connection may be plain http on an internal
            // network, or pass a TLS-ending middlebox.
            oidc.enableNonRepudiationChecks,
          ],
        },
      );
      const server = configuration.serverMetadata();
      if (!server.authorization_endpoint || !server.token_endpoint || !server.jwks_uri) {
        throw new Error('the provider does not say where its authorization, token and key endpoints are');
      }
      keys = createRemoteJWKSet(new URL(server.jwks_uri), { timeoutDuration: REQUEST_TIMEOUT_SECONDS * 1000 });
      problem = null;
    } catch (error) {
      configuration = null;
      problem = describe(error);
      log(problem);
    }
  }

  async function discover(): Promise<ProviderStatus> {
    inFlight ??= attempt().finally(() => {
      inFlight = null;
    });
    await inFlight;
    return status();
  }

  function status(): ProviderStatus {
    return { available: configuration !== null, problem };
  }

  /** The discovered configuration; one more discovery first if the last failed long enough ago. */
  async function ready(): Promise<oidc.Configuration> {
    if (inFlight) await inFlight;
    if (configuration === null && Date.now() - lastAttempt >= RETRY_MS) await discover();
    if (configuration === null) throw unavailable(settings);
    return configuration;
  }

  return {
    settings,
    status,
    discover,
    ready,

    async authorizationUrl({ state, nonce, codeChallenge, fresh }) {
      const config = await ready();
      return oidc.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUri,
        scope: settings.scopes,
        state,
        nonce,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
        ...(fresh ? { prompt: 'login', max_age: '0' } : {}),
      });
    },

    async exchange(callback, { state, nonce, codeVerifier, maxAge }) {
      const config = await ready();
      try {
        const tokens = await oidc.authorizationCodeGrant(config, callback, {
          expectedState: state,
          expectedNonce: nonce,
          pkceCodeVerifier: codeVerifier,
          idTokenExpected: true,
          ...(maxAge !== undefined ? { maxAge } : {}),
        });
        const claims = tokens.claims();
        if (!claims) throw new Error('the provider sent no ID token');
        // Many providers keep the profile (e-mail, name, groups) out of the ID token when they
        // issue an access token (OpenID Connect Core §5.4): it is then read from UserInfo, whose
        // `sub` openid-client checks against the ID token's. Who signed in stays the ID token's word.
        const userinfo = config.serverMetadata().userinfo_endpoint
          ? await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)
          : {};
        return { ...profileOf(userinfo, settings.groupsClaim), ...claims, ...profileOf(claims, settings.groupsClaim) };
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (unreachable(error)) throw unavailable(settings, error);
        // Whatever did not hold (state, issuer, code, PKCE, signature, a claim): nothing is created.
        throw new AppError('sso_failed', describe(error), { cause: error });
      }
    },

    endSessionUrl() {
      if (configuration === null || !configuration.serverMetadata().end_session_endpoint) return null;
      return oidc.buildEndSessionUrl(configuration, { post_logout_redirect_uri: settings.postLogoutRedirectUri });
    },

    async keys() {
      await ready();
      if (keys === null) throw unavailable(settings);
      return keys;
    },

    async issuer() {
      return (await ready()).serverMetadata().issuer;
    },
  };
}
