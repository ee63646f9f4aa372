// Generated from docs/openapi.json by scripts/generate.mjs: do not edit.
// Run `npm run generate` after the document changes.

export interface paths {
    "/.well-known/authzen-configuration/{t}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** AuthZEN Policy Decision Point metadata of a tenant. */
        get: operations["authzenConfiguration"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The public keys of impersonation tokens (EdDSA, Ed25519), the signing key first; 404 when the server signs no tokens. */
        get: operations["jwks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/ssf-configuration/{t}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's SSF transmitter metadata (issuer `{base}/{t}`); 404 when the server signs no SETs (no token key). */
        get: operations["ssfConfiguration"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{t}/access/v1/evaluation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** AuthZEN Access Evaluation at the default path under the PDP identifier `{base}/{t}`. */
        post: operations["authzenEvaluationAtPdp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{t}/access/v1/evaluations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** AuthZEN Access Evaluations at the default path under the PDP identifier `{base}/{t}`. */
        post: operations["authzenEvaluationsAtPdp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{t}/access/v1/requests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** AuthZEN Access Request profile: submit, at the default path under the PDP identifier. */
        post: operations["authzenAccessRequestAtPdp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{t}/access/v1/requests/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** AuthZEN Access Request profile: a task, at the default path under the PDP identifier. */
        get: operations["authzenAccessRequestTaskAtPdp"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{t}/access/v1/search/action": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** AuthZEN Action Search at the default path under the PDP identifier `{base}/{t}`. */
        post: operations["authzenSearchActionAtPdp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{t}/access/v1/search/resource": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** AuthZEN Resource Search at the default path under the PDP identifier `{base}/{t}`. */
        post: operations["authzenSearchResourceAtPdp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{t}/access/v1/search/subject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** AuthZEN Subject Search at the default path under the PDP identifier `{base}/{t}`. */
        post: operations["authzenSearchSubjectAtPdp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process runs. */
        get: operations["healthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics: decisions, latencies, policy errors and timeouts, the audit writer. */
        get: operations["metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document. */
        get: operations["openapi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The store answers: ready for traffic. */
        get: operations["readyz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/forward-auth": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The gateway's question (nginx auth_request, Caddy forward_auth, Traefik forwardAuth): the original method and URI from X-Original-Method/X-Original-URI or X-Forwarded-Method/-Uri, the impersonation token from Authorization: Bearer; the tenant's route table names the action, the session's policy decides (audited). X-Standin-Tenant, set by the gateway, names the tenant it serves: a token of another tenant is refused, and so is a request without one when that tenant's table says `tokenless deny`. */
        get: operations["forwardAuth"];
        put?: never;
        /** The gateway's question (nginx auth_request, Caddy forward_auth, Traefik forwardAuth): the original method and URI from X-Original-Method/X-Original-URI or X-Forwarded-Method/-Uri, the impersonation token from Authorization: Bearer; the tenant's route table names the action, the session's policy decides (audited). X-Standin-Tenant, set by the gateway, names the tenant it serves: a token of another tenant is refused, and so is a request without one when that tenant's table says `tokenless deny`. */
        post: operations["forwardAuthPost"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/forward-auth/{path}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Envoy ext_authz (HTTP service, `path_prefix: /v1/forward-auth`): the question asked with the original method (any) and the original path and query after the prefix; forwarded headers are not read here, the request line is the original. Answers as forwardAuth. */
        get: operations["forwardAuthPrefix"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settings-schema": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The JSON Schema (2020-12) of the default policy's settings: each field's type, default, description and the rule ids it drives (`x-standin-rules`); what the console's settings form is made from. */
        get: operations["settingsSchema"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/access/v1/evaluation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** AuthZEN Access Evaluation: one question. */
        post: operations["authzenEvaluation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/access/v1/evaluations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** AuthZEN Access Evaluations: many questions, with defaults and a semantic. */
        post: operations["authzenEvaluations"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/access/v1/requests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** AuthZEN Access Request profile: submit a requestable denial of a start; the session starts waiting for its approvers. */
        post: operations["authzenAccessRequest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/access/v1/requests/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** AuthZEN Access Request profile: an access request's task (its session, as the profile's status). */
        get: operations["authzenAccessRequestTask"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/access/v1/search/action": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** AuthZEN Action Search: the actions the subject may do on the resource. */
        post: operations["authzenSearchAction"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/access/v1/search/resource": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** AuthZEN Resource Search: the resources of a type the subject may do the action on. */
        post: operations["authzenSearchResource"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/access/v1/search/subject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** AuthZEN Subject Search: the subjects of a type that may do the action on the resource. */
        post: operations["authzenSearchSubject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's audit events, oldest first, streamed as JSON lines or CSV. */
        get: operations["queryAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/audit/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Verify the tenant's hash chain, and the sessions and policy versions against it. */
        get: operations["verifyAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/authorize": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Many `authorize` calls at once, answered in order, with one wait for their audit rows. */
        post: operations["authorizeBatch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/check/action": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** May the actor do this in the session described? Asks the tenant's active policy; stores nothing. */
        post: operations["checkAction"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/check/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** May the actor start impersonating the target? Asks the tenant's active policy; stores nothing. */
        post: operations["checkStart"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's notification switch and texts. */
        get: operations["getNotifications"];
        /** Change the tenant's notification switch and texts (fields left out are kept). */
        put: operations["setNotifications"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/oauth/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** RFC 8693 token exchange (form body): the target's `subject_token` and the admin's `actor_token`, JWTs of issuers the tenant trusts, for an impersonation token when the policy allows the start (audited). Errors are RFC 6749's: `invalid_grant` (the deny, with `reasons`), `authorization_pending` (ask again with `session_id`), `invalid_request` (a token not accepted). */
        post: operations["exchangeToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/outbox": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Messages to impersonated users not yet acknowledged (all with `all=true`). */
        get: operations["listOutbox"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/outbox/ack": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Acknowledge delivered messages: all of them, or none when one id is unknown. */
        post: operations["ackOutbox"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/outbox/claim": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Claim messages to deliver: oldest unacknowledged ones no other consumer holds, held for this caller until `claimed_until` (then claimable again unless acknowledged). */
        post: operations["claimOutbox"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/policies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every version of the tenant's policy. */
        get: operations["listPolicies"];
        put?: never;
        /** Upload a version: checked (size, component, compile, imports, world, settings) and tested with the suites given before it is stored; activated if asked. No component: the built-in policy. */
        post: operations["uploadPolicy"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/policies/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One version. */
        get: operations["getPolicy"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/policies/{version}/activate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Make a stored version the active one (new sessions use it). */
        post: operations["activatePolicy"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/policies/{version}/diff": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Replay the recorded requests against a version: which decisions would change. */
        get: operations["diffPolicy"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/policies/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Make the version active before the last activation active again. */
        post: operations["rollbackPolicy"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/principals/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** New facts about a user: every active session where it is the actor or the target is asked again; those no longer allowed end (revoked, with the codes), the others go on with the new facts. */
        put: operations["updatePrincipal"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/routes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's route table (empty when none is set). */
        get: operations["getRoutes"];
        /** Replace the tenant's route table: `{"routes": [{method, path, action}]}` or `{"text": "METHOD PATTERN -> ACTION\n..."}`; a bad rule is refused naming it. */
        put: operations["setRoutes"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's sessions, newest first. */
        get: operations["listSessions"];
        put?: never;
        /** Start a session if the tenant's active policy allows it (audited either way). */
        post: operations["startSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One session. */
        get: operations["getSession"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/sessions/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve a pending session as `approver`: active from now, for what the pending start granted. */
        post: operations["approveSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/sessions/{id}/authorize": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** May the actor do this inside the session? Audited; durable when answered. */
        post: operations["authorize"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/sessions/{id}/banner": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The banner facts: who, as whom, time left, expiring soon. */
        get: operations["getBanner"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/sessions/{id}/end": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End the session (the actor stops). */
        post: operations["endSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/sessions/{id}/extend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ask the session's policy for more time: the session, or the deny. */
        post: operations["extendSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/sessions/{id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reject a pending session as `approver`, saying why: it ends `rejected`. */
        post: operations["rejectSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/sessions/{id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End someone's session, saying why. */
        post: operations["revokeSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/sessions/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End every active session of an actor, saying why. */
        post: operations["revokeActor"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/settings-schema": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The JSON Schema of the settings the tenant's active policy takes: the built-in policy's (as GET /v1/settings-schema), or what a custom component publishes (`settings-schema`, standin:policy@0.6.0); what the console's settings form is made from. */
        get: operations["getTenantSettingsSchema"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/ssf/poll/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** RFC 8936: acknowledge SETs (`ack`; a SET acknowledges those before it too) and take the next ones, waiting up to 5 s for one unless `returnImmediately`. */
        post: operations["pollSsfStream"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/ssf/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A stream's status: `enabled`, `paused` (events held) or `disabled` (events dropped). */
        get: operations["getSsfStatus"];
        put?: never;
        /** Enable, pause or disable a stream. */
        post: operations["setSsfStatus"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/ssf/streams": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One stream's configuration (`stream_id`), or every stream of the tenant. */
        get: operations["getSsfStreams"];
        /** Replace a stream's `events_requested`, `aud` and push `delivery.authorization_header` (as PATCH does). */
        put: operations["replaceSsfStream"];
        /** Create a stream: push (`urn:ietf:rfc:8935`, to `delivery.endpoint_url`) or poll (`urn:ietf:rfc:8936`, the transmitter gives the URL). It receives CAEP session events from now on. */
        post: operations["createSsfStream"];
        /** Delete a stream. */
        delete: operations["deleteSsfStream"];
        options?: never;
        head?: never;
        /** Change a stream's `events_requested`, `aud` or push `delivery.authorization_header` (members given replace). */
        patch: operations["updateSsfStream"];
        trace?: never;
    };
    "/v1/tenants/{t}/ssf/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send the stream a verification SET (with `state`): pushed now, or in the next poll. */
        post: operations["verifySsfStream"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's activity: sessions started and decisions per day (UTC), denials by code, the top actors and targets by sessions started, and sessions active and pending now. */
        get: operations["getStats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/token-issuers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The identity providers whose tokens the tenant's token exchange takes. */
        get: operations["getTokenIssuers"];
        /** Replace the tenant's trusted issuers (each with its JWKS; public keys only). */
        put: operations["setTokenIssuers"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/tokens/introspect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Is this impersonation token active: signed here, for this tenant, and its session still running? */
        post: operations["introspectToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's webhook endpoints, oldest first, with where each one's delivery stands. */
        get: operations["listWebhooks"];
        put?: never;
        /** Add a webhook endpoint: it receives the tenant's audit events from now on, signed as Standard Webhooks say. The answer carries the secret, shown this once. */
        post: operations["addWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One webhook endpoint. */
        get: operations["getWebhook"];
        put?: never;
        post?: never;
        /** Remove a webhook endpoint and its delivery log. */
        delete: operations["removeWebhook"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The endpoint's delivery log, newest first: events delivered, dead letters, replays under way. */
        get: operations["listWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/webhooks/{id}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Deliver the endpoint's dead letters again (before new events, in order). */
        post: operations["replayWebhooks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/webhooks/{id}/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A new secret for the endpoint (shown this once); the current one keeps signing beside it for `overlap_seconds` (default 86400), so receivers switch without refusing a message. */
        post: operations["rotateWebhookSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{t}/webhooks/{id}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send the endpoint a signed `webhook.test` message now and say what its receiver answered. */
        post: operations["testWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Ack: {
            ids: number[];
        };
        Acked: {
            acked?: number;
        };
        ActionRequest: {
            action: string;
            /** Format: date-time */
            now?: string;
            resource?: string | null;
            session: components["schemas"]["SessionFacts"];
            tenant: string;
        };
        Approve: {
            approver: components["schemas"]["Principal"];
        };
        Approvers: {
            roles?: string[];
            target?: boolean;
            /** @description how long the request waits */
            ttl_seconds?: number;
        };
        AuditEvent: {
            action?: string | null;
            actor?: string | null;
            /** Format: date-time */
            at: string;
            codes?: string[];
            detail?: string;
            end_reason?: string | null;
            event: string;
            hash: string;
            policy?: components["schemas"]["PolicyRef"];
            reason?: string | null;
            resource?: string | null;
            seq: number;
            session?: string | null;
            target?: string | null;
            tenant: string;
            user?: string;
        };
        Authorization: {
            acting_as?: string;
            on_behalf_of?: string;
            policy?: components["schemas"]["PolicyRef"];
            session?: string;
        } & components["schemas"]["Decision"];
        Authorize: {
            action: string;
            resource?: string | null;
        };
        AuthorizeBatch: {
            calls: {
                action: string;
                resource?: string | null;
                session: string;
            }[];
        };
        AuthorizeResults: {
            results?: (components["schemas"]["Authorization"] | components["schemas"]["Error"])[];
        };
        /** @description the Access Request profile's submission: the denied start question, and the denial it echoes */
        AuthzenAccessRequest: {
            action: {
                name: string;
            };
            context?: Record<string, unknown>;
            denial: {
                binding_token: string;
                evaluated_at?: string;
                evaluation_id?: string;
                expires_at: string;
                reason?: string;
            };
            resource: components["schemas"]["AuthzenEntity"];
            subject: components["schemas"]["AuthzenEntity"];
        };
        AuthzenDecision: {
            context?: Record<string, unknown>;
            decision: boolean;
        };
        AuthzenDecisions: {
            evaluations?: components["schemas"]["AuthzenDecision"][];
        };
        AuthzenEntity: {
            id: string;
            properties?: Record<string, unknown>;
            type: string;
        };
        AuthzenEvaluation: {
            action: {
                name: string;
            };
            context?: Record<string, unknown>;
            resource: components["schemas"]["AuthzenEntity"];
            subject: components["schemas"]["AuthzenEntity"];
        };
        AuthzenEvaluations: {
            action?: {
                name?: string;
            };
            context?: Record<string, unknown>;
            evaluations?: Record<string, unknown>[];
            options?: {
                /** @enum {unknown} */
                evaluations_semantic?: "execute_all" | "deny_on_first_deny" | "permit_on_first_permit";
            };
            resource?: components["schemas"]["AuthzenEntity"];
            subject?: components["schemas"]["AuthzenEntity"];
        };
        AuthzenMetadata: {
            access_evaluation_endpoint: string;
            access_evaluations_endpoint?: string;
            access_request_endpoint?: string;
            capabilities?: string[];
            jwks_uri?: string;
            policy_decision_point: string;
            search_action_endpoint?: string;
            search_resource_endpoint?: string;
            search_subject_endpoint?: string;
            signed_metadata?: string;
            supported_obligations?: string[];
        };
        /** @description an RFC 9457 problem of the Access Request profile */
        AuthzenProblem: {
            detail?: string;
            status: number;
            title?: string;
            type: string;
        };
        AuthzenSearch: {
            action?: {
                name: string;
            };
            context?: Record<string, unknown>;
            page?: Record<string, unknown>;
            resource?: {
                id?: string;
                properties?: Record<string, unknown>;
                type: string;
            };
            subject?: {
                id?: string;
                properties?: Record<string, unknown>;
                type: string;
            };
        };
        AuthzenSearchResults: {
            results: Record<string, unknown>[];
        };
        AuthzenTask: {
            result?: {
                approval: {
                    approved_at?: string;
                    approved_until: string;
                    id: string;
                };
                /** @constant */
                mode: "reevaluate";
            };
            task: {
                expires_at?: string;
                id: string;
                /** @enum {unknown} */
                status: "pending" | "approved" | "denied" | "expired" | "cancelled";
                status_endpoint: string;
            };
        };
        Banner: {
            actor: string;
            /** @enum {unknown} */
            end_reason?: "stopped" | "expired" | "revoked" | "rejected" | "approval-expired" | "idle" | null;
            /** Format: date-time */
            expires_at: string;
            expiring_soon: boolean;
            id: string;
            idle_timeout_seconds?: number;
            read_only?: boolean;
            remaining_seconds: number;
            return_to?: string | null;
            scope?: components["schemas"]["Scope"];
            /** @enum {unknown} */
            state: "active" | "ended" | "pending";
            target: string;
            tenant?: string;
        };
        Claim: {
            /** @default 60 */
            lease_seconds: number;
            /** @default 100 */
            limit: number;
        };
        Claimed: {
            /** Format: date-time */
            claimed_until: string;
            messages: components["schemas"]["OutboxMessage"][];
        };
        Decision: {
            approvers?: components["schemas"]["Approvers"];
            /** @enum {unknown} */
            decision: "allow" | "deny" | "pending";
            /** @description for operators: what went wrong inside the host or the policy */
            diagnostics?: string[];
            /** @description a start's granted idle timeout (IT1) */
            idle_timeout_seconds?: number;
            max_ttl_seconds?: number;
            notify_target?: boolean;
            obligations?: string[];
            policy?: components["schemas"]["PolicyRef"];
            read_only?: boolean;
            reasons: components["schemas"]["Reason"][];
            scope?: components["schemas"]["Scope"];
            ttl_seconds?: number;
        };
        Error: {
            error: {
                code: string;
                message: string;
            };
        };
        Extend: {
            ttl_seconds: number;
        };
        Health: {
            status?: string;
            /** @description `/healthz`: seconds since the process started */
            uptime_seconds?: number;
        };
        Introspect: {
            token: string;
        };
        Introspection: {
            act?: {
                sub?: string;
            };
            active: boolean;
            exp?: number;
            sid?: string;
            sub?: string;
        };
        Jwks: {
            keys: {
                /** @constant */
                alg?: "EdDSA";
                /** @constant */
                crv: "Ed25519";
                kid: string;
                /** @constant */
                kty: "OKP";
                /** @constant */
                use?: "sig";
                x: string;
            }[];
        };
        Notifications: {
            enabled: boolean;
            ended_template: string;
            started_template: string;
        };
        NotificationsPatch: {
            enabled?: boolean;
            ended_template?: string;
            started_template?: string;
        };
        OAuthError: {
            /** @enum {string} */
            error: "invalid_request" | "invalid_grant" | "authorization_pending" | "access_denied" | "expired_token" | "unsupported_grant_type" | "invalid_target" | "invalid_scope";
            error_description?: string;
            interval?: number;
            policy?: components["schemas"]["PolicyRef"];
            reasons?: components["schemas"]["Reason"][];
            session_id?: string;
        };
        OutboxList: {
            messages?: components["schemas"]["OutboxMessage"][];
            /** @description with `limit`: the `after` of the next page; null at the end */
            next?: number | null;
        };
        OutboxMessage: {
            /** Format: date-time */
            acked_at?: string | null;
            /** Format: date-time */
            created_at: string;
            id: number;
            /** @enum {unknown} */
            kind: "impersonation.started" | "impersonation.ended" | "impersonation.changes";
            session: string;
            tenant: string;
            text: string;
            to: string;
        };
        PolicyRef: {
            digest: string;
            version: number;
        };
        PolicyVersion: {
            /** Format: date-time */
            activated_at?: string | null;
            active: boolean;
            /** Format: date-time */
            created_at: string;
            digest: string;
            note?: string | null;
            policy?: Record<string, unknown> | null;
            settings: string;
            suites?: unknown[];
            tenant: string;
            uploaded_by?: string | null;
            version: number;
        };
        PolicyVersions: {
            versions?: components["schemas"]["PolicyVersion"][];
        };
        Principal: {
            active?: boolean;
            attributes?: Record<string, unknown>;
            consents?: string[];
            domains?: string[];
            groups?: string[];
            has_logged_in?: boolean;
            id: string;
            manages?: string[];
            permissions?: string[];
            roles?: string[];
            tenant?: string;
        };
        Reason: {
            code: string;
            message: string;
            rule?: string;
        };
        Reevaluated: {
            ended: components["schemas"]["Session"][];
            kept: string[];
            principal: string;
        };
        Reject: {
            approver: components["schemas"]["Principal"];
            reason: string;
        };
        /** @description the report of `standin policy diff` */
        Replay: Record<string, unknown>;
        Revoke: {
            reason: string;
        };
        RevokeActor: {
            actor: string;
            reason: string;
        };
        Revoked: {
            revoked: components["schemas"]["Session"][];
        };
        RouteTable: {
            routes: {
                action: string;
                /** @description an HTTP method, or `*` */
                method: string;
                /** @description `/` segments; `*` one segment, `**` any number */
                path: string;
            }[];
            /**
             * @description a request with no impersonation token from a gateway that names this tenant (`X-Standin-Tenant`): passed untouched, or refused (401)
             * @enum {string}
             */
            tokenless: "pass" | "deny";
        };
        RouteTableSet: {
            routes?: {
                action: string;
                /** @description an HTTP method, or `*` */
                method: string;
                /** @description `/` segments; `*` one segment, `**` any number */
                path: string;
            }[];
            /** @description one rule a line: `METHOD PATTERN -> ACTION` (and `tokenless deny`) */
            text?: string;
            /**
             * @description a request with no impersonation token from a gateway that names this tenant (`X-Standin-Tenant`): passed untouched, or refused (401)
             * @enum {string}
             */
            tokenless?: "pass" | "deny";
        };
        /** @description What a session may do (SC1): actions matching a pattern (`*` any run of characters), on one of `resources` when there are any */
        Scope: {
            actions: string[];
            resources?: string[];
        };
        Session: {
            actor: string;
            /** @description the approval a pending start waits for, or got */
            approval?: {
                /** Format: date-time */
                approved_at?: string;
                approved_by?: string;
                approvers?: components["schemas"]["Approvers"];
                max_ttl_seconds?: number;
                /** Format: date-time */
                requested_at?: string;
                ttl_seconds?: number;
            };
            approvers?: components["schemas"]["Approvers"];
            /**
             * @description on a start that waits for approval
             * @constant
             */
            decision?: "pending";
            /** @description 0 outside any other session; the parent's + 1 */
            depth?: number;
            domain?: string | null;
            /** @enum {unknown} */
            end_reason?: "stopped" | "expired" | "revoked" | "rejected" | "approval-expired" | "idle" | null;
            /** Format: date-time */
            ended_at?: string | null;
            /** Format: date-time */
            expires_at: string;
            id: string;
            /** @description it ends `idle` after this long without an action (IT1) */
            idle_timeout_seconds?: number;
            /** @description an extension kept the later expiry */
            kept_expiry?: boolean;
            /** Format: date-time */
            max_expires_at: string;
            /** @description the target is told when it starts and ends */
            notify_target?: boolean;
            obligations?: string[];
            /** @description the actor's session it was started from (nesting) */
            parent?: string | null;
            policy: components["schemas"]["PolicyRef"];
            read_only?: boolean;
            reason?: string | null;
            return_to?: string | null;
            revoke_reason?: string | null;
            scope?: components["schemas"]["Scope"];
            /** Format: date-time */
            started_at: string;
            /** @enum {unknown} */
            state: "active" | "ended" | "pending";
            target: string;
            tenant: string;
            /** @description on a start, when the server signs tokens: an EdDSA JWT with the target as `sub` and the actor as `act.sub` */
            token?: string;
        };
        SessionFacts: {
            actor: components["schemas"]["Principal"];
            domain?: string | null;
            /** Format: date-time */
            expires_at: string;
            id: string;
            read_only?: boolean;
            reason?: string | null;
            /** Format: date-time */
            started_at: string;
            target: components["schemas"]["Principal"];
        };
        SessionList: {
            /** @description with `limit`: the `after` of the next page; null at the end */
            next?: string | null;
            sessions?: components["schemas"]["Session"][];
        };
        SessionOrDecision: components["schemas"]["Session"] | components["schemas"]["Decision"];
        SsfConfiguration: {
            authorization_schemes?: Record<string, unknown>[];
            configuration_endpoint?: string;
            default_subjects?: string;
            delivery_methods_supported: string[];
            events_supported?: string[];
            issuer: string;
            jwks_uri: string;
            spec_version: string;
            status_endpoint?: string;
            verification_endpoint?: string;
        };
        SsfPoll: {
            ack?: string[];
            maxEvents?: number;
            returnImmediately?: boolean;
            setErrs?: Record<string, unknown>;
        };
        SsfPollAnswer: {
            moreAvailable: boolean;
            sets: {
                [key: string]: string;
            };
        };
        SsfStatus: {
            reason?: string;
            /** @enum {unknown} */
            status?: "enabled" | "paused" | "disabled";
            stream_id?: string;
        };
        SsfStream: {
            aud: string[];
            delivery: {
                endpoint_url: string;
                method: string;
            };
            description?: string | null;
            events_delivered: string[];
            events_requested?: string[];
            events_supported?: string[];
            iss: string;
            min_verification_interval?: number;
            stream_id: string;
        };
        SsfStreamOrList: components["schemas"]["SsfStream"] | components["schemas"]["SsfStream"][];
        SsfStreamRequest: {
            aud?: string | string[];
            delivery?: {
                authorization_header?: string;
                endpoint_url?: string;
                /** @enum {unknown} */
                method?: "urn:ietf:rfc:8935" | "urn:ietf:rfc:8936";
            };
            description?: string;
            events_requested?: string[];
            /** @description update and replace: the stream */
            stream_id?: string;
        };
        SsfVerify: {
            state?: string;
            stream_id: string;
        };
        StartRequest: {
            actor: components["schemas"]["Principal"];
            actor_session?: {
                id?: string;
                target?: string;
            };
            consent_on_behalf?: boolean;
            domain?: string;
            /** Format: date-time */
            now?: string;
            reason?: string;
            scope?: components["schemas"]["Scope"];
            target: components["schemas"]["Principal"];
            tenant: string;
            ttl_seconds?: number;
        };
        /** @description A start request, and where to send the actor when the session ends. */
        StartSession: {
            return_to?: string;
        } & components["schemas"]["StartRequest"];
        Stats: {
            active: number;
            days: {
                actions_allowed: number;
                actions_denied: number;
                /** Format: date */
                day: string;
                sessions_started: number;
                starts_denied: number;
            }[];
            denials: {
                count: number;
                key: string;
            }[];
            /** Format: date */
            first_day: string;
            /** Format: date */
            last_day: string;
            pending: number;
            /** @description the last event of the chain counted */
            through_seq: number;
            top_actors: {
                count: number;
                key: string;
            }[];
            top_targets: {
                count: number;
                key: string;
            }[];
        };
        TokenExchanged: {
            /** @description the impersonation token (EdDSA JWT with `act`) */
            access_token: string;
            expires_in: number;
            issued_token_type: string;
            session_id: string;
            /** @enum {string} */
            token_type: "Bearer";
        };
        TokenExchangeForm: {
            /** @description the admin's JWT */
            actor_token: string;
            /** @enum {string} */
            actor_token_type: "urn:ietf:params:oauth:token-type:jwt" | "urn:ietf:params:oauth:token-type:access_token" | "urn:ietf:params:oauth:token-type:id_token";
            /** @description the tenant, if given */
            audience?: string;
            client_id?: string;
            domain?: string;
            /** @enum {string} */
            grant_type: "urn:ietf:params:oauth:grant-type:token-exchange";
            /** @description why (E2), as a start's */
            reason?: string;
            /** @enum {string} */
            requested_token_type?: "urn:ietf:params:oauth:token-type:access_token" | "urn:ietf:params:oauth:token-type:jwt";
            /** @description a pending start of this exchange, asked about again */
            session_id?: string;
            /** @description the target's JWT */
            subject_token: string;
            /** @enum {string} */
            subject_token_type: "urn:ietf:params:oauth:token-type:jwt" | "urn:ietf:params:oauth:token-type:access_token" | "urn:ietf:params:oauth:token-type:id_token";
            ttl_seconds?: number;
        };
        TokenIssuers: {
            issuers: {
                /** @description the `aud` its tokens name for Standin */
                audience: string;
                /** @description JSON pointers of roles, permissions, groups, manages, domains, consents */
                claims?: Record<string, unknown>;
                /** @description the tokens' `iss`, exactly */
                issuer: string;
                /** @description its public keys (RSA, EC P-256/P-384, OKP Ed25519) */
                jwks: Record<string, unknown>;
            }[];
        };
        Upload: {
            activate?: boolean;
            /** @description the component; absent: the built-in policy */
            component_base64?: string;
            /** @description instead of the bytes: a stored version's `digest` (new settings for the same component) */
            component_digest?: string;
            note?: string;
            settings?: Record<string, unknown> | string;
            /** @description suites it must pass; `settings_file` is refused */
            suites?: Record<string, unknown>[];
        };
        UploadRefused: {
            error?: {
                /** @constant */
                code: "upload-refused";
                message: string;
                /** @enum {unknown} */
                step: "size" | "component" | "compile" | "imports" | "world" | "settings" | "suites";
            };
        };
        Verification: {
            broken: Record<string, unknown> | null;
            events: number;
            head: string;
            problems?: unknown[];
            tenant: string;
        };
        Webhook: {
            /** Format: date-time */
            created_at: string;
            /** @description where delivery stands: every event up to `seq` is handled; the next is being tried */
            cursor: {
                /** @description failed attempts at the next event */
                attempts: number;
                /** Format: date-time */
                failing_since?: string | null;
                last_error?: string | null;
                /** Format: date-time */
                next_at?: string | null;
                seq: number;
            };
            description?: string | null;
            events: string[];
            id: string;
            tenant: string;
            url: string;
        };
        WebhookDeliveries: {
            deliveries: components["schemas"]["WebhookDelivery"][];
        };
        WebhookDelivery: {
            /** Format: date-time */
            at: string;
            attempts: number;
            endpoint: string;
            error?: string | null;
            event: string;
            message_id: string;
            response_status?: number | null;
            seq: number;
            /** @enum {unknown} */
            status: "delivered" | "dead" | "replaying";
        };
        WebhookList: {
            webhooks: components["schemas"]["Webhook"][];
        };
        WebhookNew: {
            description?: string;
            /** @description events (`action.denied`), families (`session.*`) or `*` (every audit event, the default); the outbox's messages for targets as `outbox.*` or `outbox.KIND` */
            events?: string[];
            /** @description https://, or http:// to a loopback host */
            url: string;
        };
        WebhookReplay: {
            replaying: number;
        };
        WebhookRotate: {
            overlap_seconds?: number;
        };
        WebhookTest: {
            delivered: boolean;
            error?: string | null;
            message_id: string;
            status?: number | null;
        };
        WebhookWithSecret: {
            /** @description shown this once */
            secret: string;
        } & components["schemas"]["Webhook"];
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    authzenConfiguration: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the PDP metadata */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthzenMetadata"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    jwks: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the JWKS */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Jwks"];
                };
            };
            /** @description no token key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    ssfConfiguration: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the transmitter metadata */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SsfConfiguration"];
                };
            };
            /** @description the server signs no SETs (no --token-key) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authzenEvaluationAtPdp: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AuthzenEvaluation"];
            };
        };
        responses: {
            /** @description the decision */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthzenDecision"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authzenEvaluationsAtPdp: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AuthzenEvaluations"];
            };
        };
        responses: {
            /** @description one decision per evaluation run */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthzenDecisions"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authzenAccessRequestAtPdp: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AuthzenAccessRequest"];
            };
        };
        responses: {
            /** @description the policy now allows the start outright: the task, approved */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthzenTask"];
                };
            };
            /** @description the request is waiting for its approvers: its task */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthzenTask"];
                };
            };
            /** @description `not_requestable` or `invalid_denial_binding` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["AuthzenProblem"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `expired_denial`: the requestable denial expired */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["AuthzenProblem"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authzenAccessRequestTaskAtPdp: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description a session id */
                id: string;
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the task, with its approval once approved */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthzenTask"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `unknown_task` */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["AuthzenProblem"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authzenSearchActionAtPdp: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AuthzenSearch"];
            };
        };
        responses: {
            /** @description what the question would allow */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthzenSearchResults"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authzenSearchResourceAtPdp: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AuthzenSearch"];
            };
        };
        responses: {
            /** @description what the question would allow */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthzenSearchResults"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authzenSearchSubjectAtPdp: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AuthzenSearch"];
            };
        };
        responses: {
            /** @description what the question would allow */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthzenSearchResults"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    healthz: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description running */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    metrics: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the text exposition format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain; version=0.0.4": unknown;
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    openapi: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the OpenAPI 3.1 document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    readyz: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store does not answer */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    forwardAuth: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description pass: allowed (with the X-Standin-Acting-As, -On-Behalf-Of, -Session headers), or no impersonation token */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description an impersonation token that does not hold, or whose session ended */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description denied: the decision, or `no-route` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Decision"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Standin could not decide (store, policy failure, deadline): refuse */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    forwardAuthPost: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description pass: allowed (with the X-Standin-Acting-As, -On-Behalf-Of, -Session headers), or no impersonation token */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description an impersonation token that does not hold, or whose session ended */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description denied: the decision, or `no-route` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Decision"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Standin could not decide (store, policy failure, deadline): refuse */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    forwardAuthPrefix: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description pass: allowed (with the X-Standin-Acting-As, -On-Behalf-Of, -Session headers), or no impersonation token */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description an impersonation token that does not hold, or whose session ended */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description denied: the decision, or `no-route` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Decision"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Standin could not decide (store, policy failure, deadline): refuse */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    settingsSchema: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the schema (also docs/settings.schema.json) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authzenEvaluation: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AuthzenEvaluation"];
            };
        };
        responses: {
            /** @description the decision */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthzenDecision"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authzenEvaluations: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AuthzenEvaluations"];
            };
        };
        responses: {
            /** @description one decision per evaluation run */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthzenDecisions"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authzenAccessRequest: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AuthzenAccessRequest"];
            };
        };
        responses: {
            /** @description the policy now allows the start outright: the task, approved */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthzenTask"];
                };
            };
            /** @description the request is waiting for its approvers: its task */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthzenTask"];
                };
            };
            /** @description `not_requestable` or `invalid_denial_binding` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["AuthzenProblem"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `expired_denial`: the requestable denial expired */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["AuthzenProblem"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authzenAccessRequestTask: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description a session id */
                id: string;
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the task, with its approval once approved */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthzenTask"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `unknown_task` */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["AuthzenProblem"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authzenSearchAction: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AuthzenSearch"];
            };
        };
        responses: {
            /** @description what the question would allow */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthzenSearchResults"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authzenSearchResource: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AuthzenSearch"];
            };
        };
        responses: {
            /** @description what the question would allow */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthzenSearchResults"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authzenSearchSubject: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AuthzenSearch"];
            };
        };
        responses: {
            /** @description what the question would allow */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthzenSearchResults"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    queryAudit: {
        parameters: {
            query?: {
                /** @description only events of this actor */
                actor?: string;
                /** @description only events of this kind (`action.denied`, ...) */
                event?: string;
                /** @description `jsonl` (default) or `csv` */
                format?: string;
                /** @description only events of this session */
                session?: string;
                /** @description RFC 3339: only events at or after */
                since?: string;
                /** @description only events of this target */
                target?: string;
                /** @description RFC 3339: only events before */
                until?: string;
                /** @description `impersonator` or `impersonated`: who each event is shown under */
                view?: string;
            };
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description one event per line */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson": components["schemas"]["AuditEvent"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    verifyAudit: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the chain's state; `broken` is null when intact */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Verification"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authorizeBatch: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AuthorizeBatch"];
            };
        };
        responses: {
            /** @description one result per call */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthorizeResults"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    checkAction: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ActionRequest"];
            };
        };
        responses: {
            /** @description the decision */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Decision"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    checkStart: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StartRequest"];
            };
        };
        responses: {
            /** @description the decision */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Decision"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getNotifications: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the settings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Notifications"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    setNotifications: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NotificationsPatch"];
            };
        };
        responses: {
            /** @description the settings now */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Notifications"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    exchangeToken: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/x-www-form-urlencoded": components["schemas"]["TokenExchangeForm"];
            };
        };
        responses: {
            /** @description the impersonation token */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenExchanged"];
                };
            };
            /** @description an RFC 6749 error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OAuthError"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listOutbox: {
        parameters: {
            query?: {
                /** @description the messages after this id (a page's `next`) */
                after?: string;
                /** @description `true`: acknowledged messages too */
                all?: string;
                /** @description at most this many (1-10000); the answer then has `next`, the `after` of the next page, null at the end */
                limit?: string;
            };
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the messages */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OutboxList"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    ackOutbox: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Ack"];
            };
        };
        responses: {
            /** @description how many were newly acknowledged */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Acked"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    claimOutbox: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Claim"];
            };
        };
        responses: {
            /** @description the messages claimed (none when all are held or delivered) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Claimed"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listPolicies: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the versions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PolicyVersions"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    uploadPolicy: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Upload"];
            };
        };
        responses: {
            /** @description the version stored */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PolicyVersion"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the step that refused it */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadRefused"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getPolicy: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
                /** @description a policy version number */
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the version */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PolicyVersion"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    activatePolicy: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
                /** @description a policy version number */
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the now active version */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PolicyVersion"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    diffPolicy: {
        parameters: {
            query?: {
                /** @description RFC 3339: replay only requests recorded at or after */
                since?: string;
            };
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
                /** @description a policy version number */
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the replay report */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Replay"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rollbackPolicy: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the now active version */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PolicyVersion"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    updatePrincipal: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description a session id */
                id: string;
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Principal"];
            };
        };
        responses: {
            /** @description the sessions kept and those ended */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Reevaluated"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getRoutes: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the rules, in order */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RouteTable"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    setRoutes: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RouteTableSet"];
            };
        };
        responses: {
            /** @description the rules now */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RouteTable"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listSessions: {
        parameters: {
            query?: {
                /** @description `true`: only sessions not ended (active, or pending approval) */
                active?: string;
                /** @description the sessions listed after this one (a page's `next`) */
                after?: string;
                /** @description at most this many (1-10000); the answer then has `next`, the `after` of the next page, null at the end */
                limit?: string;
            };
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the sessions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionList"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    startSession: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StartSession"];
            };
        };
        responses: {
            /** @description the session started */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description the session waits for approval (`state: pending`, `decision: pending`, `approvers`) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the deny, naming the policy version */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Decision"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSession: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description a session id */
                id: string;
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the session */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    approveSession: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description a session id */
                id: string;
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Approve"];
            };
        };
        responses: {
            /** @description the session (active once approved, ended `rejected`), or the refusal of the approver (the request keeps waiting) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionOrDecision"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authorize: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description a session id */
                id: string;
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Authorize"];
            };
        };
        responses: {
            /** @description the decision */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Authorization"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getBanner: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description a session id */
                id: string;
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the banner facts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Banner"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    endSession: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description a session id */
                id: string;
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the session */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    extendSession: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description a session id */
                id: string;
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Extend"];
            };
        };
        responses: {
            /** @description the session extended, or the deny decision */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionOrDecision"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rejectSession: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description a session id */
                id: string;
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Reject"];
            };
        };
        responses: {
            /** @description the session (active once approved, ended `rejected`), or the refusal of the approver (the request keeps waiting) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionOrDecision"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    revokeSession: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description a session id */
                id: string;
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Revoke"];
            };
        };
        responses: {
            /** @description the session */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    revokeActor: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RevokeActor"];
            };
        };
        responses: {
            /** @description the sessions ended */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Revoked"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTenantSettingsSchema: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the schema */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the tenant's policy publishes no schema (edit its settings as JSON) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    pollSsfStream: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description a stream's id */
                id: string;
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SsfPoll"];
            };
        };
        responses: {
            /** @description SETs by `jti` */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SsfPollAnswer"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSsfStatus: {
        parameters: {
            query?: {
                /** @description the stream (required) */
                stream_id?: string;
            };
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the status */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SsfStatus"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    setSsfStatus: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SsfStatus"];
            };
        };
        responses: {
            /** @description the status now */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SsfStatus"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSsfStreams: {
        parameters: {
            query?: {
                /** @description the stream; without it, every stream of the tenant */
                stream_id?: string;
            };
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the stream, or a list of them */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SsfStreamOrList"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    replaceSsfStream: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SsfStreamRequest"];
            };
        };
        responses: {
            /** @description the stream now */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SsfStream"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createSsfStream: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SsfStreamRequest"];
            };
        };
        responses: {
            /** @description the stream's configuration */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SsfStream"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteSsfStream: {
        parameters: {
            query?: {
                /** @description the stream (required) */
                stream_id?: string;
            };
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    updateSsfStream: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SsfStreamRequest"];
            };
        };
        responses: {
            /** @description the stream now */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SsfStream"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    verifySsfStream: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SsfVerify"];
            };
        };
        responses: {
            /** @description done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getStats: {
        parameters: {
            query?: {
                /** @description `day` (the only one) */
                bucket?: string;
                /** @description first day, YYYY-MM-DD (default: 29 days before `to`) */
                from?: string;
                /** @description last day, YYYY-MM-DD (default: today, UTC) */
                to?: string;
            };
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the activity */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Stats"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTokenIssuers: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the trusted issuers */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenIssuers"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    setTokenIssuers: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TokenIssuers"];
            };
        };
        responses: {
            /** @description the trusted issuers as stored */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenIssuers"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    introspectToken: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Introspect"];
            };
        };
        responses: {
            /** @description `active`, and whose token it is when active */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Introspection"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listWebhooks: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the endpoints */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookList"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    addWebhook: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookNew"];
            };
        };
        responses: {
            /** @description the endpoint and its secret */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookWithSecret"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhook: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description a webhook endpoint's id */
                id: string;
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the endpoint */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    removeWebhook: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description a webhook endpoint's id */
                id: string;
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the endpoint removed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listWebhookDeliveries: {
        parameters: {
            query?: {
                /** @description at most this many (1-10000, default 100) */
                limit?: string;
                /** @description only `delivered`, `dead` or `replaying` */
                status?: string;
            };
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description a webhook endpoint's id */
                id: string;
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the log */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDeliveries"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    replayWebhooks: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description a webhook endpoint's id */
                id: string;
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description how many dead letters were queued */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookReplay"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rotateWebhookSecret: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description a webhook endpoint's id */
                id: string;
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookRotate"];
            };
        };
        responses: {
            /** @description the endpoint and its new secret */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookWithSecret"];
                };
            };
            /** @description malformed input, naming the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over its cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    testWebhook: {
        parameters: {
            query?: never;
            header?: {
                /** @description echoed on the answer; made up when absent */
                "X-Request-ID"?: string;
            };
            path: {
                /** @description a webhook endpoint's id */
                id: string;
                /** @description the tenant */
                t: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description what the receiver answered */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookTest"];
                };
            };
            /** @description no key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the key is another tenant's, or its scope is too small */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such session or version of this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a failure of the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store did not answer in time */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
