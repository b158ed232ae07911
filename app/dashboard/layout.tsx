import type { ReactNode } from 'react';
import { DeviceAlerts } from '../_components/device-alerts';
import { Nav } from '../_components/nav';
import { ReauthProvider } from '../_components/reauth';
import { RequireAuth } from '../_components/require-auth';
import { TopBar } from '../_components/top-bar';

export const metadata = { title: 'Dashboard · Stay signed in' };

export default function DashboardLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <TopBar />
      <Nav />
      <main>
        <RequireAuth>
          <ReauthProvider>
            <DeviceAlerts />
            {children}
          </ReauthProvider>
        </RequireAuth>
      </main>
    </>
  );
}
