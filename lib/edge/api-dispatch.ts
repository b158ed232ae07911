/**
 * The middleware answers the API requests it admits by calling the route file's handler itself,
 * so an API request is routed once (by the route table) instead of twice (the middleware, then
 * Next.js's router and route-module wrapper, which cost about as much again as all of this app's
 * own per-request work: docs/performance.md, "The edge"). The route is matched as Next.js's
 * router would match it (lib/api/routes.ts, `matchRoute`). The route files stay what they are:
 * the handlers, built with the route kit, and Next.js's router still serves them should a request
 * ever reach it. Nothing here decides who may call: the middleware's gate has run, and a
 * protected handler checks the caller again itself (route-kit.ts).
 */
import 'server-only';
import type { RouteMatch, RouteName } from '../api/routes';
import { ROUTE_METHODS, type RouteMethod } from '../http/methods';

/**
 * A route file's exports, as `methods()` builds them (lib/http/methods.ts). The parameters are
 * typed `never` so every route's own parameter type fits; the values come from `matchRoute`.
 */
export type RouteModule = Record<
  RouteMethod,
  (request: Request, context: { params: Promise<never> }) => Promise<Response>
>;

/** Every route of the table with its file's handlers (app/api/handlers.ts). */
export type ApiHandlers = Record<RouteName, RouteModule>;

const DISPATCHED: ReadonlySet<string> = new Set(ROUTE_METHODS);

/**
 * The answer of the matched route's handler for this request, or null when there is none to call
 * (a method no route file exports: the request guard refuses those before Next.js, so only a
 * server started without it gets here, and Next.js answers as it would have).
 */
export function dispatchApi(handlers: ApiHandlers, match: RouteMatch, request: Request): Promise<Response> | null {
  // Only the seven methods: any other name (or one like `dynamic`) is not a handler.
  if (!DISPATCHED.has(request.method)) return null;
  const handler = handlers[match.name][request.method as RouteMethod];
  return handler(request, { params: Promise.resolve(match.params) as Promise<never> });
}
