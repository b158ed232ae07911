/**
 * Small HTTP helpers for talking to a test server the way a client would. Answers are read with
 * the wire contract's own schemas (lib/api), so every test also checks the server keeps to it.
 */
import { TokenResponse } from '@/lib/api/auth';
import { Problem } from '@/lib/api/problem';

export type TokenBody = TokenResponse;
export type { Problem };

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function signIn(base: string, username: string, password: string): Promise<TokenBody> {
  const response = await post(`${base}/api/auth/token`, { username, password });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return TokenResponse.parse(await response.json());
}

export function refresh(base: string, refreshToken: string): Promise<Response> {
  return post(`${base}/api/auth/refresh`, { refresh_token: refreshToken });
}

export function me(base: string, accessToken: string): Promise<Response> {
  return fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } });
}

/** Reads a problem body and checks it is served as application/problem+json, in the contract's shape. */
export async function problem(response: Response): Promise<Problem> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) {
    throw new Error(`expected a problem+json body, got ${type}: ${await response.text()}`);
  }
  return Problem.parse(await response.json());
}
