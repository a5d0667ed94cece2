"""Fixtures for the reliability tests: the API tests' app and keys, on SQLite (and PostgreSQL).

``settings`` is this package's own: uploads up to 32 MB, so a file with a
10 MB cell reaches the reader instead of the size limit.
"""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from matcher.settings import Settings
from tests.api.conftest import (  # noqa: F401  (fixtures are found by name)
    admin,
    caseworker,
    client,
    integrator,
    make_key,
)
from tests.conftest_db import *  # noqa: F403

MAX_UPLOAD_BYTES = 32 * 1024 * 1024


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        demo=False,
        secret_key=SecretStr("test-secret"),
        index_refresh_seconds=300,
        max_upload_bytes=MAX_UPLOAD_BYTES,
    )
