// middleware.ts's matcher is a literal (Next.js reads it at build time): this holds it to the
// route table, so the middleware runs for every API route (it answers them: api-dispatch.ts).
import { describe, expect, it } from 'vitest';
import { config } from '@/middleware';
import { PATHS, type RouteName } from '../api/routes';

/** The matcher as the router applies it: the whole path must match the pattern. */
const matchers = config.matcher.map((source) => new RegExp(`^${source}$`));
const runsFor = (path: string) => matchers.some((matcher) => matcher.test(path));
const example = (pattern: string) => pattern.replace(/:[a-z]+/g, 'abcdefghijklmnopqrstuv');

describe('the middleware matcher', () => {
  it('runs for every endpoint of the route table, every page, and every unknown API path', () => {
    for (const name of Object.keys(PATHS) as RouteName[]) {
      expect(runsFor(example(PATHS[name])), PATHS[name]).toBe(true);
    }
    for (const path of [
      '/',
      '/login',
      '/dashboard',
      '/dashboard/users',
      '/api/nope',
      '/api/auth/token/x',
      '/api/auth/tokens',
    ]) {
      expect(runsFor(path), path).toBe(true);
    }
  });

  it('skips build assets and the route outside it', () => {
    for (const path of ['/_next/static/chunks/a.js', '/favicon.ico', '/bench/outside']) {
      expect(runsFor(path), path).toBe(false);
    }
  });
});
