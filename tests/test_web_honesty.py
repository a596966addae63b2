"""The web app says what is true, over HTTP against the real app on a real SQLite file: quiz feedback
shows the answer that was stored, a result's URL opened again shows the result, math is typeset on
every page of the app (never raw TeX) and typed answers are compared without math markup, a course
opened from the app links back into it, and bad uploads are described in plain words."""
from __future__ import annotations

import html
import json
import re
import uuid

import pytest

from arcxiv.models import Curriculum
from arcxiv.render.html import answer_text, to_html
from arcxiv.web import STUDY_PAGES

from .conftest import corpus_lines
from .test_web import XSS_IMG, XSS_SCRIPT, form_fields, new_site, right_answer, shown, wrong_answer

MATH_PAPER = next(line for line in corpus_lines() if "$2^m$" in line)  # "up to $2^m$ … over $m$ active-district …"
HOSTILE_TEX = ("Typesetting attacks on $\\text{<script>alert(1)</script>}$ renderers\n\nAbstract\n\n"
               "We show that a formula such as $\\href{javascript:alert(1)}{x}$ or $\\style{color:red}{y}$ "
               "must not reach a page as markup. The method, called whitelisted MathML, keeps $x^2$ typeset "
               f"and leaves {XSS_SCRIPT} and {XSS_IMG} as text on three benchmarks.")
MATH_ELEMENT = re.compile(r"<math\b.*?</math>", re.S)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return new_site(tmp_path_factory.mktemp("honesty"))


@pytest.fixture()
def fresh(site, tmp_path):
    return new_site(tmp_path, copy_from=site)


def compiled(s, text: str) -> tuple[str, Curriculum]:
    r = s.api("POST", "/api/papers", json={"text": text})
    assert r.status_code in (200, 201), r.text
    key = r.json()["key"]
    return key, Curriculum.model_validate(s.client.get(f"/api/papers/{key}/curriculum").json())


def form_answer_id(page: str, item_id: str) -> str:
    form = re.search(rf'<form method="post" action="[^"]*/quiz/{item_id}".*?</form>', page, re.S).group(0)
    return re.search(r'name="answer_id" value="([^"]+)"', form).group(1)


def score(page: str) -> str:
    return re.search(r'<strong id="score">([^<]*)</strong>', page).group(1)


def visible_text(page: str) -> str:
    """What a reader sees of a page's body, typeset formulas left out."""
    body = MATH_ELEMENT.sub(" ", re.split(r"<body\b[^>]*>", page, maxsplit=1)[1])
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


# -- quiz feedback is the stored answer ------------------------------------------------------------------------

def test_an_answer_sent_again_after_back_shows_the_stored_answer(fresh):
    s, key = fresh, fresh.key
    q = next(q for q in s.cur.quiz if q.kind == "mcq")
    quiz = s.client.get(f"/papers/{key}/quiz/{q.id}").text
    answer_id = form_answer_id(quiz, q.id)  # the form as the browser keeps it: Back re-sends the same id

    wrong = s.client.post(f"/papers/{key}/quiz/{q.id}", data={"csrf": s.csrf, "answer_id": answer_id,
                                                             **form_fields(q, wrong_answer(q))})
    assert "Not quite" in wrong.text and score(wrong.text) == "0 of 1"
    again = s.client.post(f"/papers/{key}/quiz/{q.id}", data={"csrf": s.csrf, "answer_id": answer_id,
                                                             **form_fields(q, right_answer(q))})
    assert again.status_code == 200
    feedback = re.search(r'<section class="feedback.*?</section>', again.text, re.S).group(0)
    assert "Already answered" in feedback and "Not quite" in feedback and "Right." not in feedback
    assert shown(s.cur, q.choices[int(wrong_answer(q))]) in feedback  # the answer stored, not the one resent
    assert score(again.text) == "0 of 1"
    api = s.api("POST", f"/api/papers/{key}/answers",
                json={"item_id": q.id, "answer": right_answer(q), "answer_id": answer_id}).json()
    assert api["repeated"] is True and api["correct"] is False and api["given"] == wrong_answer(q)
    assert s.sql("SELECT count(*) FROM answers") == [(1,)]
    progress = s.client.get(f"/api/papers/{key}/progress").json()
    assert (progress["right"], progress["answered"]) == (0, 1)

    # Answering anew from the page just shown (a fresh id) records it.
    fresh_id = form_answer_id(again.text, q.id)
    assert fresh_id != answer_id
    right = s.client.post(f"/papers/{key}/quiz/{q.id}", data={"csrf": s.csrf, "answer_id": fresh_id,
                                                             **form_fields(q, right_answer(q))})
    assert "Right." in right.text and "Already answered" not in right.text and score(right.text) == "1 of 1"


