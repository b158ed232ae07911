/**
 * Wraps a route handler: AppErrors become problem responses, anything unexpected becomes a
 * generic 500 problem (logged server-side, never shown to the client).
 */
import { classifyFault, isVanishedRecord, serviceUnavailable, withDatabaseDeadline } from '../db/faults';
import { AppError } from '../errors';
import { log } from '../log';
import { metrics, routeLabel } from '../metrics/metrics';
import { bearerProblem, problemResponse } from './problem';

type Handler<C> = (request: Request, context: C) => Promise<Response>;

export type RouteOptions = {
  /** Token endpoints: add the OAuth `error` member. */
  oauth?: boolean;
  /** Bearer-protected APIs: 401s carry `WWW-Authenticate: Bearer ...` (RFC 6750). */
  bearer?: boolean;
};

export function route<C>(handler: Handler<C>, options: RouteOptions = {}): Handler<C> {
  return async (request, context) => {
    const stopTimer = metrics().requestDuration.startTimer();
    const response = await handle(request, context);
    stopTimer({
      route: routeLabel(new URL(request.url).pathname),
      method: request.method,
      status: `${Math.floor(response.status / 100)}xx`,
    });
    if (response.status === 503) metrics().databaseErrors.inc();
    return response;
  };

  async function handle(request: Request, context: C): Promise<Response> {
    try {
      // All the database work of this request shares one deadline (lib/db/faults.ts).
      return await withDatabaseDeadline(() => handler(request, context));
    } catch (caught) {
      let error: AppError;
      if (caught instanceof AppError) {
        error = caught;
      } else if (isVanishedRecord(caught)) {
        // Deleted under this request (a concurrent user deletion): gone, not a server error.
        error = new AppError('not_found', 'what this request refers to no longer exists');
      } else if (classifyFault(caught)) {
        // A database fault that escaped the store's own handling is still "try again", never a 500.
        error = serviceUnavailable(caught);
      } else {
        log.error('unhandled error in route handler', { path: new URL(request.url).pathname, error: caught });
        error = new AppError('internal_error');
      }
      return options.bearer ? bearerProblem(error) : problemResponse(error, { oauth: options.oauth ?? false });
    }
  }
}

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const ALL_METHODS: Method[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Every method for one route file: the handlers it has, and for all others a 405 problem with
 * `Allow` (RFC 9110 §15.5.6), so no method falls through to the framework's bare answer. OPTIONS
 * answers 204 with the same `Allow`. Use:
 * `export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST });`
 */
export function methods<C>(handlers: Partial<Record<Method, Handler<C>>>): Record<Method | 'OPTIONS', Handler<C>> {
  const supported = ALL_METHODS.filter((method) => handlers[method] ?? (method === 'HEAD' && handlers.GET));
  const allow = [...supported, 'OPTIONS'].join(', ');
  const refuse: Handler<C> = async (request, context) => {
    const response = await route<C>(async () => {
      throw new AppError('method_not_allowed', `${request.method} is not supported here; use ${allow}`);
    })(request, context);
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
