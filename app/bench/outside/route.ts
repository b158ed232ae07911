// GET /bench/outside: the benchmark's bare route, outside the middleware's matcher (404 unless
// ENABLE_BENCH_ROUTES).
import { methods, route } from '@/lib/http/route';
import { benchProbe } from '../probe';

const handler = route(async () => benchProbe(null));

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });
