"""The web app end to end: a real `arcxiv serve` process, driven by Debian's Chromium through Playwright.

One learner's journey, in order: paste the example paper on the home page and compile it,
open lesson 1 of its course, open a deep dive, review three cards with the keyboard
(Space shows the answer; 3 and 4 grade it) and a button, answer every quiz item, then read the
progress page — after a reload, and again after the server process is restarted on the same
database. Every request the browser makes must go to 127.0.0.1.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import ROOT, SEED

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ARCXIV = ROOT / ".venv" / "bin" / "arcxiv"
ARTIFACTS = ROOT / "test-artifacts"
HOST = "127.0.0.1"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"CI must install Debian's chromium at {CHROMIUM} (see .ci/run)")
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
httpx = pytest.importorskip("httpx")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """`arcxiv serve` as a child process on a fixed port and database; can be restarted."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.db = f"sqlite:///{tmp_path / 'e2e.db'}"
        self.env = {**os.environ, "ARCXIV_DATA": str(tmp_path)}
        self.log_path = tmp_path / "server.log"
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self, timeout: float = 30.0) -> None:
        exe = str(ARCXIV) if ARCXIV.exists() else shutil.which("arcxiv")
        assert exe, "the arcxiv command is not installed"
        self.starts += 1
        log = open(self.log_path, "a", encoding="utf-8")
        log.write(f"--- start {self.starts}\n")
        log.flush()
        self.proc = subprocess.Popen([exe, "serve", "--host", HOST, "--port", str(self.port), "--db", self.db],
                                     env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.base}/api", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the server did not answer within {timeout:.0f} s:\n{self.log()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)  # uvicorn shuts down cleanly on Ctrl-C
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


@pytest.fixture()
def server(tmp_path):
    srv = Server(tmp_path)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture()
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Watch:
    """Everything a browser context asks for, and every script error or CSP violation it reports."""

    def __init__(self, context):
        self.urls: list[str] = []
        self.errors: list[str] = []
        context.on("request", lambda r: self.urls.append(r.url))
        context.on("page", self.page)

    def page(self, pg) -> None:
        pg.on("pageerror", lambda e: self.errors.append(f"{pg.url}: {e}"))
        pg.on("console", lambda m: self.errors.append(f"{pg.url}: {m.text}")
              if m.type == "error" and "Content Security Policy" in m.text else None)

    def foreign(self) -> list[str]:
        return [u for u in self.urls if urlsplit(u).scheme not in ("data", "blob", "about")
                and urlsplit(u).hostname != HOST]


def shot(pg, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=False)


def number(pg, selector: str) -> int:
    return int(pg.locator(selector).inner_text().strip())


def score(pg, selector: str) -> tuple[int, int]:
    right, answered = re.fullmatch(r"(\d+) of (\d+)", pg.locator(selector).inner_text().strip()).groups()
    return int(right), int(answered)


def answer_item(pg, form) -> None:
    """Fill one quiz form: the first option, some text, or a distinct choice in every select."""
    radios = form.locator("input[type=radio]")
    texts = form.locator("input[type=text]")
    selects = form.locator("select")
    if radios.count():
        radios.first.check()
    elif texts.count():
        texts.first.fill("something")
    else:
        assert selects.count(), f"quiz item {form.get_attribute('id')} has nothing to answer with"
        for i in range(selects.count()):
            selects.nth(i).select_option(index=i + 1)  # option 0 is the "choose…" placeholder


def review_card(pg, grade: str, with_button: bool) -> str:
    """Show the answer with Space, grade the card with a key (or its button); return the card id."""
    card_id = pg.locator("form.grades input[name=card_id]").get_attribute("value")
    back = pg.locator("#answer .back")
    assert not back.is_visible()
    pg.keyboard.press("Space")  # focus is on the page just loaded: no click first
    assert pg.locator("#answer").evaluate("d => d.open"), "Space did not show the answer"
    assert back.is_visible()
    with pg.expect_navigation():
        if with_button:
            pg.locator(f"form.grades button[value='{grade}']").click()
        else:
            pg.keyboard.press(grade)
    assert pg.url.endswith("/review")
    return card_id


def check_progress(pg, reviews: int, answered: int, due: int) -> None:
    assert number(pg, "#review-count") == reviews
    assert number(pg, "#due-count") == due
    assert score(pg, "#quiz-score")[1] == answered
    assert pg.locator("table tbody tr").count() > 0
    assert pg.locator("h2:has-text('Quiz history') + ol li").count() == answered


