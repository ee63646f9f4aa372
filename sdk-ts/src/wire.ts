// Requests as a policy reads them: the packed words of `wit/policy.wit`
// ("Why requests are packed into words") read back into plain objects,
// the same fields as the Rust SDK's views (`standin-policy-sdk`, facts.rs).
//
// Every field is resolved eagerly, once per call, so rule code reads
// plain properties. A span or list out of range (only a broken host sends
// one) reads as empty, as in Rust.

/** A principal (a user): the facts the platform gave about them. */
export interface Principal {
  id: string;
  tenant: string;
  roles: string[];
  /** Every access, locations and reports included (E1, E6). */
  permissions: string[];
  /** Org units. */
  groups: string[];
  /** Group or user ids it administers (E5). */
  manages: string[];
  domains: string[];
  /** Terms accepted (E3). */
  consents: string[];
  attributes: Map<string, string>;
  active: boolean;
  hasLoggedIn: boolean;
}

/** The action patterns and resources a start asks its session to be limited to. */
export interface ScopeRequest {
  actions: string[];
  /** None: any resource. */
  resources: string[];
}

/** May `actor` start impersonating `target`? */
export interface StartRequest {
  tenant: string;
  actor: Principal;
  target: Principal;
  reason?: string;
  ttlSeconds?: number;
  domain?: string;
  /** The actor's own current session (E7). */
  actorSession?: { id: string; target: string };
  consentOnBehalf: boolean;
  /** Unix seconds. */
  now: number;
  scope?: ScopeRequest;
}

/** The session an action happens in. */
export interface Session {
  id: string;
  actor: Principal;
  target: Principal;
  startedAt: number;
  expiresAt: number;
  domain?: string;
  reason?: string;
  readOnly: boolean;
}

/** May the actor, inside `session`, do `action`? */
export interface ActionRequest {
  tenant: string;
  session: Session;
  action: string;
  resource?: string;
  /** Unix seconds. */
  now: number;
}

/** May `approver` answer (approve or reject) the pending `start`? */
export interface ApprovalRequest {
  start: StartRequest;
  approver: Principal;
}

/** One action of several asked in one session at one time. */
export interface Action {
  name: string;
  resource?: string;
}

const PRINCIPAL = 10;
/** Header words of a start: tenant, actor, target, reason, ttl, domain, actor-session (2), now, flags. */
export const START = 1 + 2 * PRINCIPAL + 7;
/** Header words of an action. */
export const ACTION = 2 + 2 * PRINCIPAL + 8;
/** A start's header, then the approver. */
export const APPROVAL = START + PRINCIPAL;
const ACTION_ITEM = 3;
const TWO_32 = 4294967296;

/**
 * The words as 32-bit halves, without BigInt: a word `i` is `hi(i) << 32 |
 * lo(i)`. A span is offset (hi) and length (lo); a list of strings is
 * first span (hi) and count (lo). Every BigInt operation allocates in the
 * engine a component embeds, and reading a request took most of a call
 * before this (BENCHMARKS.md, "Policies in other languages").
 */
class Halves {
  readonly u: Uint32Array;
  constructor(readonly words: BigUint64Array) {
    // Wasm memory is little-endian: the low half of a word comes first.
    this.u = new Uint32Array(words.buffer, words.byteOffset, words.length * 2);
  }
  lo(i: number): number {
    return this.u[2 * i]!;
  }
  hi(i: number): number {
    return this.u[2 * i + 1]!;
  }
  num(i: number): number {
    return this.hi(i) * TWO_32 + this.lo(i);
  }
  bit(i: number, n: number): boolean {
    return ((this.lo(i) >>> n) & 1) === 1;
  }
}

/** `text` and its span list (words `first .. end` of `w`), read as the Rust SDK's `Packed`. */
class Packed {
  /** The text's UTF-8 bytes when it is not all ASCII (else spans index the string itself); read on first use. */
  private bytes: Uint8Array | undefined | null = null;
  private static readonly decoder = new TextDecoder();
  private static readonly encoder = new TextEncoder();

  constructor(
    private readonly text: string,
    private readonly w: Halves,
    private readonly first: number,
    private readonly end: number,
  ) {
  }

  /** The string of span word `i`. */
  str(i: number): string {
    return this.span(this.w.hi(i), this.w.lo(i));
  }

  private span(start: number, len: number): string {
    const end = start + len;
    if (this.bytes === null) {
      // Spans count UTF-8 bytes. A text whose UTF-8 is as long as its
      // UTF-16 is all ASCII, its own bytes; encoding is native code, a
      // scan in JavaScript is not.
      const bytes = Packed.encoder.encode(this.text);
      this.bytes = bytes.length === this.text.length ? undefined : bytes;
    }
    if (this.bytes === undefined) {
      return end <= this.text.length ? this.text.slice(start, end) : "";
    }
    return end <= this.bytes.length ? Packed.decoder.decode(this.bytes.subarray(start, end)) : "";
  }

  opt(i: number, present: boolean): string | undefined {
    return present ? this.str(i) : undefined;
  }

  /** The strings of list word `i`. */
  strs(i: number): string[] {
    const first = this.first + this.w.hi(i);
    const end = first + this.w.lo(i);
    if (end > this.end) return [];
    const out = new Array<string>(end - first);
    for (let k = first; k < end; k++) out[k - first] = this.str(k);
    return out;
  }

  principal(at: number): Principal {
    return new LazyPrincipal(this, at);
  }

  bit(i: number, n: number): boolean {
    return this.w.bit(i, n);
  }
}

/**
 * A principal read field by field when first asked: a rule reads a few of
 * a principal's fields, and reading a string costs far more in the engine
 * a component embeds than in Rust. `toJSON` gives every field.
 */
