"""The caseworkers' review pages: sign-in, the queue, a pair, decisions, a record's history.

Server-rendered HTML under ``/review``, for cheap phones on slow connections:
no front-end framework, one small stylesheet and one small script (keyboard
shortcuts). Every page needs a signed-in caseworker (or admin) key and shows
only what the JSON API would show that key: the same jurisdiction rules
(:mod:`api.access`), the same 404 for what lies outside them, the same audit
entries for reading a pair and deciding.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from api import access
from api.deps import (
    GazetteerDep,
    MatchingDep,
    SessionDep,
    client_address,
    key_failures,
    too_many_failures,
)
from api.matching import MatchingState
from api.pages import i18n
from api.pages import session as cookies
from api.pages.view import (
    BAND_BY_CODE,
    BANDS,
    WAITING_DAYS,
    elapsed,
    elapsed_text,
    field_rows,
    pages,
    percent,
    weight_chart,
)
from matcher.errors import Conflict, NotFound
from matcher.normalize.places import Gazetteer
from matcher.records import RecordKind
from matcher.settings import Settings
from matcher.storage import repository as repo

TEMPLATES_DIR: Final = Path(__file__).resolve().parents[1] / "templates"
templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.filters["percent"] = percent

PREFIX: Final = "/review"
LANG_COOKIE: Final = "matcher_lang"
PER_PAGE: Final = 20
#: The reunification steps offered on a confirmed pair (codes go to the audit log).
STEPS: Final = (
    "family_contacted",
    "identity_verified",
    "home_visit",
    "cwc_order",
    "handed_over",
    "follow_up",
)
DECISIONS: Final = ("confirmed", "rejected", "unsure")
#: Only this site's own stylesheet and script; inline style attributes for the bar widths.
CSP: Final = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; script-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)


class SignInRequired(Exception):
    """No valid session: the handler sends the browser to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        super().__init__("sign-in required")
        self.next_url = next_url


# --- session and key -----------------------------------------------------------


