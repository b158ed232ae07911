/**
 * Seals TOTP secrets for storage: AES-256-GCM under a key derived from AUTH_SECRET (HKDF-SHA-256,
 * its own label, so it is never the token-signing key). Each sealed value names its key (the same
 * key id tokens use), so after AUTH_SECRET rotation the previous secret still opens what it sealed
 * until the user re-enrols. A database dump alone reveals no TOTP secret.
 */
import 'server-only';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { derivedKey } from '../derived-key';
import { keyId } from '../token-format';

const VERSION = 'v1';
const INFO = 'staysignedin totp secret v1';

export type SecretBox = {
  seal(plain: Uint8Array): string;
  /** The plain bytes; null when no configured key opens it (or it was tampered with). */
  open(sealed: string): Uint8Array | null;
  /** Whether it was sealed under the current AUTH_SECRET (not the previous one). */
  isCurrent(sealed: string): boolean;
};

export function createSecretBox(secrets: { secret: string; previousSecret?: string | undefined }): SecretBox {
  const current = { kid: keyId(secrets.secret), key: derivedKey(secrets.secret, INFO) };
  const keys = new Map([[current.kid, current.key]]);
  if (secrets.previousSecret) keys.set(keyId(secrets.previousSecret), derivedKey(secrets.previousSecret, INFO));
  return {
    isCurrent: (sealed) => sealed.split('.')[1] === current.kid,
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      // The key id is authenticated too: a value cannot be moved under another key's name.
      cipher.setAAD(Buffer.from(current.kid));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return [VERSION, current.kid, iv, body, cipher.getAuthTag()]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    open(sealed) {
      const [version, kid, iv, body, tag] = sealed.split('.');
      const key = kid ? keys.get(kid) : undefined;
      if (version !== VERSION || !key || iv === undefined || body === undefined || tag === undefined) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(kid ?? ''));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return new Uint8Array(Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]));
      } catch {
        return null;
      }
    },
  };
}
