// GET /api/bench/open: the benchmark's unprotected baseline (404 unless ENABLE_BENCH_ROUTES).
import { benchProbe } from '@/lib/bench-probe';
import { methods, route } from '@/lib/http/route';

const handler = route(async () => benchProbe(null));

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });
