import { describe, expect, it } from 'vitest';
import { formatTotpKey, matchingStep, stepAt, totpCode, totpUri } from './totp';

// RFC 6238 Appendix B: the SHA-1 key, and the last six digits of its eight-digit test values.
const RFC_KEY = new TextEncoder().encode('12345678901234567890');
const at = (seconds: number) => new Date(seconds * 1000);

describe('TOTP codes', () => {
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ])('at %i seconds are the RFC 6238 test values (%s)', (seconds, code) => {
    expect(totpCode(RFC_KEY, stepAt(at(seconds)))).toBe(code);
  });

  it('are accepted in their own step and one step either side, and not two steps away', () => {
    const now = at(1_700_000_000);
    const step = stepAt(now);
    for (const offset of [-1, 0, 1])
      expect(matchingStep(RFC_KEY, totpCode(RFC_KEY, step + offset), now, 0)).toBe(step + offset);
    for (const offset of [-2, 2]) expect(matchingStep(RFC_KEY, totpCode(RFC_KEY, step + offset), now, 0)).toBeNull();
  });

  it('are refused at or before the last step already used, so a code is accepted once', () => {
    const now = at(1_700_000_000);
    const step = stepAt(now);
    const code = totpCode(RFC_KEY, step);
    expect(matchingStep(RFC_KEY, code, now, step - 1)).toBe(step);
    expect(matchingStep(RFC_KEY, code, now, step)).toBeNull();
    // Nor does a code of an earlier step work once a later one was used.
    expect(matchingStep(RFC_KEY, totpCode(RFC_KEY, step - 1), now, step)).toBeNull();
  });

  it('ignore the spaces apps show between digit groups, and refuse anything else', () => {
    const now = at(1_700_000_000);
    const code = totpCode(RFC_KEY, stepAt(now));
    expect(matchingStep(RFC_KEY, `${code.slice(0, 3)} ${code.slice(3)}`, now, 0)).toBe(stepAt(now));
    for (const wrong of ['', '12345', '1234567', `${code}0`, 'abcdef'])
      expect(matchingStep(RFC_KEY, wrong, now, 0)).toBeNull();
  });

  it('from another key are refused', () => {
    const now = at(1_700_000_000);
    const other = new TextEncoder().encode('another key of twenty');
    expect(matchingStep(RFC_KEY, totpCode(other, stepAt(now)), now, 0)).toBeNull();
  });
});

describe('the set-up', () => {
  it('gives the key as base32 in groups of four and as an otpauth URI authenticator apps read', () => {
    expect(formatTotpKey(RFC_KEY)).toBe('GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ');
    const uri = new URL(totpUri('Stay signed in', 'ada', RFC_KEY));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Stay signed in:ada');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
      issuer: 'Stay signed in',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});
