'use client';
/** The outbox, for administrators: how much waits, what was given up, and the last errors. */
import useSWR from 'swr';
import type { MailBacklog } from '@/lib/api/mail';
import { PATHS } from '@/lib/api/routes';
import { useAuth } from '@/lib/client/auth-provider';

export function MailStatus() {
  const { fetcher } = useAuth();
  const { data } = useSWR<MailBacklog, Error>(PATHS.mailBacklog, fetcher, { refreshInterval: 30_000 });
  if (!data?.enabled) return null;
  return (
    <section className="card" data-testid="mail-status">
      <h2>Mail</h2>
      <p>
        {data.waiting} waiting · {data.failed} given up
      </p>
      {data.recent.length > 0 && (
        <ul className="rows">
          {data.recent.map((mail) => (
            <li key={mail.id}>
              <div>
                <strong>{mail.subject}</strong> to {mail.to}
                <div className="notice">
                  {mail.attempts} attempt{mail.attempts === 1 ? '' : 's'}
                  {mail.failedAt
                    ? `, given up ${new Date(mail.failedAt).toLocaleString()}`
                    : mail.nextAttemptAt
                      ? `, next ${new Date(mail.nextAttemptAt).toLocaleString()}`
                      : ''}
                </div>
                {mail.lastError && <div className="error">{mail.lastError}</div>}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
