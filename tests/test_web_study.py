"""Studying in the app, over HTTP against the real app on a real SQLite file, with the clock moved by
the test: review with interval previews, learning steps, undo, suspend, bury and delete; the daily
queue across papers and its limits; the quiz one item at a time (feedback, per-row marks, retries,
summary); cards of one's own; lessons marked read; progress, statistics and time zones; the
library's search, tags and rename; and every download opened by the tool it is made for."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime, timedelta, timezone

import pytest

import arcxiv.web
from arcxiv.render.html import answer_text

from .conftest import corpus_lines
from .test_web import form_fields, new_site, right_answer, shown, wrong_answer

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a Monday, 10:00 in Berlin


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return new_site(tmp_path_factory.mktemp("study"))


@pytest.fixture()
def clock(monkeypatch):
    c = Clock(START)
    monkeypatch.setattr(arcxiv.web, "_now", c)
    return c


@pytest.fixture()
def fresh(site, tmp_path, clock):
    return new_site(tmp_path, copy_from=site)


def form_value(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def grade(s, page: str, g: int, scope: str | None = None):
    """Press a grade button of a review page (the form as the browser sends it)."""
    key = re.search(r'action="/papers/([^/]+)/review"', page).group(1)
    form = re.search(r'<form method="post" action="/papers/[^/]+/review" class="grades".*?</form>', page, re.S).group(0)
    data = {"csrf": s.csrf, "card_id": form_value(form, "card_id"), "review_id": form_value(form, "review_id"),
            "reps": form_value(form, "reps"), "scope": scope or form_value(form, "scope"), "grade": str(g)}
    r = s.client.post(f"/papers/{key}/review", data=data)
    assert r.status_code == 303, r.text[:300]
    return r


# -- review -----------------------------------------------------------------------------------------------

def test_review_reveals_before_grading_and_shows_each_grades_interval(fresh):
    s, key = fresh, fresh.key
    hidden = s.client.get(f"/papers/{key}/review").text
    assert 'class="grades"' not in hidden and 'id="show-answer"' in hidden  # no grading before the answer
    card = s.client.get(f"/api/papers/{key}/review").json()["card"]
    assert shown(s.cur, card["front"]["text"]) in hidden and shown(s.cur, card["back"]["text"]) not in hidden
    page = s.client.get(f"/papers/{key}/review?show=1").text
    assert shown(s.cur, card["back"]["text"]) in page and "The paper:" in page  # the cited source
    intervals = re.findall(r'<span class="when">([^<]+)</span> (Again|Hard|Good|Easy)', page)
    assert intervals == [("1 min", "Again"), ("6 min", "Hard"), ("10 min", "Good"), ("8 d", "Easy")]
    assert card["intervals"] == {"again": "1 min", "hard": "6 min", "good": "10 min", "easy": "8 d"}
    assert "mcq" not in page and "cloze" not in page.split("<main", 1)[1]  # learners see names, not kinds
    r = grade(s, page, 4)
    assert r.status_code == 303 and r.headers["location"] == f"/papers/{key}/review"
    due = datetime.fromisoformat(s.sql("SELECT due FROM card_states WHERE card_id = ?", card["id"])[0][0])
    assert due.replace(tzinfo=timezone.utc) - START == timedelta(days=8)  # what the button said


def test_an_again_card_comes_back_within_the_session(fresh, clock):
    s, key = fresh, fresh.key
    s.api("POST", "/api/settings", json={"new_per_day": "2"})
    first = s.client.get(f"/papers/{key}/review?show=1").text
    again_id = form_value(first, "card_id")
    grade(s, first, 1)  # Again: one minute
    second = s.client.get(f"/papers/{key}/review?show=1").text
    assert form_value(second, "card_id") != again_id
    assert "1 new</span> · <span class=\"c-learning\">1 learning" in second  # counted as soon as it is graded Again
    grade(s, second, 4)
    # Nothing else is left today: the card in learning is shown early (within 20 minutes), not "nothing due".
    back = s.client.get(f"/papers/{key}/review?show=1").text
    assert form_value(back, "card_id") == again_id and "1 learning" in back
    grade(s, back, 3)  # Good: the next learning step, ten minutes
    clock.advance(minutes=30)
    third = s.client.get(f"/papers/{key}/review?show=1").text
    assert form_value(third, "card_id") == again_id
    grade(s, third, 3)  # learned: days away
    done = s.client.get(f"/papers/{key}/review").text
    assert "Done for now" in done and "4</strong> cards today" not in done
    assert re.search(r"reviewed <strong>2</strong> cards today", done)  # two cards: one new today each
    assert "The next card is due at" in done


def test_a_page_reached_by_back_cannot_grade_its_card_again(fresh):
    """The trial's worst find: Back after a grade showed the graded card with live buttons, and a second
    grade was taken. Review pages are not kept by the browser, a link to a graded card shows the next
    one, and a grade from a page older than the card's last review changes nothing."""
    s, key = fresh, fresh.key
    r = s.client.get(f"/papers/{key}/review?show=1")
    assert r.headers["cache-control"] == "no-store"
    page, card_id = r.text, form_value(r.text, "card_id")
    grade(s, page, 4)
    again = s.client.get(f"/papers/{key}/review?show=1&card={key}:{card_id}").text  # the URL Back would reload
    assert form_value(again, "card_id") != card_id
    reloaded = page.replace(form_value(page, "review_id"), "0" * 32)  # a reloaded page has a new review_id
    stale = grade(s, reloaded, 1)
    assert stale.headers["location"] == f"/papers/{key}/review?stale=1"
    assert "graded already" in s.client.get(stale.headers["location"]).text
    assert s.sql("SELECT rating FROM reviews WHERE card_id = ?", card_id) == [(4,)]
    api = s.api("POST", f"/api/papers/{key}/reviews", json={"card_id": card_id, "grade": 1, "reps": 0})
    assert api.status_code == 409 and "graded since" in api.json()["error"]


