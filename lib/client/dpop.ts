/**
 * The browser's DPoP key (RFC 9449): an ECDSA P-256 key pair made with WebCrypto as
 * non-extractable, kept in IndexedDB (shared by the origin's tabs; structured clone keeps the
 * private key non-extractable), made anew at each sign-in and deleted at sign-out. Script can ask
 * it to sign but nothing can read it out, so a refresh token copied from storage is useless
 * without this browser.
 *
 * Keys are stored under their thumbprint, which the refresh token names (`cnf.jkt`): whatever
 * tabs do meanwhile, a refresh always signs with the key its own session is bound to.
 *
 * Proofs are signed here with WebCrypto directly (no JWT library in the page bundle): an ES256 JWS
 * signature is exactly WebCrypto's raw r‖s ECDSA output.
 */
const DB_NAME = 'staysignedin';
const text = new TextEncoder();
const STORE = 'dpop';
/** The latest server nonce, shared by the tabs: the next proof signs with it, no round trip. */
const NONCE_KEY = 'staysignedin.dpopNonce';

export type DpopKey = { privateKey: CryptoKey; jwk: JsonWebKey; jkt: string; createdAt: number };

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

async function withStore<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const open = indexedDB.open(DB_NAME, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE);
  const db = await request(open);
  try {
    return await request(work(db.transaction(STORE, mode).objectStore(STORE)));
  } finally {
    db.close();
  }
}

/** A new key pair, not yet stored; null where WebCrypto or IndexedDB is missing (an unbound session). */
export async function newKey(): Promise<DpopKey | null> {
  try {
    if (typeof indexedDB === 'undefined' || !globalThis.crypto?.subtle) return null;
    // Private key non-extractable: it can sign, but nothing (not even this code) can export it.
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
    // RFC 7638: SHA-256 of the required members in lexicographic order, no spaces.
    const canonical = JSON.stringify({ crv, kty, x, y });
    const jkt = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', text.encode(canonical))));
    return { privateKey: pair.privateKey, jwk: { kty, crv, x, y }, jkt, createdAt: Date.now() };
  } catch {
    return null;
  }
}

/** Keeps the key for every tab of this origin; false where IndexedDB refuses (private modes). */
export async function saveKey(key: DpopKey): Promise<boolean> {
  try {
    await withStore('readwrite', (store) => store.put(key, key.jkt));
    return true;
  } catch {
    return false;
  }
}

/** The key a session is bound to, by its thumbprint; null when this browser does not have it. */
export async function loadKey(jkt: string): Promise<DpopKey | null> {
  try {
    if (typeof indexedDB === 'undefined') return null;
    return ((await withStore('readonly', (store) => store.get(jkt))) as DpopKey | undefined) ?? null;
  } catch {
    return null;
  }
}

/** Deletes one key (a sign-in that failed). */
export async function forgetKey(jkt: string): Promise<void> {
  try {
    if (typeof indexedDB !== 'undefined') await withStore('readwrite', (store) => store.delete(jkt));
  } catch {
    // Nothing stored, or storage unavailable: nothing to delete.
  }
}

/**
 * Sign-out (`newest` null): deletes every key of this origin. After a sign-in: deletes the keys
 * made before its own, never one another tab made meanwhile for a sign-in of its own.
 */
export async function deleteKeys(newest: DpopKey | null): Promise<void> {
  try {
    if (newest === null) localStorage.removeItem(NONCE_KEY);
    if (typeof indexedDB === 'undefined') return;
    const keys = (await withStore('readonly', (store) => store.getAll())) as DpopKey[];
    for (const key of keys) {
      if (newest === null || key.createdAt < newest.createdAt) {
        await withStore('readwrite', (store) => store.delete(key.jkt));
      }
    }
  } catch {
    // Nothing stored, or storage unavailable: nothing to delete.
  }
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const encodeJson = (value: unknown) => base64url(text.encode(JSON.stringify(value)));

/** A DPoP proof for one request (RFC 9449 §4.2); `ath` binds it to an access token (§4.3). */
export async function proof(
  key: DpopKey,
  method: string,
  path: string,
  nonce: string | null,
  ath?: string,
): Promise<string> {
  const header = encodeJson({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk });
  const payload = encodeJson({
    htm: method.toUpperCase(),
    // The URI as this browser addresses it: behind a proxy, the public one.
    htu: new URL(path, location.href).href.split(/[?#]/)[0],
    iat: Math.floor(Date.now() / 1000),
    jti: base64url(crypto.getRandomValues(new Uint8Array(18))),
    ...(nonce ? { nonce } : {}),
    ...(ath ? { ath } : {}),
  });
  const input = `${header}.${payload}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, text.encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

/** A proof for an API call with a DPoP-bound access token. */
export async function accessProof(
  key: DpopKey,
  method: string,
  path: string,
  token: string,
  nonce: string | null = null,
): Promise<string> {
  const ath = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', text.encode(token))));
  return proof(key, method, path, nonce, ath);
}

function storedNonce(): string | null {
  try {
    return localStorage.getItem(NONCE_KEY);
  } catch {
    return null;
  }
}

function rememberNonce(response: Response): void {
  const nonce = response.headers.get('dpop-nonce');
  try {
    if (nonce) localStorage.setItem(NONCE_KEY, nonce);
  } catch {
    // Without storage the next proof just asks for a nonce again.
  }
}

/** Signs a proof for one attempt of a request, with the server's latest nonce. */
export type ProofSigner = (nonce: string | null) => Promise<string>;

/** A signer for POSTing to `path` with `key`; null without a key (an unbound session). */
export const postSigner = (key: DpopKey | null, path: string): ProofSigner | null =>
  key && ((nonce) => proof(key, 'POST', path, nonce));

/**
 * Sends with a proof (none without a signer). When the server asks for a fresh nonce
 * (`use_dpop_nonce`), signs once more with it: at most one retry, never a loop.
 */
export async function fetchWithProof(
  sign: ProofSigner | null,
  init: RequestInit & { headers: Record<string, string> },
  send: (init: RequestInit) => Promise<Response>,
): Promise<Response> {
  if (!sign) return send(init);
  const attempt = async (nonce: string | null) => {
    const response = await send({ ...init, headers: { ...init.headers, DPoP: await sign(nonce) } });
    rememberNonce(response);
    return response;
  };
  const first = await attempt(storedNonce());
  const nonce = first.headers.get('dpop-nonce');
  if (first.status !== 400 || !nonce) return first;
  const body = (await first
    .clone()
    .json()
    .catch(() => null)) as { code?: unknown } | null;
  return body?.code === 'use_dpop_nonce' ? attempt(nonce) : first;
}

/** The key thumbprint a refresh token is bound to (its `cnf.jkt`), or null for an unbound one. */
export function boundKeyOf(refreshToken: string): string | null {
  try {
    const part = refreshToken.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const jkt = (JSON.parse(json) as { cnf?: { jkt?: unknown } }).cnf?.jkt;
    return typeof jkt === 'string' ? jkt : null;
  } catch {
    return null;
  }
}
