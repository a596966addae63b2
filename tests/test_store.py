"""The store on both databases it supports: a real SQLite file, and a real PostgreSQL server.

PostgreSQL: the URL in $ARCXIV_TEST_POSTGRES (``.ci/run`` installs Debian's server, starts it and sets it,
e.g. postgresql://arcxiv:arcxiv@127.0.0.1:5432/arcxiv_test). Each test gets a schema of its own, dropped
afterwards. Without the variable the PostgreSQL cases are skipped, except under CI ($CI set), where
they fail: CI must not pass by skipping them.
"""
from __future__ import annotations

import json
import os
import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from arcxiv.store import HISTORY, ReviewConflict, StaleReview, Store, StoreError, card_states, learners, quiz_states, reviews

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
PAPER = "p" * 32 + "-0.1.0"


def _postgres_url() -> str:
    url = os.environ.get("ARCXIV_TEST_POSTGRES")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("ARCXIV_TEST_POSTGRES is not set: CI must run the store tests on PostgreSQL (see .ci/run)")
        pytest.skip("no PostgreSQL: set ARCXIV_TEST_POSTGRES=postgresql://USER:PASSWORD@HOST:PORT/DB")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'store.db'}")
        yield s
        s.engine.dispose()
        return
    import psycopg

    url = _postgres_url()
    schema = f"arcxiv_test_{uuid.uuid4().hex[:12]}"
    admin_url = url.split("?", 1)[0]
    with psycopg.connect(admin_url, autocommit=True) as con:
        con.execute(f'CREATE SCHEMA "{schema}"')
    s = Store(f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}")
    try:
        assert s.engine.dialect.name == "postgresql"
        with s.engine.connect() as c:
            assert c.exec_driver_sql("SELECT current_schema()").scalar() == schema
        yield s
    finally:
        s.engine.dispose()
        with psycopg.connect(admin_url, autocommit=True) as con:
            con.execute(f'DROP SCHEMA "{schema}" CASCADE')


