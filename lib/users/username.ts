/**
 * Usernames: one canonical form, a restricted character set, and no look-alikes.
 *
 * - Canonical form (normalizeUsername): trimmed, Unicode NFKC, lower-case. "Admin", " admin " and
 *   "ａｄｍｉｎ" (full-width) are the same account. Sign-in compares in this form.
 * - New names (usernameProblem) follow the spirit of RFC 8265 (PRECIS UsernameCaseMapped) with the
 *   "highly restrictive" level of Unicode TS #39: letters and digits of one writing system (or
 *   Latin with Han, Hiragana, Katakana, Bopomofo or Hangul as Japanese, Chinese and Korean need),
 *   digits of one system, no invisible (default-ignorable) characters, no phonetic and technical
 *   letters, only the common accents, the separators . _ @ + - only between letters or digits,
 *   and no letter that passes for a letter of the other writing system beside it ("a丨ice").
 * - Look-alikes (usernameSkeleton): the TS #39 skeleton of a name maps every character to the
 *   prototype it is easily confused with (Unicode's confusables: Cyrillic "а" → "a", "1" → "l",
 *   "m" → "rn"), in the order the name is seen on screen (right-to-left scripts reversed). Two
 *   names with the same skeleton look the same; the store keeps each account's skeleton unique,
 *   so a name that looks like an existing one is refused.
 * Existing accounts keep their names: the rules apply when an account is created. USERNAME_RULES
 * (lib/api/account-rules.ts), shown beside the username field, says what is enforced here.
 */
import 'server-only';
import { USERNAME_MAX_LENGTH } from '../api/account-rules';
import { CONFUSABLE_PROTOTYPES } from './confusables';

export function normalizeUsername(raw: string): string {
  return raw.trim().normalize('NFKC').toLowerCase();
}

/** UTS #39 Table 5, "Recommended Scripts": the scripts in everyday use today. */
const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Hebrew',
  'Arabic',
  'Thaana',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Georgian',
  'Ethiopic',
  'Khmer',
  'Han',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Hangul',
] as const;
type Script = (typeof SCRIPTS)[number];

const SCRIPT_OF = SCRIPTS.map((script) => [script, new RegExp(`^\\p{Script=${script}}$`, 'u')] as const);
const SCRIPT_EXTENSIONS_OF = SCRIPTS.map(
  (script) => [script, new RegExp(`^\\p{Script_Extensions=${script}}$`, 'u')] as const,
);
const RIGHT_TO_LEFT: ReadonlySet<Script> = new Set(['Hebrew', 'Arabic', 'Thaana']);

