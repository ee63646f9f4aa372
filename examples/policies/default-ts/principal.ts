// What the rules ask of one principal, shared by the start, approval and
// action rules (default-policy/src/principal.rs): its level, whether it
// holds a role, whether it belongs to the request's tenant. A module of its
// own so that no rule module imports another for a helper.

import type { Principal, Reasons } from "@standin/policy-sdk";
import type { Settings } from "./settings.ts";

/** Does `principal` hold any of `roles`? */
export const hasAnyRole = (principal: Principal, roles: string[]): boolean =>
  roles.length > 0 && principal.roles.some((r) => roles.includes(r));

/** A principal's level: its highest `role_levels` entry (unknown role: 0). */
export function level(settings: Settings, principal: Principal): number {
  let highest = 0;
  for (const role of principal.roles) highest = Math.max(highest, settings.roleLevels.get(role) ?? 0);
  return highest;
}

/** E8: both sides of an impersonation belong to the request's tenant. */
export function crossTenant(reasons: Reasons, tenant: string, actor: Principal, target: Principal): void {
  for (const [who, p] of [["actor", actor], ["target", target]] as const) {
    if (p.tenant !== tenant) {
      reasons.push("cross-tenant", "E8", `${who} \`${p.id}\` belongs to tenant \`${p.tenant}\`, not \`${tenant}\``);
    }
  }
}
