// @ts-check
// GET /api/ping: a trivial answer, through the empty middleware.
export const dynamic = 'force-dynamic';

export function GET() {
  return Response.json({ ok: true, user: 'bench' });
}
