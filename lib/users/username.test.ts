import { describe, expect, it } from 'vitest';
import { normalizeUsername, usernameProblem, usernameSkeleton } from './username';

const problemOf = (raw: string) => usernameProblem(normalizeUsername(raw));
const skeletonOf = (raw: string) => usernameSkeleton(normalizeUsername(raw));

describe('normalizeUsername', () => {
  it('trims, folds case and applies NFKC so look-alikes are one account', () => {
    expect(normalizeUsername('  Admin ')).toBe('admin');
    expect(normalizeUsername('ａｄｍｉｎ')).toBe('admin'); // full-width letters
    expect(normalizeUsername('Ｊｏｓé')).toBe(normalizeUsername('jose\u0301'.normalize('NFC')));
  });
});

describe('usernameProblem', () => {
  it('accepts ordinary names and refuses empty, overlong or odd ones', () => {
    expect(usernameProblem('alice.smith@example')).toBeNull();
    expect(usernameProblem('')).toMatch(/empty/);
    expect(usernameProblem('a'.repeat(65))).toMatch(/at most 64/);
    expect(usernameProblem('bob smith')).toMatch(/may contain only/);
    expect(usernameProblem('<script>')).toMatch(/may contain only/);
  });

  it('accepts names of one writing system, and the mixes Japanese, Chinese and Korean need', () => {
    for (const name of [
      'josé',
      'müller',
      'øyvind',
      'дмитрий',
      'αλέξης',
      '李小龍',
      'たなか太郎',
      'tanaka太郎',
      'kim민수',
      'أحمد٢',
    ]) {
      expect(problemOf(name), name).toBeNull();
    }
  });

  it('refuses Cyrillic and Greek letters among Latin ones', () => {
    expect(problemOf('аlice')).toMatch(/mix writing systems.*Cyrillic and Latin/); // Cyrillic а
    expect(problemOf('alicе')).toMatch(/mix writing systems/); // Cyrillic е
    expect(problemOf('bοb')).toMatch(/mix writing systems.*Latin and Greek/); // Greek ο
  });

  it('refuses invisible characters: Hangul fillers, joiners, variation selectors, soft hyphens', () => {
    for (const hidden of ['\u3164', '\uffa0', '\u115f', '\u1160', '\u200b', '\u200d', '\ufe0f', '\u00ad', '\u2060']) {
      expect(problemOf(`ali${hidden}ce`), hidden.codePointAt(0)!.toString(16)).toMatch(/invisible|may contain only/);
    }
    expect(problemOf('\u3164')).not.toBeNull(); // a name that is nothing but a filler
  });

  it('refuses phonetic and technical letters that pass for ordinary ones', () => {
    expect(problemOf('ɑlice')).toMatch(/phonetic or technical/); // Latin alpha
    expect(problemOf('ɡreg')).toMatch(/phonetic or technical/); // script g
    expect(problemOf('ᴀdmin')).toMatch(/phonetic or technical/); // small capital A
  });

  it('refuses strokes, overlays and underlines, and digits of two writing systems', () => {
    expect(problemOf('bob\u0335')).toMatch(/strokes, overlays or underlines/);
    expect(problemOf('alice\u0332')).toMatch(/strokes, overlays or underlines/);
    for (const name of ['1០1', '1༠1', '1႐1', '৪0৪']) expect(problemOf(name), name).toMatch(/digits of different/);
  });

  it('refuses a Han or Hangul letter that passes for a Latin one beside Latin letters', () => {
    for (const name of ['a丨ice', 'aㅣice', 'bㅇb']) expect(problemOf(name), name).toMatch(/passes for a Latin one/);
    // Kana and kanji side by side are how Japanese names are written.
    expect(problemOf('工藤タロウ')).toBeNull();
  });

  it('allows separators only between letters or digits, and no stacked accents', () => {
    expect(problemOf('.alice')).toMatch(/between letters/);
    expect(problemOf('alice.')).toMatch(/end with a letter/);
    expect(problemOf('ali..ce')).toMatch(/between letters/);
    expect(problemOf('q\u0301\u0300\u0302')).toMatch(/stack accents/);
    expect(problemOf('z\u0337\u0322\u034ea')).toMatch(/strokes, overlays/);
    expect(problemOf('\u0301a')).toMatch(/stack accents or start/);
  });
});

describe('usernameSkeleton', () => {
  it('gives look-alikes one skeleton: homoglyphs of other scripts, dotless i, digits, rn for m', () => {
    const alice = skeletonOf('alice');
    for (const lookalike of ['аlice', 'alіce', 'alıce', 'a1ice', 'ALICE', 'ａｌｉｃｅ']) {
      expect(skeletonOf(lookalike), lookalike).toBe(alice);
    }
    expect(skeletonOf('rnary')).toBe(skeletonOf('mary'));
    expect(skeletonOf('vvalter')).toBe(skeletonOf('walter'));
    expect(skeletonOf('асе')).toBe(skeletonOf('ace')); // a whole-Cyrillic name
    expect(skeletonOf('рауре')).toBe(skeletonOf('paype'));
    expect(skeletonOf('ѐ')).toBe(skeletonOf('è')); // accents survive the mapping
  });

  it('keeps names apart that do not look alike', () => {
    expect(skeletonOf('alice')).not.toBe(skeletonOf('alico'));
    expect(skeletonOf('josé')).not.toBe(skeletonOf('jose'));
    expect(skeletonOf('anna')).not.toBe(skeletonOf('anne'));
  });
});
