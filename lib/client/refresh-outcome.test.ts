import { describe, expect, it } from 'vitest';
import { classifyRefreshAnswer } from './refresh-outcome';

const ok = { access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, refresh_expires_in: 1 };

describe('classifyRefreshAnswer', () => {
  it('accepts a well-formed token response', () => {
    expect(classifyRefreshAnswer(200, ok).kind).toBe('ok');
    expect(classifyRefreshAnswer(200, { access_token: 'a' }).kind).toBe('transient');
  });

  it.each(['invalid_token', 'token_reused', 'session_revoked', 'account_disabled'])('signs out on 401 %s', (code) => {
    expect(classifyRefreshAnswer(401, { code })).toEqual({ kind: 'terminal', code });
  });

  it.each([
    [500, { code: 'internal_error' }],
    [503, null],
    [429, { code: 'too_many_attempts' }],
    [401, { code: 'something_new' }],
    [502, '<html>Bad gateway</html>'],
  ])('keeps the tokens and retries on %s', (status, body) => {
    expect(classifyRefreshAnswer(status, body).kind).toBe('transient');
  });
});
