/** The AppError a promise rejects with; fails the test if it resolves or rejects with anything else. */
import { AppError } from '@/lib/errors';

export async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  const outcome = await promise.then(
    () => new Error('expected a rejection, but the promise resolved'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof AppError)) {
    throw new Error(`expected an AppError, got ${outcome instanceof Error ? outcome.message : String(outcome)}`);
  }
  return outcome;
}
