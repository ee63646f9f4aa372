"""The platform's adapter: a Django user's facts as a Standin principal (roles from groups)."""

from __future__ import annotations

from typing import Any

from standin import Principal


def principal(user: Any) -> Principal:
    return Principal(
        id=user.get_username(),
        roles=sorted(group.name for group in user.groups.all()),
        active=bool(user.is_active),
        has_logged_in=user.last_login is not None,
    )
