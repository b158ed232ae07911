/**
 * Usernames: one canonical form, a restricted character set, and no look-alikes.
 *
 * - Canonical form (normalizeUsername): trimmed, Unicode NFKC, lower-case. "Admin", " admin " and
 *   "ａｄｍｉｎ" (full-width) are the same account. Sign-in compares in this form.
 * - New names (usernameProblem) follow the spirit of RFC 8265 (PRECIS UsernameCaseMapped) with the
 *   "highly restrictive" level of Unicode TS #39: letters and digits of one writing system (or
 *   Latin with Han, Hiragana, Katakana, Bopomofo or Hangul as Japanese, Chinese and Korean need),
 *   no invisible (default-ignorable) characters, no phonetic and technical letters, and the
 *   separators . _ @ + - only between letters or digits.
 * - Look-alikes (usernameSkeleton): the TS #39 skeleton of a name maps every character to a
 *   prototype it is easily confused with (Cyrillic "а" → "a", "1" → "l", "m" → "rn"). Two names
 *   with the same skeleton look the same; the store keeps each account's skeleton unique, so a
 *   name that looks like an existing one is refused.
 * Existing accounts keep their names: the rules apply when an account is created.
 */
import { USERNAME_MAX_LENGTH } from '../api/account-rules';

// USERNAME_RULES (lib/api/account-rules.ts), shown beside the username field, says what
// usernameProblem enforces.

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

const SCRIPT_PATTERNS = SCRIPTS.map((script) => [script, new RegExp(`^\\p{Script=${script}}$`, 'u')] as const);

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
const MARK = /^\p{M}$/u;
const INHERITED = /^\p{Script=Inherited}$/u;
/** More combining marks on one letter than any orthography needs: stacked "Zalgo" text. */
const MAX_MARKS = 2;

function scriptOf(char: string): Script | null {
  for (const [script, pattern] of SCRIPT_PATTERNS) if (pattern.test(char)) return script;
  return null;
}

/** A sentence saying what is wrong with a (normalised) username for a new account, or null. */
export function usernameProblem(username: string): string | null {
  const chars = [...username];
  if (chars.length === 0) return 'must not be empty';
  if (chars.length > USERNAME_MAX_LENGTH) return `must be at most ${USERNAME_MAX_LENGTH} characters`;
  if (INVISIBLE.test(username)) return 'must not contain invisible characters';
  const scripts = new Set<Script>();
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
      if (!INHERITED.test(char)) {
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
    // ASCII digits (and the few Common letters) belong to every script.
    if (/^[0-9]$/.test(char) || COMMON_LETTERS.has(char)) continue;
    const script = scriptOf(char);
    if (!script) return 'may contain only letters of a writing system in everyday use';
    scripts.add(script);
  }
  if (previous !== 'letter') return 'must end with a letter or a digit';
  if (scripts.size > 1 && !ALLOWED_MIXES.some((mix) => [...scripts].every((script) => mix.has(script)))) {
    return `must not mix writing systems (it mixes ${[...scripts].join(' and ')})`;
  }
  return null;
}

/**
 * Prototypes of the characters a username may contain that are easily taken for a Latin letter
 * or a digit, from the confusables of Unicode TS #39 (lower case, as names are stored). Latin "m"
 * and "w" have the prototypes "rn" and "vv", so "rnary" and "mary" meet in one skeleton.
 */
const PROTOTYPES: Record<string, string> = {
  // ASCII itself
  '0': 'o',
  '1': 'l',
  m: 'rn',
  w: 'vv',
  // Latin letters outside ASCII
  ı: 'i',
  ĸ: 'k',
  ƅ: 'b',
  ƽ: 's',
  ȝ: '3',
  ȣ: '8',
  // Cyrillic
  а: 'a',
  б: '6',
  г: 'r',
  е: 'e',
  з: '3',
  і: 'i',
  ј: 'j',
  к: 'k',
  м: 'rn',
  о: 'o',
  п: 'n',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ц: 'u',
  ь: 'b',
  ѕ: 's',
  ѡ: 'vv',
  ѵ: 'v',
  һ: 'h',
  ҽ: 'e',
  ӏ: 'l',
  ү: 'y',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'vv',
  // Greek
  α: 'a',
  γ: 'y',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  π: 'n',
  ρ: 'p',
  σ: 'o',
  τ: 't',
  υ: 'u',
  ϱ: 'p',
  ϲ: 'c',
  ϳ: 'j',
  // Armenian
  ա: 'vv',
  գ: 'q',
  զ: 'q',
  հ: 'h',
  ո: 'n',
  ռ: 'n',
  ս: 'u',
  ց: 'g',
  ք: 'f',
  օ: 'o',
  // Hebrew, Arabic
  ו: 'l',
  ט: 'v',
  ן: 'l',
  ס: 'o',
  ا: 'l',
  ه: 'o',
  '٠': 'o',
  '١': 'l',
  '٥': 'o',
  // Digit zeros and round letters of other scripts
  '०': 'o',
  '০': 'o',
  '੦': 'o',
  '૦': 'o',
  '୦': 'o',
  '௦': 'o',
  '౦': 'o',
  '೦': 'o',
  '൦': 'o',
  '๐': 'o',
  '໐': 'o',
  '၀': 'o',
  ဝ: 'o',
  ჿ: 'o',
  ყ: 'y',
};

/**
 * The skeleton of a (normalised) username (TS #39 §4): decompose, map every character to its
 * prototype, decompose again. Only for comparing names; never shown or used as a name.
 */
export function usernameSkeleton(username: string): string {
  let mapped = '';
  for (const char of username.normalize('NFD')) mapped += PROTOTYPES[char] ?? char;
  // A dot above a letter that has its dot already ("i̇", from a lower-cased Turkish "İ") adds nothing visible.
  return mapped.normalize('NFD').replace(/(\p{Soft_Dotted})\u0307/gu, '$1');
}