class LazyPrincipal implements Principal {
  private cache: Partial<Principal> = {};

  constructor(
    private readonly p: Packed,
    private readonly at: number,
  ) {}

  private get<K extends keyof Principal>(key: K, read: () => Principal[K]): Principal[K] {
    const cached = this.cache[key];
    if (cached !== undefined) return cached as Principal[K];
    const value = read();
    this.cache[key] = value;
    return value;
  }

  get id(): string {
    return this.get("id", () => this.p.str(this.at));
  }
  get tenant(): string {
    return this.get("tenant", () => this.p.str(this.at + 1));
  }
  get roles(): string[] {
    return this.get("roles", () => this.p.strs(this.at + 2));
  }
  get permissions(): string[] {
    return this.get("permissions", () => this.p.strs(this.at + 3));
  }
  get groups(): string[] {
    return this.get("groups", () => this.p.strs(this.at + 4));
  }
  get manages(): string[] {
    return this.get("manages", () => this.p.strs(this.at + 5));
  }
  get domains(): string[] {
    return this.get("domains", () => this.p.strs(this.at + 6));
  }
  get consents(): string[] {
    return this.get("consents", () => this.p.strs(this.at + 7));
  }
  get attributes(): Map<string, string> {
    return this.get("attributes", () => {
      const attributes = new Map<string, string>();
      const pairs = this.p.strs(this.at + 8);
      for (let i = 0; i + 1 < pairs.length; i += 2) {
        if (!attributes.has(pairs[i]!)) attributes.set(pairs[i]!, pairs[i + 1]!);
      }
      return attributes;
    });
  }
  get active(): boolean {
    return this.p.bit(this.at + 9, 0);
  }
  get hasLoggedIn(): boolean {
    return this.p.bit(this.at + 9, 1);
  }

  toJSON(): Principal {
    const { id, tenant, roles, permissions, groups, manages, domains, consents, attributes, active, hasLoggedIn } = this;
    return { id, tenant, roles, permissions, groups, manages, domains, consents, attributes, active, hasLoggedIn };
  }
}

/** A start's header (words `0 .. START` of `w`), resolved in `p`; `tail` the index of the scope's two words, if any. */
function startIn(w: Halves, p: Packed, tail: number | undefined): StartRequest {
  const flags = START - 1;
  const request: StartRequest = {
    tenant: p.str(0),
    actor: p.principal(1),
    target: p.principal(1 + PRINCIPAL),
    consentOnBehalf: w.bit(flags, 4),
    now: w.num(26),
  };
  const reason = p.opt(21, w.bit(flags, 0));
  if (reason !== undefined) request.reason = reason;
  if (w.bit(flags, 1)) request.ttlSeconds = w.num(22);
  const domain = p.opt(23, w.bit(flags, 2));
  if (domain !== undefined) request.domain = domain;
  if (w.bit(flags, 3)) request.actorSession = { id: p.str(24), target: p.str(25) };
  if (tail !== undefined) request.scope = { actions: p.strs(tail), resources: p.strs(tail + 1) };
  return request;
}

/** The span list's end and the scope tail's index after a start's header ending at `header`. */
function splitTail(w: Halves, header: number): [number, number | undefined] {
  const end = w.words.length;
  if (!w.bit(START - 1, 5) || end - header < 2) return [end, undefined];
  return [end - 2, end - 2];
}

/** A start request; `undefined` when `words` is shorter than the header. */
export function readStart(text: string, words: BigUint64Array): StartRequest | undefined {
  if (words.length < START) return undefined;
  const w = new Halves(words);
  const [end, tail] = splitTail(w, START);
  return startIn(w, new Packed(text, w, START, end), tail);
}

/** An approval request; `undefined` when `words` is shorter than the header. */
export function readApproval(text: string, words: BigUint64Array): ApprovalRequest | undefined {
  if (words.length < APPROVAL) return undefined;
  const w = new Halves(words);
  const [end, tail] = splitTail(w, APPROVAL);
  const p = new Packed(text, w, APPROVAL, end);
  return { start: startIn(w, p, tail), approver: p.principal(START) };
}

/** An action request; `undefined` when `words` is shorter than the header. */
export function readAction(text: string, words: BigUint64Array): ActionRequest | undefined {
  if (words.length < ACTION) return undefined;
  const w = new Halves(words);
  const p = new Packed(text, w, ACTION, words.length);
  const flags = ACTION - 1;
  const session: Session = {
    id: p.str(1),
    actor: p.principal(2),
    target: p.principal(2 + PRINCIPAL),
    startedAt: w.num(22),
    expiresAt: w.num(23),
    readOnly: w.bit(flags, 3),
  };
  const domain = p.opt(24, w.bit(flags, 0));
  if (domain !== undefined) session.domain = domain;
  const reason = p.opt(25, w.bit(flags, 1));
  if (reason !== undefined) session.reason = reason;
  const request: ActionRequest = { tenant: p.str(0), session, action: p.str(26), now: w.num(28) };
  const resource = p.opt(27, w.bit(flags, 2));
  if (resource !== undefined) request.resource = resource;
  return request;
}

/** The actions of `evaluate-actions`, resolved against `text`; a trailing partial item is ignored. */
export function readActions(text: string, actions: BigUint64Array): Action[] {
  const w = new Halves(actions);
  const p = new Packed(text, w, 0, 0);
  const out: Action[] = [];
  for (let i = 0; i + ACTION_ITEM <= actions.length; i += ACTION_ITEM) {
    const item: Action = { name: p.str(i) };
    if (w.bit(i + 2, 0)) item.resource = p.str(i + 1);
    out.push(item);
  }
  return out;
}
