// @standin/policy-sdk: Standin impersonation policies in TypeScript,
// built into WebAssembly components of the world `standin:policy@0.7.0`
// (wit/policy.wit) with componentize-js (`standin-policy-build`).
//
// A policy is `definePolicy({...})` exported as `policy`:
//
//   export const policy = definePolicy({
//     name: "my-policy", version: "1.0.0", rules: ["E1"],
//     configure: (settings) => settings,
//     start: (req, settings) => ...,   // a StartDecision
//     action: (req, settings) => ...,  // an ActionDecision
//   });
//
// Why a wrapper rather than the raw WIT functions: the requests cross the
// boundary packed into words (one string and one u64 list, see the WIT),
// which this SDK reads back into plain objects, and the WIT's numbers are
// u64 (BigInt in JavaScript), which it converts both ways. Anything a rule
// throws traps the call, and the host denies it (`policy-error`): a thrown
// exception is never an allow.

import type { ActionDecision, ApprovalDecision, Grant, Reason, StartDecision } from "./decision.js";
import {
  type Action,
  type ActionRequest,
  type ApprovalRequest,
  readAction,
  readActions,
  readApproval,
  readStart,
  type StartRequest,
} from "./wire.js";

export * from "./decision.js";
export { isRustWhitespace, Pattern, rustDebugChar } from "./pattern.js";
export type { Action, ActionRequest, ApprovalRequest, Principal, ScopeRequest, Session, StartRequest } from "./wire.js";
export { readAction, readActions, readApproval, readStart } from "./wire.js";

/** An entity of a generic AuthZEN question; `properties` parsed (`{}` when none). */
export interface Entity {
  type: string;
  id: string;
  properties: Record<string, unknown>;
}

/** A generic AuthZEN question: may `subject` do `action` on `resource`? */
export interface Question {
  subject: Entity;
  action: string;
  actionProperties: Record<string, unknown>;
  resource: Entity;
  context: Record<string, unknown>;
}

/** The answer to a generic question. */
export interface GenericDecision {
  decision: boolean;
  /** The answer's `context` (none: nothing to say). */
  context?: Record<string, unknown>;
  obligations?: string[];
}

/** Refused settings: every problem found. */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
  }
}

/** A policy: who it is, how it reads its settings, and its rules over them. */
export interface PolicySpec<S> {
  name: string;
  version: string;
  /** Requirement ids this policy implements, e.g. `E1`. */
  rules: string[];
  /**
   * Checks the tenant's settings (parsed JSON) and returns what the rules
   * read; throws `SettingsError` (or any Error) to refuse them. `text` is
   * the settings as the host gave them, for a policy that must see what
   * parsing loses (a key given twice, `1.0` against `1`, integers past
   * 2^53).
   */
  configure(settings: unknown, text: string): S;
  start(request: StartRequest, settings: S): StartDecision;
  action(request: ActionRequest, settings: S): ActionDecision;
  /** May the approver answer a pending start? Without it, every approver is denied. */
  approval?(request: ApprovalRequest, settings: S): ApprovalDecision;
  /** Several actions of one session; without it, `action` once per action. */
  actions?(request: ActionRequest, actions: Action[], settings: S): ActionDecision[];
  /** Generic AuthZEN questions; without it, the host denies them. */
  question?(question: Question, settings: S): GenericDecision;
  /** Search: ids (or action names) a question would allow; without it, none. */
  search?(kind: "subject" | "resource" | "action", question: Question, settings: S): string[];
  /** The JSON Schema of the settings, for the console's form. */
  settingsSchema?: Record<string, unknown>;
}

// The shapes componentize-js gives and takes for the WIT's types.
type Wire<T extends string, V> = { tag: T; val: V };
interface WireEntity {
  type: string;
  id: string;
  properties: string;
}
interface WireQuestion {
  subject: WireEntity;
  action: string;
  actionProperties: string;
  resource: WireEntity;
  context: string;
}

const json = (text: string): Record<string, unknown> => {
  if (text === "") return {};
  const value: unknown = JSON.parse(text);
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
};
const entity = (e: WireEntity): Entity => ({ type: e.type, id: e.id, properties: json(e.properties) });
const question = (q: WireQuestion): Question => ({
  subject: entity(q.subject),
  action: q.action,
  actionProperties: json(q.actionProperties),
  resource: entity(q.resource),
  context: json(q.context),
});

