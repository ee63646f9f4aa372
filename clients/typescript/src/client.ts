// A client of one Standin tenant with one API key: every route of
// docs/openapi.json, typed by src/openapi.ts (generated from that
// document). Decisions are checked at run time before they are returned:
// an answer whose `decision` is not one of the API's values is a
// `StandinProtocolError`, never something a caller could read as an allow.

import type { components } from "./openapi.js";
import { StandinApiError, StandinProtocolError, StandinTokenExchangeError } from "./errors.js";
import { type Answer, type CallOptions, type Method, Transport, type TransportOptions, isObject } from "./http.js";

type S = components["schemas"];
export type Principal = S["Principal"];
export type StartRequest = S["StartRequest"];
export type ActionRequest = S["ActionRequest"];
export type Decision = S["Decision"];
export type Reason = S["Reason"];
export type Session = S["Session"];
export type Banner = S["Banner"];
export type Authorization = S["Authorization"];
export type AuthorizeResults = S["AuthorizeResults"];
export type AuthzenEvaluation = S["AuthzenEvaluation"];
export type AuthzenEvaluations = S["AuthzenEvaluations"];
export type AuthzenSearch = S["AuthzenSearch"];
export type AuthzenSearchResults = S["AuthzenSearchResults"];
export type AuthzenDecision = S["AuthzenDecision"];
export type AuthzenDecisions = S["AuthzenDecisions"];
export type AuthzenMetadata = S["AuthzenMetadata"];
export type AuthzenAccessRequest = S["AuthzenAccessRequest"];
export type AuthzenTask = S["AuthzenTask"];
export type AuditEvent = S["AuditEvent"];
export type Verification = S["Verification"];
export type OutboxList = S["OutboxList"];
export type Claimed = S["Claimed"];
export type Notifications = S["Notifications"];
export type NotificationsPatch = S["NotificationsPatch"];
export type PolicyVersion = S["PolicyVersion"];
export type PolicyVersions = S["PolicyVersions"];
export type Upload = S["Upload"];
export type Replay = S["Replay"];
export type Reevaluated = S["Reevaluated"];
export type Revoked = S["Revoked"];
export type SessionList = S["SessionList"];
export type Stats = S["Stats"];
export type Introspection = S["Introspection"];
export type Jwks = S["Jwks"];
export type Health = S["Health"];
export type Webhook = S["Webhook"];
export type WebhookNew = S["WebhookNew"];
export type WebhookWithSecret = S["WebhookWithSecret"];
export type WebhookList = S["WebhookList"];
export type WebhookRotate = S["WebhookRotate"];
export type WebhookTest = S["WebhookTest"];
export type WebhookDelivery = S["WebhookDelivery"];
export type WebhookDeliveries = S["WebhookDeliveries"];
export type WebhookReplay = S["WebhookReplay"];
export type SsfConfiguration = S["SsfConfiguration"];
export type SsfStream = S["SsfStream"];
export type SsfStreamOrList = S["SsfStreamOrList"];
export type SsfStreamRequest = S["SsfStreamRequest"];
export type SsfStatus = S["SsfStatus"];
export type SsfVerify = S["SsfVerify"];
export type SsfPoll = S["SsfPoll"];
export type SsfPollAnswer = S["SsfPollAnswer"];
export type RouteTable = S["RouteTable"];
export type RouteTableSet = S["RouteTableSet"];
export type RouteRule = RouteTable["routes"][number];
export type TokenExchangeForm = S["TokenExchangeForm"];
export type TokenExchanged = S["TokenExchanged"];
export type OAuthError = S["OAuthError"];
export type TokenIssuers = S["TokenIssuers"];
export type TokenIssuer = TokenIssuers["issuers"][number];

/** RFC 8693's token type of a JWT: the default of `subject_token_type` and `actor_token_type`. */
export const JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";
/** RFC 8693's grant type, sent by `exchangeToken`. */
export const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

/**
 * What `exchangeToken` sends: the form of docs/openapi.json less
 * `grant_type`, with the token types defaulting to a JWT.
 */
export type TokenExchangeRequest = Omit<TokenExchangeForm, "grant_type" | "subject_token_type" | "actor_token_type"> &
  Partial<Pick<TokenExchangeForm, "subject_token_type" | "actor_token_type">>;

