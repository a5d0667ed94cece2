"""The review pages served by the app, driven like a browser with TestClient (no JavaScript)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.pages import session as cookies
from matcher.storage import repository as repo
from tests.api.conftest import KA, MP, make_key
from tests.pages.conftest import csrf_of, sign_in

#: A second Madhya Pradesh pair, so that deciding one opens the next.
MISSING_MP_2: dict[str, Any] = {
    "id": "M-MP-2",
    "name": "मोहम्मद इरफ़ान",
    "sex": "male",
    "age": "9",
    "father_name": "Salim Khan",
    "village": "Sanawad",
    "district": "Khargone",
    "state": "Madhya Pradesh",
    "missing_date": "2019-03-10",
}
FOUND_MP_2: dict[str, Any] = {
    "id": "F-MP-2",
    "name": "Mohd. Irfan",
    "sex": "M",
    "age": "11",
    "father_name": "Saleem",
    "village": "Sanawad",
    "district": "Khargone",
    "state": "Madhya Pradesh",
    "found_date": "2021-02-01",
    "found_district": "Indore",
    "found_state": "Madhya Pradesh",
}


def _decide(client: TestClient, item_id: int, status: str, **extra: str) -> Any:
    page = client.get(f"/review/pairs/{item_id}")
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version is not None
    form = {"status": status, "version": version.group(1), "csrf": csrf_of(page.text), **extra}
    return client.post(f"/review/pairs/{item_id}/decision", data=form, follow_redirects=False)


# --- sign-in ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/review/queue", "/review/pairs/1", "/review/records/found/F-MP-1"]
)
def test_every_page_needs_sign_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/review/signin?next=")


def test_posts_need_sign_in(client: TestClient, pairs: dict[str, int]) -> None:
    response = client.post(
        f"/review/pairs/{pairs[MP]}/decision",
        data={"status": "confirmed", "version": "1"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/review/signin")


def test_sign_in_sets_a_safe_session_cookie(client: TestClient, caseworker: dict[str, str]) -> None:
    page = client.get("/review/signin")
    assert page.status_code == 200 and 'name="csrf"' in page.text
    response = client.post(
        "/review/signin",
        data={
            "key": caseworker["Authorization"].removeprefix("Bearer "),
            "csrf": csrf_of(page.text),
            "next": "/review/queue",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/review/queue"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(cookies.COOKIE_NAME + "=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/review" in cookie
    assert "Secure" not in cookie  # plain http here; see the https test
    # The key's secret is not in the cookie.
    assert caseworker["Authorization"].removeprefix("Bearer ") not in cookie
    assert client.get("/review/queue").status_code == 200


def test_cookie_is_secure_over_https(client: TestClient, caseworker: dict[str, str]) -> None:
    secure = TestClient(client.app, base_url="https://testserver")
    page = secure.get("/review/signin")
    assert "Secure" in page.headers["set-cookie"]


@pytest.mark.parametrize(
    ("which", "status", "message"),
    [
        ("wrong_csrf", 403, "The form expired"),
        ("unknown_key", 401, "unknown or revoked"),
        ("integrator", 403, "needs the caseworker role"),
    ],
    ids=["form token missing", "unknown key", "integrator key"],
)
def test_sign_in_refusals(
    client: TestClient, integrator: dict[str, str], which: str, status: int, message: str
) -> None:
    page = client.get("/review/signin")
    key = integrator["Authorization"].removeprefix("Bearer ")
    form = {"key": key, "csrf": csrf_of(page.text)}
    if which == "wrong_csrf":
        form["csrf"] = "forged"
    if which == "unknown_key":
        form["key"] = "mk_notakey"
    response = client.post("/review/signin", data=form, follow_redirects=False)
    assert response.status_code == status
    assert message in response.text
    assert client.get("/review/queue", follow_redirects=False).status_code == 303


def test_sign_in_goes_back_where_it_was_asked_but_never_off_site(
    client: TestClient, caseworker: dict[str, str]
) -> None:
    first = client.get("/review/records/found/F-MP-1", follow_redirects=False)
    assert first.headers["location"] == "/review/signin?next=%2Freview%2Frecords%2Ffound%2FF-MP-1"
    page = client.get("/review/signin")
    response = client.post(
        "/review/signin",
        data={
            "key": caseworker["Authorization"].removeprefix("Bearer "),
            "csrf": csrf_of(page.text),
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/review/queue"


def test_sign_out(client: TestClient, caseworker: dict[str, str]) -> None:
    sign_in(client, caseworker)
    queue = client.get("/review/queue")
    forged = client.post("/review/signout", data={"csrf": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    response = client.post(
        "/review/signout", data={"csrf": csrf_of(queue.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert client.get("/review/queue", follow_redirects=False).status_code == 303


def test_a_revoked_key_is_signed_out_at_once(
    client: TestClient, caseworker: dict[str, str]
) -> None:
    sign_in(client, caseworker)
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        [key] = [k for k in repo.list_api_keys(session) if k.role is repo.Role.CASEWORKER]
        repo.revoke_api_key(session, key.id)
        session.commit()
    assert client.get("/review/queue", follow_redirects=False).status_code == 303
    # The sign-in page shows its form again (no redirect loop on the stale cookie).
    again = client.get("/review/signin", follow_redirects=False)
    assert again.status_code == 200 and 'name="key"' in again.text


def test_a_tampered_cookie_is_no_session(client: TestClient, caseworker: dict[str, str]) -> None:
    sign_in(client, caseworker)
    value = client.cookies.get(cookies.COOKIE_NAME)
    assert value
    payload, signature = value.split(".")
    client.cookies.set(cookies.COOKIE_NAME, payload + "." + signature[::-1], path="/review")
    assert client.get("/review/queue", follow_redirects=False).status_code == 303


# --- the queue and jurisdiction --------------------------------------------------


def test_queue_shows_only_the_jurisdiction(
    client: TestClient, caseworker: dict[str, str], pairs: dict[str, int]
) -> None:
    sign_in(client, caseworker)
    page = client.get("/review/queue").text
    assert "1 pair waiting" in page
    assert f'data-pair="{pairs[MP]}"' in page and "F-MP-1" in page
    assert f'data-pair="{pairs[KA]}"' not in page and "F-KA-1" not in page
    other = client.get(f"/review/pairs/{pairs[KA]}")
    assert other.status_code == 404 and "Manjunath" not in other.text
    assert client.get("/review/records/found/F-KA-1").status_code == 404
    assert client.get("/review/pairs/999999").status_code == 404


def test_admin_sees_everything(
    client: TestClient, admin: dict[str, str], pairs: dict[str, int]
) -> None:
    sign_in(client, admin)
    page = client.get("/review/queue").text
    assert "2 pairs waiting" in page
    assert client.get(f"/review/pairs/{pairs[KA]}").status_code == 200


def test_queue_filters(client: TestClient, admin: dict[str, str], pairs: dict[str, int]) -> None:
    sign_in(client, admin)
    by_state = client.get(f"/review/queue?state={KA}").text
    assert "1 pair waiting" in by_state and f'data-pair="{pairs[KA]}"' in by_state
    # Both pairs were proposed just now: none has waited a week.
    assert "Nothing waits" in client.get("/review/queue?days=7").text
    # The probability bands split the queue: their counts add up to the whole.
    counts = []
    for band in ("90", "70", "50", "0"):
        page = client.get(f"/review/queue?band={band}").text
        count = re.search(r'id="waiting">(\d+) pairs? waiting', page)
        assert count is not None
        counts.append(int(count.group(1)))
        assert page.count('data-pair="') == counts[-1]
    assert sum(counts) == 2


def test_queue_pages(client: TestClient, admin: dict[str, str], pairs: dict[str, int]) -> None:
    sign_in(client, admin)
    page = client.get("/review/queue?page=2").text
    assert "2 pairs waiting" in page and 'data-pair="' not in page  # 20 a page: page 2 is empty


def test_caseworker_filter_cannot_reach_outside(
    client: TestClient, caseworker: dict[str, str], pairs: dict[str, int]
) -> None:
    sign_in(client, caseworker)
    page = client.get(f"/review/queue?state={KA}").text
    assert "0 pairs waiting" in page and "F-KA-1" not in page


# --- a pair ------------------------------------------------------------------------


def test_pair_page(client: TestClient, caseworker: dict[str, str], pairs: dict[str, int]) -> None:
    sign_in(client, caseworker)
    page = client.get(f"/review/pairs/{pairs[MP]}").text
    # Side by side, aligned, agreement in words as well as colour.
    for text in ("Found child", "Missing report", "Radha Patel", "Fatehkhera", "Fatehkheda"):
        assert text in page
    assert re.search(r"ag-agrees.*agrees", page) and "ag-unknown" in page
    # What matcher read beside what was written: "Khargon" is Khargone (West Nimar).
    assert "Khargon<" in page and "read as" in page and "Khargone (West Nimar)" in page
    assert "7 months" in page  # June 2017 to January 2018
    # The weights add up to the total shown.
    weights = [float(w) for w in re.findall(r'class="bar-value">([+-][\d.]+)', page)]
    total = re.search(r"Total weight: <strong>([+-][\d.]+)", page)
    assert weights and total is not None
    assert sum(weights) == pytest.approx(float(total.group(1)), abs=0.05 * len(weights))
    shares = [float(s) for s in re.findall(r'style="width: ([\d.]+)%"', page)]
    assert sum(shares) == pytest.approx(100.0, abs=0.5)
    assert 'id="decision-form"' in page and 'data-key="c"' in page


def test_script_and_normalized_form_are_shown(
    client: TestClient, integrator: dict[str, str], caseworker: dict[str, str]
) -> None:
    client.post("/v1/records/missing", json=MISSING_MP_2, headers=integrator)
    found = client.post("/v1/records/found", json=FOUND_MP_2, headers=integrator).json()
    [item_id] = found["review_items"]
    sign_in(client, caseworker)
    page = client.get(f"/review/pairs/{item_id}").text
    assert "मोहम्मद इरफ़ान" in page and "script: Devanagari" in page
    assert re.search(r"read as: <span[^>]*>m[ou]hamm?[ae]d irfan", page, re.IGNORECASE)


def test_hindi_labels(
    client: TestClient, caseworker: dict[str, str], pairs: dict[str, int]
) -> None:
    sign_in(client, caseworker)
    switched = client.get("/review/lang/hi?next=/review/queue", follow_redirects=False)
    assert switched.headers["location"] == "/review/queue"
    page = client.get("/review/queue").text
    assert 'lang="hi"' in page and "कतार" in page and "1 जोड़ी प्रतीक्षा में" in page
    pair = client.get(f"/review/pairs/{pairs[MP]}").text
    assert "मिला हुआ बच्चा" in pair and "पुष्टि करें" in pair
    client.get("/review/lang/en")
    assert "Queue" in client.get("/review/queue").text


# --- deciding --------------------------------------------------------------------


def test_confirm_leaves_the_queue_and_shows_in_the_history(
    client: TestClient, caseworker: dict[str, str], pairs: dict[str, int]
) -> None:
    sign_in(client, caseworker)
    item_id = pairs[MP]
    response = _decide(client, item_id, "confirmed", note="father identified photo")
    assert response.status_code == 303
    # No other pair waits here, so the queue opens with a notice.
    assert response.headers["location"].startswith(f"/review/queue?decided={item_id}&as=confirmed")
    queue = client.get(response.headers["location"]).text
    assert "Nothing waits" in queue and f"Pair {item_id}: confirmed" in queue
    history = client.get("/review/records/found/F-MP-1").text
    assert "confirmed by test-caseworker" in history and "father identified photo" in history
    assert 'id="record-status">reunited<' in history
    missing = client.get("/review/records/missing/M-MP-1").text
    assert 'id="record-status">traced<' in missing
    pair = client.get(f"/review/pairs/{item_id}").text
    assert 'id="decision-form"' not in pair and 'id="steps"' in pair


def test_decision_without_the_form_token_is_refused(
    client: TestClient, caseworker: dict[str, str], pairs: dict[str, int]
) -> None:
    sign_in(client, caseworker)
    response = client.post(
        f"/review/pairs/{pairs[MP]}/decision",
        data={"status": "confirmed", "version": "1", "csrf": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "pending" in client.get(f"/review/pairs/{pairs[MP]}").text


def test_deciding_outside_the_jurisdiction_is_404(
    client: TestClient, caseworker: dict[str, str], pairs: dict[str, int]
) -> None:
    sign_in(client, caseworker)
    queue = client.get("/review/queue")
    response = client.post(
        f"/review/pairs/{pairs[KA]}/decision",
        data={"status": "rejected", "version": "1", "csrf": csrf_of(queue.text)},
        follow_redirects=False,
    )
    assert response.status_code == 404
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        assert repo.get_review_item(session, pairs[KA]).status is repo.ReviewStatus.PENDING


def test_the_next_pair_opens(
    client: TestClient,
    integrator: dict[str, str],
    caseworker: dict[str, str],
    pairs: dict[str, int],
) -> None:
    client.post("/v1/records/missing", json=MISSING_MP_2, headers=integrator)
    [second] = client.post("/v1/records/found", json=FOUND_MP_2, headers=integrator).json()[
        "review_items"
    ]
    sign_in(client, caseworker)
    response = _decide(client, pairs[MP], "unsure")
    assert response.headers["location"].startswith(f"/review/pairs/{second}?decided={pairs[MP]}")
    page = client.get(response.headers["location"]).text
    assert f"Pair {pairs[MP]}: unsure" in page
    # Unsure pairs leave the pending queue and wait under their own filter, to decide again.
    assert f'data-pair="{pairs[MP]}"' not in client.get("/review/queue").text
    unsure = client.get("/review/queue?status=unsure").text
    assert "1 pair waiting" in unsure and f'data-pair="{pairs[MP]}"' in unsure
    again = _decide(client, pairs[MP], "rejected")
    assert again.status_code == 303


def test_a_lost_race_shows_the_first_decision(
    client: TestClient, caseworker: dict[str, str], pairs: dict[str, int]
) -> None:
    item_id = pairs[MP]
    sign_in(client, caseworker)
    mine = client.get(f"/review/pairs/{item_id}").text
    # Another caseworker of the same state decides first, through the API.
    other = make_key(client, repo.Role.CASEWORKER, states=[MP])
    first = client.post(
        f"/v1/review/{item_id}/decision",
        json={"status": "rejected", "note": "different child", "expected_version": 1},
        headers=other,
    )
    assert first.status_code == 200
    late = client.post(
        f"/review/pairs/{item_id}/decision",
        data={"status": "confirmed", "version": "1", "csrf": csrf_of(mine)},
        follow_redirects=False,
    )
    assert late.status_code == 409
    assert "Someone else decided this pair first" in late.text
    assert "rejected by test-caseworker" in late.text and "different child" in late.text
    assert 'id="decision-form"' not in late.text  # the pair page, not an error page
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        assert repo.get_review_item(session, item_id).status is repo.ReviewStatus.REJECTED


def test_reunification_steps(
    client: TestClient, caseworker: dict[str, str], pairs: dict[str, int]
) -> None:
    sign_in(client, caseworker)
    item_id = pairs[MP]
    pending = client.get(f"/review/pairs/{item_id}").text
    assert 'id="steps"' not in pending
    early = client.post(
        f"/review/pairs/{item_id}/steps",
        data={"step": "family_contacted", "csrf": csrf_of(pending)},
        follow_redirects=False,
    )
    assert early.status_code == 303  # refused by the repository: not a confirmed match
    _decide(client, item_id, "confirmed")
    page = client.get(f"/review/pairs/{item_id}").text
    assert "No step recorded yet" in page
    bad = client.post(
        f"/review/pairs/{item_id}/steps",
        data={"step": "not_a_step", "csrf": csrf_of(page)},
        follow_redirects=False,
    )
    assert bad.status_code == 403
    done = client.post(
        f"/review/pairs/{item_id}/steps",
        data={"step": "family_contacted", "note": "called the father", "csrf": csrf_of(page)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = client.get(f"/review/pairs/{item_id}").text
    assert "Family contacted" in page and "called the father" in page
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        assert [s.step for s in repo.list_reunification_steps(session, item_id)] == [
            "family_contacted"
        ]


def test_reads_and_decisions_are_audited(
    client: TestClient, caseworker: dict[str, str], pairs: dict[str, int]
) -> None:
    sign_in(client, caseworker)
    client.get("/review/queue")
    _decide(client, pairs[MP], "rejected")
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        actions = {e.action for e in repo.list_audit(session, limit=50)}
    assert {"review_pages.signin", "review.list", "review.read", "review.decide"} <= actions


def test_a_superseded_pair_cannot_be_decided(
    client: TestClient,
    integrator: dict[str, str],
    caseworker: dict[str, str],
    pairs: dict[str, int],
) -> None:
    assert client.delete("/v1/records/found/F-MP-1", headers=integrator).status_code == 200
    sign_in(client, caseworker)
    page = client.get(f"/review/pairs/{pairs[MP]}").text
    assert 'id="superseded"' in page and 'id="decision-form"' not in page
    assert f'data-pair="{pairs[MP]}"' not in client.get("/review/queue").text


def test_a_form_post_without_session_starts_over_at_the_queue(
    client: TestClient, pairs: dict[str, int]
) -> None:
    response = client.post(f"/review/pairs/{pairs[MP]}/steps", follow_redirects=False)
    assert response.headers["location"] == "/review/signin?next=%2Freview%2Fqueue"


def test_pages_are_small_and_not_cached(
    client: TestClient, caseworker: dict[str, str], pairs: dict[str, int]
) -> None:
    sign_in(client, caseworker)
    pair = client.get(f"/review/pairs/{pairs[MP]}")
    assert pair.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in pair.headers["content-security-policy"]
    assert len(pair.content) < 40_000
    css = client.get("/review/static/review.css")
    js = client.get("/review/static/review.js")
    assert css.status_code == js.status_code == 200
    assert len(css.content) + len(js.content) < 15_000
