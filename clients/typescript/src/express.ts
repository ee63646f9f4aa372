// Express 5 middleware: while a request is made inside an impersonation
// session, ask Standin's `authorize` before the route runs.
//
//   const guard = standinGuard({ client, session: (req) => req.signedCookies.standin_session });
//   app.post("/billing/purchase", guard("billing.purchase"), handler);
//   app.use(guard((req) => actions[req.path]));   // or one mapping for all
//
// Allowed: `req.standin` holds the session, who acts as whom and the
// obligations (`deliver-to-target`, `do-not-persist`, `revert-consent`),
// and the route runs. Denied (or no action mapped): 403 with the reasons,
// the route does not run. Standin unreachable, slow (past the client's
// timeout), or answering something that is not a decision: 503, the route
// does not run. The request goes on only on `decision === "allow"`.

import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Authorization, StandinClient } from "./client.js";
import { type StandinRequestContext, decide } from "./guard.js";

export type { StandinRequestContext } from "./guard.js";

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
}

/** Makes guards: `guard("billing.purchase")` or `guard((req) => actionFor(req))`. */
export function standinGuard(options: GuardOptions) {
  return function guard(action: string | ((req: Request) => string | undefined | null)): RequestHandler {
    return async function standinAuthorize(req: Request, res: Response, next: NextFunction): Promise<void> {
      const outcome = await decide(options.client, req, options.session, action, options.resource, `${req.method} ${req.path}`);
      switch (outcome.kind) {
        case "not-impersonating":
          next();
          return;
        case "allow":
          req.standin = outcome.context;
          next();
          return;
        case "deny":
          if (outcome.ended && outcome.authorization) options.onSessionEnded?.(req, res, outcome.authorization);
          res.status(outcome.status).json(outcome.body);
          return;
        case "unavailable":
          res.status(outcome.status).json(outcome.body);
          return;
      }
    };
  };
}
