// Any other /api path: a problem+json 404 rather than the HTML not-found page.
import { AppError } from '@/lib/errors';
import { route } from '@/lib/http/route';

const notFound = route(async () => {
  throw new AppError('not_found', 'there is no API endpoint at this path');
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
