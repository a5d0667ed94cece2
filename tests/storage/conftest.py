"""The shared database fixtures (SQLite, and PostgreSQL when configured) for storage tests."""

from tests.conftest_db import *  # noqa: F403  (fixtures are found by name)
