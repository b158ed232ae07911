'use client';
/**
 * The account page's two-step verification: set up an authenticator app (QR code or the key typed
 * in, confirmed by a first code), see how many recovery codes are left, make new ones, turn it
 * off. Each of these is a sensitive action: the page asks for re-authentication when it must.
 */
import { useState, type FormEvent } from 'react';
import useSWR from 'swr';
import type { RecoveryCodesResponse, SecondFactorsResponse, TotpSetupResponse } from '@/lib/api/auth';
import { PATHS } from '@/lib/api/routes';
import { useAuth } from '@/lib/client/auth-provider';
import { formText } from '../../_components/form-text';
import { useApiAction } from '../../_components/use-api';

export function TwoStepVerification() {
  const { fetcher } = useAuth();
  const { data, mutate } = useSWR<SecondFactorsResponse, Error>(PATHS.totp, fetcher);
  const action = useApiAction();
  const [setup, setSetup] = useState<TotpSetupResponse | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);

  async function begin() {
    const answer = (await action.run(PATHS.totp, { method: 'POST' })) as TotpSetupResponse | null;
    if (answer) setSetup(answer);
  }

  async function confirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = formText(new FormData(event.currentTarget), 'totp_code');
    const answer = (await action.run(PATHS.totpConfirm, {
      method: 'POST',
      body: { code },
    })) as RecoveryCodesResponse | null;
    if (!answer) return;
    setSetup(null);
    setCodes(answer.recovery_codes);
    await mutate();
  }

  async function newCodes() {
    const answer = (await action.run(PATHS.recoveryCodes, { method: 'POST' })) as RecoveryCodesResponse | null;
    if (!answer) return;
    setCodes(answer.recovery_codes);
    await mutate();
  }

  async function turnOff() {
    if (!window.confirm('Turn off two-step verification? Signing in will take your password alone.')) return;
    if (await action.run(PATHS.totp, { method: 'DELETE' })) {
      setCodes(null);
      await mutate();
    }
  }

  return (
    <div data-testid="two-step">
      <h2>Two-step verification</h2>
      {data?.totp === 'on' ? (
        <p data-testid="two-step-status">
          On: signing in asks for a code from your authenticator app. {data.recovery_codes_left} recovery code
          {data.recovery_codes_left === 1 ? '' : 's'} left.
        </p>
      ) : (
        <p data-testid="two-step-status">Off: signing in takes your password alone.</p>
      )}
      {codes && (
        <div className="notice" data-testid="recovery-codes">
          <p>
            <strong>Your recovery codes.</strong> Each works once, if you lose your authenticator app. Keep them
            somewhere safe: they are shown only now.
          </p>
          <ul className="codes">
            {codes.map((code) => (
              <li key={code}>
                <code>{code}</code>
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => setCodes(null)}>
            I have saved them
          </button>
        </div>
      )}
      {setup && (
        <form onSubmit={(event) => void confirm(event)} aria-describedby="totp-error" noValidate>
          <p>Scan this with your authenticator app, or type the key in:</p>
          {/* An image, not markup: the SVG comes from the server and is never put into the page. */}
          <img
            className="qr"
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(setup.qr_svg)}`}
            alt="QR code to scan with an authenticator app"
            width={200}
            height={200}
          />
          <p>
            <code data-testid="totp-key">{setup.key}</code>
          </p>
          <label htmlFor="totp_code">The 6-digit code the app shows</label>
          <input id="totp_code" name="totp_code" inputMode="numeric" autoComplete="one-time-code" required />
          <button className="primary" type="submit" disabled={action.pending} aria-busy={action.pending}>
            Confirm
          </button>
        </form>
      )}
      <p id="totp-error" className="error" role="alert" aria-live="assertive">
        {action.error}
      </p>
      {data?.totp === 'on' ? (
        <div className="actions">
          <button type="button" disabled={action.pending} onClick={() => void newCodes()}>
            Make new recovery codes
          </button>
          <button type="button" disabled={action.pending} onClick={() => void turnOff()}>
            Turn off
          </button>
        </div>
      ) : (
        !setup && (
          <button type="button" className="primary" disabled={action.pending} onClick={() => void begin()}>
            Set up an authenticator app
          </button>
        )
      )}
    </div>
  );
}