/**
 * A token exchange's outcome, as a start's: `issued` (the `token`),
 * `pending` (waits for approval: ask again with `session_id: sessionId`),
 * or `denied` (`error.error`: `invalid_grant` with the policy's
 * `error.reasons`, or `access_denied` / `expired_token` for a pending
 * start that was rejected or expired). Any other OAuth error throws a
 * `StandinTokenExchangeError`.
 */
export type Exchanged =
  | { outcome: "issued"; token: TokenExchanged }
  | { outcome: "pending"; sessionId: string; error: OAuthError }
  | { outcome: "denied"; error: OAuthError };

// The OAuth errors that are an answer about the grant, returned.
const DENIED = new Set(["invalid_grant", "access_denied", "expired_token"]);

/** A start's outcome: started, waiting for approval, or refused with the reasons. */
export type Started =
  | { outcome: "started"; session: Session }
  | { outcome: "pending"; session: Session }
  | { outcome: "denied"; decision: Decision };

/** An extension, approval or rejection: the session, or the deny decision. */
export type SessionOrDenied = { outcome: "session"; session: Session } | { outcome: "denied"; decision: Decision };

/** The request a gateway asks about: its method and URI, and the impersonation token it carried (if any). */
export interface ForwardAuthRequest {
  method: string;
  uri: string;
  token?: string;
}

/**
 * Forward-auth's answer, as a gateway reads it: `allowed` (200) passes the
 * request on. An allow of an impersonation token names who is acted as
 * (`actingAs`), by whom (`onBehalfOf`) and in which `session`; a request
 * with no impersonation token is allowed with those unset. 401 (a token
 * that does not hold, or whose session ended) and 403 (denied, with the
 * `decision`, or `no-route`) are refusals, returned; 503 (Standin could not
 * decide) throws a `StandinApiError`, as every other failure does.
 */
export interface ForwardAuthAnswer {
  status: 200 | 401 | 403;
  allowed: boolean;
  actingAs?: string;
  onBehalfOf?: string;
  session?: string;
  decision?: Decision;
}

export interface ClientOptions extends TransportOptions {
  tenant: string;
}

export interface AuditQuery {
  actor?: string;
  target?: string;
  event?: string;
  session?: string;
  since?: string;
  until?: string;
  view?: "impersonator" | "impersonated";
}

const DECISIONS = new Set(["allow", "deny", "pending"]);

export class StandinClient {
  readonly tenant: string;
  private readonly http: Transport;

  constructor(options: ClientOptions) {
    this.tenant = options.tenant;
    this.http = new Transport(options);
  }

  private t(rest = ""): string {
    return `/v1/tenants/${encodeURIComponent(this.tenant)}${rest}`;
  }

  private s(id: string, rest = ""): string {
    return this.t(`/sessions/${encodeURIComponent(id)}${rest}`);
  }

  private w(id: string, rest = ""): string {
    return this.t(`/webhooks/${encodeURIComponent(id)}${rest}`);
  }

  private ssf(rest: string): string {
    return this.t(`/ssf${rest}`);
  }

  // ---- public routes -------------------------------------------------
  async healthz(o?: CallOptions): Promise<Health> {
    return (await this.http.call("GET", "/healthz", { expect: [200] }, o)).body as Health;
  }
  async readyz(o?: CallOptions): Promise<Health> {
    return (await this.http.call("GET", "/readyz", { expect: [200] }, o)).body as Health;
  }
  /** Prometheus text. */
  async metrics(o?: CallOptions): Promise<string> {
    return (await this.http.call("GET", "/metrics", { expect: [200], raw: true }, o)).text;
  }
  async openapi(o?: CallOptions): Promise<Record<string, unknown>> {
    return (await this.http.call("GET", "/openapi.json", { expect: [200] }, o)).body as Record<string, unknown>;
  }

  /** The JSON Schema (2020-12) of the default policy's settings (no key). */
  async settingsSchema(o?: CallOptions): Promise<Record<string, unknown>> {
    return (await this.http.call("GET", "/v1/settings-schema", { expect: [200] }, o)).body as Record<string, unknown>;
  }
  /** The public keys that verify impersonation tokens (404 without `--token-key`). */
  async jwks(o?: CallOptions): Promise<Jwks> {
    return (await this.http.call("GET", "/.well-known/jwks.json", { expect: [200] }, o)).body as Jwks;
  }
  async authzenConfiguration(o?: CallOptions): Promise<AuthzenMetadata> {
    const path = `/.well-known/authzen-configuration/${encodeURIComponent(this.tenant)}`;
    return (await this.http.call("GET", path, { expect: [200] }, o)).body as AuthzenMetadata;
  }

