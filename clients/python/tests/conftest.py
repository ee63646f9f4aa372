from __future__ import annotations

from collections.abc import Iterator

import pytest

from .standin_server import Standin, start_standin


@pytest.fixture(scope="session")
def standin() -> Iterator[Standin]:
    server = start_standin()
    try:
        yield server
    finally:
        server.stop()

@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
