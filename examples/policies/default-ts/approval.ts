// Approval (AP1, default-policy/src/approval.rs): which allowed starts wait
// for a second person or for the target's consent, and who may answer.
//
// An approval is asked with the request as it stands at the answer, so the
// start's own rules are checked again first (policy.ts): an actor who lost
// the role while waiting, or who started another session meanwhile, is not
// let in by an approval given in good faith.

import { type ApprovalDecision, type ApprovalRequest, type Approvers, Reasons, refuse, type StartRequest } from "@standin/policy-sdk";
import { hasAnyRole, level } from "./principal.ts";
import type { Settings } from "./settings.ts";

/** Who must answer `req` before it begins; `undefined` when it needs no approval. */
export function approvers(s: Settings, req: StartRequest): Approvers | undefined {
  const needed = s.approval === "always" || (s.approval === "privileged" && level(s, req.target) >= s.approvalMinTargetLevel);
  return needed ? { roles: [...s.approverRoles], target: s.targetApproves, ttlSeconds: s.approvalTtlSeconds } : undefined;
}

/**
 * May `req.approver` answer the pending start, whose own rules the caller
 * has checked again? The approver is the target (when the tenant lets
 * targets approve) or a second person holding an approver role; never the
 * actor.
 */
export function evaluate(s: Settings, req: ApprovalRequest): ApprovalDecision {
  const { actor, target } = req.start;
  const approver = req.approver;
  if (approver.id === actor.id) return refuse("approver-is-actor", "AP1", `\`${actor.id}\` cannot approve their own request`);
  const reasons = new Reasons();
  if (approver.tenant !== req.start.tenant) {
    reasons.push(
      "cross-tenant",
      "E8",
      `approver \`${approver.id}\` belongs to tenant \`${approver.tenant}\`, not \`${req.start.tenant}\``,
    );
  }
  if (!approver.active) reasons.push("approver-not-allowed", "AP1", `\`${approver.id}\` is not an active user`);
  const asTarget = s.targetApproves && approver.id === target.id;
  const asSecond = hasAnyRole(approver, s.approverRoles);
  if (!asTarget && !asSecond) {
    let who = s.approverRoles.length > 0 ? `a holder of ${s.approverRoles.map((r) => `\`${r}\``).join(", ")}` : "";
    if (s.targetApproves) who += `${who === "" ? "the target " : " or the target "}\`${target.id}\``;
    if (who === "") who = "nobody (approval is off)";
    reasons.push("approver-not-allowed", "AP1", `\`${approver.id}\` cannot approve: only ${who} can`);
  }
  return reasons.deny() ?? { decision: "approve" };
}
