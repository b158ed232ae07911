// POST /api/auth/email ({email}): use this address (a sensitive action): a link to verify it goes
// there; nothing changes until it is followed.
import { EmailChangeRequest, type EmailChangeAccepted } from '@/lib/api/mail';
import { requestAddressChange } from '@/lib/auth/email/addresses';
import { readFields } from '@/lib/http/body';
import { jsonResponse } from '@/lib/http/problem';
import { parseInput } from '@/lib/http/validate';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute(
  async ({ app, request, client, caller }) => {
    const { email } = parseInput(EmailChangeRequest, await readFields(request, { accept: ['json'] }));
    await requestAddressChange(app.auth, { user: caller.user, sessionId: caller.session.id, client }, email);
    const body: EmailChangeAccepted = { pending: email };
    return jsonResponse(body, { status: 202 });
  },
  { keyProof: true, sensitive: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
