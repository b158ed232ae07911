import { Suspense } from 'react';
import { SsoReturn } from './sso-return';

export const metadata = { title: 'Signing in · Stay signed in' };

/** Where the identity provider sends the browser back (OIDC_ISSUER's redirect URI). */
export default function SsoReturnPage() {
  return (
    <main>
      <Suspense>
        <SsoReturn />
      </Suspense>
    </main>
  );
}