  // ---- checks and sessions -------------------------------------------
  /** May `actor` start impersonating `target`? Asks the active policy; stores nothing. */
  async checkStart(request: StartRequest, o?: CallOptions): Promise<Decision> {
    return decision(await this.http.call("POST", this.t("/check/start"), { body: request, expect: [200] }, o));
  }
  async checkAction(request: ActionRequest, o?: CallOptions): Promise<Decision> {
    return decision(await this.http.call("POST", this.t("/check/action"), { body: request, expect: [200] }, o));
  }
  /** Starts a session (audited either way). `returnTo`: where the banner's Stop goes. */
  async startSession(request: StartRequest, options: CallOptions & { returnTo?: string } = {}): Promise<Started> {
    const { returnTo, ...o } = options;
    const body = returnTo === undefined ? request : { ...request, return_to: returnTo };
    const answer = await this.http.call("POST", this.t("/sessions"), { body, expect: [201, 202, 403] }, o);
    if (answer.status === 403) return { outcome: "denied", decision: decision(answer) };
    const started = session(answer);
    return { outcome: answer.status === 202 ? "pending" : "started", session: started };
  }
  /** The JSON Schema of the settings the tenant's active policy takes (a custom component's own, or the built-in policy's; 404 when it publishes none). */
  async getTenantSettingsSchema(o?: CallOptions): Promise<Record<string, unknown>> {
    return (await this.http.call("GET", this.t("/settings-schema"), { expect: [200] }, o)).body as Record<string, unknown>;
  }
  /** The tenant's activity per day (`YYYY-MM-DD`, default the last 30 days), denials by code, top actors and targets, sessions now (audit). */
  async getStats(query: { from?: string; to?: string } = {}, o?: CallOptions): Promise<Stats> {
    return (await this.http.call("GET", this.t("/stats"), { query, expect: [200] }, o)).body as Stats;
  }
  async listSessions(query: { active?: boolean; limit?: number; after?: string } = {}, o?: CallOptions): Promise<SessionList> {
    return (await this.http.call("GET", this.t("/sessions"), { query, expect: [200] }, o)).body as SessionList;
  }
  async getSession(id: string, o?: CallOptions): Promise<Session> {
    return session(await this.http.call("GET", this.s(id), { expect: [200] }, o));
  }
  /** The banner facts; `token` (the session's impersonation token) may stand in for the key. */
  async getBanner(id: string, options: CallOptions & { token?: string } = {}): Promise<Banner> {
    const { token, ...o } = options;
    return (await this.http.call("GET", this.s(id, "/banner"), { expect: [200], key: token }, o)).body as Banner;
  }
  /** Ends a session; `409 session-ended` (a `StandinApiError`) when it already has. */
  async endSession(id: string, options: CallOptions & { token?: string } = {}): Promise<Session> {
    const { token, ...o } = options;
    return session(await this.http.call("POST", this.s(id, "/end"), { expect: [200], key: token }, o));
  }
  async extendSession(id: string, ttlSeconds: number, o?: CallOptions): Promise<SessionOrDenied> {
    return sessionOrDenied(await this.http.call("POST", this.s(id, "/extend"), { body: { ttl_seconds: ttlSeconds }, expect: [200] }, o));
  }
  async revokeSession(id: string, reason: string, o?: CallOptions): Promise<Session> {
    return session(await this.http.call("POST", this.s(id, "/revoke"), { body: { reason }, expect: [200] }, o));
  }
  async approveSession(id: string, approver: Principal, o?: CallOptions): Promise<SessionOrDenied> {
    return sessionOrDenied(await this.http.call("POST", this.s(id, "/approve"), { body: { approver }, expect: [200] }, o));
  }
  async rejectSession(id: string, approver: Principal, reason: string, o?: CallOptions): Promise<SessionOrDenied> {
    return sessionOrDenied(await this.http.call("POST", this.s(id, "/reject"), { body: { approver, reason }, expect: [200] }, o));
  }
  /** Ends every active session of `actor`. */
  async revokeActor(actor: string, reason: string, o?: CallOptions): Promise<Revoked> {
    return (await this.http.call("POST", this.t("/sessions/revoke"), { body: { actor, reason }, expect: [200] }, o)).body as Revoked;
  }
  /** May the actor, in this session, do `action`? Audited. Never retried. */
  async authorize(id: string, action: string, resource?: string | null, o?: CallOptions): Promise<Authorization> {
    const body = resource === undefined ? { action } : { action, resource };
    return decision(await this.http.call("POST", this.s(id, "/authorize"), { body, expect: [200] }, o)) as Authorization;
  }
  async authorizeBatch(calls: { session: string; action: string; resource?: string | null }[], o?: CallOptions): Promise<AuthorizeResults> {
    const answer = await this.http.call("POST", this.t("/authorize"), { body: { calls }, expect: [200] }, o);
    const results = (answer.body as Record<string, unknown>).results;
    if (!Array.isArray(results)) throw new StandinProtocolError(answer.status, "no `results` list", answer.requestId);
    for (const result of results) {
      if (isObject(result) && "error" in result) continue;
      checkDecision(result, answer);
    }
    return answer.body as AuthorizeResults;
  }
  async introspectToken(token: string, o?: CallOptions): Promise<Introspection> {
    return (await this.http.call("POST", this.t("/tokens/introspect"), { body: { token }, expect: [200] }, o)).body as Introspection;
  }
  /** Replaces a principal's facts and asks its active sessions again. */
  async updatePrincipal(principal: Principal, o?: CallOptions): Promise<Reevaluated> {
    const path = this.t(`/principals/${encodeURIComponent(principal.id)}`);
    return (await this.http.call("PUT", path, { body: principal, expect: [200] }, o)).body as Reevaluated;
  }

