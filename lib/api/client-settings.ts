/** The browser client's timing, sent by the server (app/layout.tsx) so it follows the configuration. */
export type ClientSettings = {
  /** Refresh this long before the access token expires, capped at half its lifetime. */
  refreshLeadSeconds: number;
  /** Every request, the refresh included, gives up after this long. */
  requestTimeoutMs: number;
  /** How often pages re-check the session with the server (0: only on focus). */
  sessionCheckSeconds: number;
  /** Whether this server offers passkeys (APP_ORIGIN). */
  passkeys: boolean;
  /** Whether this server sends mail (SMTP_URL): forgotten passwords, address verification. */
  mail: boolean;
  /** Single sign-on's provider, by name (OIDC_DISPLAY_NAME); null when it is off. */
  sso: { name: string } | null;
};
