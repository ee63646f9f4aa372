// The same guard for fetch-style handlers (`(request: Request) =>
// Response`): Next.js App Router route handlers, and any runtime with the
// web `Request`/`Response` (Deno, Bun, workers).
//
//   export const POST = withStandin(
//     { client, session: (req) => req.headers.get("x-standin-session"), action: "billing.purchase" },
//     async (req, { standin }) => Response.json({ bought: true, obligations: standin?.obligations }),
//   );
//
// Allowed (or not impersonating): the handler runs. Denied: 403 with the
// reasons. Standin unreachable, slow or answering garbage: 503. The
// handler runs only on `decision === "allow"` or outside impersonation.

import type { StandinClient } from "./client.js";
import { type StandinRequestContext, decide } from "./guard.js";

export interface FetchGuardOptions {
  client: StandinClient;
  session: (req: Request) => string | undefined | null;
  action: string | ((req: Request) => string | undefined | null);
  resource?: (req: Request, action: string) => string | undefined | null;
}

export function withStandin<Rest extends unknown[]>(
  options: FetchGuardOptions,
  handler: (req: Request, context: { standin?: StandinRequestContext }, ...rest: Rest) => Response | Promise<Response>,
): (req: Request, ...rest: Rest) => Promise<Response> {
  return async (req: Request, ...rest: Rest): Promise<Response> => {
    const where = `${req.method} ${new URL(req.url).pathname}`;
    const outcome = await decide(options.client, req, options.session, options.action, options.resource, where);
    switch (outcome.kind) {
      case "not-impersonating":
        return handler(req, {}, ...rest);
      case "allow":
        return handler(req, { standin: outcome.context }, ...rest);
      case "deny":
      case "unavailable":
        return new Response(JSON.stringify(outcome.body), { status: outcome.status, headers: { "content-type": "application/json" } });
    }
  };
}