def _secret(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return settings.secret_key.get_secret_value()


def page_session(request: Request) -> cookies.PageSession | None:
    """The request's valid session cookie, if any."""
    return cookies.load(request.cookies.get(cookies.COOKIE_NAME), _secret(request))


def _safe_next(value: str | None) -> str:
    """A redirect target inside the pages only (no open redirect to another site)."""
    if (
        value
        and value.startswith(PREFIX + "/")
        and "\\" not in value
        and value.isprintable()
        and "/../" not in value
    ):
        return value
    return PREFIX + "/queue"


@dataclass(frozen=True, slots=True)
class Reviewer:
    """A signed-in caseworker (or admin): the key and the session it came with."""

    key: repo.ApiKey
    session: cookies.PageSession


def reviewer(request: Request) -> Reviewer:
    """The signed-in key, re-checked on every request (a revoked key is signed out at once)."""
    if request.method == "GET":
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:
        here = PREFIX + "/queue"  # a form cannot be re-sent after sign-in: start at the queue
    current = page_session(request)
    if current is None or current.key_id is None:
        raise SignInRequired(here)
    with request.app.state.session_factory() as db:
        try:
            key = repo.get_api_key(db, current.key_id)
        except NotFound:
            raise SignInRequired(here) from None
    if not key.active or key.role not in (repo.Role.CASEWORKER, repo.Role.ADMIN):
        raise SignInRequired(here)
    return Reviewer(key, current)


ReviewerDep = Annotated[Reviewer, Depends(reviewer)]


def _set_session(request: Request, response: Response, value: cookies.PageSession) -> None:
    response.set_cookie(
        cookies.COOKIE_NAME,
        cookies.dump(value, _secret(request)),
        max_age=max(0, value.expires - int(time.time())),
        path=PREFIX,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def _language(request: Request) -> str:
    return i18n.language_of(request.cookies.get(LANG_COOKIE))


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
    who: Reviewer | None = None,
    anonymous: cookies.PageSession | None = None,
) -> HTMLResponse:
    """A page in the caller's language, with the CSRF token its forms need."""
    language = _language(request)
    csrf = who.session.csrf if who else (anonymous.csrf if anonymous else "")
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response = templates.TemplateResponse(
        request,
        template,
        {
            "t": i18n.translator(language),
            "lang": language,
            "languages": i18n.LANGUAGE_NAMES,
            "here": here,
            "csrf": csrf,
            "who": who.key if who else None,
            "prefix": PREFIX,
            **context,
        },
        status_code=status_code,
    )
    # Children's records: never cached by a shared phone's browser or a proxy.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = CSP
    # A page or a stylesheet is never sniffed into something else.
    response.headers["X-Content-Type-Options"] = "nosniff"
    if anonymous is not None:
        _set_session(request, response, anonymous)
    return response


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _not_found(request: Request, who: Reviewer) -> HTMLResponse:
    return render(request, "not_found.html", {}, status_code=404, who=who)


def _forbidden_form(request: Request, who: Reviewer) -> HTMLResponse:
    return render(request, "message.html", {"message": "bad_form"}, status_code=403, who=who)


# --- sign-in, sign-out, language -------------------------------------------------


@router.get("")
def home() -> RedirectResponse:
    return _redirect(PREFIX + "/queue")


@router.get("/signin")
def signin_form(request: Request, next: str | None = None) -> Response:
    try:
        reviewer(request)
        return _redirect(_safe_next(next))
    except SignInRequired:
        pass  # no session, or its key was revoked: show the form (never a redirect loop)
    current = page_session(request)
    if current is None or current.key_id is not None:
        current = cookies.PageSession.anonymous()
    anonymous = current
    return render(
        request, "signin.html", {"next": _safe_next(next), "error": None}, anonymous=anonymous
    )


@router.post("/signin")
def signin(
    request: Request,
    key: Annotated[str, Form(max_length=300)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the key, then start a session with a fresh CSRF token."""
    current = page_session(request)
    target = _safe_next(next)

    def refuse(error: str, status_code: int) -> HTMLResponse:
        return render(
            request,
            "signin.html",
            {"next": target, "error": error},
            status_code=status_code,
            anonymous=cookies.PageSession.anonymous(),
        )

    if not cookies.csrf_ok(current, csrf):
        return refuse("bad_form", 403)
    refused = too_many_failures(request)
    if refused is not None:
        page = refuse("too_many_tries", 429)
        page.headers.update(refused.headers or {})
        return page
    with request.app.state.session_factory() as db:
        found = repo.authenticate(db, key.strip())
        if found is not None and found.role in (repo.Role.CASEWORKER, repo.Role.ADMIN):
            repo.audit(
                db,
                actor=repo.Actor.for_key(found),
                action="review_pages.signin",
                target_kind="api_key",
                target_id=str(found.id),
            )
        db.commit()
    if found is None:
        key_failures(request).fail(client_address(request))
        return refuse("bad_key", 401)
    if found.role not in (repo.Role.CASEWORKER, repo.Role.ADMIN):
        return refuse("not_reviewer", 403)
    response = _redirect(target)
    _set_session(request, response, cookies.PageSession.signed_in(found.id))
    return response


@router.post("/signout")
def signout(
    request: Request, who: ReviewerDep, csrf: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    if not cookies.csrf_ok(who.session, csrf):
        return _forbidden_form(request, who)
    response = _redirect(PREFIX + "/signin")
    response.delete_cookie(cookies.COOKIE_NAME, path=PREFIX)
    return response


@router.get("/lang/{code}")
def set_language(code: str, next: str | None = None) -> Response:
    """Switch the labels' language (a plain preference cookie; nothing secret in it)."""
    response = _redirect(_safe_next(next))
    response.set_cookie(
        LANG_COOKIE, i18n.language_of(code), max_age=365 * 86400, path=PREFIX, samesite="lax"
    )
    return response


# --- the queue -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """The queue's filters as read from the query string (unknown values are dropped)."""

    state: str | None = None
    district: str | None = None
    band: str | None = None
    days: int | None = None
    #: ``unsure``: the pairs marked unsure, to decide again; otherwise the pending ones.
    status: str | None = None
    page: int = 1

    @classmethod
    def of(cls, query: Mapping[str, str]) -> QueueFilter:
        def code(name: str) -> str | None:
            value = (query.get(name) or "").strip()
            return value if value and len(value) <= 32 else None

        band = query.get("band")
        days = query.get("days", "")
        page = query.get("page", "")
        return cls(
            state=code("state"),
            district=code("district"),
            band=band if band in BAND_BY_CODE else None,
            days=int(days) if days.isdigit() and int(days) in WAITING_DAYS else None,
            status="unsure" if query.get("status") == "unsure" else None,
            page=max(1, min(int(page), 10_000)) if page.isdigit() else 1,
        )

    def query(self, *, page: int | None = None, with_page: bool = True) -> str:
        """The query string of these filters (for links and forms); '' when none."""
        values: dict[str, str | int] = {}
        for name in ("state", "district", "band", "days", "status"):
            value = getattr(self, name)
            if value is not None:
                values[name] = value
        chosen = self.page if page is None else page
        if with_page and chosen > 1:
            values["page"] = chosen
        return urlencode(values)


def _pending(
    db: Session,
    key: repo.ApiKey,
    gazetteer: Gazetteer,
    chosen: QueueFilter,
    *,
    limit: int,
    offset: int,
) -> tuple[list[repo.ReviewItem], int]:
    """The open items the key may see under these filters, highest probability first."""
    where = access.scope(key, gazetteer, chosen.state, chosen.district)
    if where == access.NOTHING:
        return [], 0
    band = BAND_BY_CODE.get(chosen.band) if chosen.band else None
    return repo.list_review_items(
        db,
        status=repo.ReviewStatus(chosen.status or "pending"),
        state_codes=where.state_codes,
        district_codes=where.district_codes,
        min_score=band.low if band else None,
        max_score=band.high if band else None,
        older_than_days=chosen.days,
        limit=limit,
        offset=offset,
    )


def _place_options(
    key: repo.ApiKey, gazetteer: Gazetteer, chosen: QueueFilter
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(code, name) choices of the state and district filters within the key's jurisdiction."""
    states = {s.code: s for s in gazetteer.states}
    if access.limited(key):
        codes = set(key.states)
        for district in key.districts:
            try:
                codes.add(gazetteer.district(district).state.code)
            except KeyError:
                continue  # a key may name a district the gazetteer no longer has
        state_options = sorted(
            ((c, states[c].name) for c in codes if c in states), key=lambda o: o[1]
        )
    else:
        state_options = sorted(((s.code, s.name) for s in states.values()), key=lambda o: o[1])
    which = chosen.state or (state_options[0][0] if len(state_options) == 1 else None)
    districts = [
        d
        for d in gazetteer.districts
        if (which is not None and d.state.code == which)
        or (which is None and access.limited(key) and d.code in key.districts)
    ]
    if access.limited(key):
        districts = [d for d in districts if d.code in key.districts or d.state.code in key.states]
    district_options = sorted(((d.code, d.name) for d in districts), key=lambda o: o[1])
    return state_options, district_options


def _names(db: Session, kind: RecordKind, ids: Iterable[str]) -> dict[str, str]:
    return {i: r.fields.get("name", "") for i, r in repo.get_records(db, kind, list(ids)).items()}


def _waiting_days(item: repo.ReviewItem, now: datetime) -> int:
    return max(0, (now - item.created_at).days)


@router.get("/queue")
def queue(
    request: Request, who: ReviewerDep, db: SessionDep, gazetteer: GazetteerDep
) -> HTMLResponse:
    """Pending pairs in the caseworker's jurisdiction, highest probability first."""
    chosen = QueueFilter.of(request.query_params)
    items, total = _pending(
        db, who.key, gazetteer, chosen, limit=PER_PAGE, offset=(chosen.page - 1) * PER_PAGE
    )
    repo.audit(
        db,
        actor=repo.Actor.for_key(who.key),
        action="review.list",
        target_kind="review_item",
        detail={"ids": [i.id for i in items], "total": total, "via": "pages"},
    )
    found_names = _names(db, RecordKind.FOUND, (i.found_id for i in items))
    missing_names = _names(db, RecordKind.MISSING, (i.missing_id for i in items))
    db.commit()
    state_options, district_options = _place_options(who.key, gazetteer, chosen)
    now = datetime.now(UTC)
    rows = [
        {
            "item": i,
            "found_name": found_names.get(i.found_id, ""),
            "missing_name": missing_names.get(i.missing_id, ""),
            "waiting": _waiting_days(i, now),
        }
        for i in items
    ]
    decided = request.query_params.get("decided", "")
    return render(
        request,
        "queue.html",
        {
            "rows": rows,
            "total": total,
            "filter": chosen,
            "page": chosen.page,
            "pages": pages(total, PER_PAGE),
            "bands": BANDS,
            "waiting_days": WAITING_DAYS,
            "state_options": state_options,
            "district_options": district_options,
            "decided": _decided_notice(request) if decided else None,
        },
        who=who,
    )


def _decided_notice(request: Request) -> dict[str, str] | None:
    item_id, status = request.query_params.get("decided", ""), request.query_params.get("as", "")
    if item_id.isdigit() and status in DECISIONS:
        return {"id": item_id, "status": status}
    return None


# --- a pair ----------------------------------------------------------------------


def _visible_item(db: Session, key: repo.ApiKey, item_id: int) -> repo.ReviewItem | None:
    try:
        item = repo.get_review_item(db, item_id)
    except NotFound:
        return None
    return item if access.sees_item(key, item) else None


def _key_names(db: Session, labels: Iterable[str | None]) -> dict[str, str]:
    """Show ``key:7`` as the key's name (caseworkers know each other by name, not number)."""
    names: dict[str, str] = {}
    for label in {lbl for lbl in labels if lbl}:
        number = label.removeprefix("key:")
        if label.startswith("key:") and number.isdigit():
            try:
                names[label] = repo.get_api_key(db, int(number)).name
            except NotFound:
                names[label] = label
        else:
            names[label] = label
    return names


def _next_item(
    db: Session, key: repo.ApiKey, gazetteer: Gazetteer, chosen: QueueFilter, after: int
) -> int | None:
    """The first pending pair of the (filtered) queue other than ``after``."""
    items, _ = _pending(db, key, gazetteer, replace(chosen, page=1), limit=2, offset=0)
    return next((i.id for i in items if i.id != after), None)


def _pair_page(
    request: Request,
    who: Reviewer,
    db: Session,
    gazetteer: Gazetteer,
    matching: MatchingState,
    item: repo.ReviewItem,
    *,
    conflict: bool = False,
) -> HTMLResponse:
    chosen = QueueFilter.of(request.query_params)
    found = repo.get_record(db, RecordKind.FOUND, item.found_id, include_deleted=True)
    missing = repo.get_record(db, RecordKind.MISSING, item.missing_id, include_deleted=True)
    found_person = matching.normalize(found.raw())
    missing_person = matching.normalize(missing.raw())
    decisions = repo.list_decisions(db, item.id)
    steps = repo.list_reunification_steps(db, item.id) if item.status == "confirmed" else []
    others, _ = repo.list_review_items(db, status=None, found_id=item.found_id, limit=20)
    others = [o for o in others if o.id != item.id and access.sees_item(who.key, o)]
    other_names = _names(db, RecordKind.MISSING, (o.missing_id for o in others))
    repo.audit(
        db,
        actor=repo.Actor.for_key(who.key),
        action="review.read",
        target_kind="review_item",
        target_id=str(item.id),
        model_version=item.model_version,
        detail={"found_id": item.found_id, "missing_id": item.missing_id, "via": "pages"},
    )
    names = _key_names(
        db,
        [item.decided_by, *(d.decided_by for d in decisions), *(s.actor for s in steps)],
    )
    next_id = _next_item(db, who.key, gazetteer, chosen, item.id)
    db.commit()
    return render(
        request,
        "pair.html",
        {
            "item": item,
            "found": found,
            "missing": missing,
            "rows": field_rows(
                found.fields, missing.fields, found_person, missing_person, item.explanation
            ),
            "chart": weight_chart(item.explanation),
            "elapsed_text": elapsed_text(
                elapsed(missing_person.record_date, found_person.record_date),
                i18n.translator(_language(request)),
            ),
            "missing_date": missing_person.record_date,
            "found_date": found_person.record_date,
            "decisions": decisions,
            "steps": steps,
            "step_codes": STEPS,
            "others": [{"item": o, "name": other_names.get(o.missing_id, "")} for o in others],
            "names": names,
            "conflict": conflict,
            "decided": _decided_notice(request),
            "filter_query": chosen.query(with_page=False),
            "queue_query": chosen.query(),
            "next_id": next_id,
        },
        status_code=409 if conflict else 200,
        who=who,
    )


@router.get("/pairs/{item_id}")
def pair(
    item_id: int,
    request: Request,
    who: ReviewerDep,
    db: SessionDep,
    gazetteer: GazetteerDep,
    matching: MatchingDep,
) -> HTMLResponse:
    """A pair side by side with its explanation, decisions and (confirmed) steps."""
    item = _visible_item(db, who.key, item_id)
    if item is None:
        return _not_found(request, who)
    return _pair_page(request, who, db, gazetteer, matching, item)


@router.post("/pairs/{item_id}/decision")
def decide(
    item_id: int,
    request: Request,
    who: ReviewerDep,
    db: SessionDep,
    gazetteer: GazetteerDep,
    matching: MatchingDep,
    status: Annotated[str, Form(max_length=20)] = "",
    version: Annotated[int, Form(ge=1)] = 1,
    note: Annotated[str, Form(max_length=4000)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Record the decision, then open the next pair; a lost race shows the first decision."""
    item = _visible_item(db, who.key, item_id)
    if item is None:
        return _not_found(request, who)
    if not cookies.csrf_ok(who.session, csrf) or status not in DECISIONS:
        return _forbidden_form(request, who)
    try:
        decided = repo.decide(
            db,
            item_id,
            repo.ReviewStatus(status),
            repo.Actor.for_key(who.key),
            note.strip() or None,
            version,
        )
        db.commit()
    except repo.DecisionConflict as lost:
        db.rollback()
        return _pair_page(request, who, db, gazetteer, matching, lost.current, conflict=True)
    if decided.status is repo.ReviewStatus.CONFIRMED:
        matching.catch_up()  # the closed records leave this worker's index now
    chosen = QueueFilter.of(request.query_params)
    notice = urlencode({"decided": item_id, "as": status})
    filters = chosen.query(with_page=False)
    next_id = _next_item(db, who.key, gazetteer, chosen, item_id)
    if next_id is None:
        return _redirect(f"{PREFIX}/queue?{notice}" + (f"&{filters}" if filters else ""))
    return _redirect(f"{PREFIX}/pairs/{next_id}?{notice}" + (f"&{filters}" if filters else ""))


@router.post("/pairs/{item_id}/steps")
def add_step(
    item_id: int,
    request: Request,
    who: ReviewerDep,
    db: SessionDep,
    step: Annotated[str, Form(max_length=64)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Record a reunification step on a confirmed pair."""
    item = _visible_item(db, who.key, item_id)
    if item is None:
        return _not_found(request, who)
    if not cookies.csrf_ok(who.session, csrf) or step not in STEPS:
        return _forbidden_form(request, who)
    try:
        repo.add_reunification_step(
            db, item_id, step, note.strip() or None, repo.Actor.for_key(who.key)
        )
        db.commit()
    except Conflict:
        db.rollback()  # not (or no longer) a confirmed match: the pair page says so
    return _redirect(f"{PREFIX}/pairs/{item_id}#steps")


# --- a record's history ----------------------------------------------------------


@router.get("/records/{kind}/{record_id}")
def record_page(
    kind: str, record_id: str, request: Request, who: ReviewerDep, db: SessionDep
) -> HTMLResponse:
    """A record's versions and every review decision on its pairs."""
    if kind not in ("found", "missing") or len(record_id) > 200:
        return _not_found(request, who)
    record_kind = RecordKind(kind)
    try:
        record = repo.get_record(db, record_kind, record_id, include_deleted=True)
    except NotFound:
        return _not_found(request, who)
    is_found = record_kind is RecordKind.FOUND
    items, _ = repo.list_review_items(
        db,
        status=None,
        include_superseded=True,
        found_id=record_id if is_found else None,
        missing_id=None if is_found else record_id,
        limit=100,
    )
    visible = [i for i in items if access.sees_item(who.key, i)]
    if not access.sees_record(who.key, record) and not visible:
        return _not_found(request, who)
    versions = repo.record_history(db, record_kind, record_id)
    decisions = [(i, d) for i in visible for d in repo.list_decisions(db, i.id)]
    decisions.sort(key=lambda pair: pair[1].decided_at, reverse=True)
    repo.audit(
        db,
        actor=repo.Actor.for_key(who.key),
        action="record.history",
        target_kind=record_kind.value,
        target_id=record_id,
        detail={"versions": len(versions), "via": "pages"},
    )
    names = _key_names(db, [*(v.actor for v in versions), *(d.decided_by for _, d in decisions)])
    db.commit()
    return render(
        request,
        "record.html",
        {
            "record": record,
            "versions": list(reversed(versions)),
            "decisions": decisions,
            "names": names,
        },
        who=who,
    )
