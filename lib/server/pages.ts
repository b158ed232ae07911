/**
 * What server-rendered pages get from the app: the client's timing, from the configuration the
 * server runs with (not the one it was built with).
 */
import 'server-only';
import type { ClientSettings } from '../api/client-settings';
import { processApp } from './process-app';

export function clientSettings(): ClientSettings {
  const { client, relyingParty, sso, mail } = processApp().config;
  return {
    refreshLeadSeconds: client.refreshLeadSeconds,
    requestTimeoutMs: client.requestTimeoutSeconds * 1000,
    sessionCheckSeconds: client.sessionCheckSeconds,
    passkeys: relyingParty !== null,
    mail: mail !== null,
    sso: sso ? { name: sso.displayName } : null,
  };
}
