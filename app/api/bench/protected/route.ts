// GET /api/bench/protected: the same answer behind the middleware's Bearer check.
import { requireIdentity } from '@/lib/auth/guard';
import { benchProbe } from '@/lib/bench-probe';
import { methods, route } from '@/lib/http/route';

const handler = route(async (request: Request) => benchProbe(requireIdentity(request).userId), { bearer: true });

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });
