import { describe, expect, it } from 'vitest';
import { normalizeUsername, usernameProblem } from './username';

describe('normalizeUsername', () => {
  it('trims, folds case and applies NFKC so look-alikes are one account', () => {
    expect(normalizeUsername('  Admin ')).toBe('admin');
    expect(normalizeUsername('ａｄｍｉｎ')).toBe('admin'); // full-width letters
    expect(normalizeUsername('Ｊｏｓé')).toBe(normalizeUsername('jose\u0301'.normalize('NFC')));
  });
});

describe('usernameProblem', () => {
  it('accepts ordinary names and refuses empty, overlong or odd ones', () => {
    expect(usernameProblem('alice.smith@example')).toBeNull();
    expect(usernameProblem('')).toMatch(/empty/);
    expect(usernameProblem('a'.repeat(65))).toMatch(/at most 64/);
    expect(usernameProblem('bob smith')).toMatch(/may contain only/);
    expect(usernameProblem('<script>')).toMatch(/may contain only/);
  });
});