def test_a_quiz_result_url_opened_again_shows_the_result(fresh):
    s, key = fresh, fresh.key
    q = s.cur.quiz[0]
    unanswered = s.client.get(f"/papers/{key}/quiz/{q.id}")
    assert unanswered.status_code == 200 and 'class="feedback"' not in unanswered.text  # the quiz, nothing to show
    s.client.post(f"/papers/{key}/quiz/{q.id}", data={"csrf": s.csrf, "answer_id": uuid.uuid4().hex,
                                                     **form_fields(q, right_answer(q))})
    opened = s.client.get(f"/papers/{key}/quiz/{q.id}")
    assert opened.status_code == 200, opened.text[:300]
    feedback = re.search(r'<section class="feedback.*?</section>', opened.text, re.S).group(0)
    assert "Your latest answer" in feedback and "Right." in feedback and shown(s.cur, answer_text(q)) in feedback
    s.api("POST", f"/api/papers/{key}/answers", json={"item_id": q.id, "answer": wrong_answer(q)})
    assert "Not quite" in s.client.get(f"/papers/{key}/quiz/{q.id}").text  # the latest, whichever way it was sent
    assert s.client.get(f"/papers/{key}/quiz/quiz-nope").status_code == 404


# -- math: typeset on every page, compared without its markup ------------------------------------------------------

def test_typed_answers_are_compared_without_math_markup(fresh):
    key, cur = compiled(fresh, MATH_PAPER)
    q = next(q for q in cur.quiz if q.kind == "fill_blank" and q.answer == "$2^m$")

    def correct(typed: str) -> bool:
        r = fresh.api("POST", f"/api/papers/{key}/answers", json={"item_id": q.id, "answer": typed})
        assert r.status_code == 200, r.text
        return r.json()["correct"]

    assert all(correct(typed) for typed in ("2^m", "$2^m$", "2^{m}", " 2 ^ m ", "2^M", "$2^{ m }$"))
    assert not any(correct(typed) for typed in ("3^m", "2m", "m^2", "2^mn", ""))
    page = fresh.client.post(f"/papers/{key}/quiz/{q.id}", data={"csrf": fresh.csrf, "answer": "2^m"})
    assert "Right." in page.text and shown(cur, answer_text(q)) in page.text and "<math" in page.text


def test_math_is_typeset_on_every_page_of_the_app(fresh):
    s = fresh
    key, cur = compiled(s, MATH_PAPER)
    for q in [q for q in cur.quiz if "$" in q.prompt.text][:5]:  # the progress page's history shows prompts
        s.api("POST", f"/api/papers/{key}/answers", json={"item_id": q.id, "answer": wrong_answer(q)})
    q = next(q for q in cur.quiz if q.kind == "fill_blank" and "$" in q.answer)
    pages = ["/library", f"/papers/{key}", f"/papers/{key}/quiz", f"/papers/{key}/progress", f"/papers/{key}/quiz/{q.id}"]
    pages += [f"/papers/{key}/deep/{section.id}" for section in cur.sections]
    assert any("$" in text for text in (q.prompt.text, q.answer)) and "$" in cur.source.text
    typeset = set()
    for path in pages:
        r = s.client.get(path)
        assert r.status_code == 200, path
        assert "$" not in visible_text(r.text), (path, re.findall(r".{30}\$.{30}", visible_text(r.text))[:3])
        typeset |= {path} if "<math" in r.text else set()
    assert set(pages[3:5]) <= typeset and typeset & set(pages[5:])  # a result, the history, a deep dive
    # Every card of the deck, one at a time: front, back and the cited source (no daily cap on new cards).
    settings = s.api("POST", "/api/settings", json={"new_per_day": "9999", "bury_siblings": "0"}).json()
    assert settings["new_per_day"] == "9999" and settings["bury_siblings"] == "0"  # and no card waits for its sibling
    seen = 0
    while (card := s.client.get(f"/api/papers/{key}/review").json()["card"]) is not None:
        page = s.client.get(f"/papers/{key}/review").text
        assert "$" not in visible_text(page), (card["id"], visible_text(page)[-600:])
        s.api("POST", f"/api/papers/{key}/reviews", json={"card_id": card["id"], "grade": 4})
        seen += 1
    assert seen == len(cur.flashcards) and any("$" in c.front.text + c.back.text for c in cur.flashcards)
    assert "<title>" in page and "$" not in re.search(r"<title>(.*?)</title>", page).group(1)


def test_hostile_tex_stays_text_in_the_app(fresh):
    key, cur = compiled(fresh, HOSTILE_TEX)
    pages = [f"/papers/{key}", f"/papers/{key}/quiz", f"/papers/{key}/review", f"/papers/{key}/progress", "/library"]
    pages += [f"/papers/{key}/deep/{section.id}" for section in cur.sections]
    for q in cur.quiz:
        fresh.client.post(f"/papers/{key}/quiz/{q.id}", data={"csrf": fresh.csrf, **form_fields(q, wrong_answer(q))})
    as_text = 0
    for path in pages:
        body = fresh.client.get(path).text.lower()
        assert "<script>alert" not in body and "<img src=x" not in body, path
        assert not re.search(r"<[a-z][^<>]*\s(?:href|style|onerror)\s*=\s*\"?[^\"]*(?:javascript|color:red|alert)", body), path
        for element in MATH_ELEMENT.findall(body):  # the MathML let in lays out text only
            assert "href" not in element and "style=" not in element and "<script" not in element, element
        as_text += "$\\href{javascript:alert(1)}{x}$" in body  # refused formulas are shown as their text
    assert as_text


