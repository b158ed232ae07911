/**
 * The one table of stable error codes. Domain code throws `AppError(code)`; route handlers turn
 * it into an RFC 9457 problem response with the status, title and OAuth `error` listed here.
 * Codes are part of the API: clients switch on them (lib/client/refresh-outcome.ts), so never
 * rename one.
 */
export const ERRORS = {
  invalid_request: { status: 400, title: 'The request is malformed', oauth: 'invalid_request' },
  unsupported_grant_type: { status: 400, title: 'Unsupported grant type', oauth: 'unsupported_grant_type' },
  invalid_credentials: { status: 401, title: 'Invalid username or password', oauth: 'invalid_grant' },
  unauthenticated: { status: 401, title: 'Authentication required', oauth: 'invalid_client' },
  invalid_token: { status: 401, title: 'The token is invalid or expired', oauth: 'invalid_grant' },
  token_reused: { status: 401, title: 'Refresh token reuse detected', oauth: 'invalid_grant' },
  session_revoked: { status: 401, title: 'The session has ended', oauth: 'invalid_grant' },
  account_disabled: { status: 403, title: 'The account is disabled', oauth: 'invalid_grant' },
  forbidden: { status: 403, title: 'Not allowed', oauth: 'access_denied' },
  not_found: { status: 404, title: 'Not found', oauth: 'invalid_request' },
  method_not_allowed: { status: 405, title: 'Method not allowed', oauth: 'invalid_request' },
  conflict: { status: 409, title: 'The request conflicts with the current state', oauth: 'invalid_request' },
  payload_too_large: { status: 413, title: 'The request body is too large', oauth: 'invalid_request' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type', oauth: 'invalid_request' },
  // DPoP (RFC 9449): a proof that is missing, malformed or from another key; and "sign again with
  // this nonce" (§8), whose nonce travels in the DPoP-Nonce header.
  invalid_dpop_proof: { status: 401, title: 'The DPoP proof is invalid', oauth: 'invalid_dpop_proof' },
  use_dpop_nonce: { status: 400, title: 'A DPoP nonce is required', oauth: 'use_dpop_nonce' },
  dpop_required: { status: 400, title: 'A DPoP-bound session is required', oauth: 'invalid_dpop_proof' },
  too_many_attempts: { status: 429, title: 'Too many attempts', oauth: 'slow_down' },
  internal_error: { status: 500, title: 'Something went wrong on our side', oauth: 'server_error' },
  service_unavailable: {
    status: 503,
    title: 'The service is temporarily unavailable',
    oauth: 'temporarily_unavailable',
  },
} as const satisfies Record<string, { status: number; title: string; oauth: string }>;

export type ErrorCode = keyof typeof ERRORS;

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
