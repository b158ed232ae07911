/** Arranges accounts directly in the e2e server's database, through the app's own modules. */
import path from 'node:path';
import { createDb, tuneSqlite } from '../lib/db/client';
import { createUser } from '../lib/users/users';

export async function createDisabledUser(username: string, password: string): Promise<void> {
  const db = createDb(`file:${path.join(process.env.E2E_DATA_DIR!, 'app.db')}`);
  try {
    await tuneSqlite(db);
    const user = await createUser(db, { username, password });
    await db.user.update({ where: { id: user.id }, data: { disabled: true } });
  } finally {
    await db.$disconnect();
  }
}
