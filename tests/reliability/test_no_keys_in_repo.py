"""No API key secret is committed: keys come from the environment or the database only.

A secret is ``mk_`` and 43 URL-safe characters (``secrets.token_urlsafe(32)``);
documentation shows ``mk_...`` instead. The scan covers the files git tracks
(and is skipped outside a git checkout, e.g. in an unpacked sdist).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from matcher.storage import repository as repo

ROOT = Path(__file__).resolve().parents[2]
SECRET = re.compile(rb"mk_[A-Za-z0-9_-]{40,}")


def _tracked() -> list[Path]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    return [ROOT / name.decode() for name in listed.split(b"\0") if name]


def test_the_pattern_finds_a_real_secret(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        _, secret = repo.create_api_key(session, "pattern", repo.Role.INTEGRATOR, (), ())
    assert SECRET.fullmatch(secret.encode())


def test_no_key_secret_in_tracked_files() -> None:
    found = [
        str(path.relative_to(ROOT))
        for path in _tracked()
        if path.is_file() and SECRET.search(path.read_bytes())
    ]
    assert found == []
