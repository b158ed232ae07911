/**
 * The random id this browser keeps so the server can tell a device it knows from a new one
 * (new-device alerts). It identifies nothing else: it is not a tracking id, is never sent to
 * another site, and is kept across sign-outs on purpose (a device does not become new by signing out).
 */
import type { KeyValueStorage } from './token-store';

export const DEVICE_KEY = 'staysignedin.device';
/** The header sign-ins carry it in (lib/http/client-info.ts reads it). */
export const DEVICE_HEADER = 'x-device-id';

function randomId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** This browser's device id, made once. */
export function deviceId(storage: KeyValueStorage): string {
  const kept = storage.getItem(DEVICE_KEY);
  if (kept && /^[A-Za-z0-9_-]{22,64}$/.test(kept)) return kept;
  const made = randomId();
  storage.setItem(DEVICE_KEY, made);
  return made;
}
