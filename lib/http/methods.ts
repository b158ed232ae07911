/**
 * Every method for one route file: the handlers it has, and for all others a 405 problem with
 * `Allow` (RFC 9110 §15.5.6), so no method falls through to the framework's bare answer. OPTIONS
 * answers 204 with the same `Allow`. Use:
 * `export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST });`
 */
import 'server-only';
import { AppError } from '../errors';
import { problemResponse } from './problem';

type Handler<C> = (request: Request, context: C) => Promise<Response>;
type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const ALL_METHODS: Method[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Every method a route file exports a handler for (what `methods()` returns). */
export type RouteMethod = Method | 'OPTIONS';
export const ROUTE_METHODS: readonly RouteMethod[] = [...ALL_METHODS, 'OPTIONS'];

export function methods<C>(handlers: Partial<Record<Method, Handler<C>>>): Record<RouteMethod, Handler<C>> {
  const supported = ALL_METHODS.filter((method) => handlers[method] ?? (method === 'HEAD' && handlers.GET));
  const allow = [...supported, 'OPTIONS'].join(', ');
  const refuse: Handler<C> = async (request) => {
    const error = new AppError('method_not_allowed', `${request.method} is not supported here; use ${allow}`);
    const response = problemResponse(error);
    response.headers.set('Allow', allow);
    return response;
  };
  const options: Handler<C> = async () => new Response(null, { status: 204, headers: { Allow: allow } });
  return {
    GET: handlers.GET ?? refuse,
    HEAD: handlers.HEAD ?? handlers.GET ?? refuse,
    POST: handlers.POST ?? refuse,
    PUT: handlers.PUT ?? refuse,
    PATCH: handlers.PATCH ?? refuse,
    DELETE: handlers.DELETE ?? refuse,
    OPTIONS: options,
  };
}