def run_threads(target, args_list) -> list:
    errors = []

    def wrapped(*args):
        try:
            target(*args)
        except Exception as e:  # collected and asserted on by the test
            errors.append(e)

    threads = [threading.Thread(target=wrapped, args=args) for args in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_papers_and_deep_dives_are_cached(store):
    assert store.get_paper(PAPER) is None and store.list_papers() == []
    store.put_paper(PAPER, "A <b>title</b>", json.dumps({"x": 1}))
    store.put_paper(PAPER, "Another title", json.dumps({"x": 2}))  # the same key again: the first stays
    row = store.get_paper(PAPER)
    assert row["title"] == "A <b>title</b>" and json.loads(row["curriculum"]) == {"x": 1}
    store.put_paper("q" * 32 + "-0.1.0", "Second", "{}")
    assert [p["key"] for p in store.list_papers()] == ["q" * 32 + "-0.1.0", PAPER]  # newest first
    assert store.counts()["papers"] == 2

    assert store.get_deep_dive(PAPER, "overview") is None
    store.put_deep_dive(PAPER, "overview", '{"title": "first"}')
    store.put_deep_dive(PAPER, "overview", '{"title": "second"}')
    assert store.get_deep_dive(PAPER, "overview") == '{"title": "first"}'
    assert store.get_deep_dive(PAPER, "part-1") is None


def test_learners_sessions_and_passwords(store):
    me = store.single_learner()
    assert store.single_learner() == me and store.username(me) == "me"
    assert store.authenticate("me", "") is None and store.authenticate("me", "anything") is None

    alice = store.create_learner("alice", "correct horse battery")
    bob = store.create_learner("bob", "another long password")
    assert len({me, alice, bob}) == 3 and store.learner_id("alice") == alice
    with pytest.raises(ValueError, match="taken"):
        store.create_learner("alice", "a different password")
    assert store.authenticate("alice", "correct horse battery") == alice
    assert store.authenticate("alice", "correct horse batter") is None
    assert store.authenticate("bob", "correct horse battery") is None
    assert store.authenticate("nobody", "correct horse battery") is None
    with store.engine.connect() as c:
        hashes = dict(c.execute(select(learners.c.username, learners.c.password_hash)).all())
    assert hashes["alice"].startswith("$argon2id$") and "correct horse" not in hashes["alice"]
    assert hashes["me"] is None

    token, csrf = store.new_session(alice)
    assert store.session(token) == (alice, csrf) and len(token) >= 40 and csrf != token
    other, _ = store.new_session(alice)
    store.end_session(token)
    assert store.session(token) is None and store.session(other)[0] == alice
    assert store.session("forged") is None


def test_review_is_applied_once_per_review_id(store):
    me = store.single_learner()
    first = store.review(me, PAPER, "card-a", 3, NOW, "r1")
    assert first["reps"] == 1 and first["repeated"] is False and first["review_id"] == "r1"
    assert datetime.fromisoformat(first["due"]) > NOW
    again = store.review(me, PAPER, "card-a", 1, NOW + timedelta(minutes=5), "r1")
    assert again == {**first, "repeated": True}
    assert store.counts()["reviews"] == 1
    second = store.review(me, PAPER, "card-a", 4, NOW + timedelta(days=1), "r2")
    assert second["reps"] == 2 and datetime.fromisoformat(second["due"]) > datetime.fromisoformat(first["due"])
    generated = store.review(me, PAPER, "card-b", 2, NOW)  # no id given: one is made
    assert generated["review_id"] and generated["reps"] == 1

    for bad in (0, 5, -1):
        with pytest.raises(ValueError, match="grade"):
            store.review(me, PAPER, "card-a", bad, NOW, "r-bad")
    # A used id sent for another card or another learner is refused, and changes nothing.
    other = store.create_learner("other", "long enough password")
    with pytest.raises(ReviewConflict):
        store.review(me, PAPER, "card-c", 3, NOW, "r1")
    with pytest.raises(ReviewConflict):
        store.review(other, PAPER, "card-a", 3, NOW, "r1")
    with store.engine.connect() as c:
        states = c.execute(select(card_states.c.learner_id, card_states.c.card_id, card_states.c.reps)
                           .order_by(card_states.c.card_id)).all()
        rows = c.execute(select(reviews.c.id, reviews.c.rating).order_by(reviews.c.id)).all()
    assert [tuple(s) for s in states] == [(me, "card-a", 2), (me, "card-b", 1)]
    assert [tuple(r) for r in rows if r.id.startswith("r") and len(r.id) == 2] == [("r1", 3), ("r2", 4)]
    assert store.counts()["reviews"] == 3


def test_a_grade_from_a_page_older_than_the_cards_last_review_changes_nothing(store):
    """The review page sends the card's review count as it showed it: a page reached by Back, or left
    open in another tab, cannot grade the card a second time."""
    me = store.single_learner()
    store.review(me, PAPER, "card-a", 4, NOW, "r1", seen_reps=0)
    with pytest.raises(StaleReview, match="reviewed since"):
        store.review(me, PAPER, "card-a", 1, NOW + timedelta(seconds=5), "r2", seen_reps=0)
    assert store.review(me, PAPER, "card-a", 4, NOW, "r1", seen_reps=0)["repeated"]  # a resent grade is still one
    assert store.counts()["reviews"] == 1 and store.last_review(me)["rating"] == 4
    assert store.review(me, PAPER, "card-a", 3, NOW + timedelta(days=9), "r3", seen_reps=1)["reps"] == 2


def test_concurrent_reviews_of_one_card_lose_nothing(store):
    me = store.single_learner()
    ids = [[f"t{t}-{i}" for i in range(10)] for t in range(8)]
    results = []

    def reviewer(mine):
        for rid in mine:
            results.append(store.review(me, PAPER, "card-hot", 1 + len(results) % 4, NOW, rid))

    assert run_threads(reviewer, [(mine,) for mine in ids]) == []
    assert sorted(r["reps"] for r in results) == list(range(1, 81))
    assert store.counts()["reviews"] == 80
    assert store.progress(me, PAPER, NOW)["cards"]["card-hot"]["reps"] == 80

    # Every id sent again, all at once: nothing added.
    results.clear()
    assert run_threads(reviewer, [(mine,) for mine in ids]) == []
    assert all(r["repeated"] for r in results) and store.counts()["reviews"] == 80

    # The same new id from 8 threads at the same moment (a client retrying eagerly): applied once, no error.
    barrier = threading.Barrier(8)
    same = []

    def retry():
        barrier.wait()
        same.append(store.review(me, PAPER, "card-new", 3, NOW, "retried"))

    assert run_threads(retry, [()] * 8) == []
    assert sorted(r["repeated"] for r in same) == [False] + [True] * 7
    assert {r["reps"] for r in same} == {1}
    assert store.progress(me, PAPER, NOW)["cards"]["card-new"]["reps"] == 1
    assert store.counts()["reviews"] == 81


def test_concurrent_reviews_of_many_learners_and_cards(store):
    people = [store.create_learner(f"user{i}", "long enough password") for i in range(4)]

    def reviewer(learner, card):
        for i in range(5):
            store.review(learner, PAPER, card, 3, NOW + timedelta(seconds=i), f"{learner}-{card}-{i}")

    assert run_threads(reviewer, [(p, c) for p in people for c in ("card-a", "card-b")]) == []
    for p in people:
        progress = store.progress(p, PAPER, NOW)
        assert progress["reviews"] == 10
        assert {c: s["reps"] for c, s in progress["cards"].items()} == {"card-a": 5, "card-b": 5}


def test_record_answer_is_applied_once_per_answer_id(store):
    me = store.single_learner()
    assert store.record_answer(me, PAPER, "quiz-1", True, '"2"', NOW, "a1") is True
    assert store.record_answer(me, PAPER, "quiz-1", False, '"3"', NOW, "a1") is False
    assert store.record_answer(me, PAPER, "quiz-2", False, "x" * 5000, NOW + timedelta(seconds=1)) is True  # no id: stored
    assert store.counts()["answers"] == 2
    history = store.progress(me, PAPER, NOW)["answers"]
    assert [(h["item_id"], h["correct"]) for h in history] == [("quiz-1", True), ("quiz-2", False)]

    errors = run_threads(lambda: store.record_answer(me, PAPER, "quiz-3", True, '"1"', NOW, "a-same"), [()] * 6)
    assert errors == [] and store.counts()["answers"] == 3


def test_progress_keeps_the_latest_answer_per_item_and_a_bounded_history(store):
    me = store.single_learner()
    for n in range(HISTORY + 10):  # quiz-1 wrong until its last answer; quiz-2 right until its last
        item = "quiz-1" if n % 2 else "quiz-2"
        final = n >= HISTORY + 8
        correct = item == "quiz-1" if final else item == "quiz-2"
        store.record_answer(me, PAPER, item, correct, '"0"', NOW + timedelta(seconds=n), f"h-{n}")
    p = store.progress(me, PAPER, NOW)
    assert p["latest"] == store.latest_answers(me, PAPER) == {"quiz-1": True, "quiz-2": False}
    assert len(p["answers"]) == HISTORY
    assert [datetime.fromisoformat(h["at"]) for h in p["answers"]] == [NOW + timedelta(seconds=n) for n in range(10, HISTORY + 10)]


def test_the_latest_answer_is_the_latest_in_time_not_in_arrival(store):
    me = store.single_learner()
    store.record_answer(me, PAPER, "quiz-1", True, '"0"', NOW + timedelta(seconds=5), "late")
    store.record_answer(me, PAPER, "quiz-1", False, '"1"', NOW, "early")  # arrives second, but is older
    store.record_answer(me, PAPER, "quiz-2", False, '"1"', NOW, "b")
    store.record_answer(me, PAPER, "quiz-2", True, '"1"', NOW, "c")  # the same time: the greater id wins
    assert store.latest_answers(me, PAPER) == {"quiz-1": True, "quiz-2": True}
    # a retried request changes nothing, whatever it carries
    assert store.record_answer(me, PAPER, "quiz-2", False, '"1"', NOW + timedelta(seconds=9), "c") is False
    assert store.latest_answers(me, PAPER) == {"quiz-1": True, "quiz-2": True}


def test_a_database_made_before_quiz_states_has_them_filled_from_its_answers(store):
    me = store.single_learner()
    for n in range(7):
        store.record_answer(me, PAPER, f"quiz-{n % 3}", n % 2 == 0, '"0"', NOW + timedelta(seconds=n), f"x-{n}")
    latest = store.latest_answers(me, PAPER)
    assert latest == {"quiz-0": True, "quiz-1": True, "quiz-2": False}
    quiz_states.drop(store.engine)  # as it was before the table existed
    reopened = Store(store.url)
    try:
        assert reopened.latest_answers(me, PAPER) == latest
        with reopened.engine.connect() as c:
            assert c.execute(select(quiz_states.c.answer_id).order_by(quiz_states.c.item_id)).scalars().all() == \
                ["x-6", "x-4", "x-5"]
    finally:
        reopened.engine.dispose()


def test_progress_and_due_cards_are_per_learner(store):
    a = store.create_learner("alice", "correct horse battery")
    b = store.create_learner("bob", "another long password")
    deck = ["c1", "c2", "c3", "c4"]
    assert store.due_cards(a, PAPER, deck, NOW) == deck  # all new, in deck order

    store.review(a, PAPER, "c2", 1, NOW, "a-1")  # again: back within minutes
    store.review(a, PAPER, "c3", 4, NOW, "a-2")  # easy: days away
    store.review(a, "other-paper", "c1", 3, NOW, "a-3")
    store.record_answer(a, PAPER, "quiz-1", True, '"0"', NOW, "a-4")
    store.record_answer(a, PAPER, "quiz-2", False, '"1"', NOW + timedelta(seconds=1), "a-5")

    p = store.progress(a, PAPER, NOW + timedelta(hours=1))
    assert p["reviews"] == 2 and set(p["cards"]) == {"c2", "c3"}
    assert p["cards"]["c2"]["is_due"] is True and p["cards"]["c3"]["is_due"] is False
    assert [h["item_id"] for h in p["answers"]] == ["quiz-1", "quiz-2"]
    assert datetime.fromisoformat(p["answers"][0]["at"]) == NOW
    assert store.due_cards(a, PAPER, deck, NOW + timedelta(hours=1)) == ["c1", "c4", "c2"]
    assert store.due_cards(a, PAPER, deck, NOW + timedelta(days=365)) == ["c1", "c4", "c2", "c3"]
    assert store.progress(a, "other-paper", NOW)["reviews"] == 1

    assert store.progress(b, PAPER, NOW) == {"cards": {}, "reviews": 0, "latest": {}, "answers": []}
    assert store.due_cards(b, PAPER, deck, NOW) == deck
    store.review(b, PAPER, "c3", 1, NOW, "b-1")
    store.record_answer(b, PAPER, "quiz-1", False, '"3"', NOW, "b-2")
    assert store.progress(a, PAPER, NOW + timedelta(hours=1)) == p


def test_a_database_that_cannot_be_reached_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot"):
        Store(f"sqlite:///{blocker / 'sub' / 'a.db'}")
    with pytest.raises(StoreError, match="cannot open the database"):
        Store("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2")


def test_the_sqlite_log_is_started_over_while_readers_never_stop(tmp_path, monkeypatch):
    """With readers always active SQLite cannot restart its write-ahead log by itself: it grew without
    end under load (55 MB after 3,000 answers with 16 reader threads); the store restarts it."""
    import arcxiv.store

    monkeypatch.setattr(arcxiv.store, "RESTART_EVERY", 100)
    s = Store(f"sqlite:///{tmp_path / 'busy.db'}")
    me = s.single_learner()
    stop = threading.Event()
    reads = []

    def reader():
        while not stop.is_set():
            s.progress(me, PAPER, NOW)
            reads.append(1)

    threads = [threading.Thread(target=reader) for _ in range(16)]
    for t in threads:
        t.start()
    try:
        for n in range(800):
            s.record_answer(me, PAPER, f"quiz-{n % 20}", n % 2 == 0, "x" * 200, NOW + timedelta(seconds=n), f"w-{n}")
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert len(reads) > 800 and s.counts()["answers"] == 800
    assert (tmp_path / "busy.db-wal").stat().st_size <= arcxiv.store.WAL_LIMIT + 64 * 1024
    s.engine.dispose()


# -- study: undo, card flags, what was done today, quiz sessions, settings (issue 16) ---------------------

def test_a_review_is_undone_to_the_state_before_it(store):
    me = store.single_learner()
    store.review(me, PAPER, "c1", 3, NOW, "first")  # new -> learning, step 1
    before = store.card_states(me, [PAPER])[(PAPER, "c1")]
    store.review(me, PAPER, "c1", 3, NOW + timedelta(minutes=10), "second")  # -> review, days away
    assert store.card_states(me, [PAPER])[(PAPER, "c1")].state == 2
    assert store.last_review(me)["id"] == "second"
    assert store.undo_review(me, "second") == {"paper_key": PAPER, "card_id": "c1"}
    assert store.card_states(me, [PAPER])[(PAPER, "c1")] == before  # state, due and reps as they were
    assert store.undo_review(me, "second") is None  # undone once
    assert store.last_review(me)["id"] == "first"
    other = store.create_learner("other", "long enough password")
    assert store.undo_review(other, "first") is None  # not someone else's review
    store.undo_review(me, "first")
    st = store.card_states(me, [PAPER])[(PAPER, "c1")]
    assert st.reps == 0 and store.counts()["reviews"] == 0  # new again


def test_cards_are_suspended_buried_and_deleted_per_learner(store):
    from arcxiv.schedule import build_queue

    me, other = store.single_learner(), store.create_learner("other", "long enough password")
    deck = [(PAPER, f"c{i}") for i in range(4)]
    store.flag_card(me, PAPER, "c0", NOW, suspended=True)
    store.flag_card(me, PAPER, "c1", NOW, buried_until=NOW + timedelta(hours=12))
    store.flag_card(me, PAPER, "c2", NOW, deleted=True)
    q = build_queue(deck, store.card_states(me, [PAPER]), NOW)
    assert q.cards == [(PAPER, "c3")]
    assert build_queue(deck, store.card_states(me, [PAPER]), NOW + timedelta(hours=13)).cards == [(PAPER, "c1"), (PAPER, "c3")]
    assert build_queue(deck, store.card_states(other, [PAPER]), NOW).size == 4  # the other learner's deck is whole
    store.flag_card(me, PAPER, "c0", NOW, suspended=False)
    store.flag_card(me, PAPER, "c2", NOW, deleted=False)
    assert build_queue(deck, store.card_states(me, [PAPER]), NOW).cards == [(PAPER, "c0"), (PAPER, "c2"), (PAPER, "c3")]
    store.review(me, PAPER, "c0", 3, NOW)  # a flagged-then-restored card reviews as new
    assert store.card_states(me, [PAPER])[(PAPER, "c0")].reps == 1


def test_what_was_done_today_counts_new_cards_and_reviews_once(store):
    me = store.single_learner()
    midnight = NOW.replace(hour=0)
    store.review(me, PAPER, "old", 4, NOW - timedelta(days=3))  # first seen before today
    store.review(me, PAPER, "old", 3, NOW)
    store.review(me, PAPER, "new", 1, NOW)
    store.review(me, PAPER, "new", 3, NOW + timedelta(minutes=1))  # the same new card again: still one
    today = store.done_since(me, midnight)
    assert (today.new, today.reviews) == (1, 1)
    log = store.review_log(me, midnight)
    assert len(log) == 3 and [r["learned"] for r in sorted(log, key=lambda r: r["at"])] == [True, False, False]


def test_own_cards_lessons_read_settings_and_library_entries(store):
    me = store.single_learner()
    store.put_paper(PAPER, "A paper", "{}")
    store.add_to_library(me, PAPER)
    card = store.add_own_card(me, PAPER, "Front", "Back", NOW)
    assert store.add_own_card(me, PAPER, "Front", "Back", NOW) == card  # content-derived: once
    assert [(c["id"], c["front"], c["back"]) for c in store.own_cards(me, [PAPER])] == [(card, "Front", "Back")]
    assert store.edit_own_card(me, PAPER, card, "Front 2", "Back 2") and not store.edit_own_card(me, "other", card, "x", "y")
    assert [(c["id"], c["front"], c["back"]) for c in store.own_cards(me, [PAPER])] == [(card, "Front 2", "Back 2")]
    store.mark_read(me, PAPER, "lesson-1", NOW)
    store.mark_read(me, PAPER, "lesson-1", NOW + timedelta(days=1))  # the first read is kept
    assert store.lessons_read(me) == {(PAPER, "lesson-1"): NOW}
    store.set_settings(me, {"time_zone": "Europe/Berlin", "new_per_day": "5"})
    store.set_settings(me, {"new_per_day": "7"})
    assert store.settings(me) == {"time_zone": "Europe/Berlin", "new_per_day": "7"}
    store.set_library_entry(me, PAPER, "My title", ["ml", "theory"])
    entry = store.library(me)[0]
    assert (entry["title"], entry["compiled_title"], entry["tags"]) == ("My title", "A paper", ["ml", "theory"])
    store.set_library_entry(me, PAPER, "", [])
    assert store.library(me)[0]["title"] == "A paper" and store.library(me)[0]["tags"] == []
    assert store.studied_between(me, NOW, NOW + timedelta(seconds=1))  # the lesson read
    assert not store.studied_between(me, NOW + timedelta(seconds=1), NOW + timedelta(days=1))
    assert store.remove_from_library(me, PAPER) and store.lessons_read(me) == {}


def test_a_quiz_session_asks_a_missed_item_again_once(store):
    me = store.single_learner()
    sid = store.new_study(me, PAPER, ["q1", "q2"], NOW)
    s = store.study_answered(me, sid, "q1", "a1", False)
    assert s["items"] == ["q1", "q2", "q1"] and s["position"] == 1
    assert store.study_answered(me, sid, "q1", "a1", False)["position"] == 1  # sent again: nothing moves
    assert store.study_answered(me, sid, "q1", "a9", True)["position"] == 1  # not the current item
    store.study_answered(me, sid, "q2", "a2", True)
    s = store.study_answered(me, sid, "q1", "a3", False)  # missed again: not asked a third time
    assert s["items"] == ["q1", "q2", "q1"] and s["position"] == 3
    assert s["results"] == [["q1", "a1", False], ["q2", "a2", True], ["q1", "a3", False]]
    other = store.create_learner("other", "long enough password")
    assert store.study(other, sid) is None and store.study_answered(other, sid, "q1", "x", True) is None


def test_a_database_made_before_the_study_columns_gets_them(store):
    me = store.single_learner()
    store.review(me, PAPER, "c1", 3, NOW, "r1")
    with store.engine.begin() as c:  # as it was before: no flag or undo columns
        for table, column in (("card_states", "suspended"), ("card_states", "deleted"), ("card_states", "buried_until"),
                              ("reviews", "before"), ("reviews", "due_before"), ("library", "title"), ("library", "tags")):
            c.exec_driver_sql(f'ALTER TABLE {table} DROP COLUMN "{column}"')
        c.exec_driver_sql('ALTER TABLE reviews DROP COLUMN "state_before"')
    reopened = Store(store.url)
    try:
        st = reopened.card_states(me, [PAPER])[(PAPER, "c1")]
        assert st.reps == 1 and not st.suspended and not st.deleted and st.buried_until is None
        reopened.flag_card(me, PAPER, "c1", NOW, suspended=True)
        assert reopened.card_states(me, [PAPER])[(PAPER, "c1")].suspended
        reopened.review(me, PAPER, "c1", 3, NOW + timedelta(days=1), "r2")
        assert reopened.undo_review(me, "r2") is not None
    finally:
        reopened.engine.dispose()