def test_a_learner_journey_survives_reload_and_restart(server, browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    watch = Watch(context)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    try:
        journey(server, context, pg, watch)
    except Exception:
        shot(pg, "failure")
        raise
    finally:
        context.close()
    assert watch.errors == [], watch.errors
    assert watch.foreign() == [], watch.foreign()
    assert any(u.startswith(server.base) for u in watch.urls)


def journey(server, context, pg, watch) -> None:
    # -- home: paste the example paper and compile it -----------------------------------------
    pg.goto(server.base + "/")
    assert pg.locator("h1").inner_text() == "Learn a paper"
    pg.get_by_label("Paper text").fill(SEED.read_text(encoding="utf-8"))
    shot(pg, "home")
    with pg.expect_navigation(url=re.compile(r"/papers/[0-9a-f]{32}-[^/]+$"), timeout=60_000):
        pg.get_by_role("button", name="Compile").click()
    key = pg.url.rsplit("/", 1)[-1]
    paper_url = pg.url
    title = SEED.read_text(encoding="utf-8").splitlines()[0].strip()
    assert pg.locator("h1").inner_text() == title
    due_at_start = int(re.search(r"\((\d+) due now\)", pg.locator("ul.study").inner_text()).group(1))
    quiz_count = int(re.search(r"\((\d+) items\)", pg.locator("ul.study").inner_text()).group(1))
    assert due_at_start >= 3 and quiz_count > 0
    shot(pg, "paper")

    # -- the progress page before anything was done ------------------------------------------
    pg.get_by_role("link", name="Your progress").click()
    pg.wait_for_url(f"**/papers/{key}/progress")
    check_progress(pg, reviews=0, answered=0, due=due_at_start)

    # -- the course, then lesson 1 -------------------------------------------------------------
    pg.goto(paper_url)
    pg.get_by_role("link", name="The course").click()
    pg.wait_for_url(f"**/papers/{key}/course/index.html")
    assert pg.locator("ol.roadmap li").count() > 0
    pg.locator("ol.roadmap a").first.click()
    pg.wait_for_url("**/course/lesson-01.html")
    assert pg.locator("p.meta").first.inner_text().startswith("Lesson 1 of")
    assert pg.locator("main h1").inner_text()
    assert pg.locator("#source-text").inner_text().strip()
    shot(pg, "lesson-01")

    # -- a deep dive, from the paper page's list -------------------------------------------------
    pg.goto(paper_url)
    dives = pg.locator("h2:has-text('Deep dives') + ul a")
    assert dives.count() > 0
    section_title = dives.first.inner_text()
    dives.first.click()
    pg.wait_for_url(re.compile(rf"/papers/{re.escape(key)}/deep/[^/]+$"), timeout=60_000)
    assert pg.locator("h1").inner_text() == f"Deep dive: {section_title}"
    assert pg.locator("main section").count() > 0
    shot(pg, "deep")

    # -- three cards: Space shows the answer, keys 3 and 4 grade, then the Hard button ------------
    pg.goto(paper_url)
    pg.get_by_role("link", name="Review flashcards").click()
    pg.wait_for_url(f"**/papers/{key}/review")
    assert pg.locator("p.meta").inner_text().startswith(f"{due_at_start} card")
    shot(pg, "review")
    seen = [review_card(pg, "3", with_button=False)]
    shot(pg, "review-next")
    seen.append(review_card(pg, "4", with_button=False))
    pg.keyboard.press("Space")
    shot(pg, "review-answer")
    pg.locator("#answer").evaluate("d => { d.open = false; }")
    seen.append(review_card(pg, "2", with_button=True))  # Hard: not due again within this test
    assert len(set(seen)) == 3, seen
    assert pg.locator("p.meta").inner_text().startswith(f"{due_at_start - 3} card")

    # -- the quiz: answer every item, one form at a time ---------------------------------------
    pg.get_by_role("link", name="Quiz", exact=True).click()
    pg.wait_for_url(f"**/papers/{key}/quiz")
    assert pg.locator("form.quiz-item").count() == quiz_count
    assert score(pg, "#score") == (0, 0)
    for i in range(quiz_count):
        form = pg.locator("form.quiz-item").nth(i)
        radios = form.locator("input[type=radio]")
        with pg.expect_navigation() as nav:
            if i == 0 and radios.count():  # keyboard only: Space picks the focused option, Enter submits
                radios.first.focus()
                pg.keyboard.press("Space")
                assert radios.first.is_checked()
                pg.keyboard.press("Enter")
            else:
                answer_item(pg, form)
                form.get_by_role("button", name="Check").click()
        status = nav.value.status if nav.value else None
        assert status == 200, f"quiz item {i + 1}: HTTP {status}: {pg.locator('body').inner_text()[:200]!r}"
        form = pg.locator("form.quiz-item").nth(i)
        feedback = form.locator(".feedback[role=status]")
        assert feedback.locator(".verdict").count() == 1, f"no feedback on item {i + 1}"
        sync_api.expect(feedback).to_be_in_viewport()  # the answer's feedback is on screen, not 40 forms up
        pg.keyboard.press("Tab")  # and the next Tab stays in the item just answered
        assert pg.evaluate("document.activeElement.closest('form.quiz-item')?.id") == form.get_attribute("id")
        assert score(pg, "#score")[1] == i + 1
        if i == 0:
            shot(pg, "quiz")
    right, answered = score(pg, "#score")
    assert answered == quiz_count and 0 <= right <= quiz_count

    # -- progress: the numbers changed; they survive a reload and a server restart ---------------
    pg.get_by_role("link", name="Progress", exact=True).click()
    pg.wait_for_url(f"**/papers/{key}/progress")
    check_progress(pg, reviews=3, answered=answered, due=due_at_start - 3)
    assert score(pg, "#quiz-score") == (right, answered)
    shot(pg, "progress")

    pg.reload()
    check_progress(pg, reviews=3, answered=answered, due=due_at_start - 3)
    assert score(pg, "#quiz-score") == (right, answered)

    server.stop()
    assert server.proc.returncode is not None
    server.start()
    pg.reload()
    check_progress(pg, reviews=3, answered=answered, due=due_at_start - 3)
    assert score(pg, "#quiz-score") == (right, answered)
    shot(pg, "progress-after-restart")

    fresh = context.browser.new_context()  # a new browser session: the one learner's progress is still there
    watch.page(fresh.new_page())
    try:
        other = fresh.pages[0]
        other.on("request", lambda r: watch.urls.append(r.url))
        other.goto(f"{server.base}/papers/{key}/progress")
        check_progress(other, reviews=3, answered=answered, due=due_at_start - 3)
        other.goto(f"{server.base}/library")
        assert other.get_by_role("link", name=title).count() == 1
    finally:
        fresh.close()


def test_the_mastery_table_counts_quiz_items_per_lesson(server):
    with httpx.Client(base_url=server.base, timeout=60) as c:
        csrf = c.get("/api/session").json()["csrf"]
        r = c.post("/api/papers", json={"text": SEED.read_text(encoding="utf-8")}, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 201, r.text
        key = r.json()["key"]
        item = c.get(f"/api/papers/{key}/quiz").json()["items"][0]
        r = c.post(f"/api/papers/{key}/answers", json={"item_id": item["id"], "answer": "0"},
                   headers={"X-CSRF-Token": csrf})
        assert r.status_code == 200, r.text
        rows = c.get(f"/api/papers/{key}/progress").json()["lessons"]
        html = c.get(f"/papers/{key}/progress").text
    cells = re.findall(r"<tr><td>.*?</td><td>.*?</td><td>(.*?)</td></tr>", html)
    assert len(cells) == len(rows)
    assert cells == [f"{row['right']} of {row['quiz_items']} ({row['answered']} answered)" for row in rows]


def test_math_is_typeset_in_the_quiz_and_the_course_links_back_to_the_app(server, browser):
    """A TeX paper's fill-in item ("up to _____ nuisance-correctness regimes over $m$ …", key $2^m$):
    its math is MathML in the browser, "2^m" typed is right, the result's URL opened again shows the
    result, and the course opened from the app leads back to it and to the app's own quiz."""
    from .conftest import corpus_lines

    with httpx.Client(base_url=server.base, timeout=60) as c:
        csrf = c.get("/api/session").json()["csrf"]
        r = c.post("/api/papers", json={"text": next(l for l in corpus_lines() if "$2^m$" in l)},
                   headers={"X-CSRF-Token": csrf})
        assert r.status_code == 201, r.text
        key = r.json()["key"]
        quiz = c.get(f"/api/papers/{key}/curriculum").json()["quiz"]
    item = next(q for q in quiz if q["kind"] == "fill_blank" and q["answer"] == "$2^m$")
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    watch = Watch(context)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    try:
        pg.goto(f"{server.base}/papers/{key}/quiz")
        form = pg.locator(f"form#{item['id']}")
        prompt = form.locator("p.prompt")
        assert prompt.locator("math").count() >= 1 and "$" not in prompt.inner_text()
        assert pg.locator("math").first.bounding_box()["width"] > 0  # laid out, not hidden
        form.get_by_label("Your answer").fill("2^m")
        with pg.expect_navigation():
            form.get_by_role("button", name="Check").click()
        feedback = pg.locator(f"form#{item['id']} .feedback")
        assert feedback.locator(".verdict").inner_text() == "Correct."
        assert feedback.locator(".key math").count() == 1 and "$" not in feedback.inner_text()
        shot(pg, "quiz-math")
        result_url = pg.url.split("#")[0]
        assert result_url.endswith(f"/quiz/{item['id']}")
        response = pg.goto(result_url)  # the result's URL opened again: a GET
        assert response is not None and response.status == 200
        assert "Your latest answer" in pg.locator(f"form#{item['id']} .feedback").inner_text()

        pg.goto(f"{server.base}/papers/{key}/course/index.html")
        pg.get_by_role("link", name="← Back to ArcXiv").click()
        pg.wait_for_url(f"**/papers/{key}")
        pg.goto(f"{server.base}/papers/{key}/course/lesson-01.html")
        pg.get_by_role("navigation", name="Course").get_by_role("link", name="Quiz", exact=True).click()
        pg.wait_for_url(f"**/papers/{key}/quiz")  # the app's quiz, which records the answers
        assert pg.locator("#score").inner_text() == "1 of 1"
    except Exception:
        shot(pg, "math-failure")
        raise
    finally:
        context.close()
    assert watch.errors == [], watch.errors
    assert watch.foreign() == [], watch.foreign()
