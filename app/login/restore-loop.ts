/**
 * Guards against a redirect loop: /login restores the session and goes to `next`; if the
 * browser then comes straight back (the page cookie was not kept, e.g. a Secure cookie over
 * plain HTTP), stop restoring and explain instead of bouncing forever.
 */
const KEY = 'staysignedin.restores';
const WINDOW_MS = 20_000;
const MAX_RESTORES = 3;

export function restoreLooksLikeALoop(now = Date.now()): boolean {
  let recent: number[] = [];
  try {
    recent = (JSON.parse(sessionStorage.getItem(KEY) ?? '[]') as number[]).filter((t) => now - t < WINDOW_MS);
  } catch {
    recent = [];
  }
  if (recent.length >= MAX_RESTORES) return true;
  sessionStorage.setItem(KEY, JSON.stringify([...recent, now]));
  return false;
}
