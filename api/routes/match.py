"""Ad-hoc matching: a record in, the best candidates of the other kind out. Nothing is stored."""

from typing import Annotated

from fastapi import APIRouter, Body, Query

from api.deps import MatchingDep, SessionDep, WriterKey
from api.schemas import (
    CandidatePublic,
    ErrorPublic,
    FieldExplanationPublic,
    FieldProblemPublic,
    MatchPublic,
    MatchQuery,
)
from matcher.records import RawRecord, RecordKind, make_record
from matcher.storage import repository as repo

router = APIRouter(prefix="/v1", tags=["match"])


@router.post(
    "/match",
    summary="Match an ad-hoc record",
    responses={
        401: {"model": ErrorPublic},
        403: {"model": ErrorPublic},
        422: {"model": ErrorPublic, "description": "Invalid body or parameters"},
    },
)
def match(
    query: Annotated[MatchQuery, Body()],
    session: SessionDep,
    state: MatchingDep,
    key: WriterKey,
    k: Annotated[int, Query(ge=1, le=100, description="How many candidates at most")] = 10,
    min_probability: Annotated[
        float, Query(ge=0.0, le=1.0, description="Leave out candidates below this probability")
    ] = 0.0,
) -> MatchPublic:
    """Score a found child against the missing reports (or a missing report against the found
    children) and return the best ``k``, best first, each with its probability, weight,
    decision and the per-field explanation. The query is not stored; that it was asked is
    audited (without its content)."""
    kind = RecordKind(query.kind)
    raw = make_record(kind, {**query.spec_fields(), "id": query.id or "query"})
    raw = RawRecord(raw.kind, raw.id, raw.fields)
    person = state.normalize(raw)
    found = state.candidates_for(person, k, min_probability)
    candidates = [
        CandidatePublic(
            rank=rank,
            found_id=link.pair.found_id,
            missing_id=link.pair.missing_id,
            candidate_id=candidate.id,
            match_probability=link.pair.match_probability,
            match_weight=link.pair.match_weight,
            prior_weight=link.pair.prior_weight,
            decision=None if link.decision is None else link.decision.value,
            explanation=[
                FieldExplanationPublic(
                    field=w.field,
                    level=w.level,
                    weight=w.weight,
                    tf_adjustment=w.tf_adjustment,
                    detail=w.detail,
                )
                for w in link.pair.weights
            ],
        )
        for rank, (link, candidate) in enumerate(found, start=1)
    ]
    repo.audit(
        session,
        actor=repo.Actor.for_key(key),
        action="match.query",
        target_kind=kind.value,
        model_version=state.model.version,
        detail={
            "k": k,
            "min_probability": min_probability,
            "candidates": [c.candidate_id for c in candidates],
        },
    )
    session.commit()
    return MatchPublic(
        model_version=state.model.version,
        searched=kind.other,
        searched_count=state.size(kind.other),
        candidates=candidates,
        problems=[FieldProblemPublic(field=p.field, reason=p.reason) for p in person.problems],
    )
