// The Dockerfile copies files that exist: a module moved in the tree must not leave the image
// without it (the runtime stage would fail only when the container test builds it).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';

/** What is built or installed in the build stage, not taken from the repository. */
const BUILT = ['node_modules', '.next'];

/** Every source a COPY names, as a path in the repository (build-stage paths under /app/). */
function copiedSources(dockerfile: string): string[] {
  return dockerfile
    .split('\n')
    .filter((line) => /^COPY\s/.test(line))
    .flatMap((line) => {
      const words = line
        .trim()
        .split(/\s+/)
        .slice(1)
        .filter((word) => !word.startsWith('--'));
      return words.slice(0, -1).map((source) => source.replace(/^\/app\//, ''));
    })
    .filter((source) => source !== '.' && !BUILT.some((built) => source === built || source.startsWith(`${built}/`)));
}

describe('the Dockerfile', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

  it('copies only files and folders the repository has', () => {
    const sources = copiedSources(dockerfile);
    expect(sources).toContain('lib/preload');
    expect(sources.filter((source) => !existsSync(path.join(ROOT, source)))).toEqual([]);
  });

  it('reads the sources of each COPY, build-stage paths included', () => {
    expect(
      copiedSources('COPY a.json b.ts ./\nCOPY --from=build --chown=node:node /app/lib/x.cjs /app/.next ./lib/\nRUN x'),
    ).toEqual(['a.json', 'b.ts', 'lib/x.cjs']);
  });
});
