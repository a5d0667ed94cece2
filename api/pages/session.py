"""The review pages' session: a signed cookie holding a key id and a CSRF token.

``itsdangerous`` is not a dependency, so the cookie is signed here with
HMAC-SHA256 under the settings' ``secret_key``: ``<payload>.<signature>``,
both URL-safe base64, the payload a small JSON object:

- ``k``: the signed-in API key's id (absent before sign-in). The key's
  secret never goes into the cookie; every request loads the key by id and
  refuses it once revoked, so revoking a key ends its sessions at once.
- ``t``: the CSRF token. Every form carries it in a hidden field and every
  POST compares the two (constant time). A forged cross-site form cannot
  read the cookie, so it cannot send the token; SameSite=Lax stops the
  cookie from riding along on cross-site POSTs in the first place.
- ``e``: expiry (Unix seconds). The signature covers it.

Signing in makes a fresh token (the pre-sign-in token is never reused:
no session fixation); signing out deletes the cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Final

COOKIE_NAME: Final = "matcher_review"
#: A working day and a half: a caseworker signs in once a day.
SESSION_SECONDS: Final = 36 * 3600
#: The anonymous session of the sign-in form (it only carries the CSRF token).
ANONYMOUS_SECONDS: Final = 3600
_SALT: Final = b"matcher.review.session.v1"


@dataclass(frozen=True, slots=True)
class PageSession:
    """What the cookie says: whose session (``None`` before sign-in) and its CSRF token."""

    key_id: int | None
    csrf: str
    expires: int

    @classmethod
    def anonymous(cls, now: float | None = None) -> PageSession:
        at = int(time.time() if now is None else now)
        return cls(None, new_token(), at + ANONYMOUS_SECONDS)

    @classmethod
    def signed_in(cls, key_id: int, now: float | None = None) -> PageSession:
        at = int(time.time() if now is None else now)
        return cls(key_id, new_token(), at + SESSION_SECONDS)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, payload: str) -> str:
    key = hashlib.sha256(_SALT + secret.encode("utf-8")).digest()
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())


def dump(session: PageSession, secret: str) -> str:
    """The cookie value for a session."""
    body: dict[str, object] = {"t": session.csrf, "e": session.expires}
    if session.key_id is not None:
        body["k"] = session.key_id
    payload = _b64(json.dumps(body, separators=(",", ":")).encode("utf-8"))
    return f"{payload}.{_signature(secret, payload)}"


def load(value: str | None, secret: str, now: float | None = None) -> PageSession | None:
    """The session in a cookie value; ``None`` if absent, tampered with, malformed or expired."""
    if not value or len(value) > 1024 or value.count(".") != 1 or not value.isascii():
        return None
    payload, signature = value.split(".")
    if not hmac.compare_digest(signature, _signature(secret, payload)):
        return None
    try:
        body = json.loads(_unb64(payload))
    except ValueError:  # binascii.Error and JSONDecodeError are both ValueErrors
        return None
    if not isinstance(body, dict):
        return None
    token, expires, key_id = body.get("t"), body.get("e"), body.get("k")
    if not isinstance(token, str) or not isinstance(expires, int):
        return None
    if key_id is not None and not isinstance(key_id, int):
        return None
    if expires < (time.time() if now is None else now):
        return None
    return PageSession(key_id, token, expires)


def csrf_ok(session: PageSession | None, sent: str | None) -> bool:
    """Whether a form's token is the session's (constant-time comparison)."""
    if session is None or not sent:
        return False
    return hmac.compare_digest(session.csrf.encode("utf-8"), sent.encode("utf-8"))
