// GET /api/health: 200 {status: "ok"} when the database can be read and written, 503 otherwise.
import { checkHealth } from '@/lib/db';
import { jsonResponse } from '@/lib/http/problem';
import { methods, route } from '@/lib/server/routes';

const handler = route(async ({ app }) => jsonResponse(await checkHealth(app.database.store)));

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
