import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password-policy';

describe('passwordProblem', () => {
  it('accepts a passphrase', () => {
    expect(passwordProblem('correct horse battery staple', { username: 'alice' })).toBeNull();
  });

  it.each([
    ['too short', 'short1!', 'must be at least 8 characters'],
    ['the username', 'Alice-The-Great', 'must not be the username'],
    ['a common password', 'Password123', 'is one of the most common passwords; choose another'],
    ['over 1 KiB', 'é'.repeat(600), 'must be at most 1024 bytes'],
  ])('refuses a password that is %s', (_name, password, problem) => {
    expect(passwordProblem(password, { username: 'alice-the-great' })).toBe(problem);
  });

  it('counts characters, not bytes, for the minimum', () => {
    expect(passwordProblem('ééééééé')).toBe('must be at least 8 characters');
    expect(passwordProblem('éééééééé')).toBeNull();
  });
});