def sentence_of(cur, card_id: str) -> int:
    from arcxiv.render.exports import Sentences

    card = next(c for c in cur.flashcards if c.id == card_id)
    sentences = Sentences(cur)
    return (sentences.numbers(card.back) or sentences.numbers(card.front))[0]


def test_cards_of_one_sentence_wait_for_another_day(fresh, clock):
    """The trial saw two gaps of one sentence in a row, each giving the other's answer away. As Anki buries
    siblings, a new card waits a day when a card of its sentence is in today's queue or was reviewed today."""
    s, key = fresh, fresh.key
    s.api("POST", "/api/settings", json={"new_per_day": "9999"})
    groups = [sentence_of(s.cur, c.id) for c in s.cur.flashcards]
    assert len(set(groups)) < len(groups)  # the example has siblings
    first = s.client.get(f"/api/papers/{key}/review").json()
    assert first["new"] == len(set(groups)) and first["held"] == len(groups) - len(set(groups))  # one per sentence
    seen = []
    while (card := s.client.get(f"/api/papers/{key}/review").json()["card"]) is not None:
        seen.append(card["id"])
        s.api("POST", f"/api/papers/{key}/reviews", json={"card_id": card["id"], "grade": 4})
    assert len({sentence_of(s.cur, c) for c in seen}) == len(seen)  # no two of one sentence today
    waiting = len(groups) - len(seen)
    assert s.client.get(f"/api/papers/{key}/review").json()["held"] == waiting
    assert f"{waiting} new cards wait for tomorrow" in s.client.get(f"/papers/{key}/review").text  # said, not hidden
    clock.advance(days=1)
    tomorrow = s.client.get(f"/api/papers/{key}/review").json()
    assert tomorrow["new"] > 0 and tomorrow["card"]["id"] not in seen  # the siblings' turn
    s.api("POST", "/api/settings", json={"bury_siblings": "0"})
    assert s.client.get(f"/api/papers/{key}/review").json()["new"] == len(groups) - len(seen)
    assert s.api("POST", "/api/settings", json={"bury_siblings": "yes"}).status_code == 422


