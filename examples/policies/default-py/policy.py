"""The built-in default policy (default-policy/, in Rust) written in Python,
rule for rule: the same settings, refused with the same words, and the
same reason codes, rule ids, obligations and messages. It passes every
shipped suite (examples/suites/*.json) through ``standin test``, case for
case, as the Rust policy does.

Why a port: it shows that a policy of the built-in's size fits the Python
SDK, and gives the SDK a real policy to be measured and tested with. The
modules mirror default-policy/src/: settings.py (and serde.py, the
settings' JSON as serde_json reads it), start.py, scope.py, approval.py,
action.py, principal.py, schema.py.

Build: ``python -m standin_policy build policy.py -o default-py.wasm``
(see README.md).
"""

from __future__ import annotations

import action
import approval
import start
from schema import settings_schema
from settings import Settings, parse
from standin_policy import ApprovalDecision, ApprovalRequest, Deny, define_policy


def configure(_parsed: object, text: str) -> Settings:
    # The text, not the parsed value: the Rust policy refuses what parsing
    # hides (a key given twice, `-0` for a whole number).
    return parse(text)


def evaluate_approval(req: ApprovalRequest, s: Settings) -> ApprovalDecision:
    # An approval is asked with the start as it stands at the answer: its
    # own rules first, then who may answer.
    d = start.evaluate(s, req.start)
    return d if isinstance(d, Deny) else approval.evaluate(s, req)


policy = define_policy(
    name="standin-default-py",
    version="0.1.0",
    rules=[
        "E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10", "S1", "S3", "S7", "F1", "F2", "F3", "F4", "F5",
        "F6", "N2", "AP1", "SC1", "IT1", "DT1", "ST1",
    ],  # fmt: skip
    configure=configure,
    start=lambda req, s: start.evaluate(s, req),
    action=lambda req, s: action.evaluate(s, req),
    approval=evaluate_approval,
    # The schema the host serves for the built-in policy, made from this
    # port's own defaults (schema.py), for the console's form.
    settings_schema=settings_schema(),
)
