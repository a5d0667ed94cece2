"""The review queue: list, one item side by side, decisions, reunification steps.

Caseworkers see the items touching their states or districts, admins all;
integrators none. Reading an item and deciding are audited (the repository
audits decisions and steps itself).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status

from api import access
from api.deps import MAX_BIGINT, CaseworkerKey, GazetteerDep, MatchingDep, SessionDep
from api.schemas import (
    DecisionConflictPublic,
    DecisionCreate,
    DecisionPublic,
    ErrorPublic,
    ExplanationPublic,
    FieldExplanationPublic,
    RecordPublic,
    ReviewItemDetail,
    ReviewItemPublic,
    ReviewPage,
    StepCreate,
    StepPublic,
)
from matcher.errors import NotFound
from matcher.records import RecordKind
from matcher.storage import repository as repo

router = APIRouter(prefix="/v1/review", tags=["review"])

ItemId = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="The review item's id")]

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorPublic, "description": "No or unknown API key"},
    403: {"model": ErrorPublic, "description": "Not a caseworker or admin key"},
    404: {"model": ErrorPublic, "description": "No such item (or not in your jurisdiction)"},
}


def _item(session: SessionDep, key: repo.ApiKey, item_id: int) -> repo.ReviewItem:
    item = repo.get_review_item(session, item_id)
    if not access.sees_item(key, item):
        raise NotFound(f"no review item {item_id}")
    return item


@router.get("", responses=_ERRORS, summary="List review items, highest score first")
def list_items(
    session: SessionDep,
    gazetteer: GazetteerDep,
    key: CaseworkerKey,
    item_status: Annotated[
        repo.ReviewStatus | None,
        Query(alias="status", description="Default pending; 'all' is not a status: leave out"),
    ] = repo.ReviewStatus.PENDING,
    any_status: Annotated[bool, Query(description="List every status")] = False,
    state: Annotated[str | None, Query(max_length=32, examples=["IN-23"])] = None,
    district: Annotated[str | None, Query(max_length=32, examples=["IN-379"])] = None,
    min_score: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    max_score: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    older_than_days: Annotated[
        float | None,
        Query(ge=0.0, le=36_500.0, description="Items proposed at least this many days ago"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_BIGINT)] = 0,
) -> ReviewPage:
    """A caseworker sees only items touching their states or districts."""
    where = access.scope(key, gazetteer, state, district)
    items: list[repo.ReviewItem] = []
    total = 0
    if where != access.NOTHING:
        items, total = repo.list_review_items(
            session,
            status=None if any_status else item_status,
            state_codes=where.state_codes,
            district_codes=where.district_codes,
            min_score=min_score,
            max_score=max_score,
            older_than_days=older_than_days,
            limit=limit,
            offset=offset,
        )
    repo.audit(
        session,
        actor=repo.Actor.for_key(key),
        action="review.list",
        target_kind="review_item",
        detail={"ids": [i.id for i in items], "total": total},
    )
    session.commit()
    return ReviewPage(
        items=[ReviewItemPublic.of(i) for i in items], total=total, limit=limit, offset=offset
    )


@router.get("/{item_id}", responses=_ERRORS, summary="One item with both records side by side")
def get_item(item_id: ItemId, session: SessionDep, key: CaseworkerKey) -> ReviewItemDetail:
    """The pair, both records as stored now, the score's explanation, decisions and steps.

    The read is audited (both records are children's records)."""
    item = _item(session, key, item_id)
    found = repo.get_record(session, RecordKind.FOUND, item.found_id, include_deleted=True)
    missing = repo.get_record(session, RecordKind.MISSING, item.missing_id, include_deleted=True)
    explanation = item.explanation
    repo.audit(
        session,
        actor=repo.Actor.for_key(key),
        action="review.read",
        target_kind="review_item",
        target_id=str(item_id),
        model_version=item.model_version,
        detail={"found_id": item.found_id, "missing_id": item.missing_id},
    )
    detail = ReviewItemDetail(
        item=ReviewItemPublic.of(item),
        explanation=ExplanationPublic(
            prior_weight=explanation.get("prior_weight"),
            fields=[FieldExplanationPublic(**f) for f in explanation.get("fields", [])],
        ),
        found=RecordPublic.of(found),
        missing=RecordPublic.of(missing),
        decisions=[_decision(d) for d in repo.list_decisions(session, item_id)],
        steps=[_step(s) for s in repo.list_reunification_steps(session, item_id)],
    )
    session.commit()
    return detail


def _decision(d: repo.DecisionEntry) -> DecisionPublic:
    return DecisionPublic(
        id=d.id,
        status=d.status,
        previous_status=d.previous_status,
        item_version=d.item_version,
        decided_by=d.decided_by,
        note=d.note,
        decided_at=d.decided_at,
    )


def _step(s: repo.ReunificationStep) -> StepPublic:
    return StepPublic(id=s.id, item_id=s.item_id, step=s.step, note=s.note, actor=s.actor, at=s.at)


@router.post(
    "/{item_id}/decision",
    responses={
        **_ERRORS,
        409: {
            "model": DecisionConflictPublic,
            "description": "Someone decided first (or the item changed): the item as it is now",
        },
    },
    summary="Decide: confirmed, rejected or unsure",
)
def decide(
    item_id: ItemId,
    body: DecisionCreate,
    session: SessionDep,
    state: MatchingDep,
    key: CaseworkerKey,
) -> ReviewItemPublic:
    """``confirmed`` marks the missing report traced and the found child reunited; ``rejected``
    keeps the pair out of the queue until one of the records changes; ``unsure`` may be
    decided again. Send the item's ``version`` as ``expected_version``: if someone decided
    first you get 409 with their decision."""
    _item(session, key, item_id)
    item = repo.decide(
        session,
        item_id,
        repo.ReviewStatus(body.status),
        repo.Actor.for_key(key),
        body.note,
        body.expected_version,
    )
    session.commit()
    if item.status is repo.ReviewStatus.CONFIRMED:
        state.catch_up()  # the closed records leave this worker's index now
    return ReviewItemPublic.of(item)


@router.post(
    "/{item_id}/steps",
    status_code=status.HTTP_201_CREATED,
    responses={**_ERRORS, 409: {"model": ErrorPublic, "description": "Not a confirmed match"}},
    summary="Record a reunification step",
)
def add_step(
    item_id: ItemId, body: StepCreate, session: SessionDep, key: CaseworkerKey
) -> StepPublic:
    """After a confirmed match: family contacted, verified, handed over..."""
    _item(session, key, item_id)
    step = repo.add_reunification_step(
        session, item_id, body.step, body.note, repo.Actor.for_key(key)
    )
    session.commit()
    return _step(step)


@router.get("/{item_id}/steps", responses=_ERRORS, summary="The reunification steps so far")
def list_steps(item_id: ItemId, session: SessionDep, key: CaseworkerKey) -> list[StepPublic]:
    _item(session, key, item_id)
    return [_step(s) for s in repo.list_reunification_steps(session, item_id)]
