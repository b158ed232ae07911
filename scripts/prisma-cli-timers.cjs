// Preloaded into the Prisma CLI by scripts/prisma.mjs. On PostgreSQL, the JavaScript schema engine
// (WebAssembly) arms a 10-second timer around its advisory lock and never clears it, so every
// `migrate deploy` sat idle for 10 s after finishing. Long timers are unref'd: they still fire while
// the CLI has work in progress, but no longer keep a finished CLI alive.
'use strict';
const setTimeoutOriginal = global.setTimeout;
global.setTimeout = function setTimeoutUnrefLong(callback, delay, ...args) {
  const timer = setTimeoutOriginal.call(this, callback, delay, ...args);
  if (typeof delay === 'number' && delay >= 5000 && typeof timer?.unref === 'function') timer.unref();
  return timer;
};
