/** The refresh request itself: POST /api/auth/refresh (which also renews the page cookie). */
import { jsonOrNull } from './http';
import { classifyRefreshAnswer, type RefreshAnswer } from './refresh-outcome';

export const REFRESH_PATH = '/api/auth/refresh';

export async function httpRefresh(refreshToken: string, signal: AbortSignal): Promise<RefreshAnswer> {
  const response = await fetch(REFRESH_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: refreshToken }),
    credentials: 'same-origin',
    cache: 'no-store',
    signal,
  });
  return classifyRefreshAnswer(response.status, await jsonOrNull(response));
}