def test_undo_takes_the_last_grade_back_and_shows_that_card_again(fresh):
    s, key = fresh, fresh.key
    page = s.client.get(f"/papers/{key}/review?show=1").text
    card_id = form_value(page, "card_id")
    grade(s, page, 4)
    after = s.client.get(f"/papers/{key}/review").text
    assert "Last card graded <strong>Easy</strong>: back in 8 d." in after
    undo_form = re.search(r'<form method="post" action="/review/undo".*?</form>', after, re.S).group(0)
    undo = s.client.post("/review/undo", data={"csrf": s.csrf, "review_id": form_value(undo_form, "review_id"),
                                               "scope": key})
    assert undo.status_code == 303 and card_id in undo.headers["location"]
    again = s.client.get(undo.headers["location"]).text
    front = next(c.front.text for c in s.cur.flashcards if c.id == card_id)
    assert shown(s.cur, front) in again and f"{card_id}" in re.search(r'id="show-answer" href="([^"]+)"', again).group(1)
    assert s.sql("SELECT count(*) FROM reviews") == [(0,)]
    assert s.sql("SELECT reps FROM card_states WHERE card_id = ?", card_id) in ([], [(0,)])
    replay = s.client.post("/review/undo", data={"csrf": s.csrf, "review_id": "nope", "scope": key})
    assert replay.status_code == 409 and "already undone" in replay.text


def test_suspend_bury_and_delete_keep_a_card_out_until_it_is_brought_back(fresh, clock):
    s, key = fresh, fresh.key
    ids = [c.id for c in s.cur.flashcards[:3]]

    s.api("POST", "/api/settings", json={"new_per_day": "9999", "bury_siblings": "0"})

    def queued() -> tuple[dict, int]:
        """The cards page's states, and how many cards the queue holds."""
        states = {c["id"]: c for c in s.client.get(f"/api/papers/{key}/cards").json()}
        return states, s.client.get(f"/api/papers/{key}/review").json()["remaining"]

    _, everything = queued()
    for card_id, action, said in zip(ids, ("suspend", "bury", "delete"), ("suspended", "buried until tomorrow", "deleted")):
        r = s.client.post(f"/papers/{key}/cards/{card_id}", data={"csrf": s.csrf, "action": action,
                                                                  "back": f"/papers/{key}/review"})
        assert r.status_code == 303 and r.headers["location"] == f"/papers/{key}/review?did={action}:{key}:{card_id}"
        banner = s.client.get(r.headers["location"]).text  # says what was done, with an undo, and no older grade
        assert f"Card {said}:" in banner and "Last card graded" not in banner
        assert re.search(rf'action="/papers/{key}/cards/{card_id}"[^>]*>\s*<input[^>]*>\s*<input[^>]*name="action" '
                         rf'value="{ {"suspend": "unsuspend", "bury": "unbury", "delete": "restore"}[action]}"', banner)
    states, left = queued()
    assert left == everything - 3
    assert states[ids[0]]["suspended"] and states[ids[1]]["buried"] and states[ids[2]]["deleted"]
    counted = s.client.get("/api/stats").json()["cards"]  # the trial saw "2 suspended" for these three
    assert (counted["suspended"], counted["deleted"]) == (1, 1)
    page = s.client.get(f"/papers/{key}/cards").text
    assert "suspended" in page and "buried until tomorrow" in page and "deleted" in page
    clock.advance(days=1)  # a buried card is back the next day (midnight UTC: no time zone set)
    assert queued()[1] == everything - 2
    for card_id, action in ((ids[0], "unsuspend"), (ids[2], "restore")):
        assert s.api("POST", f"/api/papers/{key}/cards/{card_id}", json={"action": action}).status_code == 200
    assert queued()[1] == everything
    bad = s.client.post(f"/papers/{key}/cards/{ids[0]}", data={"csrf": s.csrf, "action": "burn"})
    assert bad.status_code == 422
    away = s.client.post(f"/papers/{key}/cards/{ids[0]}", data={"csrf": s.csrf, "action": "bury",
                                                                "back": "//evil.example/"})
    assert away.headers["location"] == f"/papers/{key}/cards"  # never sent to another site


