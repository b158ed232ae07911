import { describe, expect, it } from 'vitest';
import { safeNextPath } from './safe-next';

const ORIGIN = 'https://app.example';

/** Values an attacker would put in /login?next=... to leave the site after sign-in. */
const HOSTILE = [
  // absolute and protocol-relative URLs
  'https://evil.example/',
  'http://evil.example',
  'HTTPS://evil.example',
  '//evil.example/path',
  '///evil.example',
  '////evil.example',
  'http://app.example.evil.example/',
  'https://app.example@evil.example/',
  'https://app.example:443@evil.example',
  '//app.example@evil.example',
  'http://app.example/', // same host, other scheme: another origin
  'https://app.example:8443/',
  // backslashes (browsers read them as slashes in special URLs)
  '/\\evil.example',
  '\\\\evil.example',
  '\\/evil.example',
  '/\\/evil.example',
  // tabs, newlines and other control characters that URL parsing strips
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '\n\n//evil.example',
  '\t//evil.example',
  ' //evil.example',
  // dot segments that normalise into a protocol-relative path
  '/.//evil.example',
  '/..//evil.example',
  '/a/..//evil.example',
  '/a/b/../..//evil.example',
  '/./\\evil.example',
  '/%2e//evil.example',
  '/%2E//evil.example',
  '/%2e%2e//evil.example',
  '/a/%2e%2e//evil.example',
  '/.%2e//evil.example',
  // other schemes
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'java\tscript:alert(1)',
  ' javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  'blob:https://evil.example/uuid',
  // internationalised and look-alike hosts
  'https://evіl.example/', // Cyrillic і
  '//ｅｖｉｌ.example',
  'https://xn--evl-wwc.example/',
  '//evil。example',
  // the sign-in page itself (a loop)
  '/login',
  '/login?next=/dashboard',
  '/login/',
  // empty
  '',
];

describe('safeNextPath', () => {
  it('keeps same-origin paths with their query and hash', () => {
    expect(safeNextPath('/dashboard/reports?range=7d#top', ORIGIN)).toBe('/dashboard/reports?range=7d#top');
  });

  it('navigates to the resolved path, never the raw string', () => {
    expect(safeNextPath('/dashboard/./sessions/../account', ORIGIN)).toBe('/dashboard/account');
    expect(safeNextPath('https://app.example/dashboard?x=1', ORIGIN)).toBe('/dashboard?x=1');
    expect(safeNextPath('dashboard/sessions', ORIGIN)).toBe('/dashboard/sessions');
    // Odd but harmless: each resolves to a path on this site, which is where we go.
    expect(safeNextPath('/%2F%2Fevil.example', ORIGIN)).toBe('/%2F%2Fevil.example');
    expect(safeNextPath('https:evil.example', ORIGIN)).toBe('/evil.example');
    expect(safeNextPath('https:/evil.example', ORIGIN)).toBe('/evil.example');
    expect(safeNextPath('/\x00/evil.example', ORIGIN)).toBe('/%00/evil.example');
  });

  it('has at least 40 hostile values in its table', () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(40);
  });

  it.each(HOSTILE.map((value) => [JSON.stringify(value), value]))('falls back to /dashboard for %s', (_, next) => {
    const result = safeNextPath(next, ORIGIN);
    expect(result).toBe('/dashboard');
  });

  it('falls back to /dashboard for a missing value', () => {
    expect(safeNextPath(null, ORIGIN)).toBe('/dashboard');
    expect(safeNextPath(undefined, ORIGIN)).toBe('/dashboard');
  });

  it('never returns a target that a browser resolves to another origin', () => {
    for (const value of HOSTILE) {
      expect(new URL(safeNextPath(value, ORIGIN), ORIGIN).origin).toBe(ORIGIN);
    }
  });
});