  // ---- AuthZEN -------------------------------------------------------
  async evaluation(request: AuthzenEvaluation, o?: CallOptions): Promise<AuthzenDecision> {
    const answer = await this.http.call("POST", this.t("/access/v1/evaluation"), { body: request, expect: [200] }, o);
    if ((answer.body as Record<string, unknown>).decision !== true && (answer.body as Record<string, unknown>).decision !== false) {
      throw new StandinProtocolError(answer.status, "`decision` is not a boolean", answer.requestId);
    }
    return answer.body as AuthzenDecision;
  }
  async evaluations(request: AuthzenEvaluations, o?: CallOptions): Promise<AuthzenDecisions> {
    return (await this.http.call("POST", this.t("/access/v1/evaluations"), { body: request, expect: [200] }, o)).body as AuthzenDecisions;
  }
  /** AuthZEN search: the subjects, resources or actions a question would allow. */
  async search(kind: "subject" | "resource" | "action", request: AuthzenSearch, o?: CallOptions): Promise<AuthzenSearchResults> {
    const path = this.t(`/access/v1/search/${kind}`);
    return (await this.http.call("POST", path, { body: request, expect: [200] }, o)).body as AuthzenSearchResults;
  }

  /**
   * AuthZEN Access Request profile: submits a requestable denial of a start
   * (the question again, `denial` echoing `context.access_request`); its task.
   */
  async accessRequest(request: AuthzenAccessRequest, o?: CallOptions): Promise<AuthzenTask> {
    const answer = await this.http.call("POST", this.t("/access/v1/requests"), { body: request, expect: [201, 202] }, o);
    return answer.body as AuthzenTask;
  }
  /** AuthZEN Access Request profile: a submitted request's task. */
  async accessRequestTask(id: string, o?: CallOptions): Promise<AuthzenTask> {
    const path = this.t(`/access/v1/requests/${encodeURIComponent(id)}`);
    return (await this.http.call("GET", path, { expect: [200] }, o)).body as AuthzenTask;
  }

