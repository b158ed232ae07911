/**
 * The route kit bound to this process's App: what every file in app/api builds its handlers with.
 * A handler is handed the app, the request, the client and the caller; it never looks them up.
 */
import 'server-only';
import { createRouteKit } from '../edge/route-kit';
import { processApp } from './process-app';

export { methods } from '../http/methods';

export const { route, protectedRoute } = createRouteKit(processApp);
