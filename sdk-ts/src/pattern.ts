// Action and name patterns, as the Rust SDK's `Pattern`: `*` matches any
// run of characters, everything else matches itself.

/** A checked pattern. */
export class Pattern {
  private readonly parts: string[];

  private constructor(readonly text: string) {
    this.parts = text.split("*");
  }

  /**
   * Checks `pattern`: non-empty, without white space or control
   * characters, and without `**` (which means the same as `*` and usually
   * hides a typo). Throws a message saying what is wrong.
   */
  static of(pattern: string): Pattern {
    if (pattern.length === 0) throw new Error("pattern is empty");
    // No `\p{Cc}`: the engine a component embeds is built without Unicode property tables.
    const odd = /[\s\x00-\x1f\x7f-\x9f]/.exec(pattern);
    if (odd !== null) throw new Error(`pattern \`${pattern}\` contains ${JSON.stringify(odd[0])}`);
    if (pattern.includes("**")) throw new Error(`pattern \`${pattern}\` contains \`**\``);
    return new Pattern(pattern);
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
}
