"""Settings come from MATCHER_* environment variables, validated."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from matcher import settings as settings_module
from matcher.settings import Settings, get_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("MATCHER_"):
            monkeypatch.delenv(name)


def test_defaults() -> None:
    s = Settings()
    assert s.database_url == "sqlite:///./matcher.db"
    assert (s.review_threshold, s.match_threshold) == (0.01, 0.9)
    assert s.model_path is None
    assert s.max_upload_bytes == 50 * 1024 * 1024
    assert s.index_refresh_seconds == 2.0
    assert s.demo is False
    assert (s.host, s.port) == ("127.0.0.1", 8000)
    assert s.log_level == "INFO"


def test_environment_with_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHER_DATABASE_URL", "postgresql://u@db/matcher")
    monkeypatch.setenv("MATCHER_REVIEW_THRESHOLD", "0.5")
    monkeypatch.setenv("MATCHER_MODEL_PATH", "/models/m.json")
    monkeypatch.setenv("MATCHER_DEMO", "true")
    monkeypatch.setenv("MATCHER_LOG_LEVEL", "debug")
    monkeypatch.setenv("MATCHER_PORT", "9000")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///wrong.db")  # no prefix: ignored
    s = Settings()
    assert s.database_url == "postgresql://u@db/matcher"
    assert s.review_threshold == 0.5
    assert s.model_path == Path("/models/m.json")
    assert s.demo is True
    assert s.log_level == "DEBUG"
    assert s.port == 9000


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param("MATCHER_REVIEW_THRESHOLD", "1.5", id="threshold above 1"),
        pytest.param("MATCHER_MATCH_THRESHOLD", "0.005", id="match below review threshold"),
        pytest.param("MATCHER_PORT", "70000", id="port out of range"),
        pytest.param("MATCHER_MAX_UPLOAD_BYTES", "0", id="zero upload size"),
        pytest.param("MATCHER_LOG_LEVEL", "LOUD", id="unknown log level"),
    ],
)
def test_invalid_values_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


def test_secret_key_from_environment_is_not_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHER_SECRET_KEY", "s3cret-value")
    s = Settings()
    assert s.secret_key.get_secret_value() == "s3cret-value"
    assert "s3cret-value" not in repr(s)


def test_missing_secret_key_is_generated_once_per_process_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings_module._process_secret_key.cache_clear()
    with caplog.at_level(logging.WARNING, logger="matcher.settings"):
        first = Settings().secret_key.get_secret_value()
        second = Settings().secret_key.get_secret_value()
    assert first == second
    assert len(first) >= 40
    assert sum("MATCHER_SECRET_KEY" in r.message for r in caplog.records) == 1


def test_get_settings_is_cached() -> None:
    get_settings.cache_clear()
    try:
        assert get_settings() is get_settings()
    finally:
        get_settings.cache_clear()
