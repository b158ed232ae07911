/** Small HTTP helpers for talking to a test server the way a client would. */
export type TokenBody = {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  refresh_expires_in: number;
};

export type Problem = { type: string; title: string; status: number; detail: string; code: string; error?: string };

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
  return (await response.json()) as TokenBody;
}

export function refresh(base: string, refreshToken: string): Promise<Response> {
  return post(`${base}/api/auth/refresh`, { refresh_token: refreshToken });
}

export function me(base: string, accessToken: string): Promise<Response> {
  return fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } });
}

/** Reads a problem body and checks it is served as application/problem+json. */
export async function problem(response: Response): Promise<Problem> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) {
    throw new Error(`expected a problem+json body, got ${type}: ${await response.text()}`);
  }
  return (await response.json()) as Problem;
}
