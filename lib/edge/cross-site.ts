/**
 * The public POST endpoints (sign-in, refresh, sign-out) accept requests from our own pages and
 * from non-browser clients only. A hidden form or fetch on another site must not be able to sign
 * the visitor into an attacker's account (login CSRF) or sign them out.
 *
 * Refused:
 * - `Sec-Fetch-Site: cross-site`, and `same-site` (a sibling subdomain) unless its Origin is listed
 *   in ALLOWED_ORIGINS;
 * - an `Origin` that is neither this app's host nor listed (older browsers send no fetch metadata);
 * - `Origin: null` (sandboxed frames, data: URLs, some cross-origin redirects).
 * Clients that send neither header (curl, scripts) are not browsers and carry no ambient
 * credentials: they are unaffected.
 */
import 'server-only';
import { recordEvent } from '../audit/audit-log';
import type { Store } from '../db';
import { AppError } from '../errors';
import { clientInfo } from '../http/client-info';
import { requestHost, type ProxyTrust } from '../http/forwarded';

export type OriginPolicy = ProxyTrust & { allowedOrigins: readonly string[] };

const REFUSED = 'requests from other sites are not accepted here';

/** The origin's host, or null when it is not a usable http(s) origin. */
function originHost(origin: string): string | null {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host : null;
  } catch {
    return null;
  }
}

/** refuseCrossSite, with the refusal written to the audit log (it may be a login CSRF attempt). */
export async function refuseCrossSiteAudited(
  request: Request,
  policy: OriginPolicy,
  deps: { store: Store; now: () => Date },
): Promise<void> {
  try {
    refuseCrossSite(request, policy);
  } catch (error) {
    await recordEvent(
      deps.store,
      {
        type: 'request.cross_site_refused',
        client: clientInfo(request, policy.trustProxy),
        detail: {
          path: new URL(request.url).pathname.slice(0, 200),
          origin: request.headers.get('origin')?.slice(0, 200) ?? null,
          site: request.headers.get('sec-fetch-site')?.slice(0, 40) ?? null,
        },
      },
      deps.now(),
    );
    throw error;
  }
}

export function refuseCrossSite(request: Request, policy: OriginPolicy): void {
  const site = request.headers.get('sec-fetch-site')?.toLowerCase();
  const origin = request.headers.get('origin');
  const listed = origin !== null && policy.allowedOrigins.includes(origin.toLowerCase());
  if (site === 'cross-site' && !listed) throw new AppError('forbidden', REFUSED);
  if (site === 'same-site' && !listed) throw new AppError('forbidden', REFUSED);
  if (origin === null || listed) return;
  // "null" is what a sandboxed or opaque context sends: never one of our pages.
  const host = originHost(origin);
  // The host alone is compared: without TRUST_PROXY the server cannot know the browser's scheme,
  // and a page on this very host is ours whatever its scheme.
  if (host === null || host !== requestHost(request, policy)) throw new AppError('forbidden', REFUSED);
}
