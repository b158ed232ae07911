/**
 * The browser specs' OpenID Provider (tests/helpers/oidc-provider.ts) as its own process: started
 * by playwright.config.ts before the app, on E2E_IDP_PORT, for the app at E2E_APP_ORIGIN. Stops
 * on SIGTERM, when Playwright is done.
 */
import { startIdp } from '../tests/helpers/oidc-provider';

const port = Number(process.env.E2E_IDP_PORT);
const app = process.env.E2E_APP_ORIGIN;
if (!port || !app) {
  console.error('E2E_IDP_PORT and E2E_APP_ORIGIN are required');
  process.exit(2);
}
void startIdp({ port, apps: [app] }).then((idp) => {
  console.log(`test OpenID Provider at ${idp.issuer} for ${app}`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      void idp.stop().finally(() => process.exit(0));
    });
  }
});