def test_own_cards_join_the_review_and_can_be_deleted(fresh):
    s, key = fresh, fresh.key
    r = s.client.post(f"/papers/{key}/cards", data={"csrf": s.csrf, "front": "What does μP stand for?",
                                                    "back": "Maximal update parametrisation"})
    assert r.status_code == 303
    cards = s.client.get(f"/api/papers/{key}/cards").json()
    own = [c for c in cards if c["own"]]
    assert len(own) == 1 and own[0]["kind_name"] == "Your card" and len(cards) == len(s.cur.flashcards) + 1
    assert "Your card was added" in s.client.get(r.headers["location"]).text  # said, not left to be found
    # edited in place, its schedule kept; the paper's cards keep the paper's words
    edit = s.client.post(f"/papers/{key}/cards/{own[0]['id']}", data={"csrf": s.csrf, "action": "edit",
                                                                       "front": "What is μP?", "back": "μ-parametrisation"})
    assert edit.status_code == 303 and "Your card was saved" in s.client.get(edit.headers["location"]).text
    [edited] = [c for c in s.client.get(f"/api/papers/{key}/cards").json() if c["own"]]
    assert (edited["id"], edited["front"], edited["back"]) == (own[0]["id"], "What is μP?", "μ-parametrisation")
    paper_card = next(c for c in cards if not c["own"])
    refused = s.api("POST", f"/api/papers/{key}/cards/{paper_card['id']}", json={"action": "edit", "front": "x", "back": "y"})
    assert refused.status_code == 422 and "Only your own cards" in refused.json()["error"]
    blank = s.api("POST", f"/api/papers/{key}/cards/{own[0]['id']}", json={"action": "edit", "front": "", "back": "y"})
    assert blank.status_code == 422
    empty = s.client.post(f"/papers/{key}/cards", data={"csrf": s.csrf, "front": " ", "back": "x"})
    assert empty.status_code == 422 and "front and a back" in empty.text
    s.api("POST", "/api/settings", json={"new_per_day": "9999"})
    seen = set()
    while (card := s.client.get(f"/api/papers/{key}/review").json()["card"]) is not None:
        seen.add(card["id"])
        s.api("POST", f"/api/papers/{key}/reviews", json={"card_id": card["id"], "grade": 4})
    assert own[0]["id"] in seen
    assert s.api("POST", f"/api/papers/{key}/cards/{own[0]['id']}", json={"action": "delete"}).status_code == 200
    [gone] = [c for c in s.client.get(f"/api/papers/{key}/cards").json() if c["own"]]
    assert gone["deleted"]  # deleted like the paper's cards: out of the queue, and it can be restored
    assert s.api("POST", f"/api/papers/{key}/cards/{own[0]['id']}", json={"action": "restore"}).status_code == 200
    assert not [c for c in s.client.get(f"/api/papers/{key}/cards").json() if c["own"]][0]["deleted"]


