import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashRecoveryCode, looksLikeRecoveryCode, newRecoveryCodes, RECOVERY_CODE_COUNT } from './recovery-codes';

const random = (bytes: number) => new Uint8Array(randomBytes(bytes));

describe('recovery codes', () => {
  it('come ten at a time, each 80 random bits as XXXX-XXXX-XXXX-XXXX, all different', () => {
    const codes = newRecoveryCodes(random);
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('hash alike however they are typed: case, spaces and dashes do not matter', () => {
    const [code = ''] = newRecoveryCodes(random);
    const typed = [code.toLowerCase(), code.replace(/-/g, ' '), code.replace(/-/g, ''), ` ${code} `];
    for (const variant of typed) {
      expect(looksLikeRecoveryCode(variant)).toBe(true);
      expect(hashRecoveryCode(variant)).toBe(hashRecoveryCode(code));
    }
  });

  it('are not confused with a six-digit code or other input', () => {
    for (const other of ['123456', 'ABCD-EFGH', 'ABCD-EFGH-IJKL-MNO1', ''])
      expect(looksLikeRecoveryCode(other)).toBe(false);
  });
});
