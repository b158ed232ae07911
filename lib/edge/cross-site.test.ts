import { describe, expect, it } from 'vitest';
import { appErrorOf } from '@/tests/helpers/errors';
import { refuseCrossSite, type OriginPolicy } from './cross-site';

const DIRECT: OriginPolicy = { trustProxy: false, allowedOrigins: [] };

function request(headers: Record<string, string>): Request {
  return new Request('http://app.example:3000/api/auth/token', {
    method: 'POST',
    headers: { host: 'app.example:3000', ...headers },
  });
}

async function refused(headers: Record<string, string>, policy = DIRECT): Promise<boolean> {
  const check = Promise.resolve().then(() => refuseCrossSite(request(headers), policy));
  if (
    await check.then(
      () => true,
      () => false,
    )
  )
    return false;
  expect((await appErrorOf(check)).code).toBe('forbidden');
  return true;
}

describe('refuseCrossSite', () => {
  it('lets through clients that send neither Origin nor fetch metadata (curl, scripts)', async () => {
    expect(await refused({})).toBe(false);
  });

  it("lets through the app's own pages, whatever scheme the browser used", async () => {
    expect(await refused({ origin: 'http://app.example:3000', 'sec-fetch-site': 'same-origin' })).toBe(false);
    expect(await refused({ origin: 'https://app.example:3000' })).toBe(false);
  });

  it.each([
    ['cross-site fetch metadata', { 'sec-fetch-site': 'cross-site' }],
    [
      'same-site fetch metadata (a sibling subdomain)',
      { 'sec-fetch-site': 'same-site', origin: 'https://blog.example' },
    ],
    ['a foreign Origin without fetch metadata (an older browser)', { origin: 'https://evil.example' }],
    ['Origin: null', { origin: 'null' }],
    ['an Origin on another port', { origin: 'http://app.example:4000' }],
    ['an Origin that only starts with our host', { origin: 'http://app.example:3000.evil.example' }],
    ['a non-http Origin', { origin: 'file://' }],
  ])('refuses %s', async (_name, headers) => {
    expect(await refused(headers)).toBe(true);
  });

  it('accepts origins listed in ALLOWED_ORIGINS, same-site ones included', async () => {
    const policy = { trustProxy: false, allowedOrigins: ['https://admin.example'] };
    expect(await refused({ origin: 'https://admin.example', 'sec-fetch-site': 'same-site' }, policy)).toBe(false);
    expect(await refused({ origin: 'https://admin.example', 'sec-fetch-site': 'cross-site' }, policy)).toBe(false);
    expect(await refused({ origin: 'https://other.example', 'sec-fetch-site': 'same-site' }, policy)).toBe(true);
  });

  it('compares with X-Forwarded-Host only behind a trusted proxy', async () => {
    const headers = { origin: 'https://public.example', 'x-forwarded-host': 'public.example' };
    expect(await refused(headers, DIRECT)).toBe(true);
    expect(await refused(headers, { trustProxy: true, allowedOrigins: [] })).toBe(false);
  });
});
