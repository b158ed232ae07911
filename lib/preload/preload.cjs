// `node --require ./lib/preload/preload.cjs`: guard every HTTP server this process creates (see
// request-guard.cjs). scripts/run-app.mjs loads it into `next start`.
'use strict';
require('./request-guard.cjs').patchCreateServer();
