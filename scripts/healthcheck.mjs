#!/usr/bin/env node
// @ts-check
// The container's HEALTHCHECK: exit 0 when /api/health answers 200 (the database reads and writes).
const port = process.env.PORT || '3000';
try {
  const response = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(4000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
