// docs/configuration.md, .env.example and the configuration schema name the same settings.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '@/lib/config';
import { ROOT } from '../helpers/paths';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

function documented(): string[] {
  const table = /<!-- settings:start -->([\s\S]*?)<!-- settings:end -->/.exec(read('docs/configuration.md'))?.[1] ?? '';
  return [...table.matchAll(/^\| `([A-Z0-9_]+)`/gm)].map((match) => match[1]!);
}

function inExample(): string[] {
  return [...read('.env.example').matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]!);
}

describe('the documented configuration', () => {
  it('documents every setting of the schema in docs/configuration.md, and nothing else', () => {
    expect(documented().sort()).toEqual([...SETTINGS].sort());
  });

  it('lists every setting of the schema in .env.example, and nothing else', () => {
    expect(inExample().sort()).toEqual([...SETTINGS].sort());
  });

  it("names in the README only settings that exist, and the README stays a first hour's read", () => {
    const readme = read('README.md');
    const table = readme.slice(readme.indexOf('## The settings people change'));
    const named = [...table.matchAll(/^\| `([A-Z0-9_]+)`/gm)].map((match) => match[1]!);
    expect(named).toHaveLength(5);
    expect(named.filter((name) => !SETTINGS.includes(name as never))).toEqual([]);
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
  });

  it('lists them once each', () => {
    expect(new Set(documented()).size).toBe(documented().length);
    expect(new Set(inExample()).size).toBe(inExample().length);
  });
});

describe('the documented retention', () => {
  it('says how long every table of the schema keeps its rows, and names no other table', () => {
    const models = [...read('prisma/schema.prisma').matchAll(/^model (\w+) \{/gm)].map((match) => match[1]!);
    const table =
      /<!-- retention:start -->([\s\S]*?)<!-- retention:end -->/.exec(read('docs/operations.md'))?.[1] ?? '';
    const documented = [...table.matchAll(/^\| `(\w+)`/gm)].map((match) => match[1]!);
    expect(models.length).toBeGreaterThan(5);
    expect(documented.sort()).toEqual(models.sort());
  });
});
