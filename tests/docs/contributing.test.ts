// The recipes in CONTRIBUTING.md quote real code: each quoted block is, line for line, a piece of
// the file it names, and the quoted route and page are ones the tests exercise.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';
import { codeBlocks, readRepoFile } from './markdown';

type Quote = { file: string; code: string; line: number };

function quotes(markdown: string): Quote[] {
  return codeBlocks(markdown).flatMap((block) => {
    const marker = /^<!-- quote: (\S+) -->$/.exec(block.before);
    return marker ? [{ file: marker[1]!, code: block.code, line: block.line }] : [];
  });
}

/** Whether `code` appears in `source` as whole consecutive lines (trailing spaces aside). */
function isExcerpt(code: string, source: string): boolean {
  const lines = (text: string) => text.split('\n').map((line) => line.trimEnd());
  const want = lines(code);
  const have = lines(source);
  return have.some((_, start) => want.every((line, i) => have[start + i] === line));
}

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const relative = path.posix.join(dir, name);
    return statSync(path.join(ROOT, relative)).isDirectory() ? filesUnder(relative) : [relative];
  });
}

const CONTRIBUTING = readRepoFile('CONTRIBUTING.md');
const QUOTES = quotes(CONTRIBUTING);

describe('the recipes in CONTRIBUTING.md', () => {
  it('has both recipes, each quoting the repository', () => {
    expect(CONTRIBUTING).toContain('## Recipe: add a protected API route');
    expect(CONTRIBUTING).toContain('## Recipe: add a protected page');
    expect(QUOTES.map((quote) => quote.file)).toEqual(
      expect.arrayContaining(['app/api/auth/sessions/route.ts', 'app/dashboard/sessions/page.tsx']),
    );
  });

  for (const quote of QUOTES) {
    it(`quotes ${quote.file} as it is (CONTRIBUTING.md line ${quote.line})`, () => {
      expect(existsSync(path.join(ROOT, quote.file))).toBe(true);
      expect(isExcerpt(quote.code, readRepoFile(quote.file))).toBe(true);
    });
  }

  it('quotes a route the HTTP tests call and a page the browser tests open', () => {
    const apiTests = filesUnder('tests/api').map(readRepoFile).join('\n');
    const browserTests = filesUnder('e2e').map(readRepoFile).join('\n');
    for (const { file } of QUOTES) {
      const route = /^app(\/api\/.+)\/route\.ts$/.exec(file)?.[1];
      if (route) expect(apiTests, `${route} is called by tests/api`).toContain(`'${route}'`);
      const page = /^app(\/.+)\/page\.tsx$/.exec(file)?.[1];
      if (page) expect(browserTests, `${page} is opened by e2e`).toContain(`'${page}'`);
    }
  });

  it('tells an excerpt from code that is not in the file', () => {
    const source = 'const a = 1;\nconst b = 2;  \nconst c = 3;\n';
    expect(isExcerpt('const b = 2;\nconst c = 3;', source)).toBe(true);
    expect(isExcerpt('const a = 1;\nconst c = 3;', source)).toBe(false);
    expect(isExcerpt('const b = 20;', source)).toBe(false);
  });
});
