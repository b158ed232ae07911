// @ts-check
// Nothing to start. (Without a file of its own, Next.js would take the app's instrumentation.ts
// from the workspace root and start the whole app inside the bare one.)
export function register() {}
