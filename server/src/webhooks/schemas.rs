//! The JSON Schemas of the webhook routes' bodies, for the OpenAPI
//! document, and of the messages receivers get.

use serde_json::{Value, json};

pub fn all() -> Value {
    let time = json!({"type": "string", "format": "date-time"});
    let time_or_null = json!({"type": ["string", "null"], "format": "date-time"});
    let text_or_null = json!({"type": ["string", "null"]});
    json!({
        "WebhookNew": {
            "type": "object", "required": ["url"], "additionalProperties": false,
            "properties": {
                "url": {"type": "string", "maxLength": 2048, "description": "https://, or http:// to a loopback host"},
                "events": {
                    "type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 32,
                    "description": "events (`action.denied`), families (`session.*`) or `*` (every audit event, the default); the outbox's messages for targets as `outbox.*` or `outbox.KIND`",
                },
                "description": {"type": "string", "maxLength": 256},
            },
        },
        "Webhook": {
            "type": "object", "required": ["id", "tenant", "url", "events", "created_at", "cursor"],
            "properties": {
                "id": {"type": "string"}, "tenant": {"type": "string"}, "url": {"type": "string"},
                "events": {"type": "array", "items": {"type": "string"}},
                "description": text_or_null.clone(),
                "created_at": time.clone(),
                "cursor": {
                    "type": "object", "required": ["seq", "attempts"],
                    "description": "where delivery stands: every event up to `seq` is handled; the next is being tried",
                    "properties": {
                        "seq": {"type": "integer", "minimum": 0},
                        "attempts": {"type": "integer", "minimum": 0, "description": "failed attempts at the next event"},
                        "failing_since": time_or_null.clone(),
                        "next_at": time_or_null.clone(),
                        "last_error": text_or_null.clone(),
                    },
                },
            },
        },
        "WebhookWithSecret": {
            "allOf": [{"$ref": "#/components/schemas/Webhook"}],
            "required": ["secret"],
            "properties": {"secret": {"type": "string", "pattern": "^whsec_", "description": "shown this once"}},
        },
        "WebhookList": {
            "type": "object", "required": ["webhooks"],
            "properties": {"webhooks": {"type": "array", "items": {"$ref": "#/components/schemas/Webhook"}}},
        },
        "WebhookRotate": {
            "type": "object", "additionalProperties": false,
            "properties": {"overlap_seconds": {"type": "integer", "minimum": 0, "maximum": 604800}},
        },
        "WebhookTest": {
            "type": "object", "required": ["delivered", "message_id"],
            "properties": {
                "delivered": {"type": "boolean"}, "message_id": {"type": "string"},
                "status": {"type": ["integer", "null"]}, "error": text_or_null.clone(),
            },
        },
        "WebhookDelivery": {
            "type": "object",
            "required": ["endpoint", "seq", "message_id", "event", "status", "attempts", "at"],
            "properties": {
                "endpoint": {"type": "string"}, "seq": {"type": "integer"}, "message_id": {"type": "string"},
                "event": {"type": "string"}, "status": {"enum": ["delivered", "dead", "replaying"]},
                "attempts": {"type": "integer"}, "response_status": {"type": ["integer", "null"]},
                "error": text_or_null, "at": time,
            },
        },
        "WebhookDeliveries": {
            "type": "object", "required": ["deliveries"],
            "properties": {"deliveries": {"type": "array", "items": {"$ref": "#/components/schemas/WebhookDelivery"}}},
        },
        "SsfConfiguration": {
            "type": "object", "required": ["spec_version", "issuer", "jwks_uri", "delivery_methods_supported"],
            "properties": {
                "spec_version": {"type": "string"}, "issuer": {"type": "string"}, "jwks_uri": {"type": "string"},
                "delivery_methods_supported": {"type": "array", "items": {"type": "string"}},
                "configuration_endpoint": {"type": "string"}, "status_endpoint": {"type": "string"},
                "verification_endpoint": {"type": "string"},
                "authorization_schemes": {"type": "array", "items": {"type": "object"}},
                "default_subjects": {"type": "string"},
                "events_supported": {"type": "array", "items": {"type": "string"}},
            },
        },
        "SsfStreamRequest": {
            "type": "object",
            "properties": {
                "stream_id": {"type": "string", "description": "update and replace: the stream"},
                "delivery": {"type": "object", "properties": {
                    "method": {"enum": ["urn:ietf:rfc:8935", "urn:ietf:rfc:8936"]},
                    "endpoint_url": {"type": "string"}, "authorization_header": {"type": "string"},
                }},
                "events_requested": {"type": "array", "items": {"type": "string"}},
                "description": {"type": "string", "maxLength": 256},
                "aud": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
            },
        },
        "SsfStream": {
            "type": "object", "required": ["stream_id", "iss", "aud", "delivery", "events_delivered"],
            "properties": {
                "stream_id": {"type": "string"}, "iss": {"type": "string"},
                "aud": {"type": "array", "items": {"type": "string"}},
                "events_supported": {"type": "array", "items": {"type": "string"}},
                "events_requested": {"type": "array", "items": {"type": "string"}},
                "events_delivered": {"type": "array", "items": {"type": "string"}},
                "delivery": {"type": "object", "required": ["method", "endpoint_url"], "properties": {
                    "method": {"type": "string"}, "endpoint_url": {"type": "string"},
                }},
                "description": {"type": ["string", "null"]},
                "min_verification_interval": {"type": "integer"},
            },
        },
        "SsfStreamOrList": {"oneOf": [
            {"$ref": "#/components/schemas/SsfStream"},
            {"type": "array", "items": {"$ref": "#/components/schemas/SsfStream"}},
        ]},
        "SsfStatus": {
            "type": "object",
            "properties": {
                "stream_id": {"type": "string"}, "status": {"enum": ["enabled", "paused", "disabled"]},
                "reason": {"type": "string"},
            },
        },
        "SsfVerify": {
            "type": "object", "required": ["stream_id"],
            "properties": {"stream_id": {"type": "string"}, "state": {"type": "string"}},
        },
        "SsfPoll": {
            "type": "object",
            "properties": {
                "maxEvents": {"type": "integer", "minimum": 0}, "returnImmediately": {"type": "boolean"},
                "ack": {"type": "array", "items": {"type": "string"}},
                "setErrs": {"type": "object"},
            },
        },
        "SsfPollAnswer": {
            "type": "object", "required": ["sets", "moreAvailable"],
            "properties": {
                "sets": {"type": "object", "additionalProperties": {"type": "string"}},
                "moreAvailable": {"type": "boolean"},
            },
        },
        "WebhookReplay": {
            "type": "object", "required": ["replaying"],
            "properties": {"replaying": {"type": "integer", "minimum": 0}},
        },
    })
}
