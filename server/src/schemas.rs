//! JSON Schemas of the bodies, for the OpenAPI document: the contract's
//! forms (docs/contract.md), written once here.

use serde_json::{Value, json};

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn strings() -> Value {
    json!({"type": "array", "items": {"type": "string"}})
}

fn nullable(t: &str) -> Value {
    json!({"type": [t, "null"]})
}

/// Every schema by name.
pub fn all() -> Value {
    let time = json!({"type": "string", "format": "date-time"});
    let time_or_null = json!({"type": ["string", "null"], "format": "date-time"});
    let mut parts = Vec::new();
    parts.push(json!({
        "Health": {"type": "object", "properties": {
            "status": {"type": "string"},
            "uptime_seconds": {"type": "integer", "description": "`/healthz`: seconds since the process started"},
        }},
        "Error": {
            "type": "object", "required": ["error"],
            "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            }},
        },
        "Reason": {
            "type": "object", "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "rule": {"type": "string"}, "message": {"type": "string"}},
        },
        "PolicyRef": {
            "type": "object", "required": ["version", "digest"],
            "properties": {"version": {"type": "integer", "minimum": 0}, "digest": {"type": "string"}},
        },
        "Decision": {
            "type": "object", "required": ["decision", "reasons"],
            "properties": {
                "decision": {"enum": ["allow", "deny", "pending"]},
                "approvers": r("Approvers"),
                "ttl_seconds": {"type": "integer"}, "max_ttl_seconds": {"type": "integer"},
                "notify_target": {"type": "boolean"}, "read_only": {"type": "boolean"},
                "obligations": strings(),
                "scope": r("Scope"),
                "idle_timeout_seconds": {"type": "integer", "minimum": 1, "description": "a start's granted idle timeout (IT1)"},
                "reasons": {"type": "array", "items": r("Reason")},
                "policy": r("PolicyRef"),
                "diagnostics": {"type": "array", "items": {"type": "string"}, "description": "for operators: what went wrong inside the host or the policy"},
            },
        },
        "Principal": {
            "type": "object", "required": ["id"], "additionalProperties": false,
            "properties": {
                "id": {"type": "string", "maxLength": 256}, "tenant": {"type": "string"},
                "roles": strings(), "permissions": strings(), "groups": strings(), "manages": strings(),
                "domains": strings(), "active": {"type": "boolean"}, "has_logged_in": {"type": "boolean"},
                "consents": strings(), "attributes": {"type": "object"},
            },
        },
        "StartRequest": {
            "type": "object", "required": ["tenant", "actor", "target"], "additionalProperties": false,
            "properties": {
                "tenant": {"type": "string"}, "actor": r("Principal"), "target": r("Principal"),
                "reason": {"type": "string", "maxLength": 1024}, "ttl_seconds": {"type": "integer", "minimum": 0},
                "domain": {"type": "string"}, "consent_on_behalf": {"type": "boolean"}, "now": time,
                "actor_session": {"type": "object", "properties": {"id": {"type": "string"}, "target": {"type": "string"}}},
                "scope": r("Scope"),
            },
        },
        "Scope": {
            "description": "What a session may do (SC1): actions matching a pattern (`*` any run of characters), on one of `resources` when there are any",
            "type": "object", "required": ["actions"], "additionalProperties": false,
            "properties": {
                "actions": {"type": "array", "minItems": 1, "maxItems": 32, "items": {"type": "string", "minLength": 1, "maxLength": 256}},
                "resources": {"type": "array", "maxItems": 32, "items": {"type": "string", "minLength": 1, "maxLength": 256}},
            },
        },
        "StartSession": {
            "description": "A start request, and where to send the actor when the session ends.",
            "allOf": [r("StartRequest")],
            "properties": {"return_to": {"type": "string"}},
        },
        "SessionFacts": {
            "type": "object", "required": ["id", "actor", "target", "started_at", "expires_at"],
            "properties": {
                "id": {"type": "string"}, "actor": r("Principal"), "target": r("Principal"),
                "started_at": time, "expires_at": time, "domain": nullable("string"),
                "reason": nullable("string"), "read_only": {"type": "boolean"},
            },
        },
        "ActionRequest": {
            "type": "object", "required": ["tenant", "session", "action"], "additionalProperties": false,
            "properties": {
                "tenant": {"type": "string"}, "session": r("SessionFacts"), "action": {"type": "string"},
                "resource": nullable("string"), "now": time,
            },
        },
    }));
    parts.push(json!({
        "Session": {
            "type": "object",
            "required": ["id", "tenant", "actor", "target", "started_at", "expires_at", "max_expires_at", "state", "policy"],
            "properties": {
                "id": {"type": "string"}, "tenant": {"type": "string"}, "actor": {"type": "string"},
                "target": {"type": "string"}, "reason": nullable("string"), "domain": nullable("string"),
                "read_only": {"type": "boolean"}, "started_at": time, "expires_at": time,
                "max_expires_at": time, "state": {"enum": ["active", "ended", "pending"]}, "ended_at": time_or_null,
                "end_reason": {"enum": ["stopped", "expired", "revoked", "rejected", "approval-expired", "idle", null]},
                "approval": {
                    "type": "object",
                    "description": "the approval a pending start waits for, or got",
                    "properties": {
                        "approvers": r("Approvers"), "ttl_seconds": {"type": "integer"},
                        "max_ttl_seconds": {"type": "integer"}, "requested_at": time,
                        "approved_by": {"type": "string"}, "approved_at": time,
                    },
                },
                "decision": {"const": "pending", "description": "on a start that waits for approval"},
                "approvers": r("Approvers"),
                "return_to": nullable("string"), "policy": r("PolicyRef"),
                "notify_target": {"type": "boolean", "description": "the target is told when it starts and ends"},
                "obligations": strings(),
                "revoke_reason": nullable("string"),
                "parent": {"type": ["string", "null"], "description": "the actor's session it was started from (nesting)"},
                "depth": {"type": "integer", "minimum": 0, "description": "0 outside any other session; the parent's + 1"},
                "kept_expiry": {"type": "boolean", "description": "an extension kept the later expiry"},
                "scope": r("Scope"),
                "idle_timeout_seconds": {"type": "integer", "minimum": 1, "description": "it ends `idle` after this long without an action (IT1)"},
                "token": {"type": "string", "description": "on a start, when the server signs tokens: an EdDSA JWT with the target as `sub` and the actor as `act.sub`"},
            },
        },
        "SessionList": {"type": "object", "properties": {
            "sessions": {"type": "array", "items": r("Session")},
            "next": {"type": ["string", "null"], "description": "with `limit`: the `after` of the next page; null at the end"},
        }},
        "SessionOrDecision": {"oneOf": [r("Session"), r("Decision")]},
        "Banner": {
            "type": "object",
            "required": ["id", "actor", "target", "state", "expires_at", "remaining_seconds", "expiring_soon"],
            "properties": {
                "id": {"type": "string"}, "tenant": {"type": "string"}, "actor": {"type": "string"},
                "target": {"type": "string"}, "state": {"enum": ["active", "ended", "pending"]}, "expires_at": time,
                "remaining_seconds": {"type": "integer"}, "expiring_soon": {"type": "boolean"},
                "end_reason": {"enum": ["stopped", "expired", "revoked", "rejected", "approval-expired", "idle", null]},
                "return_to": nullable("string"), "read_only": {"type": "boolean"},
                "scope": r("Scope"),
                "idle_timeout_seconds": {"type": "integer", "minimum": 1},
            },
        },
        "Extend": {
            "type": "object", "required": ["ttl_seconds"], "additionalProperties": false,
            "properties": {"ttl_seconds": {"type": "integer", "minimum": 1}},
        },
        "Approvers": {
            "type": "object",
            "properties": {
                "roles": strings(), "target": {"type": "boolean"},
                "ttl_seconds": {"type": "integer", "description": "how long the request waits"},
            },
        },
        "Approve": {
            "type": "object", "required": ["approver"], "additionalProperties": false,
            "properties": {"approver": r("Principal")},
        },
        "Reject": {
            "type": "object", "required": ["approver", "reason"], "additionalProperties": false,
            "properties": {"approver": r("Principal"), "reason": {"type": "string", "minLength": 1, "maxLength": 1024}},
        },
        "Revoke": {
            "type": "object", "required": ["reason"], "additionalProperties": false,
            "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 1024}},
        },
        "Jwks": {
            "type": "object", "required": ["keys"],
            "properties": {"keys": {"type": "array", "items": {
                "type": "object", "required": ["kty", "crv", "x", "kid"],
                "properties": {
                    "kty": {"const": "OKP"}, "crv": {"const": "Ed25519"}, "x": {"type": "string"},
                    "kid": {"type": "string"}, "alg": {"const": "EdDSA"}, "use": {"const": "sig"},
                },
            }}},
        },
        "Introspect": {
            "type": "object", "required": ["token"], "additionalProperties": false,
            "properties": {"token": {"type": "string", "maxLength": 8192}},
        },
        "Introspection": {
            "type": "object", "required": ["active"],
            "properties": {
                "active": {"type": "boolean"}, "sid": {"type": "string"}, "sub": {"type": "string"},
                "act": {"type": "object", "properties": {"sub": {"type": "string"}}}, "exp": {"type": "integer"},
            },
        },
        "RevokeActor": {
            "type": "object", "required": ["actor", "reason"], "additionalProperties": false,
            "properties": {"actor": {"type": "string"}, "reason": {"type": "string", "minLength": 1, "maxLength": 1024}},
        },
        "Revoked": {
            "type": "object", "required": ["revoked"],
            "properties": {"revoked": {"type": "array", "items": r("Session")}},
        },
        "Reevaluated": {
            "type": "object", "required": ["principal", "kept", "ended"],
            "properties": {
                "principal": {"type": "string"},
                "kept": strings(),
                "ended": {"type": "array", "items": r("Session")},
            },
        },
        "Authorize": {
            "type": "object", "required": ["action"], "additionalProperties": false,
            "properties": {"action": {"type": "string", "maxLength": 256}, "resource": nullable("string")},
        },
        "Authorization": {
            "allOf": [r("Decision")],
            "properties": {
                "acting_as": {"type": "string"}, "on_behalf_of": {"type": "string"},
                "session": {"type": "string"}, "policy": r("PolicyRef"),
            },
        },
        "AuthorizeBatch": {
            "type": "object", "required": ["calls"], "additionalProperties": false,
            "properties": {"calls": {"type": "array", "maxItems": 4096, "items": {
                "type": "object", "required": ["session", "action"], "additionalProperties": false,
                "properties": {"session": {"type": "string"}, "action": {"type": "string"}, "resource": nullable("string")},
            }}},
        },
        "AuthorizeResults": {
            "type": "object",
            "properties": {"results": {"type": "array", "items": {"oneOf": [r("Authorization"), r("Error")]}}},
        },
    }));
    parts.push(json!({
        "AuditEvent": {
            "type": "object", "required": ["seq", "tenant", "at", "event", "hash"],
            "properties": {
                "seq": {"type": "integer"}, "tenant": {"type": "string"}, "at": time, "event": {"type": "string"},
                "session": nullable("string"), "actor": nullable("string"), "target": nullable("string"),
                "action": nullable("string"), "resource": nullable("string"), "reason": nullable("string"),
                "codes": strings(), "end_reason": nullable("string"), "policy": r("PolicyRef"),
                "hash": {"type": "string"}, "user": {"type": "string"}, "detail": {"type": "string"},
            },
        },
        "Verification": {
            "type": "object", "required": ["tenant", "events", "head", "broken"],
            "properties": {
                "tenant": {"type": "string"}, "events": {"type": "integer"}, "head": {"type": "string"},
                "broken": {"type": ["object", "null"]}, "problems": {"type": "array"},
            },
        },
        "OutboxMessage": {
            "type": "object", "required": ["id", "tenant", "to", "kind", "session", "text", "created_at"],
            "properties": {
                "id": {"type": "integer"}, "tenant": {"type": "string"}, "to": {"type": "string"},
                "kind": {"enum": ["impersonation.started", "impersonation.ended", "impersonation.changes"]}, "session": {"type": "string"},
                "text": {"type": "string"}, "created_at": time, "acked_at": time_or_null,
            },
        },
        "OutboxList": {"type": "object", "properties": {
            "messages": {"type": "array", "items": r("OutboxMessage")},
            "next": {"type": ["integer", "null"], "description": "with `limit`: the `after` of the next page; null at the end"},
        }},
        "Ack": {
            "type": "object", "required": ["ids"], "additionalProperties": false,
            "properties": {"ids": {"type": "array", "items": {"type": "integer"}}},
        },
        "Acked": {"type": "object", "properties": {"acked": {"type": "integer"}}},
        "Claim": {
            "type": "object", "additionalProperties": false,
            "properties": {
                "limit": {"type": "integer", "minimum": 1, "maximum": 10_000, "default": 100},
                "lease_seconds": {"type": "integer", "minimum": 1, "maximum": 86_400, "default": 60},
            },
        },
        "Claimed": {
            "type": "object", "required": ["messages", "claimed_until"],
            "properties": {"messages": {"type": "array", "items": r("OutboxMessage")}, "claimed_until": time},
        },
        "Notifications": {
            "type": "object", "required": ["enabled", "started_template", "ended_template"],
            "properties": {
                "enabled": {"type": "boolean"}, "started_template": {"type": "string"},
                "ended_template": {"type": "string"},
            },
        },
        "NotificationsPatch": {
            "type": "object", "additionalProperties": false,
            "properties": {
                "enabled": {"type": "boolean"}, "started_template": {"type": "string", "maxLength": 8192},
                "ended_template": {"type": "string", "maxLength": 8192},
            },
        },
    }));
    parts.push(json!({
        "Upload": {
            "type": "object", "additionalProperties": false,
            "properties": {
                "component_base64": {"type": "string", "description": "the component; absent: the built-in policy"},
                "component_digest": {"type": "string", "description": "instead of the bytes: a stored version's `digest` (new settings for the same component)"},
                "settings": {"type": ["object", "string"]},
                "suites": {"type": "array", "items": {"type": "object"}, "description": "suites it must pass; `settings_file` is refused"},
                "activate": {"type": "boolean"}, "note": {"type": "string"},
            },
        },
        "UploadRefused": {
            "type": "object",
            "properties": {"error": {
                "type": "object", "required": ["code", "step", "message"],
                "properties": {
                    "code": {"const": "upload-refused"},
                    "step": {"enum": ["size", "component", "compile", "imports", "world", "settings", "suites"]},
                    "message": {"type": "string"},
                },
            }},
        },
        "PolicyVersion": {
            "type": "object", "required": ["tenant", "version", "digest", "settings", "created_at", "active"],
            "properties": {
                "tenant": {"type": "string"}, "version": {"type": "integer"}, "digest": {"type": "string"},
                "settings": {"type": "string"}, "created_at": time, "uploaded_by": nullable("string"),
                "note": nullable("string"), "active": {"type": "boolean"}, "activated_at": time_or_null,
                "policy": {"type": ["object", "null"]}, "suites": {"type": "array"},
            },
        },
        "PolicyVersions": {"type": "object", "properties": {"versions": {"type": "array", "items": r("PolicyVersion")}}},
        "Replay": {"type": "object", "description": "the report of `standin policy diff`"},
    }));
    parts.push(json!({
        "AuthzenMetadata": {
            "type": "object", "required": ["policy_decision_point", "access_evaluation_endpoint"],
            "properties": {
                "policy_decision_point": {"type": "string"}, "access_evaluation_endpoint": {"type": "string"},
                "access_evaluations_endpoint": {"type": "string"},
                "search_subject_endpoint": {"type": "string"}, "search_resource_endpoint": {"type": "string"},
                "search_action_endpoint": {"type": "string"},
                "capabilities": {"type": "array", "items": {"type": "string"}},
                "supported_obligations": {"type": "array", "items": {"type": "string"}},
                "jwks_uri": {"type": "string"}, "signed_metadata": {"type": "string"},
                "access_request_endpoint": {"type": "string"},
            },
        },
        "AuthzenEntity": {
            "type": "object", "required": ["type", "id"],
            "properties": {"type": {"type": "string"}, "id": {"type": "string"}, "properties": {"type": "object"}},
        },
        "AuthzenEvaluation": {
            "type": "object", "required": ["subject", "action", "resource"],
            "properties": {
                "subject": r("AuthzenEntity"), "resource": r("AuthzenEntity"),
                "action": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
                "context": {"type": "object"},
            },
        },
        "AuthzenEvaluations": {
            "type": "object",
            "properties": {
                "subject": r("AuthzenEntity"), "resource": r("AuthzenEntity"),
                "action": {"type": "object", "properties": {"name": {"type": "string"}}},
                "context": {"type": "object"},
                "evaluations": {"type": "array", "items": {"type": "object"}},
                "options": {"type": "object", "properties": {"evaluations_semantic": {
                    "enum": ["execute_all", "deny_on_first_deny", "permit_on_first_permit"],
                }}},
            },
        },
        "AuthzenDecision": {
            "type": "object", "required": ["decision"],
            "properties": {"decision": {"type": "boolean"}, "context": {"type": "object"}},
        },
        "AuthzenDecisions": {
            "type": "object",
            "properties": {"evaluations": {"type": "array", "items": r("AuthzenDecision")}},
        },
        "AuthzenSearch": {
            "type": "object",
            "properties": {
                "subject": {"type": "object", "required": ["type"], "properties": {
                    "type": {"type": "string"}, "id": {"type": "string"}, "properties": {"type": "object"},
                }},
                "resource": {"type": "object", "required": ["type"], "properties": {
                    "type": {"type": "string"}, "id": {"type": "string"}, "properties": {"type": "object"},
                }},
                "action": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
                "context": {"type": "object"},
                "page": {"type": "object"},
            },
        },
        "AuthzenSearchResults": {
            "type": "object", "required": ["results"],
            "properties": {"results": {"type": "array", "items": {"type": "object"}}},
        },
        "AuthzenAccessRequest": {
            "type": "object", "required": ["subject", "action", "resource", "denial"],
            "description": "the Access Request profile's submission: the denied start question, and the denial it echoes",
            "properties": {
                "subject": r("AuthzenEntity"), "resource": r("AuthzenEntity"),
                "action": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
                "context": {"type": "object"},
                "denial": {"type": "object", "required": ["binding_token", "expires_at"], "properties": {
                    "binding_token": {"type": "string"}, "expires_at": {"type": "string"},
                    "evaluation_id": {"type": "string"}, "evaluated_at": {"type": "string"},
                    "reason": {"type": "string"},
                }},
            },
        },
        "AuthzenTask": {
            "type": "object", "required": ["task"],
            "properties": {
                "task": {"type": "object", "required": ["id", "status", "status_endpoint"], "properties": {
                    "id": {"type": "string"},
                    "status": {"enum": ["pending", "approved", "denied", "expired", "cancelled"]},
                    "status_endpoint": {"type": "string"},
                    "expires_at": {"type": "string"},
                }},
                "result": {"type": "object", "required": ["mode", "approval"], "properties": {
                    "mode": {"const": "reevaluate"},
                    "approval": {"type": "object", "required": ["id", "approved_until"], "properties": {
                        "id": {"type": "string"}, "approved_at": {"type": "string"},
                        "approved_until": {"type": "string"},
                    }},
                }},
            },
        },
        "AuthzenProblem": {
            "type": "object", "required": ["type", "status"],
            "description": "an RFC 9457 problem of the Access Request profile",
            "properties": {
                "type": {"type": "string"}, "title": {"type": "string"},
                "status": {"type": "integer"}, "detail": {"type": "string"},
            },
        },
    }));
    parts.push(crate::webhooks::schemas::all());
    parts.push(crate::routes::route_schemas());
    let mut all = serde_json::Map::new();
    for part in parts {
        if let Value::Object(map) = part {
            all.extend(map);
        }
    }
    Value::Object(all)
}
