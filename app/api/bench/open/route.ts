// GET /api/bench/open: the same answer through the middleware, which lets it pass without a token
// check (404 unless ENABLE_BENCH_ROUTES).
import { methods, route } from '@/lib/http/route';
import { benchProbe } from '../../../bench/probe';

const handler = route(async () => benchProbe(null));

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });
