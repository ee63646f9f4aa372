// A hostile policy in TypeScript (the TypeScript twin of the Rust
// `mischief` program): the start's reason says what to do wrong. The
// sandbox must turn each into a deny, never an allow. `echo` answers a
// deny whose message is the request as the SDK read it, so the test can
// compare it with what was sent.
import { allow, allowAction, definePolicy, refuse } from "@standin/policy-sdk";

let calls = 0;
const recurse = (n: number): never => recurse(n + 1);
const grant = (obligations: string[]) => allow({ ttlSeconds: 600, maxTtlSeconds: 600, notifyTarget: false, readOnly: false, obligations });
// As JSON: principals are read lazily (their toJSON gives every field), attributes are a Map.
const plain = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v)));

export const policy = definePolicy<null>({
  name: "mischief-ts",
  version: "0.1.0",
  rules: [],
  configure: () => null,
  start(req) {
    calls += 1;
    if (req.reason?.startsWith("echo")) return refuse("echo", "T1", JSON.stringify(plain(req)));
    switch (req.reason) {
      case "loop":
        for (;;) calls += 1;
      case "oom": {
        const hoard: Uint8Array[] = [];
        for (;;) hoard.push(new Uint8Array(8 << 20));
      }
      case "recurse":
        return recurse(0);
      case "throw":
        throw new Error("a policy bug");
      case "huge":
        return refuse("huge", "X", "x".repeat(1 << 20));
      case "many":
        return { decision: "deny", reasons: Array.from({ length: 10_000 }, (_, i) => ({ code: `c${i}`, rule: "X", message: "" })) };
      case "silent":
        return { decision: "deny", reasons: [] };
      case "ttl":
        return allow({ ttlSeconds: -1, maxTtlSeconds: 600, notifyTarget: false, readOnly: false });
      case "clock":
        return grant([`now:${Date.now()}`]);
      case "random":
        return grant([`random:${Math.random()}`]);
      default:
        return grant([`calls:${calls}`]);
    }
  },
  action(req) {
    return req.action === "echo" ? refuse("echo", "T1", JSON.stringify(plain(req))) : allowAction();
  },
  approval(req) {
    return refuse("echo", "T1", JSON.stringify(plain(req)));
  },
});
