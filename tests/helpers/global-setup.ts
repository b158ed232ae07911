// Integration tests run against the production build. `npm test` builds first; when run on
// their own (npx vitest), build once here if there is no build yet. With TEST_DATABASE=postgresql
// the run's throwaway databases share one prefix and are dropped at the end.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { TEST_PROVIDER, withAdminClient } from './databases';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const root = path.resolve(import.meta.dirname, '../..');
  if (!existsSync(path.join(root, '.next/BUILD_ID'))) {
    console.log('No production build found; running `npm run build` once for the integration tests...');
    const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('npm run build failed');
  }
  if (TEST_PROVIDER !== 'postgresql') return undefined;

  const prefix = `ssi_t_${randomBytes(3).toString('hex')}`;
  process.env.TEST_DATABASE_PREFIX = prefix;
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
