"""examples/django loads: its settings, URLs, templates and Standin's app pass `manage.py check`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "django"


def test_the_django_example_passes_djangos_checks(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "EXAMPLE_DB": str(tmp_path / "db.sqlite3"), "STANDIN_KEY": "unused"}
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--fail-level", "WARNING"],
        cwd=EXAMPLE, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
