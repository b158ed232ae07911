import { describe, expect, it } from 'vitest';
import { safeNextPath } from './safe-next';

describe('safeNextPath', () => {
  it('keeps same-origin relative paths with their query and hash', () => {
    expect(safeNextPath('/dashboard/reports?range=7d#top')).toBe('/dashboard/reports?range=7d#top');
  });

  it.each([
    'https://elsewhere.example/',
    '//elsewhere.example/path',
    '/\\elsewhere.example',
    'javascript:alert(1)',
    'dashboard',
    '/\telsewhere.example',
    '/login?next=/dashboard',
    '',
    null,
  ])('falls back to /dashboard for %s', (next) => {
    expect(safeNextPath(next)).toBe('/dashboard');
  });
});
