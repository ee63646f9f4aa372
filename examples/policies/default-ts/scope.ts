// The scope a start is granted (SC1, default-policy/src/scope.rs): what it
// asked for, within what the tenant lets any session do
// (`grantable_actions`), narrowed or refused as `scope_beyond_grantable`
// says, never widened. The host holds the session to it (SC2) whatever a
// policy answers later.

import { Pattern, type Reasons, type Scope, type StartRequest } from "@standin/policy-sdk";
import type { Settings } from "./settings.ts";

/** The scope to grant `req`, or its reasons in `reasons`; `undefined` when the start asked for none (and needs none). */
export function grant(s: Settings, req: StartRequest, reasons: Reasons): Scope | undefined {
  const asked = req.scope;
  if (asked === undefined) {
    if (s.requireScope) reasons.push("scope-required", "SC1", "the start must ask for a scope: the actions the job needs");
    return undefined;
  }
  const actions: string[] = [];
  const beyond: string[] = [];
  for (const wanted of asked.actions) {
    let pattern: Pattern;
    try {
      pattern = Pattern.of(wanted);
    } catch {
      beyond.push(wanted);
      continue;
    }
    if (s.grantableActions.some((g) => g.covers(pattern))) {
      actions.push(wanted);
      continue;
    }
    beyond.push(wanted);
    // Narrowing: what is grantable inside what was asked.
    for (const inside of s.grantableActions) {
      if (pattern.covers(inside) && !actions.includes(inside.text)) actions.push(inside.text);
    }
  }
  if (beyond.length > 0 && (s.scopeBeyondGrantable === "refuse" || actions.length === 0)) {
    const listed = beyond.map((b) => `\`${b}\``).join(", ");
    reasons.push("scope-not-grantable", "SC1", `the scope asks for ${listed}, beyond what this tenant grants`);
    return undefined;
  }
  return { actions, resources: [...asked.resources] };
}
