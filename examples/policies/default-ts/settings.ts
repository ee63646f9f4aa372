// The tenant's settings (docs/contract.md, "Settings of the default
// policy"), as default-policy/src/settings.rs reads and checks them.
//
// Every field is optional. Nonsense is refused when the policy is loaded,
// never discovered during a request: an unknown field, a key given twice
// (at any depth), a field of the wrong type, a maximum above 24 h, a
// default above the maximum, an empty name or a bad pattern. A refusal
// names every problem, in the Rust policy's order and words: duplicate
// keys, then each field in key order (unknown, or of the wrong type, in
// serde's words), then every value that makes no sense.

import { isRustWhitespace, Pattern, SettingsError } from "@standin/policy-sdk";
import { duplicateKeys, entries, invalidType, type Json, read } from "./json.ts";

/** No session outlives this, whatever the settings say (S1). */
export const HARD_MAX_TTL_SECONDS = 86_400n;
/** Longest an approval request may wait, in seconds (a week). */
export const MAX_APPROVAL_TTL_SECONDS = 7n * 86_400n;

export type Preset = "permissive" | "strict";
export type Approval = "never" | "always" | "privileged";
export type Beyond = "narrow" | "refuse";

/** The settings as given, before they are checked: the Rust policy's `Raw`, field for field. */
interface Raw {
  preset: Preset;
  impersonator_roles: string[];
  impersonate_permission: string | null;
  role_levels: [string, number][];
  scoped_roles: string[];
  require_domain: boolean;
  domain_scoped_roles: string[];
  require_active: boolean;
  require_logged_in: boolean;
  required_consents: string[];
  consent_on_behalf_roles: string[];
  forbid_wider_access: boolean;
  allow_nested: boolean;
  require_reason: boolean;
  default_ttl_seconds: bigint;
  max_ttl_seconds: bigint;
  notify_target: boolean;
  read_only: boolean;
  read_actions: string[];
  forbidden_actions: string[];
  reserved_for_target: string[];
  deliver_to_target: string[];
  ephemeral_actions: string[];
  notify_changes: string[];
  approval: Approval;
  approval_min_target_level: number;
  approver_roles: string[];
  target_approves: boolean;
  approval_ttl_seconds: bigint;
  require_scope: boolean;
  grantable_actions: string[];
  scope_beyond_grantable: Beyond;
  idle_timeout_seconds: bigint | null;
  do_not_track: boolean;
  reason_pattern: string | null;
  read_only_unless_scoped: boolean;
}

/** The defaults every tenant had before presets: read-write, reason optional, up to 24 h. */
const permissive = (): Raw => ({
  preset: "permissive",
  impersonator_roles: ["super_admin"],
  impersonate_permission: "users.impersonate",
  role_levels: [],
  scoped_roles: [],
  require_domain: false,
  domain_scoped_roles: [],
  require_active: true,
  require_logged_in: true,
  required_consents: [],
  consent_on_behalf_roles: [],
  forbid_wider_access: false,
  allow_nested: false,
  require_reason: false,
  default_ttl_seconds: 3600n,
  max_ttl_seconds: HARD_MAX_TTL_SECONDS,
  notify_target: true,
  read_only: false,
  read_actions: ["*.view", "*.read", "*.list"],
  forbidden_actions: ["billing.*", "payment.*", "subscription.*", "user.password.*", "user.credentials.*", "esign.*"],
  reserved_for_target: ["guide.dismiss", "notification.read"],
  deliver_to_target: ["report.*"],
  ephemeral_actions: ["preferences.*", "layout.*"],
  notify_changes: [],
  approval: "never",
  approval_min_target_level: 0,
  approver_roles: [],
  target_approves: false,
  approval_ttl_seconds: 900n,
  require_scope: false,
  grantable_actions: ["*"],
  scope_beyond_grantable: "narrow",
  idle_timeout_seconds: null,
  do_not_track: false,
  reason_pattern: null,
  read_only_unless_scoped: false,
});

