/**
 * What a route answers when its handler throws: an AppError becomes its problem response; a
 * record that vanished under the request 404; a database fault that escaped the store's handling
 * 503; anything else a generic 500 problem (logged server-side, never shown to the client).
 */
import 'server-only';
import { classifyFault, isVanishedRecord, serviceUnavailable } from '../db';
import { AppError } from '../errors';
import { log } from '../log';
import { bearerProblem, problemResponse } from './problem';

export type ProblemStyle = {
  /** Token endpoints: add the OAuth `error` member. */
  oauth?: boolean;
  /** Bearer-protected APIs: 401s carry `WWW-Authenticate: Bearer ...` (RFC 6750). */
  bearer?: boolean;
};

export function errorResponse(request: Request, caught: unknown, style: ProblemStyle = {}): Response {
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
  return style.bearer ? bearerProblem(error) : problemResponse(error, { oauth: style.oauth ?? false });
}
