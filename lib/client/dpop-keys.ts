/**
 * The browser's DPoP keys (RFC 9449): an ECDSA P-256 key pair made with WebCrypto as
 * non-extractable, made anew at each sign-in and deleted at sign-out. Script can ask it to sign,
 * but nothing can read it out, so a refresh token copied from storage is useless without this
 * browser. Kept in IndexedDB (shared by the origin's tabs; structured clone keeps the private key
 * non-extractable), under its thumbprint, which the refresh token names (`cnf.jkt`): whatever tabs
 * do meanwhile, a refresh always signs with the key its own session is bound to.
 */
export type DpopKey = { privateKey: CryptoKey; jwk: JsonWebKey; jkt: string; createdAt: number };

/** Where keys are kept: IndexedDB in the browser (indexedDbKeys), anything alike in tests. */
export type KeyStore = {
  /** Keeps the key for every tab of this origin; false where storage refuses (private modes). */
  save(key: DpopKey): Promise<boolean>;
  /** The key a session is bound to, by its thumbprint; null when this browser does not have it. */
  load(jkt: string): Promise<DpopKey | null>;
  /** Deletes one key (a sign-in the server did not bind). */
  forget(jkt: string): Promise<void>;
  /**
   * Sign-out (`newest` null): deletes every key. After a sign-in: deletes the keys made before its
   * own, never one another tab made meanwhile for a sign-in of its own.
   */
  forgetOlder(newest: DpopKey | null): Promise<void>;
};

const text = new TextEncoder();

export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A new key pair, not yet stored; null where WebCrypto is missing (an unbound session). */
export async function newKey(): Promise<DpopKey | null> {
  try {
    if (!globalThis.crypto?.subtle) return null;
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

const DB_NAME = 'staysignedin';
const STORE = 'dpop';

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

/** The browser's key store; every operation fails soft where IndexedDB is missing or refuses. */
export function indexedDbKeys(): KeyStore {
  const available = () => typeof indexedDB !== 'undefined';
  return {
    async save(key) {
      try {
        if (!available()) return false;
        await withStore('readwrite', (store) => store.put(key, key.jkt));
        return true;
      } catch {
        return false;
      }
    },
    async load(jkt) {
      try {
        if (!available()) return null;
        return ((await withStore('readonly', (store) => store.get(jkt))) as DpopKey | undefined) ?? null;
      } catch {
        return null;
      }
    },
    async forget(jkt) {
      try {
        if (available()) await withStore('readwrite', (store) => store.delete(jkt));
      } catch {
        // Nothing stored, or storage unavailable: nothing to delete.
      }
    },
    async forgetOlder(newest) {
      try {
        if (!available()) return;
        const keys = (await withStore('readonly', (store) => store.getAll())) as DpopKey[];
        for (const key of keys) {
          if (newest === null || key.createdAt < newest.createdAt) {
            await withStore('readwrite', (store) => store.delete(key.jkt));
          }
        }
      } catch {
        // Nothing stored, or storage unavailable: nothing to delete.
      }
    },
  };
}