def test_one_daily_queue_across_papers_with_daily_limits(fresh):
    s, key = fresh, fresh.key
    r = s.api("POST", "/api/papers", json={"text": corpus_lines()[0]})
    other = r.json()["key"]
    assert s.api("POST", "/api/settings", json={"new_per_day": "25", "reviews_per_day": "50",
                                                "bury_siblings": "0"}).status_code == 200
    queue = s.client.get("/api/review").json()
    assert queue["remaining"] == queue["new"] == 25  # both papers hold more than 25 new cards together
    keys = set()
    for _ in range(25):
        card = s.client.get("/api/review").json()["card"]
        keys.add(card["paper_key"])
        page = s.client.get("/review?show=1").text
        assert form_value(page, "scope") == "all"
        if card["paper_key"] == key:  # typeset with its own paper's symbols, as on the paper's page
            assert shown(s.cur, card["front"]["text"]) in page
        r = grade(s, page, 4)
        assert r.headers["location"] == "/review"  # the daily queue, not the paper's
    assert keys == {key, other}  # the queue mixes papers
    done = s.client.get("/review").text
    assert "Done for now" in done and "reviewed <strong>25</strong> cards today" in done
    # the limit is the learner's for the day, across papers: a paper's own queue has none left either
    assert s.client.get(f"/api/papers/{key}/review").json()["remaining"] == 0
    bad = s.api("POST", "/api/settings", json={"new_per_day": "-1"})
    assert bad.status_code == 422 and "whole number" in bad.json()["error"]
    zone = s.api("POST", "/api/settings", json={"time_zone": "Mars/Olympus"})
    assert zone.status_code == 422 and "no time zone" in zone.json()["error"]
    form = s.client.post("/settings", data={"csrf": s.csrf, "time_zone": "Mars/Olympus", "new_per_day": "30",
                                            "reviews_per_day": "50"})
    assert form.status_code == 422 and "no time zone" in form.text and "Nothing was saved." in form.text
    assert 'value="Mars/Olympus"' in form.text and 'action="/settings"' in form.text  # to correct, not a dead end
    assert s.client.get("/api/settings").json()["new_per_day"] == "25"


# -- the quiz, one item at a time ----------------------------------------------------------------------------

def session_page(s, key: str, which: str = "all") -> str:
    r = s.client.post(f"/papers/{key}/quiz", data={"csrf": s.csrf, "which": which})
    assert r.status_code == 303
    return r.headers["location"]


def current_item(s, page: str):
    item_id = re.search(r'action="/papers/[^/]+/quiz/([^"]+)"', page).group(1)
    return next(q for q in s.cur.quiz if q.id == item_id)


def answer(s, key: str, url: str, page: str, given):
    q = current_item(s, page)
    data = {"csrf": s.csrf, "answer_id": form_value(page, "answer_id"), "study": url.rsplit("/", 1)[1],
            **form_fields(q, given)}
    return s.client.post(f"/papers/{key}/quiz/{q.id}", data=data, follow_redirects=True)


def test_a_quiz_session_gives_feedback_retries_misses_and_sums_up(fresh, clock, monkeypatch):
    s, key = fresh, fresh.key
    monkeypatch.setattr(arcxiv.web, "_now", lambda: clock.advance(seconds=5) or clock.now)  # answers in turn
    url = session_page(s, key)
    total = len(s.cur.quiz)
    page = s.client.get(url).text
    assert f"0 of {total} answered" in page and page.count('class="quiz-item') == 1  # one question at a time
    missed = None
    for n in range(total):
        q = current_item(s, page)
        wrong = n in (0, 1)
        fed = answer(s, key, url, page, wrong_answer(q) if wrong else right_answer(q))
        assert fed.status_code == 200 and "?answered=" in str(fed.url)
        text = fed.text
        assert ("Not quite." if wrong else "Right.") in text and shown(s.cur, q.explanation.text) in text
        assert "The paper, sentence" in text  # the cited source, with its sentence numbers
        if wrong:
            # the right answer: row by row for matching and ordering
            assert 'class="rows"' in text if q.kind in ("matching", "ordering") else shown(s.cur, answer_text(q)) in text
            missed = missed or q
        assert f"{n + 1} of {total} answered" in text and "Asking again" not in text  # the last one too
        page = s.client.get(url).text
    # the two misses come back at the end, once each
    assert "You missed this one before" in page and current_item(s, page).id == missed.id
    assert "Asking again what you missed: 0 of 2 answered" in page
    answer(s, key, url, page, right_answer(missed))
    page = s.client.get(url).text
    q = current_item(s, page)
    answer(s, key, url, page, wrong_answer(q))
    summary = s.client.get(url).text
    assert "Quiz done" in summary and f"<strong>{total - 2}</strong> of {total} right the first time" in summary
    assert "<strong>1</strong> more on the second try" in summary and "Still to learn" in summary
    assert shown(s.cur, q.prompt.text) in summary
    # "the ones not yet right" starts with just the one still missed
    again = s.client.get(session_page(s, key, "missed")).text
    assert "0 of 1 answered" in again, re.findall(r"\d+ of \d+ answered", again)
    assert current_item(s, again).id == q.id


