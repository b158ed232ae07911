// GET /api/bench/protected: the same answer behind the middleware's Bearer check (no database).
import { protectedRoute } from '@/lib/http/protected-route';
import { methods } from '@/lib/http/route';
import { benchProbe } from '../../../bench/probe';

const handler = protectedRoute(async (_request, { identity }) => benchProbe(identity.userId), { live: false });

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });
