/**
 * DPoP proofs (RFC 9449 §4.2) signed with the browser's key (dpop-keys.ts), with WebCrypto
 * directly: no JWT library in the page bundle; an ES256 JWS signature is exactly WebCrypto's raw
 * r‖s ECDSA output. The server's latest nonce is kept in storage shared by the tabs, so the next
 * proof signs with it and needs no extra round trip.
 */
import { base64url, type DpopKey } from './dpop-keys';
import type { KeyValueStorage } from './token-store';

const NONCE_KEY = 'staysignedin.dpopNonce';
const text = new TextEncoder();
const encodeJson = (value: unknown) => base64url(text.encode(JSON.stringify(value)));

/** Signs a proof for one attempt of a request, with the server's latest nonce. */
export type ProofSigner = (nonce: string | null) => Promise<string>;

export type Proofs = {
  /** A signer for `method` on `path` with `key` (`accessToken`: bound to it by `ath`); null without a key. */
  signer(key: DpopKey | null, method: string, path: string, accessToken?: string): ProofSigner | null;
  /**
   * Sends with a proof (none without a signer). When the server asks for a fresh nonce
   * (`use_dpop_nonce`), signs once more with it: at most one retry, never a loop.
   */
  fetchWithProof(
    sign: ProofSigner | null,
    init: RequestInit & { headers: Record<string, string> },
    send: (init: RequestInit) => Promise<Response>,
  ): Promise<Response>;
  /** Sign-out: the nonce goes with the keys. */
  forgetNonce(): void;
};

/** A DPoP proof for one request; `ath` binds it to an access token (§4.3). */
export async function signProof(
  key: DpopKey,
  request: { method: string; url: string; nonce: string | null; accessToken?: string },
): Promise<string> {
  const ath = request.accessToken
    ? base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', text.encode(request.accessToken))))
    : undefined;
  const header = encodeJson({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk });
  const payload = encodeJson({
    htm: request.method.toUpperCase(),
    htu: request.url.split(/[?#]/)[0],
    iat: Math.floor(Date.now() / 1000),
    jti: base64url(crypto.getRandomValues(new Uint8Array(18))),
    ...(request.nonce ? { nonce: request.nonce } : {}),
    ...(ath ? { ath } : {}),
  });
  const input = `${header}.${payload}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, text.encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

export function createProofs(deps: {
  /** Shared by the tabs (localStorage). */
  storage: KeyValueStorage;
  /** The page's URL: proofs name the URI as this browser addresses it (behind a proxy, the public one). */
  baseUrl: () => string;
}): Proofs {
  const storedNonce = () => {
    try {
      return deps.storage.getItem(NONCE_KEY);
    } catch {
      return null;
    }
  };
  const rememberNonce = (response: Response) => {
    const nonce = response.headers.get('dpop-nonce');
    try {
      if (nonce) deps.storage.setItem(NONCE_KEY, nonce);
    } catch {
      // Without storage the next proof just asks for a nonce again.
    }
  };
  return {
    signer(key, method, path, accessToken) {
      if (!key) return null;
      const url = new URL(path, deps.baseUrl()).href;
      return (nonce) => signProof(key, { method, url, nonce, ...(accessToken ? { accessToken } : {}) });
    },
    async fetchWithProof(sign, init, send) {
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
    },
    forgetNonce() {
      try {
        deps.storage.removeItem(NONCE_KEY);
      } catch {
        // Storage unavailable: nothing kept.
      }
    },
  };
}

/** The key thumbprint a token is bound to (its `cnf.jkt`), or null for an unbound one. */
export function boundKeyOf(token: string): string | null {
  try {
    const part = token.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const jkt = (JSON.parse(json) as { cnf?: { jkt?: unknown } }).cnf?.jkt;
    return typeof jkt === 'string' ? jkt : null;
  } catch {
    return null;
  }
}
