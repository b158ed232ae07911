/**
 * Errors as values with stable codes. Domain code throws `AppError(code)`; route handlers turn it
 * into an RFC 9457 problem response with the status, title and OAuth `error` of its code in the one
 * table (lib/api/errors.ts), which also holds the message the browser shows.
 */
import 'server-only';
import { ERRORS, type ErrorCode } from './api/errors';

export { ERRORS, type ErrorCode };

/**
 * Next.js bundles a module once per entry (each route, the middleware, instrumentation.ts), so one
 * process can hold several copies of this class, and an AppError thrown by the database client that
 * instrumentation.ts created would fail a plain `instanceof` in a route. A registered symbol brands
 * every copy alike.
 */
const BRAND = Symbol.for('staysignedin.AppError');

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly [BRAND] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  readonly code: ErrorCode;
  /** Overrides the table's status where one endpoint must answer differently (see refresh). */
  readonly status: number;
  /** Seconds, for 429 and 503 answers. */
  readonly retryAfter: number | undefined;
  /** RFC 9457 extension members, e.g. which parameters were invalid. */
  readonly extensions: Record<string, unknown> | undefined;
  /** For use_dpop_nonce: the nonce to sign with (sent as the DPoP-Nonce header). */
  readonly dpopNonce: string | undefined;

  constructor(
    code: ErrorCode,
    detail?: string,
    options: {
      status?: number;
      retryAfter?: number;
      extensions?: Record<string, unknown>;
      dpopNonce?: string;
      cause?: unknown;
    } = {},
  ) {
    super(detail ?? ERRORS[code].title, { cause: options.cause });
    this.code = code;
    this.status = options.status ?? ERRORS[code].status;
    this.retryAfter = options.retryAfter;
    this.extensions = options.extensions;
    this.dpopNonce = options.dpopNonce;
  }
}
