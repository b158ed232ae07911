// Any other /api path: a problem+json 404 rather than the HTML not-found page.
import { noSuchEndpoint } from '@/lib/edge/route-kit';
import { route } from '@/lib/server/routes';

const notFound = route(async () => {
  throw noSuchEndpoint();
});

export {
  notFound as GET,
  notFound as HEAD,
  notFound as POST,
  notFound as PUT,
  notFound as PATCH,
  notFound as DELETE,
  notFound as OPTIONS,
};