/** The defaults of `preset` (ST1): strict is what peers default to. */
function rawOf(preset: Preset): Raw {
  if (preset === "permissive") return permissive();
  return {
    ...permissive(),
    preset,
    require_reason: true,
    reason_pattern: "*-*",
    read_only_unless_scoped: true,
    default_ttl_seconds: 3600n,
    max_ttl_seconds: 3600n,
    idle_timeout_seconds: 900n,
    notify_target: true,
    approval: "privileged",
    approval_min_target_level: 100,
    approver_roles: ["super_admin"],
    do_not_track: true,
  };
}

// Each field's reader: its value, or serde's refusal (thrown).
type Reader = (json: Json) => unknown;

const bool: Reader = (j) => {
  if (j.t === "bool") return j.v;
  throw invalidType(j, "a boolean");
};
/** An unsigned integer of at most `max`, named `name` as serde names it. */
const unsigned =
  (name: string, max: bigint): Reader =>
  (j) => {
    if (j.t !== "num" || j.v.kind === "f64") throw invalidType(j, name);
    if (j.v.kind === "i64" || j.v.value > max) throw new Error(`invalid value: integer \`${j.v.value}\`, expected ${name}`);
    return j.v.value;
  };
const u64 = unsigned("u64", 0xffff_ffff_ffff_ffffn);
const u32Big = unsigned("u32", 0xffff_ffffn);
const u32: Reader = (j) => Number(u32Big(j));
const string: Reader = (j) => {
  if (j.t === "str") return j.v;
  throw invalidType(j, "a string");
};
const strings: Reader = (j) => {
  if (j.t !== "arr") throw invalidType(j, "a sequence");
  return j.v.map(string);
};
const optional =
  (inner: Reader): Reader =>
  (j) =>
    j.t === "null" ? null : inner(j);
const levels: Reader = (j) => {
  if (j.t !== "obj") throw invalidType(j, "an object of role levels");
  return entries(j.v).map(([role, level]) => [role, u32(level)]);
};
/** A unit-only enum: a variant's name, or serde_json's `{"name": null}`. */
const variants =
  (...names: string[]): Reader =>
  (j) => {
    const expected = names.length === 2 ? `\`${names[0]}\` or \`${names[1]}\`` : `one of ${names.map((n) => `\`${n}\``).join(", ")}`;
    const known = (name: string) => {
      if (!names.includes(name)) throw new Error(`unknown variant \`${name}\`, expected ${expected}`);
      return name;
    };
    if (j.t === "str") return known(j.v);
    if (j.t !== "obj") throw invalidType(j, "string or map");
    const one = entries(j.v);
    if (one.length !== 1) throw new Error("invalid value: map, expected map with a single key");
    const [[name, value]] = one as [[string, Json]];
    known(name);
    if (value.t !== "null") throw invalidType(value, "unit");
    return name;
  };
const preset = variants("permissive", "strict");

const READERS = new Map<string, Reader>([
  ["preset", preset],
  ["impersonator_roles", strings],
  ["impersonate_permission", optional(string)],
  ["role_levels", levels],
  ["scoped_roles", strings],
  ["require_domain", bool],
  ["domain_scoped_roles", strings],
  ["require_active", bool],
  ["require_logged_in", bool],
  ["required_consents", strings],
  ["consent_on_behalf_roles", strings],
  ["forbid_wider_access", bool],
  ["allow_nested", bool],
  ["require_reason", bool],
  ["default_ttl_seconds", u64],
  ["max_ttl_seconds", u64],
  ["notify_target", bool],
  ["read_only", bool],
  ["read_actions", strings],
  ["forbidden_actions", strings],
  ["reserved_for_target", strings],
  ["deliver_to_target", strings],
  ["ephemeral_actions", strings],
  ["notify_changes", strings],
  ["approval", variants("never", "always", "privileged")],
  ["approval_min_target_level", u32],
  ["approver_roles", strings],
  ["target_approves", bool],
  ["approval_ttl_seconds", u64],
  ["require_scope", bool],
  ["grantable_actions", strings],
  ["scope_beyond_grantable", variants("narrow", "refuse")],
  ["idle_timeout_seconds", optional(u64)],
  ["do_not_track", bool],
  ["reason_pattern", optional(string)],
  ["read_only_unless_scoped", bool],
]);

