/**
 * Issuer identifiers as the OpenID Provider and OIDC_ISSUER may spell them: compared as URLs (a
 * trailing slash on a bare host makes no difference, as for openid-client's discovery check).
 */
import 'server-only';

function normalised(issuer: string): string {
  try {
    return new URL(issuer).href;
  } catch {
    return issuer;
  }
}

export function sameIssuer(a: string, b: string): boolean {
  return normalised(a) === normalised(b);
}

/** A provider's name for people: OIDC_DISPLAY_NAME for the configured one, else its issuer's host. */
export function providerName(issuer: string, configured: { issuer: string; displayName: string } | null | undefined) {
  if (configured && sameIssuer(issuer, configured.issuer)) return configured.displayName;
  try {
    return new URL(issuer).host;
  } catch {
    return issuer;
  }
}