/** A whole number of seconds as the WIT's u64; anything else traps. */
function u64(n: number | bigint, what: string): bigint {
  if (typeof n === "bigint") {
    if (n < 0n || n > 0xffff_ffff_ffff_ffffn) throw new Error(`${what}: ${n} is not a u64`);
    return n;
  }
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${what}: ${n} is not a whole number of seconds`);
  return BigInt(n);
}

function grant(g: Grant) {
  return {
    ttlSeconds: u64(g.ttlSeconds, "ttlSeconds"),
    maxTtlSeconds: u64(g.maxTtlSeconds, "maxTtlSeconds"),
    notifyTarget: g.notifyTarget,
    readOnly: g.readOnly,
    obligations: g.obligations ?? [],
    scope: g.scope === undefined ? undefined : { actions: g.scope.actions, resources: g.scope.resources },
    idleTimeoutSeconds: g.idleTimeoutSeconds === undefined ? undefined : u64(g.idleTimeoutSeconds, "idleTimeoutSeconds"),
  };
}

const reasons = (list: Reason[]) => list.map((r) => ({ code: r.code, rule: r.rule, message: r.message }));

function startOut(d: StartDecision): Wire<string, unknown> {
  switch (d.decision) {
    case "allow":
      return { tag: "allow", val: grant(d.grant) };
    case "pending":
      return {
        tag: "pending",
        val: {
          grant: grant(d.grant),
          approvers: { roles: d.approvers.roles, target: d.approvers.target, ttlSeconds: u64(d.approvers.ttlSeconds, "approvers.ttlSeconds") },
        },
      };
    case "deny":
      return { tag: "deny", val: reasons(d.reasons) };
  }
}

function actionOut(d: ActionDecision): Wire<string, unknown> {
  return d.decision === "allow" ? { tag: "allow", val: d.obligations ?? [] } : { tag: "deny", val: reasons(d.reasons) };
}

function malformed(): never {
  // Only a broken host sends words shorter than the header: trap.
  throw new Error("the request's words are shorter than its header");
}

/** The `policy` export of the WIT world, from a policy's rules. */
export function definePolicy<S>(spec: PolicySpec<S>) {
  // Settings by handle (WIT 0.7.0): slot 0 is `configure`'s, slots from 1
  // are `prepare`'s (one instance may hold several tenants' settings);
  // `select` names the one that governs what follows.
  const slots: ({ value: S } | undefined)[] = [undefined];
  const free: number[] = [];
  let selected = 0;
  const configured = (): S => {
    const settings = slots[selected];
    if (settings === undefined) throw new Error("evaluated before configure");
    return settings.value;
  };
  const parse = (text: string): { value: S } => {
    try {
      const given = text === "" ? "{}" : text;
      return { value: spec.configure(JSON.parse(given), given) };
    } catch (e) {
      // The WIT's `result<_, list<string>>`: componentize-js makes a
      // thrown value the error.
      throw e instanceof SettingsError ? e.problems : [e instanceof Error ? `settings: ${e.message}` : String(e)];
    }
  };
  return {
    describe: () => ({ name: spec.name, version: spec.version, rules: spec.rules }),
    configure(text: string): void {
      slots[0] = undefined;
      selected = 0;
      slots[0] = parse(text);
    },
    prepare(text: string): number {
      const settings = parse(text);
      const handle = free.pop() ?? slots.length;
      slots[handle] = settings;
      return handle;
    },
    select(handle: number): void {
      // A handle never prepared, or released, is a bug of the host: trap.
      if (handle < 1 || slots[handle] === undefined) throw new Error(`no settings under handle ${handle}`);
      selected = handle;
    },
    release(handle: number): void {
      if (handle >= 1 && slots[handle] !== undefined) {
        slots[handle] = undefined;
        free.push(handle);
        if (selected === handle) selected = 0;
      }
    },
    evaluateStart: (text: string, words: BigUint64Array) =>
      startOut(spec.start(readStart(text, words) ?? malformed(), configured())),
    evaluateAction: (text: string, words: BigUint64Array) =>
      actionOut(spec.action(readAction(text, words) ?? malformed(), configured())),
    evaluateApproval(text: string, words: BigUint64Array): Wire<string, unknown> {
      const request = readApproval(text, words) ?? malformed();
      const d: ApprovalDecision = spec.approval?.(request, configured()) ?? {
        decision: "deny",
        reasons: [{ code: "approval-not-supported", rule: "AP1", message: `${spec.name} never asks for approval` }],
      };
      return d.decision === "approve" ? { tag: "approve", val: undefined } : { tag: "deny", val: reasons(d.reasons) };
    },
    evaluateActions(text: string, words: BigUint64Array, actions: BigUint64Array) {
      const request = readAction(text, words) ?? malformed();
      const items = readActions(text, actions);
      const s = configured();
      const decisions = spec.actions?.(request, items, s) ?? items.map((a) => spec.action({ ...request, action: a.name, resource: a.resource }, s));
      return decisions.map(actionOut);
    },
    evaluateQuestion(q: WireQuestion) {
      if (spec.question === undefined) return undefined;
      const d = spec.question(question(q), configured());
      return {
        decision: d.decision,
        context: d.context === undefined ? "" : JSON.stringify(d.context),
        obligations: d.obligations ?? [],
      };
    },
    settingsSchema: () => (spec.settingsSchema === undefined ? undefined : JSON.stringify(spec.settingsSchema)),
    search(kind: "subject" | "resource" | "action", q: WireQuestion) {
      return spec.search === undefined ? undefined : spec.search(kind, question(q), configured());
    },
  };
}