  // ---- audit and outbox ----------------------------------------------
  /** The audit trail, oldest first (the JSON lines, parsed). */
  async queryAudit(query: AuditQuery = {}, o?: CallOptions): Promise<AuditEvent[]> {
    const answer = await this.http.call("GET", this.t("/audit"), { query: { ...query }, expect: [200], raw: true }, o);
    return answer.text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => {
        try {
          return JSON.parse(line) as AuditEvent;
        } catch {
          throw new StandinProtocolError(answer.status, "an audit line is not JSON", answer.requestId);
        }
      });
  }
  /** The audit trail as CSV. */
  async exportAuditCsv(query: AuditQuery = {}, o?: CallOptions): Promise<string> {
    return (await this.http.call("GET", this.t("/audit"), { query: { ...query, format: "csv" }, expect: [200], raw: true }, o)).text;
  }
  async verifyAudit(o?: CallOptions): Promise<Verification> {
    return (await this.http.call("GET", this.t("/audit/verify"), { expect: [200] }, o)).body as Verification;
  }
  async listOutbox(query: { all?: boolean; limit?: number; after?: number } = {}, o?: CallOptions): Promise<OutboxList> {
    return (await this.http.call("GET", this.t("/outbox"), { query, expect: [200] }, o)).body as OutboxList;
  }
  async claimOutbox(claim: { limit?: number; lease_seconds?: number } = {}, o?: CallOptions): Promise<Claimed> {
    return (await this.http.call("POST", this.t("/outbox/claim"), { body: claim, expect: [200] }, o)).body as Claimed;
  }
  async ackOutbox(ids: number[], o?: CallOptions): Promise<S["Acked"]> {
    return (await this.http.call("POST", this.t("/outbox/ack"), { body: { ids }, expect: [200] }, o)).body as S["Acked"];
  }
  async getNotifications(o?: CallOptions): Promise<Notifications> {
    return (await this.http.call("GET", this.t("/notifications"), { expect: [200] }, o)).body as Notifications;
  }
  async setNotifications(patch: NotificationsPatch, o?: CallOptions): Promise<Notifications> {
    return (await this.http.call("PUT", this.t("/notifications"), { body: patch, expect: [200] }, o)).body as Notifications;
  }

  // ---- webhook endpoints --------------------------------------------
  /**
   * Adds an endpoint for the tenant's events (`events`: names, `session.*`
   * families or `*`, the default). Its `secret` is shown this once.
   */
  async addWebhook(webhook: WebhookNew, o?: CallOptions): Promise<WebhookWithSecret> {
    return (await this.http.call("POST", this.t("/webhooks"), { body: webhook, expect: [201] }, o)).body as WebhookWithSecret;
  }
  /** The endpoints, oldest first, with where each one's delivery stands. */
  async listWebhooks(o?: CallOptions): Promise<WebhookList> {
    return (await this.http.call("GET", this.t("/webhooks"), { expect: [200] }, o)).body as WebhookList;
  }
  async getWebhook(id: string, o?: CallOptions): Promise<Webhook> {
    return (await this.http.call("GET", this.w(id), { expect: [200] }, o)).body as Webhook;
  }
  /** Removes an endpoint and its delivery log. */
  async removeWebhook(id: string, o?: CallOptions): Promise<Webhook> {
    return (await this.http.call("DELETE", this.w(id), { expect: [200] }, o)).body as Webhook;
  }
  /** A new secret (shown this once); the current one keeps signing for `overlap_seconds` (default 86400). */
  async rotateWebhookSecret(id: string, rotate: WebhookRotate = {}, o?: CallOptions): Promise<WebhookWithSecret> {
    return (await this.http.call("POST", this.w(id, "/rotate"), { body: rotate, expect: [200] }, o)).body as WebhookWithSecret;
  }
  /** Sends a signed `webhook.test` message now and says what the receiver answered. */
  async testWebhook(id: string, o?: CallOptions): Promise<WebhookTest> {
    return (await this.http.call("POST", this.w(id, "/test"), { expect: [200] }, o)).body as WebhookTest;
  }
  /** The endpoint's delivery log, newest first. */
  async listWebhookDeliveries(
    id: string,
    query: { status?: WebhookDelivery["status"]; limit?: number } = {},
    o?: CallOptions,
  ): Promise<WebhookDeliveries> {
    return (await this.http.call("GET", this.w(id, "/deliveries"), { query, expect: [200] }, o)).body as WebhookDeliveries;
  }
  /** Delivers the endpoint's dead letters again, before new events. */
  async replayWebhooks(id: string, o?: CallOptions): Promise<WebhookReplay> {
    return (await this.http.call("POST", this.w(id, "/replay"), { expect: [200] }, o)).body as WebhookReplay;
  }

  // ---- Shared Signals (SSF) streams -----------------------------------
  /** The tenant's SSF transmitter metadata (issuer `{base}/{tenant}`; no key); 404 without `--token-key`. */
  async ssfConfiguration(o?: CallOptions): Promise<SsfConfiguration> {
    const path = `/.well-known/ssf-configuration/${encodeURIComponent(this.tenant)}`;
    return (await this.http.call("GET", path, { expect: [200] }, o)).body as SsfConfiguration;
  }
  /**
   * Creates a stream: push (`urn:ietf:rfc:8935`, to `delivery.endpoint_url`)
   * or poll (`urn:ietf:rfc:8936`). It receives CAEP session events from now on.
   */
  async createSsfStream(stream: SsfStreamRequest, o?: CallOptions): Promise<SsfStream> {
    return (await this.http.call("POST", this.ssf("/streams"), { body: stream, expect: [201] }, o)).body as SsfStream;
  }
  /** One stream's configuration (`streamId`), or a list of every stream of the tenant. */
  async getSsfStreams(streamId?: string, o?: CallOptions): Promise<SsfStreamOrList> {
    // raw: the answer is an object or a list, read here.
    const answer = await this.http.call("GET", this.ssf("/streams"), { query: { stream_id: streamId }, expect: [200], raw: true }, o);
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      throw new StandinProtocolError(answer.status, "the answer is not valid JSON", answer.requestId);
    }
    if (!isObject(body) && !Array.isArray(body)) {
      throw new StandinProtocolError(answer.status, "neither a stream nor a list of them", answer.requestId);
    }
    return body as SsfStreamOrList;
  }
  /** Changes the `events_requested`, `aud` or push `authorization_header` given of stream `stream.stream_id`. */
  async updateSsfStream(stream: SsfStreamRequest, o?: CallOptions): Promise<SsfStream> {
    return (await this.http.call("PATCH", this.ssf("/streams"), { body: stream, expect: [200] }, o)).body as SsfStream;
  }
  /** Replaces the `events_requested` and push `authorization_header` of stream `stream.stream_id`. */
  async replaceSsfStream(stream: SsfStreamRequest, o?: CallOptions): Promise<SsfStream> {
    return (await this.http.call("PUT", this.ssf("/streams"), { body: stream, expect: [200] }, o)).body as SsfStream;
  }
  async deleteSsfStream(streamId: string, o?: CallOptions): Promise<void> {
    await this.http.call("DELETE", this.ssf("/streams"), { query: { stream_id: streamId }, expect: [204], raw: true }, o);
  }
  /** A stream's status: `enabled`, `paused` (events held) or `disabled` (events dropped). */
  async getSsfStatus(streamId: string, o?: CallOptions): Promise<SsfStatus> {
    return (await this.http.call("GET", this.ssf("/status"), { query: { stream_id: streamId }, expect: [200] }, o)).body as SsfStatus;
  }
  /** Enables, pauses or disables a stream (`{ stream_id, status, reason }`). */
  async setSsfStatus(status: SsfStatus & { stream_id: string; status: NonNullable<SsfStatus["status"]> }, o?: CallOptions): Promise<SsfStatus> {
    return (await this.http.call("POST", this.ssf("/status"), { body: status, expect: [200] }, o)).body as SsfStatus;
  }
  /** Sends the stream a verification SET carrying `state`: pushed now, or in its next poll. */
  async verifySsfStream(verify: SsfVerify, o?: CallOptions): Promise<void> {
    await this.http.call("POST", this.ssf("/verify"), { body: verify, expect: [204], raw: true }, o);
  }
  /**
   * RFC 8936: acknowledges `ack` (and every SET before them), then takes the
   * next SETs by `jti`, waiting up to 5 s for one unless `returnImmediately`
   * (a longer wait needs `timeoutMs` over 5000).
   */
  async pollSsfStream(streamId: string, poll: SsfPoll = {}, o?: CallOptions): Promise<SsfPollAnswer> {
    const path = this.ssf(`/poll/${encodeURIComponent(streamId)}`);
    return (await this.http.call("POST", path, { body: poll, expect: [200] }, o)).body as SsfPollAnswer;
  }

  // ---- enforcement at the gateway ------------------------------------
  /**
   * The gateway's question (GET; no API key is sent): may `method uri` pass
   * with the impersonation `token`? 401 and 403 are returned refusals.
   */
  async forwardAuth(request: ForwardAuthRequest, o?: CallOptions): Promise<ForwardAuthAnswer> {
    return this.forward("GET", request, o);
  }
  /** `forwardAuth`, asked with POST (never retried). */
  async forwardAuthPost(request: ForwardAuthRequest, o?: CallOptions): Promise<ForwardAuthAnswer> {
    return this.forward("POST", request, o);
  }
  /**
   * `forwardAuth` in Envoy's form (ext_authz `path_prefix: /v1/forward-auth`):
   * asked with the original method on `/v1/forward-auth` + `uri` (path and
   * query), no forwarded headers; retried only as a GET.
   */
  async forwardAuthPrefix(request: ForwardAuthRequest, o?: CallOptions): Promise<ForwardAuthAnswer> {
    if (!request.uri.startsWith("/")) throw new TypeError(`\`uri\` must be a path from \`/\`, not ${JSON.stringify(request.uri)}`);
    const init = { expect: [200, 401, 403], raw: true, key: request.token, anonymous: true };
    const method = request.method.toUpperCase() as Method;
    return forwardAuthAnswer(await this.http.call(method, `/v1/forward-auth${request.uri}`, init, o));
  }
  private async forward(verb: "GET" | "POST", request: ForwardAuthRequest, o?: CallOptions): Promise<ForwardAuthAnswer> {
    // raw: a pass has no body; 401 and 403 are answers, not errors.
    const headers = { "X-Original-Method": request.method, "X-Original-URI": request.uri };
    const init = { expect: [200, 401, 403], raw: true, key: request.token, anonymous: true, headers };
    return forwardAuthAnswer(await this.http.call(verb, "/v1/forward-auth", init, o));
  }
  /** The route table that names each request's action for forward-auth, in order (empty when none is set). */
  async getRoutes(o?: CallOptions): Promise<RouteTable> {
    return routeTable(await this.http.call("GET", this.t("/routes"), { expect: [200] }, o));
  }
  /**
   * Replaces the route table: `{ routes }`, or `{ text }` (one
   * `METHOD PATTERN -> ACTION` a line; first match wins). A bad rule is a
   * `400 invalid-request` naming its line.
   */
  async setRoutes(table: RouteTableSet, o?: CallOptions): Promise<RouteTable> {
    return routeTable(await this.http.call("PUT", this.t("/routes"), { body: table, expect: [200] }, o));
  }

  // ---- token exchange (RFC 8693) -------------------------------------
  /**
   * Trades the target's JWT (`subject_token`) and the admin's
   * (`actor_token`), of issuers the tenant trusts, for an impersonation
   * token when the policy allows the start (audited; the key needs
   * `decide`; a form body; never retried). Issued, pending or denied with
   * the reasons is returned; any other OAuth error (`invalid_request`: a
   * token not accepted) throws a `StandinTokenExchangeError`.
   */
  async exchangeToken(request: TokenExchangeRequest, o?: CallOptions): Promise<Exchanged> {
    const form: Record<string, string | number | undefined> = {
      grant_type: TOKEN_EXCHANGE,
      subject_token_type: JWT_TOKEN_TYPE,
      actor_token_type: JWT_TOKEN_TYPE,
      ...request,
    };
    return exchanged(await this.http.call("POST", this.t("/oauth/token"), { form, expect: [200, 400] }, o));
  }
  /** The identity providers whose tokens the token exchange takes. */
  async getTokenIssuers(o?: CallOptions): Promise<TokenIssuers> {
    return tokenIssuers(await this.http.call("GET", this.t("/token-issuers"), { expect: [200] }, o));
  }
  /**
   * Replaces the trusted issuers, each with its JWKS (public keys only) and
   * an optional claim map; a bad one is a `400 invalid-request` naming it.
   */
  async setTokenIssuers(issuers: TokenIssuers, o?: CallOptions): Promise<TokenIssuers> {
    return tokenIssuers(await this.http.call("PUT", this.t("/token-issuers"), { body: issuers, expect: [200] }, o));
  }

  // ---- policy versions -----------------------------------------------
  /** Uploads a version; a refused one is a `StandinUploadRefusedError` naming the step. */
  async uploadPolicy(upload: Upload, o?: CallOptions): Promise<PolicyVersion> {
    return (await this.http.call("POST", this.t("/policies"), { body: upload, expect: [201] }, o)).body as PolicyVersion;
  }
  async listPolicies(o?: CallOptions): Promise<PolicyVersions> {
    return (await this.http.call("GET", this.t("/policies"), { expect: [200] }, o)).body as PolicyVersions;
  }
  async getPolicy(version: number, o?: CallOptions): Promise<PolicyVersion> {
    return (await this.http.call("GET", this.t(`/policies/${version}`), { expect: [200] }, o)).body as PolicyVersion;
  }
  async activatePolicy(version: number, o?: CallOptions): Promise<PolicyVersion> {
    return (await this.http.call("POST", this.t(`/policies/${version}/activate`), { expect: [200] }, o)).body as PolicyVersion;
  }
  async rollbackPolicy(o?: CallOptions): Promise<PolicyVersion> {
    return (await this.http.call("POST", this.t("/policies/rollback"), { expect: [200] }, o)).body as PolicyVersion;
  }
  /** The replay of recorded decisions against `version` (`policy diff`). */
  async diffPolicy(version: number, query: { since?: string } = {}, o?: CallOptions): Promise<Replay> {
    return (await this.http.call("GET", this.t(`/policies/${version}/diff`), { query, expect: [200] }, o)).body as Replay;
  }
}

