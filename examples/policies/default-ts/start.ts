// May this actor start impersonating this target? (E1-E10, S1;
// default-policy/src/start.rs)
//
// Every rule is checked, whatever failed before it, so a refusal names all
// of its reasons (E9).

import { type Grant, Reasons, type StartDecision, type StartRequest } from "@standin/policy-sdk";
import { approvers } from "./approval.ts";
import { hasAnyRole, level, crossTenant } from "./principal.ts";
import { grant as scopeGrant } from "./scope.ts";
import { isBlank, type Settings } from "./settings.ts";

/** `a`, `b`: each item in backticks. */
const join = (items: string[]) => items.map((i) => `\`${i}\``).join(", ");

/** The items of `required` that `held` lacks. */
const missing = (required: string[], held: string[]) => required.filter((r) => !held.includes(r));

export function evaluate(s: Settings, req: StartRequest): StartDecision {
  const { actor, target } = req;
  const reasons = new Reasons();
  const obligations: string[] = [];

  // E8: not yourself, not across tenants.
  if (actor.id === target.id) reasons.push("self-impersonation", "E8", `\`${actor.id}\` cannot impersonate themselves`);
  crossTenant(reasons, req.tenant, actor, target);

  // E1: the impersonation role or permission.
  const permission = s.impersonatePermission;
  const permitted = hasAnyRole(actor, s.impersonatorRoles) || (permission !== null && actor.permissions.includes(permission));
  if (!permitted) {
    let needs = join(s.impersonatorRoles);
    if (permission !== null) needs += `${needs === "" ? "" : " or "}permission \`${permission}\``;
    reasons.push("not-permitted", "E1", `\`${actor.id}\` holds none of ${needs}`);
  }

  // E2: active targets only.
  if (s.requireActive && !target.active) reasons.push("target-inactive", "E2", `\`${target.id}\` is not an active user`);

  // E3: logged in once and consented (a permitted role may accept on the target's behalf).
  if (s.requireLoggedIn && !target.hasLoggedIn) {
    reasons.push("target-never-logged-in", "E3", `\`${target.id}\` has never logged in`);
  }
  const lacking = missing(s.requiredConsents, target.consents);
  if (lacking.length > 0) {
    const listed = join(lacking);
    const mayAccept = hasAnyRole(actor, s.consentOnBehalfRoles);
    if (req.consentOnBehalf && mayAccept) {
      obligations.push("revert-consent");
    } else if (req.consentOnBehalf) {
      reasons.push(
        "target-consent-missing",
        "E3",
        `\`${target.id}\` has not accepted ${listed}, and \`${actor.id}\` may not accept on their behalf`,
      );
    } else {
      reasons.push("target-consent-missing", "E3", `\`${target.id}\` has not accepted ${listed}`);
    }
  }

  // E4: never the same or a higher level.
  if (s.roleLevels.size > 0) {
    const [a, t] = [level(s, actor), level(s, target)];
    if (t >= a) {
      reasons.push("target-level-not-lower", "E4", `\`${target.id}\` is at level ${t}, not below \`${actor.id}\` at level ${a}`);
    }
  }

  // E5: scoped roles reach only what they manage; domains when required.
  if (hasAnyRole(actor, s.scopedRoles)) {
    const manages = actor.manages;
    const inScope = manages.includes(target.id) || target.groups.some((g) => manages.includes(g));
    if (!inScope) {
      reasons.push(
        "target-out-of-scope",
        "E5",
        `\`${target.id}\` is neither managed by \`${actor.id}\` nor in a group they manage`,
      );
    }
  }
  // Per-role domains: with `domain_scoped_roles`, only those roles pick one.
  const needsDomain = s.requireDomain && (s.domainScopedRoles.length === 0 || hasAnyRole(actor, s.domainScopedRoles));
  if (needsDomain) {
    const d = req.domain;
    if (d === undefined || d === "") {
      reasons.push("domain-required", "E5", "the request must name a domain");
    } else if (!(actor.domains.includes(d) && target.domains.includes(d))) {
      reasons.push("domain-not-shared", "E5", `domain \`${d}\` is not held by both \`${actor.id}\` and \`${target.id}\``);
    }
  }

  // E6: never a target with access the actor lacks.
  if (s.forbidWiderAccess) {
    const wider = missing(target.permissions, actor.permissions);
    if (wider.length > 0) {
      reasons.push("target-has-wider-access", "E6", `\`${target.id}\` holds ${join(wider)} which \`${actor.id}\` lacks`);
    }
  }

  // E7: no impersonation from inside one.
  const current = req.actorSession;
  if (current !== undefined && !s.allowNested) {
    reasons.push(
      "nested-impersonation",
      "E7",
      `\`${actor.id}\` is already impersonating \`${current.target}\` in session \`${current.id}\``,
    );
  }

  // SC1: the scope asked for, within what the tenant grants.
  const scope = scopeGrant(s, req, reasons);

  // E10: say why, when the tenant asks for it.
  if (s.requireReason && (req.reason === undefined || isBlank(req.reason))) {
    reasons.push("reason-required", "E10", "a reason (e.g. a ticket id) is required");
  } else if (s.reasonPattern !== undefined && req.reason !== undefined && !s.reasonPattern.matches(req.reason)) {
    reasons.push("reason-pattern-mismatch", "E10", `the reason must match \`${s.reasonPattern.text}\` (a ticket id)`);
  }

  const denied = reasons.deny();
  if (denied !== undefined) return denied;
  // S1: requested or default, never past the maximum.
  const asked = req.ttlSeconds;
  const ttl = asked !== undefined && asked > 0 ? asked : s.defaultTtlSeconds;
  // DT1: the start too (the platform's "log in as" must not count as the target's login).
  if (s.doNotTrack) obligations.push("do-not-track");
  const granted: Grant = {
    ttlSeconds: Math.min(ttl, s.maxTtlSeconds),
    maxTtlSeconds: s.maxTtlSeconds,
    notifyTarget: s.notifyTarget,
    // ST1: without a scope, a strict tenant's session only reads.
    readOnly: s.readOnly || (s.readOnlyUnlessScoped && req.scope === undefined),
    obligations,
  };
  if (scope !== undefined) granted.scope = scope;
  if (s.idleTimeoutSeconds !== undefined) granted.idleTimeoutSeconds = s.idleTimeoutSeconds;
  const who = approvers(s, req);
  return who === undefined ? { decision: "allow", grant: granted } : { decision: "pending", grant: granted, approvers: who };
}
