/** Input validation with zod: a failure becomes a 400 that names every invalid parameter. */
import type { z } from 'zod';
import { AppError } from '../errors';

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