function checkDecision(body: unknown, answer: Answer): Decision {
  if (!isObject(body) || typeof body.decision !== "string" || !DECISIONS.has(body.decision) || !Array.isArray(body.reasons)) {
    throw new StandinProtocolError(answer.status, "not a decision", answer.requestId);
  }
  return body as Decision;
}

function decision(answer: Answer): Decision {
  return checkDecision(answer.body, answer);
}

function forwardAuthAnswer(answer: Answer): ForwardAuthAnswer {
  if (answer.status === 200) {
    const header = (name: string) => answer.headers.get(name) ?? undefined;
    const passed: ForwardAuthAnswer = { status: 200, allowed: true };
    const actingAs = header("x-standin-acting-as");
    const onBehalfOf = header("x-standin-on-behalf-of");
    const session = header("x-standin-session");
    if (actingAs !== undefined) passed.actingAs = actingAs;
    if (onBehalfOf !== undefined) passed.onBehalfOf = onBehalfOf;
    if (session !== undefined) passed.session = session;
    return passed;
  }
  if (answer.status === 403) return { status: 403, allowed: false, decision: decision(answer) };
  return { status: 401, allowed: false };
}

function routeTable(answer: Answer): RouteTable {
  const routes = (answer.body as Record<string, unknown>).routes;
  if (!Array.isArray(routes)) throw new StandinProtocolError(answer.status, "no `routes` list", answer.requestId);
  return answer.body as RouteTable;
}

