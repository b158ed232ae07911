// Every link between the repository's documents, and into its code, leads somewhere.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';
import { anchors, links, markdownFiles, readRepoFile } from './markdown';

/** What is wrong with a file's internal links, given how to read the files they point to. */
function brokenLinks(file: string, markdown: string, read: (file: string) => string | null): string[] {
  return links(markdown).flatMap(({ target, line }) => {
    if (/^[a-z]+:/i.test(target)) return []; // https:, mailto: — outside the repository
    const [pathPart, anchor] = target.split('#') as [string, string | undefined];
    const resolved = pathPart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), pathPart));
    const where = `${file}:${line} → ${target}`;
    if (resolved.startsWith('..')) return [`${where}: leaves the repository`];
    const text = read(resolved);
    if (text === null) return [`${where}: no such file`];
    if (anchor === undefined) return [];
    if (!resolved.endsWith('.md')) return [`${where}: an anchor into a file that is not Markdown`];
    return anchors(text).has(anchor) ? [] : [`${where}: no heading with that anchor`];
  });
}

function readFromRepo(file: string): string | null {
  const full = path.join(ROOT, file);
  if (!existsSync(full)) return null;
  return statSync(full).isDirectory() ? '' : readRepoFile(file);
}

describe('links in the documentation', () => {
  it('finds the README, CONTRIBUTING and every page of docs/', () => {
    expect(markdownFiles()).toEqual(
      expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'docs/design.md', 'docs/configuration.md']),
    );
  });

  for (const file of markdownFiles()) {
    it(`resolves every internal link and anchor in ${file}`, () => {
      expect(brokenLinks(file, readRepoFile(file), readFromRepo)).toEqual([]);
    });
  }

  it('catches a missing file, a missing anchor and a link out of the repository', () => {
    const pages: Record<string, string> = { 'docs/a.md': '# A page\n\n## Two words\n', 'lib/x.ts': '' };
    const read = (file: string) => pages[file] ?? null;
    const markdown = [
      '[fine](a.md#two-words) [fine too](../lib/x.ts) [outside](https://example.org/#x)',
      '[gone](b.md) [no anchor](a.md#three-words) [out](../../elsewhere.md) [code anchor](../lib/x.ts#L1)',
      '`[in code](nowhere.md)`',
      '```',
      '[in a block](nowhere.md)',
      '```',
    ].join('\n');
    expect(brokenLinks('docs/b.md', markdown, read)).toEqual([
      'docs/b.md:2 → b.md: no such file',
      'docs/b.md:2 → a.md#three-words: no heading with that anchor',
      'docs/b.md:2 → ../../elsewhere.md: leaves the repository',
      'docs/b.md:2 → ../lib/x.ts#L1: an anchor into a file that is not Markdown',
    ]);
  });

  it('makes anchors as GitHub does', () => {
    const page =
      '# Rotating AUTH_SECRET without signing anyone out\n## Recipe: add a `protected` page\n## Recipe: add a `protected` page\n';
    expect([...anchors(page)]).toEqual([
      'rotating-auth_secret-without-signing-anyone-out',
      'recipe-add-a-protected-page',
      'recipe-add-a-protected-page-1',
    ]);
  });
});
