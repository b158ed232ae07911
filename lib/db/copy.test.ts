import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@/tests/helpers/paths';
import { COPIED_TABLES } from './copy';

describe('the tables db:copy moves', () => {
  it('are every model of the schema, each once, so a new table cannot be left behind', () => {
    const schema = readFileSync(path.join(ROOT, 'prisma/schema.prisma'), 'utf8');
    const models = [...schema.matchAll(/^model (\w+) \{/gm)].map((match) => match[1]!);
    expect(COPIED_TABLES.map((table) => table.model).sort()).toEqual(models.sort());
  });

  it('come parents first: a user before the sessions that reference it', () => {
    const order = COPIED_TABLES.map((table) => table.model);
    expect(order.indexOf('User')).toBeLessThan(order.indexOf('Session'));
  });
});
