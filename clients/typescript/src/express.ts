// Express 5 middleware: while a request is made inside an impersonation
// session, ask Standin's `authorize` before the route runs.
//
//   const guard = standinGuard({ client, session: (req) => req.signedCookies.standin_session });
//   app.post("/billing/purchase", guard("billing.purchase"), handler);
//   app.use(guard((req) => actions[req.path]));   // or one mapping for all
//
// Allowed: `req.standin` holds the session, who acts as whom and the
// obligations (`deliver-to-target`, `do-not-persist`, `revert-consent`),
// and the route runs. Denied: 403 with the reasons, the route does not
// run. Standin unreachable, slow (past the client's timeout), or
// answering something that is not a decision: 503, the route does not
// run. There is no path from an error to `next()` without an error: the
// request goes through only on `decision === "allow"`.

import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Authorization, Reason, StandinClient } from "./client.js";
import { StandinError } from "./errors.js";

/** What the middleware puts on `req.standin` for an allowed request. */
export interface StandinRequestContext {
  session: string;
  action: string;
  actingAs: string | undefined;
  onBehalfOf: string | undefined;
  obligations: string[];
  authorization: Authorization;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by @standin/client/express when the request is made in an impersonation session and was allowed. */
      standin?: StandinRequestContext;
    }
  }
}

export interface GuardOptions {
  client: StandinClient;
  /** The Standin session the request is made in, or undefined/null when it is not impersonating. */
  session: (req: Request) => string | undefined | null;
  /** The resource, if any (e.g. `req.params.id`). */
  resource?: (req: Request, action: string) => string | undefined | null;
  /** Called on a deny because the session has ended or expired (clear the app's impersonation state here). */
  onSessionEnded?: (req: Request, res: Response, authorization: Authorization) => void;
  /** Renders a deny; default: 403 JSON `{"error": {"code": "impersonation-denied", "message", "reasons"}}`. */
  onDeny?: (req: Request, res: Response, authorization: Authorization) => void;
}

const ENDED = new Set(["session-ended", "session-expired"]);

/** Makes guards: `guard("billing.purchase")` or `guard((req) => actionFor(req))`. */
export function standinGuard(options: GuardOptions) {
  return function guard(action: string | ((req: Request) => string | undefined | null)): RequestHandler {
    return async function standinAuthorize(req: Request, res: Response, next: NextFunction): Promise<void> {
      let id: string | undefined | null;
      let name: string | undefined | null;
      try {
        id = options.session(req);
        if (id === undefined || id === null || id === "") {
          next();
          return;
        }
        name = typeof action === "string" ? action : action(req);
      } catch (error) {
        unavailable(res, error);
        return;
      }
      if (name === undefined || name === null || name === "") {
        deny(res, [{ code: "action-unmapped", message: `no Standin action is mapped to ${req.method} ${req.path}` }]);
        return;
      }
      let authorization: Authorization;
      try {
        const resource = options.resource?.(req, name) ?? undefined;
        authorization = await options.client.authorize(id, name, resource);
      } catch (error) {
        unavailable(res, error);
        return;
      }
      if (authorization.decision !== "allow") {
        if (authorization.reasons.some((reason) => ENDED.has(reason.code))) {
          options.onSessionEnded?.(req, res, authorization);
        }
        if (options.onDeny) options.onDeny(req, res, authorization);
        else deny(res, authorization.reasons);
        return;
      }
      req.standin = {
        session: id,
        action: name,
        actingAs: authorization.acting_as,
        onBehalfOf: authorization.on_behalf_of,
        obligations: authorization.obligations ?? [],
        authorization,
      };
      next();
    };
  };
}

function deny(res: Response, reasons: Reason[]): void {
  const message = reasons.map((reason) => reason.message).join("; ") || "denied while impersonating";
  res.status(403).json({ error: { code: "impersonation-denied", message, reasons } });
}

function unavailable(res: Response, error: unknown): void {
  const requestId = error instanceof StandinError ? error.requestId : undefined;
  res.status(503).json({
    error: { code: "standin-unavailable", message: "the impersonation check could not be made; nothing was done", request_id: requestId ?? null },
  });
}
