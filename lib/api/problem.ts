/** The body of every error answer: RFC 9457 problem details, with our stable `code`. */
import { z } from 'zod';

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  /** Token endpoints: the OAuth 2.0 `error` members (RFC 6749 §5.2). */
  error: z.string().optional(),
  error_description: z.string().optional(),
  /** Which parameters were invalid, and why. */
  invalid_params: z.array(z.object({ name: z.string(), reason: z.string() })).optional(),
});
export type Problem = z.infer<typeof Problem>;
