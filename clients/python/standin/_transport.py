"""What the sync and async clients share: headers, retries, reading answers.

Retries only for idempotent calls (GET): after a network failure, a
timeout or a 502/503/504. A POST (a start, an `authorize`) is sent once:
`authorize` is audited, and a start that timed out may have started.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode
from dataclasses import dataclass
from typing import Any

import httpx

from ._calls import Answer, Call
from .errors import ApiError, ProtocolError, UnreachableError, UploadRefusedError

RETRY_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True)
class CallOptions:
    """Per call: `request_id` is sent as X-Request-ID, `traceparent` passed through."""

    request_id: str | None = None
    traceparent: str | None = None
    timeout: float | None = None


def headers(call: Call[Any], api_key: str | None, options: CallOptions) -> dict[str, str]:
    out = {"Accept": "*/*" if call.raw else "application/json"}
    key = call.key if call.key is not None or call.anonymous else api_key
    if key is not None:
        out["Authorization"] = f"Bearer {key}"
    if options.request_id is not None:
        out["X-Request-ID"] = options.request_id
    if options.traceparent is not None:
        out["traceparent"] = options.traceparent
    if call.form is not None:
        out["Content-Type"] = "application/x-www-form-urlencoded"
    elif call.body is not None:
        out["Content-Type"] = "application/json"
    out.update(call.headers or {})
    return out


def params(call: Call[Any]) -> dict[str, str] | None:
    # None, not {}: httpx would drop a query the path carries (forward-auth's prefix form).
    if call.query is None:
        return None
    out: dict[str, str] = {}
    for name, value in call.query.items():
        if value is None:
            continue
        out[name] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out


def content(call: Call[Any]) -> bytes | None:
    if call.form is not None:
        return urlencode({name: str(value) for name, value in call.form.items() if value is not None}).encode()
    return None if call.body is None else json.dumps(call.body).encode()


def unreachable(error: httpx.TransportError, base_url: str) -> UnreachableError:
    if isinstance(error, httpx.TimeoutException):
        return UnreachableError("timeout", f"no answer from {base_url} in time")
    return UnreachableError("network", f"cannot reach {base_url}: {error}")


def should_retry(call: Call[Any], response: httpx.Response | None, attempt: int, retries: int) -> bool:
    if not call.idempotent or attempt >= retries:
        return False
    return response is None or response.status_code in RETRY_STATUSES


def finish(call: Call[Any], response: httpx.Response) -> Any:
    request_id = response.headers.get("x-request-id")
    text = response.text
    body: Any = None
    kind = response.headers.get("content-type", "")
    if kind.startswith(("application/json", "application/problem+json")) and text:
        try:
            body = json.loads(text)
        except json.JSONDecodeError as error:
            raise ProtocolError(f"{response.status_code}: the answer is not valid JSON", request_id) from error
    if response.status_code in call.expect:
        if not call.raw and not isinstance(body, dict):
            raise ProtocolError(f"{response.status_code}: the answer is not a JSON object", request_id)
        try:
            return call.read(Answer(response.status_code, body, text, request_id, response.headers))
        except ProtocolError as error:
            raise ProtocolError(f"{response.status_code}: {error.message}", request_id) from error
    detail = body.get("error") if isinstance(body, dict) else None
    if isinstance(detail, dict) and isinstance(detail.get("code"), str) and isinstance(detail.get("message"), str):
        if response.status_code == 422 and detail["code"] == "upload-refused" and isinstance(detail.get("step"), str):
            raise UploadRefusedError(detail["step"], detail["message"], request_id)
        raise ApiError(response.status_code, detail["code"], detail["message"], request_id)
    if isinstance(body, dict) and isinstance(body.get("type"), str) and kind.startswith("application/problem+json"):
        # RFC 9457, as the AuthZEN Access Request profile answers: the code
        # is the type's last part (`urn:...:error:invalid_denial_binding`).
        message = body.get("detail") or body.get("title") or body["type"]
        raise ApiError(response.status_code, body["type"].rsplit(":", 1)[-1], str(message), request_id)
    raise ProtocolError(f"{response.status_code}: unexpected answer {text[:80]!r}", request_id)
