// A minimal Express 5 app with "log in as" through Standin: two users
// (alice, an admin; bob), a "Log in as" button, a page that is allowed
// while impersonating, one that is not (billing.purchase), and the banner.
//
//   examples/express/run.sh          # starts standin serve too; open http://127.0.0.1:3000
//
// Sign-in is a plain cookie naming the user: an example, not a login.
import express from "express";
import { StandinClient } from "@standin/client";
import { standinGuard } from "@standin/client/express";

const STANDIN_URL = process.env.STANDIN_URL ?? "http://127.0.0.1:8080";
const client = new StandinClient({ baseUrl: STANDIN_URL, tenant: "acme", apiKey: process.env.STANDIN_KEY, timeoutMs: 2000 });

// The platform's users, and their facts as Standin principals.
const USERS = {
  alice: { id: "alice", roles: ["admin"], active: true, has_logged_in: true },
  bob: { id: "bob", roles: [], active: true, has_logged_in: true },
};

const cookies = (req) =>
  Object.fromEntries((req.get("cookie") ?? "").split(";").filter(Boolean).map((c) => c.trim().split("=").map(decodeURIComponent)));
const signedIn = (req) => USERS[cookies(req).user];
const impersonation = (req) => cookies(req).standin_session || undefined;
const clear = (res) => res.clearCookie("standin_session").clearCookie("standin_token").clearCookie("acting_as");

const guard = standinGuard({ client, session: impersonation, onSessionEnded: (req, res) => clear(res) });

const page = (req, body) => {
  const c = cookies(req);
  const who = c.acting_as ? `${c.acting_as} (as ${c.user})` : c.user ?? "nobody";
  const banner = c.standin_session
    ? `<script src="${STANDIN_URL}/console/banner.js" defer></script>
       <standin-banner api="${STANDIN_URL}" tenant="acme" session="${c.standin_session}" token="${c.standin_token}"></standin-banner>`
    : "";
  return `<!doctype html><html><body>${banner}<p>Signed in: <b>${who}</b></p>${body}
    <p><a href="/">Home</a> · <a href="/courses">Courses</a></p>
    <form method="post" action="/billing/purchase"><button>Buy a course (billing.purchase)</button></form>
    <form method="post" action="/stop"><button>Stop impersonating</button></form></body></html>`;
};

const app = express();
app.use(express.urlencoded({ extended: false }));

app.get("/", (req, res) => {
  const me = signedIn(req);
  const signIn = Object.keys(USERS).map((u) => `<a href="/sign-in/${u}">sign in as ${u}</a>`).join(" · ");
  const logInAs = me
    ? Object.keys(USERS).filter((u) => u !== me.id).map((u) =>
        `<form method="post" action="/impersonate"><input type="hidden" name="target" value="${u}">
         <input name="reason" placeholder="reason" value="ticket SUP-1"><button>Log in as ${u}</button></form>`).join("")
    : "";
  res.send(page(req, `<p>${signIn}</p>${logInAs}`));
});

app.get("/sign-in/:user", (req, res) => {
  clear(res).cookie("user", req.params.user).redirect("/");
});

app.post("/impersonate", async (req, res) => {
  const actor = signedIn(req);
  const target = USERS[req.body.target];
  if (!actor || !target) return res.status(400).send(page(req, "<p>Unknown user.</p>"));
  let started;
  try {
    started = await client.startSession({ tenant: "acme", actor, target, reason: req.body.reason }, { returnTo: "/" });
  } catch {
    return res.status(503).send(page(req, "<p>Standin is unavailable: not impersonating.</p>"));
  }
  if (started.outcome !== "started") {
    const reasons = started.outcome === "denied" ? started.decision.reasons.map((r) => `<li>${r.code}: ${r.message}</li>`).join("") : "<li>waits for approval</li>";
    return res.status(403).send(page(req, `<p>Refused:</p><ul>${reasons}</ul>`));
  }
  res.cookie("standin_session", started.session.id).cookie("standin_token", started.session.token ?? "").cookie("acting_as", target.id).redirect("/courses");
});

app.post("/stop", async (req, res) => {
  const id = impersonation(req);
  if (id) await client.endSession(id).catch(() => {});
  clear(res).redirect("/");
});

// Asked of Standin while impersonating:
app.get("/courses", guard("course.view"), (req, res) => {
  res.send(page(req, `<p>Courses (allowed${req.standin ? `, acting as ${req.standin.actingAs}` : ""}).</p>`));
});
app.post("/billing/purchase", guard("billing.purchase"), (req, res) => {
  res.send(page(req, "<p>Bought.</p>"));
});

const port = Number(process.env.PORT ?? 3000);
app.listen(port, "127.0.0.1", () => console.log(`example on http://127.0.0.1:${port}`));
