/** What the sign-in page offers of single sign-on, asked of the provider connection. */
import 'server-only';
import type { SsoStatus } from '../../api/sso';
import type { OpenIdProvider } from './provider';

export async function ssoStatus(provider: OpenIdProvider | null): Promise<SsoStatus> {
  if (provider === null) return { enabled: false, available: false, name: null, only: false };
  let { available } = provider.status();
  // Down at start-up (or since): the page asking is a good moment to try again (at most every 10 s).
  if (!available)
    available = await provider.ready().then(
      () => true,
      () => false,
    );
  return { enabled: true, available, name: provider.settings.displayName, only: provider.settings.only };
}
