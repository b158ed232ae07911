'use client';
import { useState } from 'react';
import useSWR from 'swr';
import { useAuth } from '@/lib/client/auth-provider';
import {
  AUDIT_EVENTS,
  AUDIT_TYPES,
  type AuditEventView,
  type AuditPage as Page,
  type AuditType,
} from '@/lib/api/audit';
import { PATHS } from '@/lib/api/routes';

/** Who did it, in words: React escapes every name (a username tried can be anything). */
function byWhom(event: AuditEventView): string {
  switch (event.actor.kind) {
    case 'admin':
      return `by the administrator ${event.actor.username ?? '(deleted)'}`;
    case 'system':
      return 'by the system';
    case 'anonymous':
      return 'by someone not signed in';
    default:
      return 'by the user';
  }
}

/** The rest of what was recorded, without what the row already says. */
function details(event: AuditEventView): string {
  return Object.entries(event.detail ?? {})
    .filter(([key]) => key !== 'attempted')
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join(', ');
}

export default function AuditPage() {
  const { fetcher, user } = useAuth();
  const admin = user?.role === 'admin';
  const [type, setType] = useState('');
  const [account, setAccount] = useState('');
  const [cursors, setCursors] = useState<number[]>([]);
  const before = cursors.at(-1);
  const params = new URLSearchParams({ limit: '25' });
  if (type) params.set('type', type);
  if (admin && account.trim()) params.set('account', account.trim());
  if (before) params.set('before', String(before));
  const { data, error } = useSWR<Page, Error>(`${PATHS.audit}?${params.toString()}`, fetcher);

  return (
    <section className="card">
      <h1>Activity</h1>
      <p className="notice">{admin ? 'Security events of every account.' : 'Security events of your account.'}</p>
      <div className="filters">
        <div>
          <label htmlFor="audit-type">Show</label>
          <select
            id="audit-type"
            value={type}
            onChange={(event) => {
              setType(event.target.value);
              setCursors([]);
            }}
          >
            <option value="">All events</option>
            {AUDIT_TYPES.map((value) => (
              <option key={value} value={value}>
                {AUDIT_EVENTS[value]}
              </option>
            ))}
          </select>
        </div>
        {admin && (
          <div>
            <label htmlFor="audit-account">Account</label>
            <input
              id="audit-account"
              type="search"
              placeholder="any account"
              value={account}
              onChange={(event) => {
                setAccount(event.target.value);
                setCursors([]);
              }}
            />
          </div>
        )}
      </div>
      {error && !data && (
        <p className="error" role="alert">
          Could not load the activity.
        </p>
      )}
      <ul className="rows events" data-testid="audit">
        {data?.events.map((event) => (
          <li key={event.id} data-testid="audit-event" data-type={event.type}>
            <div>
              <strong>{AUDIT_EVENTS[event.type as AuditType] ?? event.type}</strong>
              <div>
                {event.username ? (
                  <span data-testid="audit-account">{event.username}</span>
                ) : (
                  <span className="notice">no account</span>
                )}{' '}
                <span className="notice">{byWhom(event)}</span>
              </div>
              {event.attempted !== null && (
                <div>
                  username tried: <code data-testid="audit-attempted">{event.attempted}</code>
                </div>
              )}
              <div className="notice">
                {new Date(event.at).toLocaleString()}
                {event.device ? ` · ${event.device}` : ''}
                {event.ip ? ` · ${event.ip}` : ''}
              </div>
              {details(event) && <div className="notice">{details(event)}</div>}
            </div>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors((list) => list.slice(0, -1))}>
          Newer
        </button>
        <button
          type="button"
          disabled={!data?.next}
          onClick={() => data?.next && setCursors((list) => [...list, data.next as number])}
        >
          Older
        </button>
      </div>
    </section>
  );
}
