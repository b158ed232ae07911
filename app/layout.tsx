import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { getConfig } from '@/lib/config';
import { AuthProvider } from '@/lib/client/auth-provider';
import type { ClientSettings } from '@/lib/client/settings';
import './globals.css';

export const metadata: Metadata = { title: 'Stay signed in', description: 'Sign-in that stays alive' };

// Client timing comes from the server's configuration at request time, not at build time.
export const dynamic = 'force-dynamic';

export default function RootLayout({ children }: { children: ReactNode }) {
  const { client } = getConfig();
  const settings: ClientSettings = {
    refreshLeadSeconds: client.refreshLeadSeconds,
    requestTimeoutMs: client.requestTimeoutSeconds * 1000,
    sessionCheckSeconds: client.sessionCheckSeconds,
  };
  return (
    <html lang="en">
      <body>
        <AuthProvider settings={settings}>{children}</AuthProvider>
      </body>
    </html>
  );
}