/** Checked settings, ready for every request. Seconds are numbers once checked below 2^53 (`idleTimeoutSeconds` has no ceiling). */
export interface Settings {
  impersonatorRoles: string[];
  impersonatePermission: string | null;
  roleLevels: Map<string, number>;
  scopedRoles: string[];
  requireDomain: boolean;
  /** When not empty, `requireDomain` applies only to actors holding one of these roles (E5). */
  domainScopedRoles: string[];
  requireActive: boolean;
  requireLoggedIn: boolean;
  requiredConsents: string[];
  consentOnBehalfRoles: string[];
  forbidWiderAccess: boolean;
  allowNested: boolean;
  requireReason: boolean;
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  notifyTarget: boolean;
  readOnly: boolean;
  readActions: Pattern[];
  forbiddenActions: Pattern[];
  reservedForTarget: Pattern[];
  deliverToTarget: Pattern[];
  ephemeralActions: Pattern[];
  /** Allowed actions the target is told of when the session ends (N2). */
  notifyChanges: Pattern[];
  approval: Approval;
  approvalMinTargetLevel: number;
  approverRoles: string[];
  targetApproves: boolean;
  approvalTtlSeconds: number;
  requireScope: boolean;
  grantableActions: Pattern[];
  scopeBeyondGrantable: Beyond;
  idleTimeoutSeconds: number | bigint | undefined;
  doNotTrack: boolean;
  reasonPattern: Pattern | undefined;
  readOnlyUnlessScoped: boolean;
}

/** Whether `name` is empty or only white space (Rust's `trim().is_empty()`). */
export const isBlank = (name: string) => [...name].every(isRustWhitespace);

/**
 * Parses and checks `text` (which JSON.parse accepted); on refusal throws
 * every problem found, as the Rust policy's `Settings::parse` words them.
 */
export function parse(text: string): Settings {
  const json = read(text);
  if (json.t !== "obj") throw new SettingsError(["settings: must be a JSON object"]);
  const fields = entries(json.v);
  // A preset changes what the fields left out mean (ST1).
  let chosen: Preset = "permissive";
  const given = fields.find(([name]) => name === "preset");
  try {
    if (given !== undefined) chosen = preset(given[1]) as Preset;
  } catch {
    // Reported below, with the other fields.
  }
  const raw = rawOf(chosen) as unknown as Record<string, unknown>;
  const problems = duplicateKeys(json).map((path) => `duplicate key \`${path}\``);
  for (const [name, value] of fields) {
    const reader = READERS.get(name);
    if (reader === undefined) {
      problems.push(`unknown field \`${name}\``);
      continue;
    }
    // Each field alone, so that one wrong type hides no other.
    try {
      raw[name] = reader(value);
    } catch (e) {
      problems.push(`\`${name}\`: ${(e as Error).message}`);
    }
  }
  const checked = check(raw as unknown as Raw, problems);
  if (problems.length > 0) throw new SettingsError(problems);
  return checked;
}

