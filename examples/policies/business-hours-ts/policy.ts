// The business-hours example policy (examples/policies/business-hours, in
// Rust) written in TypeScript, rule for rule: it passes the same suite
// (`../business-hours/suite.json`) through `standin test`.
//
// The tenant's rules, stranger than the built-in policy's settings allow:
// - only holders of `users.impersonate` may start (E1), never on themselves
//   or across tenants (E8);
// - the reason must be a ticket id such as `SUP-1234` (E10, `reason-required`);
// - only during the target's business hours, read from the target's
//   attributes `business_hours` (`"09:00-17:00"`) and `utc_offset`
//   (`"+02:00"`), Monday to Friday (`BH1`, `outside-business-hours`);
// - never a target whose `vip` attribute is `"true"` (`VIP1`, `target-is-vip`);
// - during a session, nothing that spends money or touches credentials (F1, F2).
//
// Build: `npx --prefix ../../../sdk-ts standin-policy-build policy.ts -o business-hours-ts.wasm`.

import { allow, allowAction, definePolicy, Pattern, type Principal, Reasons, refuse, SettingsError } from "@standin/policy-sdk";

interface Settings {
  /** Accepted ticket prefixes: a reason is a prefix followed by digits. */
  ticketPrefixes: string[];
  /** Session length, in seconds. */
  ttlSeconds: number;
  forbidden: [Pattern, string][];
}

const KNOWN = new Set(["ticket_prefixes", "ttl_seconds"]);

function configure(raw: unknown): Settings {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new SettingsError(["settings: not a JSON object"]);
  const given = raw as Record<string, unknown>;
  const problems = Object.keys(given)
    .filter((k) => !KNOWN.has(k))
    .map((k) => `settings: unknown field \`${k}\``);
  const prefixes = given.ticket_prefixes ?? ["SUP-", "INC-"];
  if (!Array.isArray(prefixes) || !prefixes.every((p) => typeof p === "string")) {
    problems.push("`ticket_prefixes`: a list of strings");
  } else if (prefixes.some((p) => p === "")) {
    problems.push("`ticket_prefixes`: a prefix is empty");
  }
  const ttl = given.ttl_seconds ?? 1800;
  if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 1 || ttl > 86_400) {
    problems.push("`ttl_seconds`: must be 1 to 86400");
  }
  if (problems.length > 0) throw new SettingsError(problems);
  const forbidden: [Pattern, string][] = [
    [Pattern.of("billing.*"), "F1"],
    [Pattern.of("payment.*"), "F1"],
    [Pattern.of("user.password.*"), "F2"],
  ];
  return { ticketPrefixes: prefixes as string[], ttlSeconds: ttl as number, forbidden };
}

/** `"+02:00"` or `"-05:30"` as minutes east of UTC. */
function offsetMinutes(offset: string): number | undefined {
  const m = /^([+-])(\d+):(\d+)$/.exec(offset);
  if (m === null) return undefined;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** `"09:00"` as minutes after midnight. */
function clock(hhmm: string): number | undefined {
  const m = /^(\d+):(\d+)$/.exec(hhmm);
  if (m === null) return undefined;
  const [h, min] = [Number(m[1]), Number(m[2])];
  return h < 24 && min < 60 ? h * 60 + min : undefined;
}

const mod = (a: number, n: number) => ((a % n) + n) % n;

/** Whether `now` (Unix seconds) falls in the target's business hours; a string says why the attributes cannot tell. */
function inBusinessHours(target: Principal, now: number): boolean | string {
  const hours = target.attributes.get("business_hours");
  if (hours === undefined) return "`business_hours` is not set";
  const offsetText = target.attributes.get("utc_offset") ?? "+00:00";
  const offset = offsetMinutes(offsetText);
  if (offset === undefined) return `\`utc_offset\` \`${offsetText}\` is not like \`+02:00\``;
  const dash = hours.indexOf("-");
  const open = dash < 0 ? undefined : clock(hours.slice(0, dash));
  const close = dash < 0 ? undefined : clock(hours.slice(dash + 1));
  if (open === undefined || close === undefined) return `\`business_hours\` \`${hours}\` is not like \`09:00-17:00\``;
  const localMinutes = Math.floor(now / 60) + offset;
  const minuteOfDay = mod(localMinutes, 24 * 60);
  // 1970-01-01 was a Thursday: day 0 is Thursday, days 2 and 3 the weekend.
  const weekday = mod(Math.floor(localMinutes / (24 * 60)), 7);
  const weekend = weekday === 2 || weekday === 3;
  return !weekend && open <= minuteOfDay && minuteOfDay < close;
}

const isTicket = (prefixes: string[], reason: string) =>
  prefixes.some((p) => reason.startsWith(p) && /^[0-9]+$/.test(reason.slice(p.length)));

export const policy = definePolicy<Settings>({
  name: "business-hours-ts",
  version: "0.1.0",
  rules: ["E1", "E8", "E10", "BH1", "VIP1", "F1", "F2"],
  configure,
  start(req, settings) {
    const { actor, target } = req;
    const reasons = new Reasons();
    if (!actor.permissions.includes("users.impersonate")) {
      reasons.push("not-permitted", "E1", `\`${actor.id}\` lacks \`users.impersonate\``);
    }
    if (actor.id === target.id) reasons.push("self-impersonation", "E8", "nobody impersonates themselves");
    if (actor.tenant !== req.tenant || target.tenant !== req.tenant) {
      reasons.push("cross-tenant", "E8", `both users must belong to \`${req.tenant}\``);
    }
    if (req.reason === undefined || !isTicket(settings.ticketPrefixes, req.reason.trim())) {
      reasons.push("reason-required", "E10", `the reason must be a ticket id (${settings.ticketPrefixes.join(", ")} and digits)`);
    }
    const hours = inBusinessHours(target, req.now);
    if (hours === false) reasons.push("outside-business-hours", "BH1", `it is outside the business hours of \`${target.id}\``);
    if (typeof hours === "string") reasons.push("outside-business-hours", "BH1", `\`${target.id}\`: ${hours}`);
    if (target.attributes.get("vip") === "true") {
      reasons.push("target-is-vip", "VIP1", `\`${target.id}\` is a VIP and is never impersonated`);
    }
    return (
      reasons.deny() ??
      allow({ ttlSeconds: settings.ttlSeconds, maxTtlSeconds: settings.ttlSeconds, notifyTarget: true, readOnly: false })
    );
  },
  action(req, settings) {
    const hit = settings.forbidden.find(([p]) => p.matches(req.action));
    return hit === undefined ? allowAction() : refuse("forbidden-action", hit[1], `\`${req.action}\` is forbidden`);
  },
});
