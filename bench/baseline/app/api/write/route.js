// @ts-check
// POST /api/write: the floor for a write on this stack. Parses a small JSON body, then one write
// transaction (a row inserted, a row updated) on the database BASELINE_DATABASE_URL names: a
// SQLite file (WAL, synchronous=NORMAL, as the app runs it) or PostgreSQL (one statement).
import { randomBytes } from 'node:crypto';
import { writer } from '../../../writer.js';

export const dynamic = 'force-dynamic';

/** @param {Request} request */
export async function POST(request) {
  /** @type {unknown} */
  let body;
  try {
    body = await request.text().then((text) => /** @type {unknown} */ (JSON.parse(text)));
  } catch {
    return Response.json({ error: 'invalid_json' }, { status: 400 });
  }
  const token =
    typeof body === 'object' && body !== null
      ? /** @type {{ refresh_token?: unknown }} */ (body).refresh_token
      : undefined;
  if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
    return Response.json({ error: 'invalid_request' }, { status: 400 });
  }
  const id = await writer().write(token);
  return Response.json({ ok: true, id, refresh_token: randomBytes(32).toString('base64url') });
}
