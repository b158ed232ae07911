/**
 * An authenticator app for tests: set up through the real API, then codes as a phone would show
 * them. The server takes each time step once, and accepts one step either side of now, so `next()`
 * gives the earliest step not yet used that the server still accepts, waiting for the clock only
 * when both steps ahead are spent.
 */
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';

// As an authenticator app computes them (RFC 6238), independently of the server's own module.
export const TOTP_PERIOD_SECONDS = 30;
const stepAt = (now: Date) => Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
const totpCode = (key: Uint8Array, step: number) => generateHOTP(key, BigInt(step), 6);

/** The key an account page shows, in groups of four, as bytes. */
export function keyFromTyped(typed: string): Uint8Array {
  return decodeBase32IgnorePadding(typed.replace(/ /g, ''));
}

export type Authenticator = { key: Uint8Array; recoveryCodes: string[]; next(): Promise<string>; wrong(): string };

export function authenticatorFor(key: Uint8Array, lastStep = 0) {
  let used = lastStep;
  return {
    key,
    async next() {
      for (;;) {
        const now = stepAt(new Date());
        const step = Math.max(now - 1, used + 1);
        if (step <= now + 1) {
          used = step;
          return totpCode(key, step);
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    },
    /** A code no step near now has. */
    wrong() {
      const now = stepAt(new Date());
      const near = new Set([-1, 0, 1, 2].map((offset) => totpCode(key, now + offset)));
      for (let candidate = 0; ; candidate++) {
        const code = String(candidate).padStart(6, '0');
        if (!near.has(code)) return code;
      }
    },
  };
}

/** Sets up an authenticator app for the holder of `access` (fresh from a sign-in). */
export async function enrolAuthenticator(
  url: string,
  access: string,
  headers: Record<string, string> = {},
): Promise<Authenticator> {
  const call = (path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body ?? {}),
    });
  const setup = await call('/api/auth/totp');
  if (setup.status !== 200) throw new Error(`POST /api/auth/totp answered ${setup.status}: ${await setup.text()}`);
  const { key: typed } = (await setup.json()) as { key: string };
  const app = authenticatorFor(keyFromTyped(typed));
  const confirmed = await call('/api/auth/totp/confirm', { code: await app.next() });
  if (confirmed.status !== 200) throw new Error(`confirm answered ${confirmed.status}: ${await confirmed.text()}`);
  const { recovery_codes: recoveryCodes } = (await confirmed.json()) as { recovery_codes: string[] };
  return { ...app, recoveryCodes };
}
