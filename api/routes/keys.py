"""API keys: admins create, list and revoke them; any key can ask who it is."""

from typing import Annotated

from fastapi import APIRouter, Path, status

from api.deps import MAX_INT_ID, AdminKey, CurrentKey, GazetteerDep, SessionDep
from api.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic, ErrorPublic
from matcher.storage import repository as repo

router = APIRouter(prefix="/v1", tags=["keys"])

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorPublic},
    403: {"model": ErrorPublic, "description": "Not an admin key"},
}


@router.get("/me", summary="The calling key", responses={401: {"model": ErrorPublic}})
def me(key: CurrentKey) -> ApiKeyPublic:
    return ApiKeyPublic.of(key)


@router.post(
    "/keys",
    status_code=status.HTTP_201_CREATED,
    responses={**_ERRORS, 422: {"model": ErrorPublic, "description": "Unknown place code"}},
    summary="Create a key (the secret is shown once)",
)
def create_key(
    body: ApiKeyCreate, session: SessionDep, gazetteer: GazetteerDep, key: AdminKey
) -> ApiKeyCreated:
    """Caseworker keys see the review items and records of the states and districts given
    (gazetteer codes such as ``IN-23`` and ``IN-379``)."""
    states = {s.code for s in gazetteer.states}
    unknown = [s for s in body.states if s not in states]
    for code in body.districts:
        try:
            gazetteer.district(code)
        except KeyError:
            unknown.append(code)
    if unknown:
        raise ValueError(f"not gazetteer codes: {', '.join(unknown)}")
    created, secret = repo.create_api_key(
        session, body.name, body.role, body.states, body.districts, actor=repo.Actor.for_key(key)
    )
    session.commit()
    return ApiKeyCreated(key=ApiKeyPublic.of(created), secret=secret)


@router.get("/keys", responses=_ERRORS, summary="List keys")
def list_keys(
    session: SessionDep, key: AdminKey, include_revoked: bool = True
) -> list[ApiKeyPublic]:
    return [
        ApiKeyPublic.of(k) for k in repo.list_api_keys(session, include_revoked=include_revoked)
    ]


@router.delete(
    "/keys/{key_id}",
    responses={**_ERRORS, 404: {"model": ErrorPublic}},
    summary="Revoke a key (it stops working at once)",
)
def revoke_key(
    key_id: Annotated[int, Path(ge=1, le=MAX_INT_ID)], session: SessionDep, key: AdminKey
) -> ApiKeyPublic:
    revoked = repo.revoke_api_key(session, key_id, actor=repo.Actor.for_key(key))
    session.commit()
    return ApiKeyPublic.of(revoked)