def test_a_quiz_session_keeps_questions_of_one_sentence_apart(fresh):
    from arcxiv.render.exports import Sentences

    s, key = fresh, fresh.key
    study = s.api("POST", f"/api/papers/{key}/quiz/sessions", json={}).json()["id"]
    order = s.store.study(s.store.single_learner(), study)["items"]
    sentences, by_id = Sentences(s.cur), {q.id: q for q in s.cur.quiz}
    groups = [next(iter(sentences.numbers(by_id[i].explanation)), None) for i in order]
    assert sorted(order) == sorted(q.id for q in s.cur.quiz)
    assert all(a is None or a != b for a, b in zip(groups, groups[1:])), groups


def test_matching_and_ordering_are_marked_row_by_row(fresh):
    s, key = fresh, fresh.key
    for kind in ("matching", "ordering"):
        q = next((q for q in s.cur.quiz if q.kind == kind), None)
        if q is None:
            continue
        given = right_answer(q)
        if kind == "matching":
            given[0], given[1] = given[1], given[0]  # two rows swapped, the rest right
        else:  # positions: the first two choices' places swapped
            given[0], given[1] = given[1], given[0]
        r = s.client.post(f"/papers/{key}/quiz/{q.id}", data={"csrf": s.csrf, **form_fields(q, given)})
        rows = re.findall(r'<tr class="(ok|miss)">', r.text)
        assert "Not quite." in r.text and rows.count("miss") == 2 and rows.count("ok") == len(rows) - 2, (kind, rows)
    assert any(q.kind in ("matching", "ordering") for q in s.cur.quiz)
    # every part put first is no order: asked again with why, and nothing stored (the trial saw it taken,
    # and its feedback showed an order never given)
    q = next(q for q in s.cur.quiz if q.kind == "ordering")
    before = s.sql("SELECT count(*) FROM answers")
    r = s.client.post(f"/papers/{key}/quiz/{q.id}", data={"csrf": s.csrf, **form_fields(q, [0] * len(q.choices))})
    assert r.status_code == 422 and "a place of its own" in r.text and 'class="quiz-item' in r.text
    assert s.sql("SELECT count(*) FROM answers") == before
    api = s.api("POST", f"/api/papers/{key}/answers", json={"item_id": q.id, "answer": [0] * len(q.choices)})
    assert api.status_code == 422


# -- lessons read, progress, statistics ----------------------------------------------------------------------

def test_lessons_marked_read_and_progress_in_the_learners_time_zone(fresh, clock):
    s, key = fresh, fresh.key
    s.api("POST", "/api/settings", json={"time_zone": "Europe/Berlin"})
    lesson = s.client.get(f"/papers/{key}/course/lesson-01.html").text
    form = re.search(r'<form method="post" action="([^"]+/read)"', lesson).group(1)
    r = s.client.post(form, headers={"origin": "http://testserver"})  # sent from the cached course page
    assert r.status_code == 303 and r.headers["location"] == f"/papers/{key}?read={s.cur.lessons[0].id}"
    said = s.client.get(r.headers["location"]).text
    assert "Lesson 1 is marked read." in said and f'href="/papers/{key}/course/lesson-02.html" autofocus' in said
    again = s.client.get(f"/papers/{key}/course/lesson-01.html").text  # the lesson's page says so too
    assert "You marked this lesson read." in again and "mark it read</button>" not in again
    assert "mark it read</button>" in s.client.get(f"/papers/{key}/course/lesson-02.html").text
    assert s.client.post(form, headers={"origin": "https://evil.example"}).status_code == 403  # another site
    s.api("POST", f"/api/papers/{key}/reviews", json={"card_id": s.cur.flashcards[0].id, "grade": 3})
    q = s.cur.quiz[0]
    s.api("POST", f"/api/papers/{key}/answers", json={"item_id": q.id, "answer": right_answer(q)})
    p = s.client.get(f"/api/papers/{key}/progress").json()
    assert p["lessons_read"] == 1 and p["lessons"][0]["read"] == "2026-03-02 10:00"  # Berlin, not UTC
    assert p["history"][0]["at"] == "2026-03-02 10:00" and p["streak"] == 1 and p["time_zone"] == "Europe/Berlin"
    kinds = {k["kind"]: k for k in p["by_kind"]}
    assert kinds[q.kind]["right"] == 1 and sum(k["questions"] for k in kinds.values()) == len(s.cur.quiz)
    assert "✓ read" in s.client.get(f"/papers/{key}").text
    html = s.client.get(f"/papers/{key}/progress").text
    assert '<strong id="lessons-read">1 of' in html and "Europe/Berlin" in html


