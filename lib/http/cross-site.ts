/**
 * Browsers label each request with where it was made (Fetch Metadata, `Sec-Fetch-Site`). The
 * public token endpoints refuse requests made by another site's page: a hidden form there must not
 * be able to sign the visitor into an attacker's account (login CSRF), nor sign them out.
 * Non-browser clients send no such header and are unaffected.
 */
import { AppError } from '../errors';

export function refuseCrossSite(request: Request): void {
  if (request.headers.get('sec-fetch-site') === 'cross-site') {
    throw new AppError('forbidden', 'requests from other sites are not accepted here');
  }
}
