"""Who may open what, over HTTP against the real app on a real SQLite file: papers belong to the
libraries of the learners who added them, every route that names a paper checks it, a learner can
remove a paper from their library, logins expire, and a paste sent before logging in survives the login.
The store's side (the library filled at open for a database made before libraries) runs on SQLite
and on PostgreSQL."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from arcxiv.store import SESSION_LIFETIME, Store, library
from arcxiv.web import COOKIE, COOKIE_MAX_AGE, create_app

from .conftest import SEED
from .test_store import NOW, store  # noqa: F401  (the store fixture: SQLite and PostgreSQL)
from .test_web import _free_port, _serve, add_seed, client_for, csrf_of, new_site, right_answer, signup

SEED_TEXT = SEED.read_text(encoding="utf-8")


@pytest.fixture()
def accounts(site, tmp_path):
    """A multi-user app holding the example paper: alice added it, bob has an account but not the paper."""
    s = new_site(tmp_path, multi_user=True, copy_from=site)
    alice, alice_csrf = signup(s.app, "alice", "correct horse battery")
    bob, bob_csrf = signup(s.app, "bob", "another long password")
    assert add_seed(alice, alice_csrf) == s.key
    return s, (alice, alice_csrf), (bob, bob_csrf)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return new_site(tmp_path_factory.mktemp("privacy"))


def paper_routes(app) -> set[tuple[str, str]]:
    return {(method, r.path) for r in app.routes if isinstance(r, APIRoute) and "{key}" in r.path for method in r.methods}


def route_requests(cur, study: str = "none") -> dict[tuple[str, str], tuple[str, dict]]:
    """One request per route that names a paper: (method, route) -> (path with {key} left, keywords
    taking {csrf}). Writes come before the removal, which comes last."""
    card, item, section, lesson = cur.flashcards[0].id, cur.quiz[0], cur.sections[0].id, cur.lessons[0].id
    answer = right_answer(item)
    fields = {f"answer_{i}": str(v) for i, v in enumerate(answer)} if isinstance(answer, list) else {"answer": answer}
    return {
        ("GET", "/papers/{key}"): ("/papers/{key}", {}),
        ("GET", "/api/papers/{key}"): ("/api/papers/{key}", {}),
        ("GET", "/api/papers/{key}/curriculum"): ("/api/papers/{key}/curriculum", {}),
        ("GET", "/papers/{key}/course/{path:path}"): ("/papers/{key}/course/lesson-01.html", {}),
        ("GET", "/papers/{key}/deep/{section}"): (f"/papers/{{key}}/deep/{section}", {}),
        ("GET", "/api/papers/{key}/deep/{section}"): (f"/api/papers/{{key}}/deep/{section}", {}),
        ("GET", "/papers/{key}/review"): ("/papers/{key}/review", {}),
        ("GET", "/api/papers/{key}/review"): ("/api/papers/{key}/review", {}),
        ("POST", "/papers/{key}/review"): ("/papers/{key}/review", {"data": {"card_id": card, "grade": "3"}}),
        ("POST", "/api/papers/{key}/reviews"): ("/api/papers/{key}/reviews", {"json": {"card_id": card, "grade": 3}}),
        ("GET", "/papers/{key}/quiz"): ("/papers/{key}/quiz", {}),
        ("GET", "/api/papers/{key}/quiz"): ("/api/papers/{key}/quiz", {}),
        ("POST", "/papers/{key}/quiz/{item_id}"): (f"/papers/{{key}}/quiz/{item.id}", {"data": fields}),
        ("GET", "/papers/{key}/quiz/{item_id}"): (f"/papers/{{key}}/quiz/{item.id}", {}),
        ("POST", "/api/papers/{key}/answers"): ("/api/papers/{key}/answers",
                                                {"json": {"item_id": item.id, "answer": answer}}),
        ("POST", "/papers/{key}/quiz"): ("/papers/{key}/quiz", {"data": {"which": "all"}}),
        ("POST", "/api/papers/{key}/quiz/sessions"): ("/api/papers/{key}/quiz/sessions", {"json": {}}),
        ("GET", "/papers/{key}/quiz/session/{study_id}"): (f"/papers/{{key}}/quiz/session/{study}", {}),
        ("GET", "/api/papers/{key}/quiz/sessions/{study_id}"): (f"/api/papers/{{key}}/quiz/sessions/{study}", {}),
        ("POST", "/api/papers/{key}/quiz/sessions/{study_id}"): (f"/api/papers/{{key}}/quiz/sessions/{study}",
                                                                 {"json": {"item_id": item.id, "answer": answer}}),
        ("GET", "/papers/{key}/cards"): ("/papers/{key}/cards", {}),
        ("GET", "/api/papers/{key}/cards"): ("/api/papers/{key}/cards", {}),
        ("POST", "/papers/{key}/cards"): ("/papers/{key}/cards", {"data": {"front": "My question", "back": "My answer"}}),
        ("POST", "/api/papers/{key}/cards"): ("/api/papers/{key}/cards", {"json": {"front": "Q2", "back": "A2"}}),
        ("POST", "/papers/{key}/cards/{card_id}"): (f"/papers/{{key}}/cards/{card}", {"data": {"action": "bury"}}),
        ("POST", "/api/papers/{key}/cards/{card_id}"): (f"/api/papers/{{key}}/cards/{card}", {"json": {"action": "unbury"}}),
        ("POST", "/papers/{key}/lessons/{lesson_id}/read"): (f"/papers/{{key}}/lessons/{lesson}/read", {"data": {}}),
        ("POST", "/api/papers/{key}/lessons/{lesson_id}/read"): (f"/api/papers/{{key}}/lessons/{lesson}/read", {}),
        ("GET", "/papers/{key}/download/{fmt}"): ("/papers/{key}/download/gift", {}),
        ("POST", "/papers/{key}/entry"): ("/papers/{key}/entry", {"data": {"title": "Mine", "tags": "a b"}}),
        ("POST", "/api/papers/{key}/entry"): ("/api/papers/{key}/entry", {"json": {"tags": "c"}}),
        ("GET", "/papers/{key}/progress"): ("/papers/{key}/progress", {}),
        ("GET", "/api/papers/{key}/progress"): ("/api/papers/{key}/progress", {}),
        ("POST", "/papers/{key}/delete"): ("/papers/{key}/delete", {"data": {}}),
        ("DELETE", "/api/papers/{key}"): ("/api/papers/{key}", {}),
    }


def send(client, csrf: str, method: str, path: str, kw: dict):
    kw = {name: dict(value) for name, value in kw.items()}
    if "data" in kw:
        kw["data"]["csrf"] = csrf
    headers = {"x-csrf-token": csrf} if path.startswith("/api/") else {}
    return client.request(method, path, headers=headers, **kw)


def refused(r, path: str, status: int) -> bool:
    """The refusal a route gives: JSON for /api, a page (or the login redirect) otherwise."""
    if path.startswith("/api/"):
        return r.status_code == status and "error" in r.json()
    if status == 401:
        return r.status_code == 303 and r.headers["location"] == "/login"
    return r.status_code == status and "No paper with that key in your library" in r.text


def test_every_route_that_names_a_paper_checks_the_learners_library(accounts):
    s, (alice, alice_csrf), (bob, bob_csrf) = accounts
    anon = client_for(s.app)
    anon_csrf = csrf_of(anon)
    study = alice.post(f"/api/papers/{s.key}/quiz/sessions", json={}, headers={"x-csrf-token": alice_csrf}).json()["id"]
    requests = route_requests(s.cur, study)
    assert set(requests) == paper_routes(s.app), "a route that names a paper is missing from this test"
    writes = "SELECT (SELECT count(*) FROM reviews), (SELECT count(*) FROM answers), (SELECT count(*) FROM card_states)"

    removals = [r for r in requests if "delete" in r[1] or r[0] == "DELETE"]
    for method, route in requests:
        path, kw = requests[(method, route)]
        path = path.format(key=s.key)
        before = s.sql(writes)
        for who, client, csrf, status in (("bob", bob, bob_csrf, 404), ("nobody", anon, anon_csrf, 401)):
            r = send(client, csrf, method, path, kw)
            assert refused(r, path, status), (who, method, path, r.status_code, r.text[:300])
        assert s.sql(writes) == before, (method, path)  # a refusal writes nothing
        if (method, route) in removals:
            continue  # alice's own removal is the next test's subject
        r = send(alice, alice_csrf, method, path, kw)  # the owner, after the others: a page she has cached
        assert r.status_code < 400, (method, path, r.status_code, r.text[:300])
        # bob again, now that alice's request put the page in the server's caches (the course's fast path)
        assert refused(send(bob, bob_csrf, method, path, kw), path, 404), (method, path)

    for client, csrf in ((bob, bob_csrf), (anon, anon_csrf)):  # nothing of alice's is listed or opened
        assert s.key not in client.get("/library").text and s.key not in str(client.get("/api/papers").json())
    assert anon.get("/library").headers["location"] == "/login" and anon.get("/api/papers").status_code == 401
    assert {p["key"] for p in alice.get("/api/papers").json()} == {s.key}
    assert s.key in alice.get("/library").text


def test_a_learner_removes_a_paper_from_their_library_only(accounts):
    s, (alice, alice_csrf), (bob, bob_csrf) = accounts
    key, card, item = s.key, s.cur.flashcards[0].id, s.cur.quiz[0]
    assert add_seed(bob, bob_csrf) == key  # the same content: shared, compiled once
    for client, csrf in ((alice, alice_csrf), (bob, bob_csrf)):
        client.post(f"/api/papers/{key}/reviews", json={"card_id": card, "grade": 3}, headers={"x-csrf-token": csrf})
        client.post(f"/api/papers/{key}/answers", json={"item_id": item.id, "answer": right_answer(item)},
                    headers={"x-csrf-token": csrf})
    bob_progress = bob.get(f"/api/papers/{key}/progress").json()
    alice_id = alice.get("/api/session").json()["learner"]
    mine = "SELECT (SELECT count(*) FROM {} WHERE learner_id = ?)"
    counted = ("card_states", "reviews", "answers", "quiz_states", "library")

    page = alice.get(f"/papers/{key}")
    assert "Remove this paper from your library" in page.text and f'action="/papers/{key}/delete"' in page.text
    assert alice.post(f"/papers/{key}/delete", data={}).status_code == 403  # the form carries its CSRF token
    r = alice.post(f"/papers/{key}/delete", data={"csrf": alice_csrf})
    assert r.status_code == 303 and r.headers["location"] == "/library"
    assert [s.sql(mine.format(t), alice_id)[0][0] for t in counted] == [0] * len(counted)
    assert key not in alice.get("/library").text and alice.get(f"/api/papers/{key}").status_code == 404
    assert alice.get(f"/papers/{key}/course/index.html").status_code == 404
    assert bob.get(f"/api/papers/{key}/progress").json() == bob_progress  # bob keeps it, and his records
    assert s.sql("SELECT count(*) FROM papers WHERE key = ?", key) == [(1,)]  # the compile cache stays

    again = alice.post("/api/papers", json={"text": SEED_TEXT}, headers={"x-csrf-token": alice_csrf})
    assert again.status_code == 200 and again.json()["cached"] is True  # added back: from the cache, a fresh start
    assert alice.get(f"/api/papers/{key}/progress").json()["reviews"] == 0

    gone = bob.delete(f"/api/papers/{key}", headers={"x-csrf-token": bob_csrf})
    assert gone.status_code == 200 and gone.json() == {"removed": key}
    assert bob.get("/api/papers").json() == [] and bob.get(f"/api/papers/{key}/progress").status_code == 404
    assert bob.delete(f"/api/papers/{key}", headers={"x-csrf-token": bob_csrf}).status_code == 404
    assert alice.get(f"/api/papers/{key}").status_code == 200


def test_the_one_learner_removes_a_paper_too(site, tmp_path):
    s = new_site(tmp_path, copy_from=site)
    r = s.client.post(f"/papers/{s.key}/delete", data={"csrf": s.csrf})
    assert r.status_code == 303 and s.client.get("/api/papers").json() == []
    assert s.client.get(f"/papers/{s.key}").status_code == 404
    assert add_seed(s.client, s.csrf) == s.key and s.client.get(f"/papers/{s.key}").status_code == 200


def test_a_database_made_before_libraries_gives_each_learner_the_papers_they_used(store):  # noqa: F811
    papers = [f"{c * 32}-0.1.0" for c in "abc"]
    for key in papers:
        store.put_paper(key, f"Paper {key[0]}", "{}")
    me = store.single_learner()  # single-learner mode could open every paper
    alice = store.create_learner("alice", "correct horse battery")
    bob = store.create_learner("bob", "another long password")
    store.review(alice, papers[0], "card-1", 3, NOW)
    store.record_answer(alice, papers[1], "quiz-1", True, '"0"', NOW)
    store.record_answer(bob, "not-a-compiled-paper", "quiz-1", True, '"0"', NOW)
    library.drop(store.engine)  # as it was before the table existed
    reopened = Store(store.url)
    try:
        assert sorted(p["key"] for p in reopened.library(me)) == papers
        assert sorted(p["key"] for p in reopened.library(alice)) == papers[:2]
        assert reopened.library(bob) == []
        assert reopened.in_library(alice, papers[0]) and not reopened.in_library(alice, papers[2])
        with reopened.engine.connect() as c:
            assert len(c.execute(select(library)).all()) == 5
    finally:
        reopened.engine.dispose()


def test_remove_from_library_takes_only_that_learners_rows(store):  # noqa: F811
    alice = store.create_learner("alice", "correct horse battery")
    bob = store.create_learner("bob", "another long password")
    key, other = "k" * 32 + "-0.1.0", "o" * 32 + "-0.1.0"
    for learner in (alice, bob):
        for paper in (key, other):
            store.put_paper(paper, "P", "{}")
            store.add_to_library(learner, paper)
            store.review(learner, paper, "card-1", 3, NOW)
            store.record_answer(learner, paper, "quiz-1", True, '"0"', NOW)
    bob_before = store.progress(bob, key, NOW)
    assert store.remove_from_library(alice, key) is True
    assert store.remove_from_library(alice, key) is False
    assert store.progress(alice, key, NOW) == {"cards": {}, "reviews": 0, "latest": {}, "answers": []}
    assert store.progress(alice, other, NOW)["reviews"] == 1 and store.progress(bob, key, NOW) == bob_before
    assert [p["key"] for p in store.library(alice)] == [other] and store.get_paper(key) is not None


# -- the login cookie and its session -----------------------------------------------------------------------------

def cookie_attributes(header: str) -> list[str]:
    return [a.strip().lower() for a in header.split(";")]


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_login_cookie_lasts_30_days_and_is_secure_over_https(site, tmp_path, scheme):
    s = new_site(tmp_path, multi_user=True, copy_from=site)
    c = client_for(s.app, base_url=f"{scheme}://testserver")
    visitor = cookie_attributes(c.get("/").headers["set-cookie"])
    csrf = csrf_of(c)
    r = c.post("/signup", data={"csrf": csrf, "username": "carol", "password": "long enough password"})
    login = cookie_attributes(r.headers["set-cookie"])
    assert COOKIE_MAX_AGE == 30 * 24 * 3600 == SESSION_LIFETIME.total_seconds()
    for attrs in (visitor, login):
        assert f"max-age={COOKIE_MAX_AGE}" in attrs and "httponly" in attrs and "samesite=strict" in attrs
        assert ("secure" in attrs) == (scheme == "https")


def test_behind_a_local_https_proxy_the_cookie_is_secure(tmp_path):
    """`arcxiv serve` (uvicorn) trusts X-Forwarded-Proto from 127.0.0.1, where a reverse proxy runs."""
    port = _free_port()
    with open(tmp_path / "serve.log", "wb") as log:
        server = _serve(tmp_path / "p.db", tmp_path, port, log)
        try:
            plain = httpx.get(f"http://127.0.0.1:{port}/", timeout=10).headers["set-cookie"]
            proxied = httpx.get(f"http://127.0.0.1:{port}/", headers={"x-forwarded-proto": "https"},
                                timeout=10).headers["set-cookie"]
        finally:
            server.kill()
            server.wait(timeout=10)
    assert "secure" not in cookie_attributes(plain) and "secure" in cookie_attributes(proxied)


def test_a_session_expires_on_the_server_too(site, tmp_path):
    s = new_site(tmp_path, multi_user=True, copy_from=site)
    c, csrf = signup(s.app, "dave", "long enough password")
    assert c.get("/api/session").json()["learner"] is not None
    old = (datetime.now(timezone.utc) - SESSION_LIFETIME - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    s.sql("UPDATE sessions SET created_at = ?", old)
    restarted = create_app(f"sqlite:///{s.db}", multi_user=True)  # no session cached in memory
    again = client_for(restarted, cookies={COOKIE: c.cookies[COOKIE]})
    assert again.get("/api/session").json()["learner"] is None
    assert again.get("/api/papers").status_code == 401
    signup(restarted, "erin", "long enough password")  # a new login clears the expired rows
    assert s.sql("SELECT count(*) FROM sessions WHERE created_at = ?", old) == [(0,)]


# -- a paste sent before logging in --------------------------------------------------------------------------------

def hidden_fields(html: str, form_action: str) -> dict[str, str]:
    form = re.search(rf'<form method="post" action="{form_action}".*?</form>', html, re.S).group(0)
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


@pytest.mark.parametrize("how", ["signup", "login", "file"])
def test_a_logged_out_paste_is_kept_across_the_login(site, tmp_path, how):
    s = new_site(tmp_path, multi_user=True, copy_from=site)
    if how == "login":
        signup(s.app, "frank", "long enough password")
    visitor = client_for(s.app)
    csrf = csrf_of(visitor)
    sent = {"files": {"file": ("seed.txt", SEED_TEXT.encode(), "text/plain")}} if how == "file" else \
        {"files": {"text": (None, SEED_TEXT), "file": ("", b"")}}
    r = visitor.post("/papers", data={"csrf": csrf}, **sent)
    assert r.status_code == 401 and "it is kept on this page" in r.text
    assert ("the file seed.txt" if how == "file" else SEED_TEXT.splitlines()[0][:40]) in r.text
    action = "/signup" if how != "login" else "/login"
    fields = hidden_fields(r.text, action)
    assert {"csrf", "pending", "pending_name"} <= set(fields)
    if how == "login":  # a wrong password first: the paper is still carried
        wrong = visitor.post(action, data={**fields, "username": "frank", "password": "wrong password"})
        assert wrong.status_code == 401 and hidden_fields(wrong.text, action)["pending"] == fields["pending"]
    user = "frank" if how == "login" else f"new-{how}"
    r = visitor.post(action, data={**fields, "username": user, "password": "long enough password"})
    assert r.status_code == 303 and r.headers["location"] == f"/papers/{s.key}", r.text[:300]
    assert [p["key"] for p in visitor.get("/api/papers").json()] == [s.key]
    assert visitor.get(f"/papers/{s.key}").status_code == 200


def test_a_kept_paste_that_cannot_be_compiled_says_why_after_the_login(site, tmp_path):
    s = new_site(tmp_path, multi_user=True, copy_from=site)
    visitor = client_for(s.app)
    r = visitor.post("/papers", data={"csrf": csrf_of(visitor)}, files={"text": (None, "A title\n\nTwo words")})
    fields = hidden_fields(r.text, "/signup")
    r = visitor.post("/signup", data={**fields, "username": "gina", "password": "long enough password"})
    assert r.status_code == 422 and "abstract" in r.text and "Log out gina" in r.text  # logged in all the same
    assert visitor.get("/api/session").json()["learner"] is not None
    damaged = visitor.post("/signup", data={**fields, "pending": "%%%", "csrf": csrf_of(visitor), "username": "hank",
                                            "password": "long enough password"})
    assert damaged.status_code == 400 and "paste it again" in damaged.text


def test_a_replayed_answer_id_of_another_learner_is_refused(accounts):
    s, (alice, alice_csrf), (bob, bob_csrf) = accounts
    item, answer_id = s.cur.quiz[0], uuid.uuid4().hex
    add_seed(bob, bob_csrf)
    sent = {"item_id": item.id, "answer": right_answer(item), "answer_id": answer_id}
    assert alice.post(f"/api/papers/{s.key}/answers", json=sent, headers={"x-csrf-token": alice_csrf}).status_code == 200
    r = bob.post(f"/api/papers/{s.key}/answers", json=sent, headers={"x-csrf-token": bob_csrf})
    assert r.status_code == 409 and "already used" in r.json()["error"]  # not alice's result
    assert bob.get(f"/api/papers/{s.key}/progress").json()["answered"] == 0
