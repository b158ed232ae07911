/**
 * Wraps a route handler: AppErrors become problem responses, anything unexpected becomes a
 * generic 500 problem (logged server-side, never shown to the client).
 */
import { AppError } from '../errors';
import { log } from '../log';
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
    try {
      return await handler(request, context);
    } catch (caught) {
      let error: AppError;
      if (caught instanceof AppError) {
        error = caught;
      } else {
        log.error('unhandled error in route handler', { path: new URL(request.url).pathname, error: caught });
        error = new AppError('internal_error');
      }
      return options.bearer ? bearerProblem(error) : problemResponse(error, { oauth: options.oauth ?? false });
    }
  };
}
