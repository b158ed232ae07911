// GET /api/health: 200 {status: "ok"} when the database can be read and written, 503 otherwise.
import { checkHealth } from '@/lib/db';
import { jsonResponse } from '@/lib/http/problem';
import { methods, route } from '@/lib/http/route';
import { getStore } from '@/lib/runtime';

const handler = route(async () => jsonResponse(await checkHealth(getStore())));

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });
