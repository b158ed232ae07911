// GET /api/health: 200 {status: "ok"} when the database answers, 503 otherwise.
import { getDb } from '@/lib/db';
import { checkHealth } from '@/lib/health';
import { jsonResponse } from '@/lib/http/problem';
import { route } from '@/lib/http/route';

export const GET = route(async () => jsonResponse(await checkHealth(getDb())));
