/**
 * The building blocks of every request schema: a field and its length limit, defined once. The
 * limits bound what a request can make the server do (hash a megabyte "password", look up a
 * kilobyte "username"); the policies themselves (lib/users) are stricter.
 */
import { z } from 'zod';

export const LIMITS = {
  /** What a username field may hold before it is normalised (names themselves are shorter). */
  username: 256,
  /** Bounded so a megabyte "password" cannot be used to burn hashing time. */
  password: 1024,
  /** A signed JWT of ours is a few hundred bytes. */
  token: 4096,
  search: 64,
  /** A six-digit code or a recovery code, with the spaces and dashes people type. */
  code: 32,
  /** RFC 5321's limit for a forward path. */
  email: 254,
} as const;

/** A string that must be present and non-empty, at most `max` characters. */
export function requiredText(max: number) {
  return z.string({ error: 'is required' }).min(1, 'is required').max(max, 'is too long');
}

/** A string that may be missing, but not empty when given, at most `max` characters. */
export function optionalText(max: number) {
  return z.string().min(1, 'must not be empty').max(max, 'is too long').optional();
}

/** A string that may be missing or empty, at most `max` characters. */
export function optionalLooseText(max: number) {
  return z.string().max(max, 'is too long').optional();
}

/** A page size from the query string. */
export function limitParam(max: number, fallback: number) {
  return z.coerce.number().int().min(1).max(max).default(fallback);
}

export const Role = z.enum(['admin', 'user']);
export type Role = z.infer<typeof Role>;

/** Ids we issue are 22 URL-safe base64 characters (128 bits); anything else cannot exist. */
export const IdParam = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a valid id') });

/** An ISO 8601 instant, as every response carries times. */
export const Instant = z.iso.datetime();