function tokenIssuers(answer: Answer): TokenIssuers {
  const issuers = (answer.body as Record<string, unknown>).issuers;
  if (!Array.isArray(issuers)) throw new StandinProtocolError(answer.status, "no `issuers` list", answer.requestId);
  return answer.body as TokenIssuers;
}

function exchanged(answer: Answer): Exchanged {
  const body = answer.body as Record<string, unknown>;
  if (answer.status === 200) {
    if (typeof body.access_token !== "string" || typeof body.session_id !== "string") {
      throw new StandinProtocolError(answer.status, "not an issued token", answer.requestId);
    }
    return { outcome: "issued", token: body as TokenExchanged };
  }
  const error = body.error;
  if (isObject(error) && typeof error.code === "string" && typeof error.message === "string") {
    // A 400 in the house form (a tenant id that is not one), not OAuth's.
    throw new StandinApiError(answer.status, error.code, error.message, answer.requestId);
  }
  if (typeof error !== "string") throw new StandinProtocolError(answer.status, "not an OAuth error", answer.requestId);
  const oauth = body as OAuthError;
  if (error === "authorization_pending") {
    if (typeof oauth.session_id !== "string") {
      throw new StandinProtocolError(answer.status, "`authorization_pending` without a `session_id`", answer.requestId);
    }
    return { outcome: "pending", sessionId: oauth.session_id, error: oauth };
  }
  if (DENIED.has(error)) return { outcome: "denied", error: oauth };
  const description = typeof body.error_description === "string" ? body.error_description : undefined;
  throw new StandinTokenExchangeError(error, description, body, answer.requestId);
}

function session(answer: Answer): Session {
  const body = answer.body;
  if (!isObject(body) || typeof body.id !== "string" || typeof body.state !== "string") {
    throw new StandinProtocolError(answer.status, "not a session", answer.requestId);
  }
  return body as Session;
}

function sessionOrDenied(answer: Answer): SessionOrDenied {
  const body = answer.body as Record<string, unknown>;
  if (body.decision === "deny") return { outcome: "denied", decision: decision(answer) };
  return { outcome: "session", session: session(answer) };
}
