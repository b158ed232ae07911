import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dpopProof, newDpopKey, type DpopKey } from '../helpers/dpop';
import { decodeClaims } from '../helpers/forge';
import { post, problem, signIn, type TokenBody } from '../helpers/http';
import { rawRequest } from '../helpers/raw-http';
import { ADMIN, startServer, type TestServer } from '../helpers/server';

/**
 * DPoP-bound sessions over real HTTP (RFC 9449): a refresh token copied out of the browser that
 * received it cannot be refreshed without that browser's key.
 */
describe('DPoP-bound sessions', () => {
  let server: TestServer;
  let key: DpopKey;
  const tokenUrl = () => `${server.url}/api/auth/token`;
  const refreshUrl = () => `${server.url}/api/auth/refresh`;

  beforeAll(async () => {
    server = await startServer({ label: 'dpop' });
    key = await newDpopKey();
  });
  afterAll(() => server.stop());

  /** Signs in with a proof of `key`; returns the tokens and the nonce for the next proof. */
  async function boundSignIn(): Promise<{ tokens: TokenBody; nonce: string }> {
    const response = await post(tokenUrl(), ADMIN, { dpop: await dpopProof(key, tokenUrl()) });
    expect(response.status).toBe(200);
    return { tokens: (await response.json()) as TokenBody, nonce: response.headers.get('dpop-nonce')! };
  }

  async function refreshWith(refreshToken: string, headers: Record<string, string> = {}): Promise<Response> {
    return post(refreshUrl(), { refresh_token: refreshToken }, headers);
  }

  it('binds the session to the key at sign-in: cnf.jkt in the refresh token, a nonce for the next proof', async () => {
    const { tokens, nonce } = await boundSignIn();
    expect(decodeClaims(tokens.refresh_token).cnf).toEqual({ jkt: key.jkt });
    expect(nonce).toMatch(/^\d+\.[\w-]{43}$/);
    // Access tokens stay Bearer tokens by default: no binding, no proof per API call.
    expect(tokens.token_type).toBe('bearer');
    expect(decodeClaims(tokens.access_token).cnf).toBeUndefined();
    const sessions = await fetch(`${server.url}/api/auth/sessions`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    const current = ((await sessions.json()) as { sessions: { current: boolean; keyBound: boolean }[] }).sessions.find(
      (s) => s.current,
    );
    expect(current?.keyBound).toBe(true);
  });

  it('refuses a bound refresh token without a proof (401 invalid_dpop_proof) and leaves it usable for its browser (rule 7)', async () => {
    const { tokens, nonce } = await boundSignIn();
    const stolen = await refreshWith(tokens.refresh_token);
    expect(stolen.status).toBe(401);
    expect(stolen.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
    expect((await problem(stolen)).code).toBe('invalid_dpop_proof');
    // Nothing was consumed and no reuse was "detected": the browser with the key carries on.
    const own = await refreshWith(tokens.refresh_token, { dpop: await dpopProof(key, refreshUrl(), { nonce }) });
    expect(own.status).toBe(200);
    expect(decodeClaims(((await own.json()) as TokenBody).refresh_token).cnf).toEqual({ jkt: key.jkt });
  });

  it('refuses a proof from another key (401) and writes the attempt to the audit log', async () => {
    const { tokens, nonce } = await boundSignIn();
    const thief = await newDpopKey();
    const response = await refreshWith(tokens.refresh_token, { dpop: await dpopProof(thief, refreshUrl(), { nonce }) });
    expect(response.status).toBe(401);
    expect((await problem(response)).code).toBe('invalid_dpop_proof');
    const db = await server.db();
    const sessionId = decodeClaims(tokens.refresh_token).sid as string;
    const events = await db.auditEvent.findMany({ where: { type: 'refresh.dpop_refused', sessionId } });
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.detail!)).toEqual({ proof: 'another key' });
  });

  it('asks for a nonce when the refresh proof has none, then accepts the retry and names the next nonce', async () => {
    const { tokens } = await boundSignIn();
    const first = await refreshWith(tokens.refresh_token, { dpop: await dpopProof(key, refreshUrl()) });
    expect(first.status).toBe(400);
    expect((await problem(first)).code).toBe('use_dpop_nonce');
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toMatch(/^\d+\.[\w-]{43}$/);
    const retry = await refreshWith(tokens.refresh_token, { dpop: await dpopProof(key, refreshUrl(), { nonce }) });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('dpop-nonce')).toMatch(/^\d+\.[\w-]{43}$/);
  });

  it('refuses a captured proof replayed with the next refresh token (401)', async () => {
    const { tokens, nonce } = await boundSignIn();
    const captured = await dpopProof(key, refreshUrl(), { nonce });
    const first = await refreshWith(tokens.refresh_token, { dpop: captured });
    expect(first.status).toBe(200);
    const next = (await first.json()) as TokenBody;
    const replay = await refreshWith(next.refresh_token, { dpop: captured });
    expect(replay.status).toBe(401);
    expect((await problem(replay)).detail).toMatch(/already used/);
  });

  it('refuses a proof made for another endpoint or method', async () => {
    const { tokens, nonce } = await boundSignIn();
    for (const dpop of [
      await dpopProof(key, tokenUrl(), { nonce }),
      await dpopProof(key, refreshUrl(), { nonce, htm: 'GET' }),
      `${await dpopProof(key, refreshUrl(), { nonce })}, ${await dpopProof(key, refreshUrl(), { nonce })}`,
    ]) {
      const response = await refreshWith(tokens.refresh_token, { dpop });
      expect(response.status).toBe(401);
      expect((await problem(response)).code).toBe('invalid_dpop_proof');
    }
  });

  it('lets a copied bound refresh token sign nobody out without a proof of its key (rule 7)', async () => {
    const { tokens, nonce } = await boundSignIn();
    const logoutUrl = `${server.url}/api/auth/logout`;
    const copied = await post(logoutUrl, { refresh_token: tokens.refresh_token });
    expect(copied.status).toBe(204); // logout never fails, but this one ended nothing
    const stillAlive = await refreshWith(tokens.refresh_token, { dpop: await dpopProof(key, refreshUrl(), { nonce }) });
    expect(stillAlive.status).toBe(200);
    const next = (await stillAlive.json()) as TokenBody;
    const own = await post(logoutUrl, { refresh_token: next.refresh_token }, { dpop: await dpopProof(key, logoutUrl) });
    expect(own.status).toBe(204);
    const after = await refreshWith(next.refresh_token, { dpop: await dpopProof(key, refreshUrl(), { nonce }) });
    expect((await problem(after)).code).toBe('session_revoked');
  });

  it('lets a copied Bearer access token of a bound session read, but change nothing without a proof of its key', async () => {
    const { tokens } = await boundSignIn();
    const { tokens: other } = await boundSignIn();
    const otherSid = decodeClaims(other.access_token).sid as string;
    const call = (route: string, method: string, headers: Record<string, string> = {}, body?: unknown) =>
      fetch(`${server.url}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${tokens.access_token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    expect((await call('/api/auth/sessions', 'GET')).status).toBe(200);
    const changes: [string, string, unknown?][] = [
      [`/api/auth/sessions/${otherSid}`, 'DELETE'],
      ['/api/auth/sessions/revoke-others', 'POST'],
      ['/api/auth/password', 'POST', { current_password: ADMIN.password, new_password: 'taken over passphrase' }],
      ['/api/admin/users', 'POST', { username: 'planted', password: 'planted long password' }],
    ];
    for (const [route, method, body] of changes) {
      const refused = await call(route, method, {}, body);
      expect(refused.status, `${method} ${route}`).toBe(401);
      expect((await problem(refused)).code).toBe('invalid_dpop_proof');
      // Another key's proof is no better.
      const thief = await dpopProof(await newDpopKey(), `${server.url}${route}`, { htm: method });
      expect((await call(route, method, { dpop: thief }, body)).status, `${method} ${route}`).toBe(401);
    }
    // The access token alone signs nobody out either.
    expect((await call('/api/auth/logout', 'POST')).status).toBe(204);
    expect((await call('/api/auth/sessions', 'GET')).status).toBe(200);
    // With the key's proof, the same change goes through.
    const route = `/api/auth/sessions/${otherSid}`;
    const own = await call(route, 'DELETE', { dpop: await dpopProof(key, `${server.url}${route}`, { htm: 'DELETE' }) });
    expect(own.status).toBe(204);
    const db = await server.db();
    const sessionId = decodeClaims(tokens.access_token).sid as string;
    // Each refused change, twice, and the refused sign-out.
    expect(await db.auditEvent.count({ where: { type: 'request.dpop_refused', sessionId } })).toBe(
      changes.length * 2 + 1,
    );
  });

  it('accepts a proof signed for https:// when TLS ends at a proxy it does not trust (scheme unknown)', async () => {
    const url = tokenUrl().replace('http://', 'https://');
    const response = await post(tokenUrl(), ADMIN, { dpop: await dpopProof(key, url) });
    expect(response.status).toBe(200);
  });

  it('keeps clients without DPoP working with unbound sessions', async () => {
    const tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
    expect(decodeClaims(tokens.refresh_token).cnf).toBeUndefined();
    const response = await refreshWith(tokens.refresh_token);
    expect(response.status).toBe(200);
  });
});

describe('DPOP_REQUIRED=true', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ label: 'dpop-required' });
  });
  afterAll(() => server.stop());

  it('refuses a sign-in without a proof with a clear error, accepts one with a proof, and lets older unbound sessions live on', async () => {
    // A session from before DPoP was required.
    const before = await signIn(server.url, ADMIN.username, ADMIN.password);
    server.env.DPOP_REQUIRED = 'true';
    await server.restart();

    const refused = await post(`${server.url}/api/auth/token`, ADMIN);
    expect(refused.status).toBe(400);
    const body = await problem(refused);
    expect(body.code).toBe('dpop_required');
    expect(body.detail).toMatch(/browser key/);

    const key = await newDpopKey();
    const url = `${server.url}/api/auth/token`;
    const bound = await post(url, ADMIN, { dpop: await dpopProof(key, url) });
    expect(bound.status).toBe(200);

    const older = await post(`${server.url}/api/auth/refresh`, { refresh_token: before.refresh_token });
    expect(older.status).toBe(200);
  });
});

describe('DPoP behind a trusted proxy', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ label: 'dpop-proxy', env: { TRUST_PROXY: 'true' } });
  });
  afterAll(() => server.stop());

  it('checks htu against the URI the browser used, as the proxy reports it', async () => {
    const key = await newDpopKey();
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'auth.example' };
    const publicUrl = 'https://auth.example/api/auth/token';
    const ok = await post(`${server.url}/api/auth/token`, ADMIN, {
      ...forwarded,
      dpop: await dpopProof(key, publicUrl),
    });
    expect(ok.status).toBe(200);
    // The internal address is not what the browser signed for.
    const internal = await post(`${server.url}/api/auth/token`, ADMIN, {
      ...forwarded,
      dpop: await dpopProof(key, `${server.url}/api/auth/token`),
    });
    expect(internal.status).toBe(401);
  });
});

describe('DPOP_ACCESS_TOKENS=true', () => {
  let server: TestServer;
  let key: DpopKey;
  beforeAll(async () => {
    server = await startServer({ label: 'dpop-access', env: { DPOP_ACCESS_TOKENS: 'true' } });
    key = await newDpopKey();
  });
  afterAll(() => server.stop());

  const meUrl = () => `${server.url}/api/auth/me`;
  const me = (headers: Record<string, string>) => fetch(meUrl(), { headers });

  it('binds access tokens too: every API call proves the key for that request, once', async () => {
    const url = `${server.url}/api/auth/token`;
    const response = await post(url, ADMIN, { dpop: await dpopProof(key, url) });
    const tokens = (await response.json()) as TokenBody;
    expect(tokens.token_type).toBe('DPoP');
    expect(decodeClaims(tokens.access_token).cnf).toEqual({ jkt: key.jkt });
    const token = tokens.access_token;
    const good = await dpopProof(key, meUrl(), { htm: 'GET', accessToken: token });

    expect((await me({ authorization: `DPoP ${token}`, dpop: good })).status).toBe(200);
    // The same proof again: a replay.
    const replay = await me({ authorization: `DPoP ${token}`, dpop: good });
    expect(replay.status).toBe(401);
    expect((await problem(replay)).code).toBe('invalid_dpop_proof');
    // As a plain Bearer token, without a proof, with a proof for another token or from another key.
    const refused: Record<string, string>[] = [
      { authorization: `Bearer ${token}` },
      { authorization: `DPoP ${token}` },
      { authorization: `DPoP ${token}`, dpop: await dpopProof(key, meUrl(), { htm: 'GET', accessToken: 'another' }) },
      {
        authorization: `DPoP ${token}`,
        dpop: await dpopProof(await newDpopKey(), meUrl(), { htm: 'GET', accessToken: token }),
      },
      { authorization: `DPoP ${token}`, dpop: await dpopProof(key, meUrl(), { htm: 'POST', accessToken: token }) },
    ];
    for (const headers of refused) expect((await me(headers)).status).toBe(401);
  });

  it('refuses a re-encoded copy of a used proof (the same signature, other spare bits)', async () => {
    const url = `${server.url}/api/auth/token`;
    const tokens = (await (await post(url, ADMIN, { dpop: await dpopProof(key, url) })).json()) as TokenBody;
    const token = tokens.access_token;
    const original = await dpopProof(key, meUrl(), { htm: 'GET', accessToken: token });
    // The last base64url character of a 64-byte signature carries 2 bits and 4 spare ones.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(original.at(-1)!);
    const variant = original.slice(0, -1) + alphabet[(last & 0b110000) | ((last + 1) & 0b001111)];
    expect(variant).not.toBe(original);
    expect((await me({ authorization: `DPoP ${token}`, dpop: original })).status).toBe(200);
    const replay = await me({ authorization: `DPoP ${token}`, dpop: variant });
    expect(replay.status).toBe(401);
    // Refused before its signature is even checked: a signature has one spelling (canonical
    // base64url, lib/auth/compact-jws.ts), so a re-encoded copy never reaches the ledger.
    expect(await problem(replay)).toMatchObject({
      code: 'invalid_dpop_proof',
      detail: 'the DPoP proof signature is invalid',
    });
  });

  it('records the proof of a change in the database: replayed where memory forgot it, with another body, it is refused', async () => {
    const url = `${server.url}/api/auth/token`;
    const tokens = (await (await post(url, ADMIN, { dpop: await dpopProof(key, url) })).json()) as TokenBody;
    const usersUrl = () => `${server.url}/api/admin/users`;
    const headers = {
      authorization: `DPoP ${tokens.access_token}`,
      dpop: await dpopProof(key, usersUrl(), { htm: 'POST', accessToken: tokens.access_token }),
    };
    const created = await post(usersUrl(), { username: 'intern', password: 'an intern password' }, headers);
    expect(created.status).toBe(201);
    // Another instance behind the same load balancer, or this one after a restart (or a flood of
    // proofs) emptied its memory of API proofs: the same headers, a body of the attacker's choosing.
    const host = new URL(server.url).host;
    await server.restart();
    const replayed = await rawRequest(server.url, {
      method: 'POST',
      path: '/api/admin/users',
      // The URI the proof names, as a load balancer in front of both would pass it on.
      headers: { ...headers, host, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'planted', password: 'a planted password', role: 'admin' }),
    });
    expect(replayed.status).toBe(401);
    expect(JSON.parse(replayed.body)).toMatchObject({
      code: 'invalid_dpop_proof',
      detail: 'the DPoP proof was already used',
    });
  });

  it('keeps unbound sessions on plain Bearer tokens', async () => {
    const tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
    expect(tokens.token_type).toBe('bearer');
    expect((await me({ authorization: `Bearer ${tokens.access_token}` })).status).toBe(200);
    expect((await me({ authorization: `DPoP ${tokens.access_token}` })).status).toBe(401);
  });
});
