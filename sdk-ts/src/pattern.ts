// Action and name patterns, as the Rust SDK's `Pattern`: `*` matches any
// run of characters, everything else matches itself. Refusals read as the
// Rust SDK's, character for character, so that a policy ported from Rust
// refuses the same settings with the same words.

/** White space as Rust's `char::is_whitespace` (Unicode White_Space), without a Unicode table. */
const WHITE = /[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
/** White space or a control character (Rust's `is_whitespace() || is_control()`). */
const ODD = /[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\x00-\x1f\x7f-\x9f]/;

/** Whether `c` (one character) is white space as Rust's `char::is_whitespace` says. */
export const isRustWhitespace = (c: string): boolean => WHITE.test(c);

/**
 * `c` as Rust's `{:?}` prints a character of white space or control:
 * `' '`, `'\t'`, `'\u{a0}'`. Every other white space or control character
 * is not printable to Rust, so it is escaped by its code point.
 */
export function rustDebugChar(c: string): string {
  const short: Record<string, string> = { "\0": "\\0", "\t": "\\t", "\n": "\\n", "\r": "\\r", "'": "\\'", "\\": "\\\\" };
  if (short[c] !== undefined) return `'${short[c]}'`;
  if (c === " " || !ODD.test(c)) return `'${c}'`;
  return `'\\u{${c.codePointAt(0)!.toString(16)}}'`;
}

/** A checked pattern. */
export class Pattern {
  private readonly parts: string[];

  private constructor(readonly text: string) {
    this.parts = text.split("*");
  }

  /**
   * Checks `pattern`: non-empty, without white space or control
   * characters, and without `**` (which means the same as `*` and usually
   * hides a typo). Throws a message saying what is wrong, in the Rust
   * SDK's words.
   */
  static of(pattern: string): Pattern {
    if (pattern.length === 0) throw new Error("pattern is empty");
    // No `\p{Cc}`: the engine a component embeds is built without Unicode property tables.
    const odd = ODD.exec(pattern);
    if (odd !== null) throw new Error(`pattern \`${pattern}\` contains ${rustDebugChar(odd[0])}`);
    if (pattern.includes("**")) throw new Error(`pattern \`${pattern}\` contains \`**\``);
    return new Pattern(pattern);
  }

  /** How many `*` the pattern holds. */
  get stars(): number {
    return this.parts.length - 1;
  }

  /** Whether `name` matches. */
  matches(name: string): boolean {
    const parts = this.parts;
    if (parts.length === 1) return name === this.text;
    const first = parts[0]!;
    const last = parts[parts.length - 1]!;
    if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last)) return false;
    let at = first.length;
    const end = name.length - last.length;
    for (let i = 1; i < parts.length - 1; i++) {
      const found = name.indexOf(parts[i]!, at);
      if (found < 0 || found + parts[i]!.length > end) return false;
      at = found + parts[i]!.length;
    }
    return true;
  }

  /**
   * Whether every text `other` matches, this pattern matches too
   * (`billing.*` covers `billing.refund.*` and `billing.view`), as the
   * Rust SDK's `covers`: `false` when it cannot tell cheaply (patterns of
   * several stars each), so a scope checked with it is never wider than
   * the one it is checked against.
   */
  covers(other: Pattern): boolean {
    if (other.stars === 0) return this.matches(other.text);
    if (this.stars !== 1) return this.text === other.text;
    // One star here: every text `other` matches starts with `other`'s part
    // before its first star and ends with its part after the last one;
    // those must start and end as this pattern asks.
    const [prefix, suffix] = [this.parts[0]!, this.parts[1]!];
    const [before, after] = [other.parts[0]!, other.parts[other.parts.length - 1]!];
    return before.startsWith(prefix) && after.endsWith(suffix);
  }
}
