// PATCH /api/auth/passkeys/{id} ({name}): rename one of the caller's passkeys. DELETE: remove it
// (a sensitive action). Another account's passkey answers 404, as none does.
import { RenamePasskeyRequest } from '@/lib/api/auth';
import { IdParam } from '@/lib/api/fields';
import { deletePasskey, renamePasskey } from '@/lib/auth/passkeys/passkeys';
import { readFields } from '@/lib/http/body';
import { noContent } from '@/lib/http/problem';
import { parseInput, parsePathParams } from '@/lib/http/validate';
import { methods, protectedRoute } from '@/lib/server/routes';

const rename = protectedRoute<{ id: string }>(
  async ({ app, request, client, params, caller: { user, session } }) => {
    const { id } = parsePathParams(IdParam, params);
    const { name } = parseInput(RenamePasskeyRequest, await readFields(request, { accept: ['json'] }));
    await renamePasskey(app.auth, user, id, name, { client, sessionId: session.id });
    return noContent();
  },
  { keyProof: true },
);

const remove = protectedRoute<{ id: string }>(
  async ({ app, client, params, caller: { user, session } }) => {
    const { id } = parsePathParams(IdParam, params);
    await deletePasskey(app.auth, user, id, { client, sessionId: session.id });
    return noContent();
  },
  { keyProof: true, sensitive: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ PATCH: rename, DELETE: remove });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
