// May the actor, inside the session, do this? (F1-F6, read-only sessions,
// S3; default-policy/src/action.rs)

import { type ActionDecision, type ActionRequest, type Pattern, Reasons } from "@standin/policy-sdk";
import { crossTenant } from "./principal.ts";
import type { Settings } from "./settings.ts";

const anyMatch = (patterns: Pattern[], text: string) => patterns.some((p) => p.matches(text));

/**
 * Which rule a forbidden action falls under, by the segments of its dotted
 * name: credentials (F2), signatures and one-time passwords (F3), and
 * everything else, payments first (F1).
 */
function forbiddenRule(action: string): string {
  const segments = action.split(".");
  if (segments.some((s) => s.includes("password") || s.startsWith("credential"))) return "F2";
  if (segments.some((s) => s === "otp" || s.startsWith("esign") || s.includes("signature"))) return "F3";
  return "F1";
}

/** What fails whatever the action: another tenant (S1), an expired session (S3). */
function sessionReasons(req: ActionRequest): Reasons {
  const session = req.session;
  const reasons = new Reasons();
  crossTenant(reasons, req.tenant, session.actor, session.target);
  if (req.now >= session.expiresAt) reasons.push("session-expired", "S3", `session \`${session.id}\` has expired`);
  return reasons;
}

export function evaluate(s: Settings, req: ActionRequest): ActionDecision {
  const session = req.session;
  const action = req.action;
  const reasons = sessionReasons(req);
  if ((session.readOnly || s.readOnly) && !anyMatch(s.readActions, action)) {
    reasons.push("read-only-session", "S7", `\`${action}\` is not a read action and the session is read-only`);
  }
  if (anyMatch(s.forbiddenActions, action)) {
    reasons.push(
      "forbidden-action",
      forbiddenRule(action),
      `\`${action}\` is never allowed while impersonating \`${session.target.id}\``,
    );
  }
  if (anyMatch(s.reservedForTarget, action)) {
    reasons.push("reserved-for-target", "F4", `\`${action}\` is left for \`${session.target.id}\` themselves`);
  }
  const denied = reasons.deny();
  if (denied !== undefined) return denied;

  const obligations: string[] = [];
  if (anyMatch(s.deliverToTarget, action)) obligations.push("deliver-to-target");
  if (anyMatch(s.ephemeralActions, action)) obligations.push("do-not-persist");
  if (anyMatch(s.notifyChanges, action)) obligations.push("change-digest");
  // DT1: the target's presence, last-seen and login history stay theirs.
  if (s.doNotTrack) obligations.push("do-not-track");
  return { decision: "allow", obligations };
}
