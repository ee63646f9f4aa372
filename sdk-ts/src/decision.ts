// What a policy answers, in the shapes of `wit/policy.wit`, and the
// helpers of the Rust SDK (`Reasons`, `refuse`).

/** Why a request is refused: `code` stable, `rule` the requirement id, `message` for people. */
export interface Reason {
  code: string;
  rule: string;
  message: string;
}

/** What a session may do: action patterns, and resources (none: any). */
export interface Scope {
  actions: string[];
  resources: string[];
}

/** What an allowed start grants. Numbers are seconds. */
export interface Grant {
  ttlSeconds: number;
  /** Ceiling for extensions, counted from the start (at most 86400). */
  maxTtlSeconds: number;
  notifyTarget: boolean;
  readOnly: boolean;
  /** Duties of the host, e.g. `revert-consent`. */
  obligations?: string[];
  /** None: what the start asked for (the host never grants more). */
  scope?: Scope;
  /** The session ends (`idle`) after this long without an action (a bigint past 2^53). */
  idleTimeoutSeconds?: number | bigint;
}

/** Who may answer a start that needs approval. */
export interface Approvers {
  roles: string[];
  target: boolean;
  ttlSeconds: number;
}

export type StartDecision =
  | { decision: "allow"; grant: Grant }
  | { decision: "pending"; grant: Grant; approvers: Approvers }
  | { decision: "deny"; reasons: Reason[] };

export type ActionDecision = { decision: "allow"; obligations?: string[] } | { decision: "deny"; reasons: Reason[] };

export type ApprovalDecision = { decision: "approve" } | { decision: "deny"; reasons: Reason[] };

/** A start allowed with `grant`. */
export const allow = (grant: Grant): StartDecision => ({ decision: "allow", grant });

/** An action allowed, with the host's `obligations`. */
export const allowAction = (obligations: string[] = []): ActionDecision => ({ decision: "allow", obligations });

/** A refusal for one reason (any decision kind). */
export const refuse = (code: string, rule: string, message: string): { decision: "deny"; reasons: Reason[] } => ({
  decision: "deny",
  reasons: [{ code, rule, message }],
});

/** The reasons of a refusal, gathered rule by rule: a refusal lists every failing rule (E9). */
export class Reasons {
  readonly list: Reason[] = [];

  push(code: string, rule: string, message: string): void {
    this.list.push({ code, rule, message });
  }

  get isEmpty(): boolean {
    return this.list.length === 0;
  }

  /** A deny of every reason, or `undefined` when there is none. */
  deny(): { decision: "deny"; reasons: Reason[] } | undefined {
    return this.isEmpty ? undefined : { decision: "deny", reasons: this.list };
  }
}
