// The built-in default policy (default-policy/, in Rust) written in
// TypeScript, rule for rule: the same settings, refused with the same
// words, and the same reason codes, rule ids, obligations and messages. It
// passes every shipped suite (examples/suites/*.json) through
// `standin test`, case for case, as the Rust policy does.
//
// Why a port: it shows that a policy of the built-in's size fits the
// TypeScript SDK, and gives the SDK a real policy to be measured and
// tested with. The modules mirror default-policy/src/: settings.ts (and
// json.ts, the settings' JSON as serde_json reads it), start.ts, scope.ts,
// approval.ts, action.ts, principal.ts.
//
// Build: `npx --prefix ../../../sdk-ts standin-policy-build policy.ts -o default-ts.wasm`
// (see README.md).

import { definePolicy } from "@standin/policy-sdk";
import schema from "../../../docs/settings.schema.json";
import * as action from "./action.ts";
import * as approval from "./approval.ts";
import { parse, type Settings } from "./settings.ts";
import * as start from "./start.ts";

export const policy = definePolicy<Settings>({
  name: "standin-default-ts",
  version: "0.1.0",
  rules: [
    "E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10", "S1", "S3", "S7", "F1", "F2", "F3", "F4", "F5",
    "F6", "N2", "AP1", "SC1", "IT1", "DT1", "ST1",
  ],
  // The text, not the parsed value: the Rust policy refuses what parsing
  // hides (a key given twice, `1.0` for a whole number).
  configure: (_parsed, text) => parse(text),
  start: (req, s) => start.evaluate(s, req),
  action: (req, s) => action.evaluate(s, req),
  // An approval is asked with the start as it stands at the answer: its
  // own rules first, then who may answer.
  approval(req, s) {
    const d = start.evaluate(s, req.start);
    return d.decision === "deny" ? d : approval.evaluate(s, req);
  },
  // The schema the host serves for the built-in policy (docs/settings.schema.json,
  // generated from default-policy/src/schema.rs), for the console's form.
  settingsSchema: schema,
});
