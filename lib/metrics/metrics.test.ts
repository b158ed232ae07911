import { describe, expect, it } from 'vitest';
import { routeOf } from '../api/routes';
import { labelOf } from './metrics';

/** The label a request to `pathname` is counted under: its route's pattern, ids replaced. */
const routeLabel = (pathname: string) => labelOf(routeOf(pathname));

describe('labelOf', () => {
  it('names the app routes, with ids replaced', () => {
    expect(routeLabel('/api/auth/token')).toBe('/api/auth/token');
    expect(routeLabel('/api/auth/sessions/abcdefghijklmnopqrstuv')).toBe('/api/auth/sessions/:id');
    expect(routeLabel('/api/auth/sessions/revoke-others')).toBe('/api/auth/sessions/revoke-others');
    expect(routeLabel('/api/admin/users/xyz')).toBe('/api/admin/users/:id');
  });

  it('puts every other path under one label, so clients cannot grow the label set', () => {
    for (const path of ['/api/nowhere', '/api/auth/token/extra', '/api/x1', '/api/x2', '/bench/open']) {
      expect(routeLabel(path)).toBe('other');
    }
  });
});