def test_statistics_count_days_streaks_retention_and_the_forecast(fresh, clock):
    s, key = fresh, fresh.key
    s.api("POST", "/api/settings", json={"time_zone": "America/New_York", "new_per_day": "9999"})
    card = s.cur.flashcards[0].id
    for day in range(3):  # three days in a row
        s.api("POST", f"/api/papers/{key}/reviews", json={"card_id": card, "grade": 1 if day == 1 else 3})
        clock.advance(days=1)
    clock.advance(hours=-1)
    stats = s.client.get("/api/stats").json()
    assert stats["streak"] == 3 and stats["time_zone"] == "America/New_York"
    # Monday to Wednesday in New York; now it is Thursday 03:00 there, nothing done yet: the streak holds
    assert [d["reviews"] for d in stats["per_day"][-4:]] == [1, 1, 1, 0] and stats["today"] == "2026-03-05"
    assert sum(d["reviews"] for d in stats["per_day"]) == 3
    assert sum(d["due"] for d in stats["forecast"]) == 1 and len(stats["forecast"]) == 14
    assert sum(stats["cards"].values()) == len(s.cur.flashcards)
    assert len(stats["heat_map"]) == 26 and all(len(w) == 7 for w in stats["heat_map"])
    page = s.client.get("/stats").text
    assert '<strong id="streak">3</strong>' in page and "remembered" in page


# -- library, downloads ------------------------------------------------------------------------------------

def test_library_search_tags_and_rename(fresh):
    s, key = fresh, fresh.key
    other = s.api("POST", "/api/papers", json={"text": corpus_lines()[1]}).json()["key"]
    r = s.client.post(f"/papers/{key}/entry", data={"csrf": s.csrf, "title": "  My  μP notes ", "tags": "ml, theory"})
    assert r.status_code == 303
    lib = s.client.get("/api/papers").json()
    mine = next(p for p in lib if p["key"] == key)
    assert mine["title"] == "My μP notes" and mine["tags"] == ["ml", "theory"] and len(lib) == 2
    page = s.client.get("/library?q=μp+notes").text
    assert "My μP notes" in page and f"/papers/{other}" not in page
    first_word = s.cur.source.title.split()[0]
    assert f"/papers/{key}\"" in s.client.get(f"/library?q={first_word.upper()}").text  # found by its own title too
    assert "“Zebra”" in s.client.get("/library?q=Zebra").text  # the query as typed
    bar = s.client.get(f"/papers/{key}/review").text.split("<main", 1)[0]
    assert "My μP notes" in bar  # the paper's bar uses the learner's title
    assert re.search(r"Today's review: \d+ cards</a> across your library", page)
    tagged = s.client.get("/library?tag=theory").text
    assert f"/papers/{key}" in tagged and f"/papers/{other}" not in tagged
    assert "No paper in your library matches" in s.client.get("/library?q=zebra").text
    s.client.post(f"/papers/{key}/entry", data={"csrf": s.csrf, "title": "", "tags": ""})
    assert next(p for p in s.client.get("/api/papers").json() if p["key"] == key)["title"] == s.cur.source.title
    too_long = s.client.post(f"/papers/{key}/entry", data={"csrf": s.csrf, "title": "x" * 301})
    assert too_long.status_code == 422


