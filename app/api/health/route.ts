// GET /api/health: 200 {status: "ok"} when the database answers, 503 otherwise.
import { getDb } from '@/lib/db';
import { checkHealth } from '@/lib/health';
import { jsonResponse } from '@/lib/http/problem';
import { methods, route } from '@/lib/http/route';

const handler = route(async () => jsonResponse(await checkHealth(getDb())));

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });
