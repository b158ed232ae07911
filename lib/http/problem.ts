/**
 * RFC 9457 problem responses. Every error the API returns goes through here: a stable `code`,
 * a human `detail`, never a stack trace or an internal message.
 */
import 'server-only';
import { ERRORS, type ErrorCode } from '../api/errors';
import type { AppError } from '../errors';

export const NO_STORE = 'no-store';

/** What every API answer carries: never cached, never sniffed as anything but its type. */
export const API_HEADERS = { 'Cache-Control': NO_STORE, 'X-Content-Type-Options': 'nosniff' } as const;

/** 204 No Content, with the API's headers (and any others given). */
export function noContent(headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 204, headers: { ...headers, ...API_HEADERS } });
}

/** 200 with no body, for a peer that expects 200 (back-channel logout), with the API's headers. */
export function emptyResponse(status: 200 | 204): Response {
  return new Response(null, { status, headers: { ...API_HEADERS } });
}

export type ProblemOptions = {
  /** Add the OAuth 2.0 `error`/`error_description` members (token endpoints, RFC 6749 §5.2). */
  oauth?: boolean;
  /** For 401s from protected APIs (RFC 6750 §3). */
  wwwAuthenticate?: string;
};

export function problemType(code: ErrorCode): string {
  return `/problems/${code}`;
}

export function problemResponse(error: AppError, options: ProblemOptions = {}): Response {
  const body: Record<string, unknown> = {
    type: problemType(error.code),
    title: ERRORS[error.code].title,
    status: error.status,
    detail: error.message,
    code: error.code,
    ...error.extensions,
  };
  if (options.oauth) {
    body.error = ERRORS[error.code].oauth;
    body.error_description = error.message;
  }
  const headers = new Headers({ 'Content-Type': 'application/problem+json', ...API_HEADERS });
  if (error.retryAfter !== undefined) headers.set('Retry-After', String(Math.ceil(error.retryAfter)));
  if (options.wwwAuthenticate) headers.set('WWW-Authenticate', options.wwwAuthenticate);
  if (error.code === 'invalid_dpop_proof' || error.code === 'use_dpop_nonce') {
    // RFC 9449 §7.1 and §8: the DPoP challenge, and the nonce to sign with.
    headers.set(
      'WWW-Authenticate',
      `DPoP error="${error.code}", error_description=${quoted(error.message)}, algs="ES256"`,
    );
  }
  if (error.dpopNonce !== undefined) headers.set('DPoP-Nonce', error.dpopNonce);
  return new Response(JSON.stringify(body), { status: error.status, headers });
}

/** Quotes a value for an auth-param (RFC 9110 §11.2): no raw quotes or backslashes inside. */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '').replace(/[^\x20-\x7e]/g, '')}"`;
}

/** `WWW-Authenticate: Bearer ...` for a rejected or missing Bearer token (RFC 6750 §3). */
export function bearerChallenge(error?: AppError): string {
  // No token, or a token that is fine while something else was wrong (a wrong current password or
  // code): no invalid_token, so no client throws a good token away over it.
  if (
    !error ||
    error.code === 'unauthenticated' ||
    error.code === 'invalid_credentials' ||
    error.code === 'invalid_code'
  ) {
    return 'Bearer realm="api"';
  }
  if (error.code === 'reauthentication_required') {
    // RFC 9470 §3: the token is fine; the authentication behind it is not recent enough.
    const maxAge = Number(error.extensions?.max_age);
    return `Bearer realm="api", error="insufficient_user_authentication", error_description=${quoted(error.message)}${
      Number.isFinite(maxAge) ? `, max_age=${Math.floor(maxAge)}` : ''
    }`;
  }
  return `Bearer realm="api", error="invalid_token", error_description=${quoted(error.message)}`;
}

/** A problem response for a refused Bearer credential, with its `WWW-Authenticate` challenge. */
export function bearerProblem(error: AppError): Response {
  return problemResponse(error, error.status === 401 ? { wwwAuthenticate: bearerChallenge(error) } : {});
}

export function jsonResponse(
  body: unknown,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  // Tokens and personal data must never be cached by browsers or proxies.
  const headers = { ...init.headers, 'Content-Type': 'application/json', ...API_HEADERS };
  return new Response(JSON.stringify(body), { status: init.status ?? 200, headers });
}
