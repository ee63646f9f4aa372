// The settings' JSON as the Rust policy's parser (serde_json) sees it.
//
// Why not the value `JSON.parse` gives: it keeps the last of a key given
// twice, reads `1.0` as `1`, and rounds integers past 2^53, where the Rust
// policy refuses the key given twice, refuses `1.0` as a whole number of
// seconds, and names a ttl of 18446744073709551615 as it is. So the text is
// read again here (the SDK already checked that it parses), keeping every
// key in order and each number as serde_json classes it, and the refusals
// are worded as serde's.

import { rustDebugChar } from "@standin/policy-sdk";

/** A number as serde_json reads it: u64, i64 (negative only) or f64. */
export type Num = { kind: "u64"; value: bigint } | { kind: "i64"; value: bigint } | { kind: "f64"; value: number };

/** A JSON value with every key kept in document order. */
export type Json =
  | { t: "null" }
  | { t: "bool"; v: boolean }
  | { t: "num"; v: Num }
  | { t: "str"; v: string }
  | { t: "arr"; v: Json[] }
  | { t: "obj"; v: [string, Json][] };

const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** serde_json's class of a number's text: an integer that fits u64 (or, negative, i64; `-0` is a float), else f64. */
function number(text: string): Num {
  if (/^-?\d+$/.test(text)) {
    const n = BigInt(text);
    if (n > 0n || (n === 0n && text[0] !== "-")) {
      if (n <= U64_MAX) return { kind: "u64", value: n };
    } else if (n < 0n && n >= -(1n << 63n)) {
      return { kind: "i64", value: n };
    }
  }
  return { kind: "f64", value: Number(text) };
}

/** Reads `text`, which `JSON.parse` accepted (so no error is looked for). */
export function read(text: string): Json {
  let at = 0;
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at]!)) at++;
  };
  const string = (): string => {
    // The quoted string, decoded as JSON.parse decodes it.
    const start = at;
    at++;
    while (text[at] !== '"') at += text[at] === "\\" ? 2 : 1;
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const value = (): Json => {
    space();
    const c = text[at]!;
    if (c === "{") {
      at++;
      const entries: [string, Json][] = [];
      space();
      if (text[at] === "}") {
        at++;
        return { t: "obj", v: entries };
      }
      for (;;) {
        space();
        const key = string();
        space();
        at++; // ':'
        entries.push([key, value()]);
        space();
        if (text[at++] === "}") return { t: "obj", v: entries };
      }
    }
    if (c === "[") {
      at++;
      const items: Json[] = [];
      space();
      if (text[at] === "]") {
        at++;
        return { t: "arr", v: items };
      }
      for (;;) {
        items.push(value());
        space();
        if (text[at++] === "]") return { t: "arr", v: items };
      }
    }
    if (c === '"') return { t: "str", v: string() };
    for (const [word, json] of [["true", { t: "bool", v: true }], ["false", { t: "bool", v: false }], ["null", { t: "null" }]] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return json;
      }
    }
    const m = /-?[0-9.eE+-]+/y;
    m.lastIndex = at;
    const lexeme = m.exec(text)![0];
    at += lexeme.length;
    return { t: "num", v: number(lexeme) };
  };
  return value();
}

/** An object's entries as serde_json's map holds them: the last of a key given twice, in key order. */
export function entries(obj: [string, Json][]): [string, Json][] {
  const last = new Map<string, Json>();
  for (const [k, v] of obj) last.set(k, v);
  return [...last].sort(([a], [b]) => byCodePoint(a, b));
}

/** Rust's `String` order (UTF-8 bytes, so code points), where JavaScript's sort compares UTF-16 units. */
function byCodePoint(a: string, b: string): number {
  const [x, y] = [[...a], [...b]];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Every key an object holds more than once, at any depth, by its path, in the order the Rust policy reports them. */
export function duplicateKeys(json: Json, path = "", found: string[] = []): string[] {
  if (json.t === "arr") json.v.forEach((item, i) => duplicateKeys(item, `${path}[${i}]`, found));
  if (json.t === "obj") {
    const seen = new Set<string>();
    for (const [key, value] of json.v) {
      const here = path === "" ? key : `${path}.${key}`;
      duplicateKeys(value, here, found);
      if (seen.has(key)) found.push(here);
      seen.add(key);
    }
  }
  return found;
}

// Characters Rust's `{:?}` escapes by code point besides controls and
// white space: format characters, combining marks (grapheme extenders),
// surrogates and private use. Rust knows every unassigned code point too;
// without Unicode tables this list is the common part.
const ESCAPED = /[\xad\u0300-\u036f\u0483-\u0489\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ue000-\uf8ff\ufe00-\ufe0f\ufeff\ufff9-\ufffb\ufffe\uffff]/u;

/** `s` as Rust's `{:?}` prints a string: quoted, `"` and `\` escaped, unprintables by code point. */
export function rustDebugStr(s: string): string {
  let out = '"';
  for (const c of s) {
    if (c === '"') out += '\\"';
    else if (c === "'") out += "'";
    else if (ESCAPED.test(c)) out += `\\u{${c.codePointAt(0)!.toString(16)}}`;
    else out += rustDebugChar(c).slice(1, -1);
  }
  return `${out}"`;
}

/** A float as serde_json prints it in a refusal: `1000.0`, `0.00001`, `1e-6`, `2e+19`, `-0.0`. */
export function rustFloat(x: number): string {
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const exp = x.toExponential();
  const e = Number(exp.slice(exp.indexOf("e") + 1));
  if (e < -5 || e > 15) return exp;
  const fixed = String(x);
  return fixed.includes(".") ? fixed : `${fixed}.0`;
}

/** What a value is, in serde's words (`invalid type: {this}, expected ...`). */
export function unexpected(json: Json): string {
  switch (json.t) {
    case "null":
      return "null";
    case "bool":
      return `boolean \`${json.v}\``;
    case "num":
      return json.v.kind === "f64" ? `floating point \`${rustFloat(json.v.value)}\`` : `integer \`${json.v.value}\``;
    case "str":
      return `string ${rustDebugStr(json.v)}`;
    case "arr":
      return "sequence";
    case "obj":
      return "map";
  }
}

/** serde's refusal of a value of the wrong type. */
export const invalidType = (json: Json, expected: string) => new Error(`invalid type: ${unexpected(json)}, expected ${expected}`);
