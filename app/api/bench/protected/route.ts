// GET /api/bench/protected: the same answer behind the middleware's Bearer check.
import { requireIdentity } from '@/lib/auth/guard';
import { benchProbe } from '@/lib/bench-probe';
import { route } from '@/lib/http/route';

export const GET = route(async (request: Request) => benchProbe(requireIdentity(request).userId), { bearer: true });
