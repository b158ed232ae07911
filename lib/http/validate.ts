/** Input validation with zod: a failure becomes a 400 that names every invalid parameter. */
import 'server-only';
import { type z } from 'zod';
import { AppError } from '../errors';
import { assertWellFormed } from './body';

export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const invalidParams = result.error.issues.map((issue) => ({
    name: issue.path.join('.') || '(body)',
    reason: issue.message,
  }));
  const detail = invalidParams.map((p) => `${p.name}: ${p.reason}`).join('; ');
  throw new AppError('invalid_request', detail, { extensions: { invalid_params: invalidParams } });
}

/** Path parameters: a malformed one is a 404 (no such resource), never a 500. */
export function parsePathParams<T extends z.ZodType>(schema: T, params: unknown): z.infer<T> {
  const result = schema.safeParse(params);
  if (!result.success) throw new AppError('not_found', 'there is nothing at this path');
  return result.data;
}

/** Query parameters as an object of strings (the last value wins), validated. */
export function parseQuery<T extends z.ZodType>(schema: T, request: Request): z.infer<T> {
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of new URL(request.url).searchParams) params[key] = value;
  assertWellFormed(params, 'the query');
  return parseInput(schema, params);
}
