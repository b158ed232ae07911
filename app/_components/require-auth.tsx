'use client';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import useSWR from 'swr';
import { PATHS } from '@/lib/api/routes';
import { useAuth } from '@/lib/client/auth-provider';

/**
 * Client-side twin of the middleware's page check: when the session ends while the page is
 * open (expired, revoked, signed out in another tab), go to /login and come back here after.
 */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { status, fetcher, settings } = useAuth();
  const router = useRouter();
  const pathname = usePathname();

  useEffect(() => {
    if (status === 'unauthenticated') {
      const here = pathname + window.location.search;
      router.replace(`/login?next=${encodeURIComponent(here)}`);
    }
  }, [status, router, pathname]);

  // Every dashboard page re-checks the session (SWR shares the request with the pages' own), so a
  // session ended elsewhere sends this tab to /login within sessionCheckSeconds.
  useSWR(status === 'authenticated' ? PATHS.me : null, fetcher, {
    refreshInterval: settings.sessionCheckSeconds * 1000,
    revalidateOnFocus: true,
  });

  if (status !== 'authenticated') {
    return (
      <p className="notice" role="status">
        {status === 'loading' ? 'Loading…' : 'Signing you out…'}
      </p>
    );
  }
  return <>{children}</>;
}
