'use client';
import { useEffect, useState } from 'react';

function format(ms: number): string {
  if (ms <= 0) return 'now';
  const seconds = Math.round(ms / 1000);
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  return `${minutes}:${String(rest).padStart(2, '0')}`;
}

/** "in 4:32", ticking once a second. */
export function Countdown({ until, testId }: { until: number | null; testId?: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  if (until === null) return <span>—</span>;
  return (
    <span data-testid={testId} title={new Date(until).toLocaleString()}>
      {until - now <= 0 ? 'expired' : `in ${format(until - now)}`}
    </span>
  );
}
