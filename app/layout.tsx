import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { AuthProvider } from '@/lib/client/auth-provider';
import { clientSettings } from '@/lib/server/pages';
import './globals.css';

export const metadata: Metadata = { title: 'Stay signed in', description: 'Sign-in that stays alive' };

// Client timing comes from the server's configuration at request time, not at build time.
export const dynamic = 'force-dynamic';

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <AuthProvider settings={clientSettings()}>{children}</AuthProvider>
      </body>
    </html>
  );
}
