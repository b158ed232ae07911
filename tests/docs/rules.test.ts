// The rotation rules are numbered once, in docs/design.md; the code and the tests cite them by
// those numbers, and every citation names a rule that exists.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';
import { readRepoFile } from './markdown';

function rules(design: string): Map<number, string> {
  const list = /<!-- rotation-rules:start -->([\s\S]*?)<!-- rotation-rules:end -->/.exec(design)?.[1] ?? '';
  return new Map([...list.matchAll(/^(\d+)\. \*\*(.+?)\*\*/gm)].map((match) => [Number(match[1]), match[2]!]));
}

function files(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const relative = path.posix.join(dir, name);
    if (['generated', 'node_modules', 'screenshots'].includes(name)) return [];
    if (statSync(path.join(ROOT, relative)).isDirectory()) return files(relative);
    return /\.(ts|tsx|mjs|cjs|md)$/.test(name) ? [relative] : [];
  });
}

/** Every rule number cited in a text: "rule 6", "rules 1–3", "rules 1-4". */
function citations(text: string): number[] {
  return [...text.matchAll(/\brules? (\d+)(?:\s*[–-]\s*(\d+))?/gi)].flatMap((match) => {
    const from = Number(match[1]);
    const to = match[2] ? Number(match[2]) : from;
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}

/** The titles of the tests in a file: it('...'), it("..."), test(`...`). */
function testTitles(source: string): string[] {
  return [...source.matchAll(/\b(?:it|test)\(\s*(['"`])((?:\\.|(?!\1).)*)\1/g)].map((match) => match[2]!);
}

const RULES = rules(readRepoFile('docs/design.md'));
const SOURCES = ['lib', 'app', 'tests', 'e2e', 'scripts', 'docs'].flatMap(files).concat('README.md', 'CONTRIBUTING.md');
const TESTS = SOURCES.filter((file) => /\.(test|spec)\.ts$/.test(file));
const CODE = SOURCES.filter((file) => file.startsWith('lib/') && !/\.test\.ts$/.test(file));

describe('the rotation rules', () => {
  it('are one list numbered 1, 2, 3... in docs/design.md', () => {
    expect([...RULES.keys()]).toEqual(Array.from({ length: RULES.size }, (_, i) => i + 1));
    expect(RULES.size).toBeGreaterThanOrEqual(8);
  });

  it('are cited only by numbers that exist, everywhere in the repository', () => {
    const wrong = SOURCES.flatMap((file) =>
      citations(readRepoFile(file))
        .filter((rule) => !RULES.has(rule))
        .map((rule) => `${file} cites rule ${rule}`),
    );
    expect(wrong).toEqual([]);
  });

  it('are each cited by the code that keeps them', () => {
    const cited = new Set(CODE.flatMap((file) => citations(readRepoFile(file))));
    expect([...RULES.keys()].filter((rule) => !cited.has(rule))).toEqual([]);
  });

  it('are each proved by a test that names the rule in its title', () => {
    const cited = new Set(TESTS.flatMap((file) => testTitles(readRepoFile(file)).flatMap(citations)));
    expect([...RULES.keys()].filter((rule) => !cited.has(rule))).toEqual([]);
  });

  it('reads citations and titles as written', () => {
    expect(citations('rule 6, then rules 1–3 and Rule 8; not "rules" alone')).toEqual([6, 1, 2, 3, 8]);
    expect(testTitles(`it('converges (rule 1)', x); it("an idle session's token (rule 6)", y)`)).toEqual([
      'converges (rule 1)',
      "an idle session's token (rule 6)",
    ]);
  });
});
