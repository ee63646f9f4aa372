// The decision a guard makes for one request, shared by the Express
// middleware and the fetch-style (Next.js route handler) wrapper. Only
// `decision === "allow"` gives `allow`; every failure (the session or
// action callbacks throwing, Standin unreachable, slow, or answering
// something that is not a decision) gives a 503 outcome.

import type { Authorization, Reason, StandinClient } from "./client.js";
import { StandinError } from "./errors.js";

/** What an allowed request carries (`req.standin` in Express). */
export interface StandinRequestContext {
  session: string;
  action: string;
  actingAs: string | undefined;
  onBehalfOf: string | undefined;
  obligations: string[];
  /**
   * The `do-not-track` obligation is among them (DT1): this request is the
   * actor's, so the app must not update the target's presence, last-seen
   * time or login history for it.
   */
  doNotTrack: boolean;
  authorization: Authorization;
}

export type Outcome =
  | { kind: "not-impersonating" }
  | { kind: "allow"; context: StandinRequestContext }
  | { kind: "deny"; status: 403; body: DenyBody; ended: boolean; authorization?: Authorization }
  | { kind: "unavailable"; status: 503; body: UnavailableBody };

export interface DenyBody {
  error: { code: "impersonation-denied"; message: string; reasons: Reason[] };
}
export interface UnavailableBody {
  error: { code: "standin-unavailable"; message: string; request_id: string | null };
}

const ENDED = new Set(["session-ended", "session-expired"]);

export async function decide<R>(
  client: StandinClient,
  req: R,
  session: (req: R) => string | undefined | null,
  action: string | ((req: R) => string | undefined | null),
  resource: ((req: R, action: string) => string | undefined | null) | undefined,
  where: string,
): Promise<Outcome> {
  let id: string | undefined | null;
  let name: string | undefined | null;
  let object: string | undefined | null;
  try {
    id = session(req);
    if (id === undefined || id === null || id === "") return { kind: "not-impersonating" };
    name = typeof action === "string" ? action : action(req);
    if (name === undefined || name === null || name === "") {
      return denied([{ code: "action-unmapped", message: `no Standin action is mapped to ${where}` }]);
    }
    object = resource?.(req, name);
  } catch (error) {
    return unavailable(error);
  }
  let authorization: Authorization;
  try {
    authorization = await client.authorize(id, name, object ?? undefined);
  } catch (error) {
    return unavailable(error);
  }
  if (authorization.decision !== "allow") {
    return { ...denied(authorization.reasons), ended: authorization.reasons.some((r) => ENDED.has(r.code)), authorization };
  }
  return {
    kind: "allow",
    context: {
      session: id,
      action: name,
      actingAs: authorization.acting_as,
      onBehalfOf: authorization.on_behalf_of,
      obligations: authorization.obligations ?? [],
      doNotTrack: (authorization.obligations ?? []).includes("do-not-track"),
      authorization,
    },
  };
}

function denied(reasons: Reason[]): Extract<Outcome, { kind: "deny" }> {
  const message = reasons.map((reason) => reason.message).join("; ") || "denied while impersonating";
  return { kind: "deny", status: 403, body: { error: { code: "impersonation-denied", message, reasons } }, ended: false };
}

function unavailable(error: unknown): Extract<Outcome, { kind: "unavailable" }> {
  const requestId = error instanceof StandinError ? error.requestId ?? null : null;
  return {
    kind: "unavailable",
    status: 503,
    body: { error: { code: "standin-unavailable", message: "the impersonation check could not be made; nothing was done", request_id: requestId } },
  };
}
