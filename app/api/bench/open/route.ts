// GET /api/bench/open: the benchmark's unprotected baseline (404 unless ENABLE_BENCH_ROUTES).
import { benchProbe } from '@/lib/bench-probe';
import { route } from '@/lib/http/route';

export const GET = route(async () => benchProbe(null));