# -- the course served by the app links back into it ----------------------------------------------------------------

def test_the_course_in_the_app_links_back_and_sends_its_study_pages_to_the_app(fresh):
    s, key = fresh, fresh.key
    pages = [name for name in to_html(s.cur) if name.endswith(".html") and name not in STUDY_PAGES]
    for name in pages:
        r = s.client.get(f"/papers/{key}/course/{name}")
        assert r.status_code == 200, name
        assert f'<a href="/papers/{key}">← Back to ArcXiv</a>' in r.text, name
        assert 'href="cards.html"' not in r.text and 'href="quiz.html"' not in r.text, name
        assert f'href="/papers/{key}/review"' in r.text and f'href="/papers/{key}/quiz"' in r.text, name
    for name, route in STUDY_PAGES.items():
        r = s.client.get(f"/papers/{key}/course/{name}")
        assert r.status_code == 303 and r.headers["location"] == f"/papers/{key}/{route}"
    static = to_html(s.cur)["index.html"]  # the course `arcxiv compile` writes is left as it is
    assert 'href="cards.html"' in static and "Back to ArcXiv" not in static


# -- bad uploads in plain words -----------------------------------------------------------------------------------

SIX_MB = b"Big paper\n\nAbstract\n\n" + b"We study very long inputs. " * (6 * 2 ** 20 // 27)
TWO_PAPERS = "\n".join(json.dumps({"id": f"2401.0000{i}", "title": f"Paper {i}",
                                   "abstract": "We prove that the method converges. It is fast."}) for i in (1, 2))


def messages(s, **request) -> list[tuple[int, str]]:
    """(status, message) from the API and from the home page's form, for the same upload."""
    api = s.client.post("/api/papers", data={"csrf": s.csrf}, **request)
    form = s.client.post("/papers", data={"csrf": s.csrf}, **request)
    alert = re.search(r'<p class="error" role="alert">(.*?)</p>', form.text, re.S)
    return [(api.status_code, api.json().get("error", "")), (form.status_code, html.unescape(alert.group(1)) if alert else "")]


BAD_UPLOADS = [  # (case, what is sent, status, how the message starts)
    ("6 MB file", {"files": {"file": ("big.txt", SIX_MB, "text/plain")}}, 413, "The file is 6.0 MB; the limit is 5 MB."),
    ("5 MB + 1 byte", {"files": {"file": ("big.txt", b"x" * (5 * 2 ** 20 + 1), "text/plain")}}, 413,
     "The file is just over 5 MB; the limit is 5 MB."),
    ("12 MB file", {"files": {"file": ("big.txt", SIX_MB * 2, "text/plain")}}, 413, "The file is 12.0 MB; the limit is 5 MB."),
    ("70 MB PDF", {"files": {"file": ("paper.pdf", b"%PDF-1.7\n" + SIX_MB * 12, "application/pdf")}}, 413,
     "The upload is 72.0 MB; the limit is 64 MB."),
    ("truncated PDF", {"files": {"file": ("paper.pdf", b"%PDF-1.7\n", "application/pdf")}}, 415,
     "paper.pdf is a truncated or damaged PDF"),
    ("audio", {"files": {"file": ("talk.mp3", b"ID3", "audio/mpeg")}}, 415, "An audio file cannot be read as a paper"),
    ("empty paste", {"files": {"text": (None, ""), "file": ("", b"")}}, 422,
     "The paste is empty: paste a paper's title and abstract, or choose a file."),
    ("whitespace paste", {"files": {"text": (None, " \n "), "file": ("", b"")}}, 422,
     "The paste contains only whitespace: paste a paper's title and abstract, or choose a file."),
    ("two papers", {"files": {"file": ("two.json", TWO_PAPERS.encode(), "application/json")}}, 422,
     "The file holds 2 papers; upload one paper at a time: a file with just the one you want, or its title and "
     "abstract pasted."),
    ("two papers pasted", {"files": {"text": (None, TWO_PAPERS), "file": ("", b"")}}, 422, "The pasted text holds 2 papers"),
]


@pytest.mark.parametrize("case,request_,status,says", BAD_UPLOADS, ids=[c[0] for c in BAD_UPLOADS])
def test_bad_uploads_are_described_in_plain_words(site, case, request_, status, says):
    before = site.sql("SELECT count(*) FROM papers")
    for got_status, message in messages(site, **request_):
        assert got_status == status and message.startswith(says), (case, got_status, message)
        assert "--id" not in message and "give a file" not in message and "bytes)" not in message
    assert site.sql("SELECT count(*) FROM papers") == before


def test_a_pasted_paper_over_the_limit_gives_its_size(site):
    r = site.api("POST", "/api/papers", json={"text": SIX_MB.decode()})
    assert r.status_code == 413 and r.json()["error"] == "The pasted text is 6.0 MB; the limit is 5 MB."