/** Every value that makes no sense, appended to `problems`; the settings the rules read. */
function check(raw: Raw, problems: string[]): Settings {
  if (raw.max_ttl_seconds > HARD_MAX_TTL_SECONDS) {
    problems.push(`\`max_ttl_seconds\`: ${raw.max_ttl_seconds} is above ${HARD_MAX_TTL_SECONDS} (24 hours)`);
  }
  if (raw.max_ttl_seconds === 0n) problems.push("`max_ttl_seconds`: must be at least 1");
  if (raw.default_ttl_seconds === 0n) problems.push("`default_ttl_seconds`: must be at least 1");
  if (raw.default_ttl_seconds > raw.max_ttl_seconds) {
    problems.push(`\`default_ttl_seconds\`: ${raw.default_ttl_seconds} is above \`max_ttl_seconds\` ${raw.max_ttl_seconds}`);
  }
  if (raw.impersonate_permission === "") problems.push("`impersonate_permission`: is empty (use null to turn it off)");
  for (const field of ["impersonator_roles", "scoped_roles", "required_consents", "consent_on_behalf_roles", "approver_roles"] as const) {
    raw[field].forEach((name, i) => {
      if (isBlank(name)) problems.push(`\`${field}[${i}]\`: is empty`);
    });
  }
  if (raw.approval !== "never" && raw.approver_roles.length === 0 && !raw.target_approves) {
    problems.push("`approval`: nobody could approve; name `approver_roles` or set `target_approves`");
  }
  if (raw.approval_ttl_seconds === 0n || raw.approval_ttl_seconds > MAX_APPROVAL_TTL_SECONDS) {
    problems.push(`\`approval_ttl_seconds\`: ${raw.approval_ttl_seconds} is not between 1 and ${MAX_APPROVAL_TTL_SECONDS} (a week)`);
  }
  if (raw.role_levels.some(([role]) => isBlank(role))) problems.push("`role_levels`: has an empty role name");
  const patterns = (field: string, items: string[]): Pattern[] => {
    const out: Pattern[] = [];
    items.forEach((item, i) => {
      try {
        out.push(Pattern.of(item));
      } catch (e) {
        problems.push(`\`${field}[${i}]\`: ${(e as Error).message}`);
      }
    });
    return out;
  };
  const settings: Settings = {
    impersonatorRoles: raw.impersonator_roles,
    impersonatePermission: raw.impersonate_permission,
    roleLevels: new Map(raw.role_levels),
    scopedRoles: raw.scoped_roles,
    requireDomain: raw.require_domain,
    domainScopedRoles: raw.domain_scoped_roles,
    requireActive: raw.require_active,
    requireLoggedIn: raw.require_logged_in,
    requiredConsents: raw.required_consents,
    consentOnBehalfRoles: raw.consent_on_behalf_roles,
    forbidWiderAccess: raw.forbid_wider_access,
    allowNested: raw.allow_nested,
    requireReason: raw.require_reason,
    defaultTtlSeconds: Number(raw.default_ttl_seconds),
    maxTtlSeconds: Number(raw.max_ttl_seconds),
    notifyTarget: raw.notify_target,
    readOnly: raw.read_only,
    readActions: patterns("read_actions", raw.read_actions),
    forbiddenActions: patterns("forbidden_actions", raw.forbidden_actions),
    reservedForTarget: patterns("reserved_for_target", raw.reserved_for_target),
    deliverToTarget: patterns("deliver_to_target", raw.deliver_to_target),
    ephemeralActions: patterns("ephemeral_actions", raw.ephemeral_actions),
    notifyChanges: patterns("notify_changes", raw.notify_changes),
    approval: raw.approval,
    approvalMinTargetLevel: raw.approval_min_target_level,
    approverRoles: raw.approver_roles,
    targetApproves: raw.target_approves,
    approvalTtlSeconds: Number(raw.approval_ttl_seconds),
    requireScope: raw.require_scope,
    grantableActions: patterns("grantable_actions", raw.grantable_actions),
    scopeBeyondGrantable: raw.scope_beyond_grantable,
    idleTimeoutSeconds: seconds(raw.idle_timeout_seconds),
    doNotTrack: raw.do_not_track,
    reasonPattern: patterns("reason_pattern", raw.reason_pattern === null ? [] : [raw.reason_pattern])[0],
    readOnlyUnlessScoped: raw.read_only_unless_scoped,
  };
  if (raw.idle_timeout_seconds === 0n) problems.push("`idle_timeout_seconds`: must be at least 1 (use null for none)");
  return settings;
}

/** A u64 as a number when exact, else as the bigint the SDK passes on as it is. */
const seconds = (n: bigint | null) => (n === null ? undefined : n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n);
