"""Service settings, read from the environment with the ``MATCHER_`` prefix.

``MATCHER_DATABASE_URL=postgresql://...`` sets ``database_url`` and so on; a
``.env`` file is not read, so what runs is what the environment says.
:func:`get_settings` is cached so every part of a process sees one value, and
tests can override it (FastAPI ``dependency_overrides``) or clear the cache.
"""

from __future__ import annotations

import functools
import logging
import secrets
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from matcher.decide import DEFAULT_MATCH_THRESHOLD, DEFAULT_REVIEW_THRESHOLD

log = logging.getLogger(__name__)

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


@functools.cache
def _process_secret_key() -> SecretStr:
    """A random cookie-signing key, made once per process when none is configured.

    Cookies signed with it stop validating on restart and differ between
    workers, which is fine for a demo and wrong for a deployment: hence the
    warning.
    """
    log.warning(
        "MATCHER_SECRET_KEY is not set: using a random key for this process only; "
        "review-page sessions will not survive a restart or work across workers"
    )
    return SecretStr(secrets.token_urlsafe(32))


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="MATCHER_", frozen=True, extra="ignore")

    #: SQLAlchemy URL; ``postgresql://`` is taken to mean psycopg 3.
    database_url: str = "sqlite:///./matcher.db"
    #: Pairs scoring at least this match probability go to the review queue.
    review_threshold: float = Field(default=DEFAULT_REVIEW_THRESHOLD, ge=0.0, le=1.0)
    #: Pairs scoring at least this are proposed as ``match`` (still reviewed by a person).
    match_threshold: float = Field(default=DEFAULT_MATCH_THRESHOLD, ge=0.0, le=1.0)
    #: A trained model file; ``None`` uses the model shipped with the package.
    model_path: Path | None = None
    #: Largest accepted upload (CSV / JSON lines import), in bytes.
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    #: How often a worker reads the change sequence to catch its index up.
    index_refresh_seconds: float = Field(default=2.0, gt=0.0)
    #: Start with synthetic demo data and a printed demo key.
    demo: bool = False
    log_level: LogLevel = "INFO"
    #: Signs review-page cookies. Unset: a per-process random key (with a warning).
    secret_key: SecretStr = Field(default_factory=_process_secret_key)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        # ``MATCHER_LOG_LEVEL=debug`` is how people write it.
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> Self:
        if self.review_threshold > self.match_threshold:
            raise ValueError(
                f"review_threshold ({self.review_threshold}) must not exceed "
                f"match_threshold ({self.match_threshold}): pairs between the two go to "
                "review, pairs above match_threshold are proposed as matches"
            )
        return self


@functools.cache
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
