/**
 * The one App of this process. Next.js bundles each route, the middleware and instrumentation.ts
 * separately, so a module-level variable would exist once per bundle: the App start-up builds is
 * kept on globalThis under one registered symbol, and this is the only place that reads it.
 */
import 'server-only';
import type { App } from './app';

const KEY = Symbol.for('staysignedin.app');
const holder = globalThis as unknown as Record<symbol, App | undefined>;

/** Makes `app` this process's App (start-up; a test that serves through the real handlers). */
export function installApp(app: App): App {
  holder[KEY] = app;
  return app;
}

/** This process's App. Start-up (instrumentation.ts) installs it before anything is served. */
export function processApp(): App {
  const app = holder[KEY];
  if (!app) throw new Error('the server has not started (instrumentation.ts installs the app before serving)');
  return app;
}
