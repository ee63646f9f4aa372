"""Standin's HTTP API from Python: sync (`Client`) and async (`AsyncClient`) clients.

The JSON forms are dataclasses generated from docs/openapi.json
(`standin.models`); errors are typed (`standin.errors`). The Django
integration (django-hijack) is `standin.django`.
"""

from ._calls import OPERATIONS, Exchanged, ForwardAuth, SessionOrDenied, Started
from ._transport import CallOptions
from .aio import AsyncClient
from .client import Client
from .errors import ApiError, ProtocolError, StandinError, TokenExchangeError, UnreachableError, UploadRefusedError
from .models import (
    ActionRequest,
    AuditEvent,
    Authorization,
    AuthorizeBatchCallsItem,
    AuthzenEntity,
    AuthzenEvaluation,
    AuthzenEvaluationAction,
    AuthzenEvaluations,
    Banner,
    Decision,
    OAuthError,
    Principal,
    Reason,
    RouteTable,
    RouteTableSetRoutesItem,
    Session,
    SessionFacts,
    SsfStreamRequest,
    SsfStreamRequestDelivery,
    StartRequest,
    TokenExchanged,
    TokenIssuers,
    TokenIssuersIssuersItem,
    Upload,
)

__all__ = [
    "OPERATIONS",
    "ActionRequest",
    "ApiError",
    "AsyncClient",
    "AuditEvent",
    "Authorization",
    "AuthorizeBatchCallsItem",
    "AuthzenEntity",
    "AuthzenEvaluation",
    "AuthzenEvaluationAction",
    "AuthzenEvaluations",
    "Banner",
    "CallOptions",
    "Client",
    "Decision",
    "Exchanged",
    "ForwardAuth",
    "OAuthError",
    "Principal",
    "ProtocolError",
    "Reason",
    "RouteTable",
    "RouteTableSetRoutesItem",
    "Session",
    "SessionFacts",
    "SessionOrDenied",
    "SsfStreamRequest",
    "SsfStreamRequestDelivery",
    "StandinError",
    "StartRequest",
    "Started",
    "TokenExchangeError",
    "TokenExchanged",
    "TokenIssuers",
    "TokenIssuersIssuersItem",
    "UnreachableError",
    "UploadRefusedError",
    "Upload",
]
