/**
 * Recovery codes: ten single-use codes of 80 random bits each (16 base32 characters, shown as
 * XXXX-XXXX-XXXX-XXXX), for when the authenticator app is lost. Stored as SHA-256 hashes: with 80
 * bits of entropy a slow hash adds nothing, and a fast one keeps the check cheap.
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';

export const RECOVERY_CODE_COUNT = 10;
const CODE_BYTES = 10;

export function newRecoveryCodes(random: (bytes: number) => Uint8Array): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () =>
    encodeBase32UpperCaseNoPadding(random(CODE_BYTES)).replace(/(.{4})(?=.)/g, '$1-'),
  );
}

/** As typed: case, spaces and dashes do not matter. */
export function normalizeRecoveryCode(value: string): string {
  return value.toUpperCase().replace(/[\s-]/g, '');
}

export function looksLikeRecoveryCode(value: string): boolean {
  return /^[A-Z2-7]{16}$/.test(normalizeRecoveryCode(value));
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(normalizeRecoveryCode(code)).digest('base64url');
}