/** Scripts that may share one name (TS #39 "highly restrictive"); every other name has one script. */
const ALLOWED_MIXES: ReadonlySet<Script>[] = [
  new Set<Script>(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set<Script>(['Latin', 'Han', 'Bopomofo']),
  new Set<Script>(['Latin', 'Han', 'Hangul']),
];

const SEPARATORS = new Set(['.', '_', '@', '+', '-']);
/** The Japanese prolonged-sound mark is a letter of the Common script that Japanese names need. */
const COMMON_LETTERS = new Set(['\u30fc']);
// Letters for phonetic notation and technical use (TS #39 Identifier_Type "Technical"), which
// include look-alikes of ordinary letters (ɑ, ɡ, ʀ, ᴀ): IPA Extensions, Spacing Modifier Letters,
// Phonetic Extensions (and Supplement), Latin Extended-E.
const TECHNICAL_LETTERS = /[\u0250-\u02ff\u1d00-\u1dbf\uab30-\uab6f]/u;
// Invisible characters: Hangul fillers (U+3164, U+FFA0, U+115F, U+1160), zero-width joiners,
// variation selectors, soft hyphens...: a name containing one renders like a name without it.
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;
const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u;
const DIGIT = /^\p{Nd}$/u;
const MARK = /^\p{M}$/u;
const INHERITED = /^\p{Script=Inherited}$/u;
/**
 * The accents that combine with any script's letters and that orthographies use (grave, acute,
 * circumflex, tilde, macron, breve, dots, ring, double acute, caron, horn, and their forms below),
 * never overlays, strokes or underlines ("bob̵", "alice̲"), which make a name look like another.
 */
const ACCENTS = /^[\u0300-\u030c\u030f\u0311\u0313\u031b\u0323-\u0328\u032d\u032e\u0331]$/u;
/** More combining marks on one letter than any orthography needs: stacked "Zalgo" text. */
const MAX_MARKS = 2;

function scriptOf(char: string): Script | null {
  for (const [script, pattern] of SCRIPT_OF) if (pattern.test(char)) return script;
  return null;
}

/** The recommended scripts a string's characters are used in (Script_Extensions). */
function scriptsOf(text: string): Set<Script> {
  const found = new Set<Script>();
  for (const char of text)
    for (const [script, pattern] of SCRIPT_EXTENSIONS_OF) if (pattern.test(char)) found.add(script);
  return found;
}

/** Which digit system a digit is of: ASCII, or its script's own. */
function digitSystem(char: string): string {
  return /^[0-9]$/.test(char) ? 'ASCII' : (scriptOf(char) ?? 'other');
}

/**
 * Confusables that Unicode's table (version 14) lacks for the characters a name can hold, found by
 * looking: they override or extend it. Digits are compared with letters, as names are lower case.
 */
const EXTRA_PROTOTYPES: Record<string, string> = {
  '0': 'o',
  w: 'vv',
  ȷ: 'j',
  ᲂ: 'o',
  ᲃ: 'c',
  ҳ: 'x',
  ր: 'n',
  // Han, Hangul (as NFKC leaves it: conjoining jamo) and Hiragana letters that Katakana or Latin
  // ones are taken for; Unicode's table takes them the rest of the way (ロ → 口).
  力: 'カ',
  ᄆ: 'ロ',
  二: 'ニ',
  工: 'エ',
  八: 'ハ',
  卜: 'ト',
  へ: 'ヘ',
  丨: 'l',
  ᅵ: 'l',
  ᄋ: 'o',
};

/** The digit value of a decimal digit: its place in its block of ten. */
function digitValue(char: string): number {
  let value = 0;
  let code = char.codePointAt(0)!;
  while (value < 10 && DIGIT.test(String.fromCodePoint(code - 1))) {
    code -= 1;
    value += 1;
  }
  return value;
}

function prototypeOf(char: string): string | undefined {
  const extra = EXTRA_PROTOTYPES[char];
  // Unicode's prototypes are final; an extra one is carried on to Unicode's prototype of it.
  if (extra !== undefined) return [...extra].map((part) => CONFUSABLE_PROTOTYPES.get(part) ?? part).join('');
  // Every script's zero is a round shape.
  if (DIGIT.test(char) && digitValue(char) === 0) return 'o';
  return CONFUSABLE_PROTOTYPES.get(char);
}

/**
 * A Han or Hangul letter beside Latin letters that it passes for one of: "a丨ice", "bㅇb". (Among
 * Han, kana and Hangul themselves look-alikes are common and names use them side by side, as
 * "工藤タロウ" does; the skeleton keeps such names apart from existing ones.)
 */
function passesForLatinBesideLatin(chars: string[], index: number): boolean {
  const char = chars[index]!;
  const own = scriptOf(char);
  const prototype = prototypeOf(char);
  if (own === null || own === 'Latin' || prototype === undefined || !scriptsOf(prototype).has('Latin')) return false;
  return [chars[index - 1], chars[index + 1]].some((next) => next !== undefined && scriptOf(next) === 'Latin');
}

/** A sentence saying what is wrong with a (normalised) username for a new account, or null. */
export function usernameProblem(username: string): string | null {
  const chars = [...username];
  if (chars.length === 0) return 'must not be empty';
  if (chars.length > USERNAME_MAX_LENGTH) return `must be at most ${USERNAME_MAX_LENGTH} characters`;
  if (INVISIBLE.test(username)) return 'must not contain invisible characters';
  const scripts = new Set<Script>();
  const digitSystems = new Set<string>();
  let marks = 0;
  let previous: 'start' | 'letter' | 'separator' = 'start';
  for (const char of chars) {
    if (SEPARATORS.has(char)) {
      if (previous !== 'letter') return 'may use . _ @ + - only between letters or digits';
      previous = 'separator';
      marks = 0;
      continue;
    }
    if (MARK.test(char)) {
      marks += 1;
      if (previous !== 'letter' || marks > MAX_MARKS) return 'must not stack accents or start with one';
      if (INHERITED.test(char)) {
        if (!ACCENTS.test(char)) return 'must not contain strokes, overlays or underlines (only ordinary accents)';
      } else {
        const script = scriptOf(char);
        if (!script) return 'may contain only letters of a writing system in everyday use';
        scripts.add(script);
      }
      continue;
    }
    if (!LETTER_OR_DIGIT.test(char)) return 'may contain only letters, digits and . _ @ + -';
    if (TECHNICAL_LETTERS.test(char)) return 'must not contain phonetic or technical letters (such as ɑ or ɡ)';
    marks = 0;
    previous = 'letter';
    if (DIGIT.test(char)) digitSystems.add(digitSystem(char));
    // ASCII digits (and the few Common letters) belong to every script.
    if (/^[0-9]$/.test(char) || COMMON_LETTERS.has(char)) continue;
    const script = scriptOf(char);
    if (!script) return 'may contain only letters of a writing system in everyday use';
    scripts.add(script);
  }
  if (previous !== 'letter') return 'must end with a letter or a digit';
  if (digitSystems.size > 1) return 'must not mix digits of different writing systems';
  if (scripts.size > 1 && !ALLOWED_MIXES.some((mix) => [...scripts].every((script) => mix.has(script)))) {
    return `must not mix writing systems (it mixes ${[...scripts].join(' and ')})`;
  }
  if (scripts.has('Latin') && scripts.size > 1 && chars.some((_, index) => passesForLatinBesideLatin(chars, index))) {
    return 'must not use a letter that passes for a Latin one beside Latin letters';
  }
  return null;
}

/** Marks Unicode's prototypes use for hooks, strokes and descenders: they do not tell letters apart. */
const NEAR_IDENTICAL_MARKS = /[\u0314\u0326\u0328\u0329\u0334\u0335\u0338]/gu;
const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** A name as it is seen on screen: right-to-left letters reversed, runs of digits read left to right. */
function visualOrder(username: string): string {
  if (![...username].some((char) => RIGHT_TO_LEFT.has(scriptOf(char) as Script))) return username;
  const graphemes = [...segmenter.segment(username)].map((part) => part.segment);
  const runs: string[][] = [];
  for (const grapheme of graphemes) {
    const digit = /^[0-9]/.test(grapheme) || DIGIT.test([...grapheme][0]!);
    const last = runs.at(-1);
    const lastIsDigits = last !== undefined && DIGIT.test([...last[0]!][0]!);
    if (last && lastIsDigits === digit) last.push(grapheme);
    else runs.push([grapheme]);
  }
  return runs
    .reverse()
    .map((run) => (DIGIT.test([...run[0]!][0]!) ? run : [...run].reverse()).join(''))
    .join('');
}

/**
 * The skeleton of a (normalised) username (TS #39 §4): in the order the name is seen, decompose,
 * map every character to its prototype, decompose again. Only for comparing names; never shown.
 */
export function usernameSkeleton(username: string): string {
  let mapped = '';
  for (const char of visualOrder(username).normalize('NFD')) mapped += prototypeOf(char) ?? char;
  return (
    mapped
      .normalize('NFD')
      // A dot above a letter that has its dot already ("i̇", from a lower-cased Turkish "İ") adds nothing.
      .replace(/(\p{Soft_Dotted})\u0307/gu, '$1')
      .replace(NEAR_IDENTICAL_MARKS, '')
  );
}