def test_every_download_is_opened_by_its_consumer(fresh, tmp_path):
    s, key = fresh, fresh.key
    gone = s.cur.flashcards[0]  # a card the learner deleted is in no file
    assert s.api("POST", f"/api/papers/{key}/cards/{gone.id}", json={"action": "delete"}).status_code == 200
    paper = s.client.get(f"/papers/{key}").text
    assert "without the cards you deleted" in paper
    links = re.findall(r'href="(/papers/[^"]+/download/(\w+))"', paper)
    assert [fmt for _, fmt in links] == ["anki", "csv", "gift", "qti", "markdown", "html"]
    got = {}
    for url, fmt in links:
        r = s.client.get(url)
        assert r.status_code == 200 and "attachment" in r.headers["content-disposition"], fmt
        got[fmt] = r.content
    # Anki's own library imports the deck
    from anki.collection import Collection
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    apkg = tmp_path / "deck.apkg"
    apkg.write_bytes(got["anki"])
    with zipfile.ZipFile(apkg) as z:
        names = z.namelist()
    assert any(n.startswith("collection.anki2") for n in names)
    col = Collection(str(tmp_path / "col.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=ImportAnkiPackageOptions()))
        assert col.card_count() == len(s.cur.flashcards) - 1
    finally:
        col.close()
    # CSV: a spreadsheet reader; GIFT: the question count; QTI, Markdown, HTML: zips with what they promise
    with zipfile.ZipFile(io.BytesIO(got["csv"])) as z:
        tables = {n: z.read(n).decode("utf-8") for n in z.namelist()}
    rows = sum(len(list(csv.reader(io.StringIO(t), delimiter="\t" if n.endswith((".tsv", ".txt")) else ",")))
               for n, t in tables.items())
    assert rows >= len(s.cur.flashcards) - 1
    cards_tsv = [line.split("\t") for line in next(t for n, t in tables.items() if n.endswith("/cards.tsv")).splitlines() if not line.startswith("#")]
    assert len(cards_tsv) == len(s.cur.flashcards) - 1 and gone.front.text not in [r[1] for r in cards_tsv]
    assert got["gift"].decode("utf-8").count("::") >= 2 * len(s.cur.quiz)
    for fmt, needed in (("qti", "imsmanifest.xml"), ("markdown", ".md"), ("html", "index.html")):
        with zipfile.ZipFile(io.BytesIO(got[fmt])) as z:
            assert z.testzip() is None and any(n.endswith(needed) for n in z.namelist()), fmt
    with zipfile.ZipFile(io.BytesIO(got["html"])) as z:
        assert any(n.endswith("lesson-01.html") for n in z.namelist())
    assert s.client.get(f"/papers/{key}/download/pdf").status_code == 404


def test_no_page_shows_python_leftovers_and_a_lesson_quiz_asks_that_lessons_questions(fresh):
    s, key = fresh, fresh.key
    study = s.api("POST", f"/api/papers/{key}/quiz/sessions", json={}).json()["id"]
    pages = ["/", "/library", "/review", "/stats", "/settings", f"/papers/{key}", f"/papers/{key}/review",
             f"/papers/{key}/review?show=1", f"/papers/{key}/quiz", f"/papers/{key}/quiz/session/{study}",
             f"/papers/{key}/cards", f"/papers/{key}/progress", f"/papers/{key}/quiz/{s.cur.quiz[0].id}"]
    for path in pages:
        text = s.client.get(path).text
        assert not re.search(r"built-in method|object at 0x|\bNone\b|Undefined|\{\{|\{%", text), path
    start = s.client.get(f"/papers/{key}/quiz").text
    counts = {m[0]: int(m[1]) for m in re.findall(r'value="lesson-([^"]+)"> Lesson \d+: .*? · (\d+) questions?</label>', start)}
    assert counts and sum(counts.values()) == len(s.cur.quiz) and all(counts.values())
    lesson, n = next(iter(counts.items()))
    page = s.client.get(session_page(s, key, f"lesson-{lesson}")).text
    assert f"0 of {n} answered" in page and current_item(s, page).lesson_id == lesson
