"""The caseworkers' review pages (HTML under ``/review``), their static files and sign-in.

``install(app)`` adds the routes, mounts ``/review/static`` and turns a
missing sign-in into a redirect to the sign-in page.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.pages.routes import PREFIX, SignInRequired, router

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"

__all__ = ["install", "router"]


async def _sign_in_first(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(f"{PREFIX}/signin?{urlencode({'next': exc.next_url})}", status_code=303)


def install(app: FastAPI) -> None:
    """Add the review pages to an app."""
    app.include_router(router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC_DIR), name="review-static")
    app.add_exception_handler(SignInRequired, _sign_in_first)
