'use client';
import { useState } from 'react';
import useSWR from 'swr';
import { useAuth } from '@/lib/client/auth-provider';
import { AUDIT_EVENTS, AUDIT_TYPES, type AuditPage as Page, type AuditType } from '@/lib/api/audit';
import { PATHS } from '@/lib/api/routes';

export default function AuditPage() {
  const { fetcher, user } = useAuth();
  const [type, setType] = useState('');
  const [cursors, setCursors] = useState<number[]>([]);
  const before = cursors.at(-1);
  const params = new URLSearchParams({ limit: '25' });
  if (type) params.set('type', type);
  if (before) params.set('before', String(before));
  const { data, error } = useSWR<Page, Error>(`${PATHS.audit}?${params.toString()}`, fetcher);

  return (
    <section className="card">
      <h1>Activity</h1>
      <p className="notice">
        {user?.role === 'admin' ? 'Security events of every account.' : 'Security events of your account.'}
      </p>
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
      {error && !data && (
        <p className="error" role="alert">
          Could not load the activity.
        </p>
      )}
      <ul className="rows" data-testid="audit">
        {data?.events.map((event) => (
          <li key={event.id} data-testid="audit-event" data-type={event.type}>
            <div>
              <strong>{AUDIT_EVENTS[event.type as AuditType] ?? event.type}</strong>
              <div className="notice">
                {new Date(event.at).toLocaleString()}
                {event.ip ? ` · ${event.ip}` : ''}
                {event.detail
                  ? ` · ${Object.entries(event.detail)
                      .map(([k, v]) => `${k}: ${String(v)}`)
                      .join(', ')}`
                  : ''}
              </div>
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
