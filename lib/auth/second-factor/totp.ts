/**
 * TOTP (RFC 6238) as authenticator apps speak it: HMAC-SHA-1, 30-second steps, six digits, a
 * 160-bit key. A code is good for its step and one either side (a device clock a little off, a
 * code typed as it changes), and only for a step later than the last one accepted: the same code
 * twice is refused (RFC 6238 §5.2). Pure functions of a key, a code and a clock.
 */
import 'server-only';
import { timingSafeEqual } from 'node:crypto';
import { generateHOTP } from '@oslojs/otp';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps either side of the current one that are still accepted. */
export const TOTP_WINDOW = 1;
const KEY_BYTES = 20;

export function newTotpKey(random: (bytes: number) => Uint8Array): Uint8Array {
  return random(KEY_BYTES);
}

export function stepAt(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

export function totpCode(key: Uint8Array, step: number): string {
  return generateHOTP(key, BigInt(step), TOTP_DIGITS);
}

/** Whether a typed value has the shape of a TOTP code (spaces ignored, as apps group digits). */
export function looksLikeTotp(value: string): boolean {
  return /^\d{6}$/.test(value.replace(/\s/g, ''));
}

/**
 * The step `code` is valid for at `now`, later than `lastStep`; null when none. Every candidate is
 * compared, in constant time, so the answer takes as long whichever step (if any) matched.
 */
export function matchingStep(key: Uint8Array, code: string, now: Date, lastStep: number): number | null {
  const typed = Buffer.from(code.replace(/\s/g, ''));
  const current = stepAt(now);
  let found: number | null = null;
  for (let step = current - TOTP_WINDOW; step <= current + TOTP_WINDOW; step++) {
    const expected = Buffer.from(totpCode(key, step));
    const equal = typed.length === expected.length && timingSafeEqual(typed, expected);
    // A step at or before the last accepted one is a replay, however right the code.
    if (equal && step > lastStep && found === null) found = step;
  }
  return found;
}

/** The key as authenticator apps take it typed in: base32, in groups of four. */
export function formatTotpKey(key: Uint8Array): string {
  return encodeBase32UpperCaseNoPadding(key).replace(/(.{4})(?=.)/g, '$1 ');
}

/** The otpauth:// URI of a QR code (Key Uri Format: issuer as prefix and parameter). */
export function totpUri(issuer: string, account: string, key: Uint8Array): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const params = new URLSearchParams({
    secret: encodeBase32UpperCaseNoPadding(key),
    issuer,
    algorithm: 'SHA1',
    digits: String(TOTP_DIGITS),
    period: String(TOTP_PERIOD_SECONDS),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
