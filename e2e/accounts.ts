/** Arranges accounts for the specs through the e2e server's own administrator API. */
import { E2E } from './helpers';

async function asAdmin(path: string, method: string, body: unknown): Promise<Response> {
  const signIn = await fetch(`${E2E.baseURL}/api/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(E2E.admin),
  });
  const { access_token: token } = (await signIn.json()) as { access_token: string };
  const response = await fetch(`${E2E.baseURL}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response;
}

/** A new, enabled account for one spec (specs run in parallel: each uses its own). */
export async function createAccount(
  username: string,
  password: string,
  role: 'admin' | 'user' = 'user',
  email?: string,
): Promise<string> {
  // An address set by an administrator counts as confirmed.
  const created = await asAdmin('/api/admin/users', 'POST', { username, password, role, ...(email ? { email } : {}) });
  return ((await created.json()) as { id: string }).id;
}

export async function createDisabledUser(username: string, password: string): Promise<void> {
  const id = await createAccount(username, password);
  await asAdmin(`/api/admin/users/${id}`, 'PATCH', { disabled: true });
}
