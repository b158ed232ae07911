// With TEST_DATABASE=postgresql, one run's throwaway databases share one prefix and are dropped at
// the end. (Every project of the run uses the same prefix: whichever sets up first chooses it.)
import { randomBytes } from 'node:crypto';
import { TEST_PROVIDER, withAdminClient } from './databases';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (TEST_PROVIDER !== 'postgresql') return undefined;
  const prefix = (process.env.TEST_DATABASE_PREFIX ??= `ssi_t_${randomBytes(3).toString('hex')}`);
  await withAdminClient((client) => client.query('SELECT 1')).catch((error: Error) => {
    throw new Error(
      `PostgreSQL is not reachable (${error.message}). Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
    );
  });
  return async () => {
    await withAdminClient(async (client) => {
      const { rows } = await client.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE datname LIKE $1',
        [`${prefix}\\_%`],
      );
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    });
  };
}
