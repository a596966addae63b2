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


def answer_item(pg, form, right: bool | None = None) -> None:
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


def not_reloaded(pg) -> bool:
    """Whether the page is the one marked by ``mark``: a swap of <main> keeps it, a full load does not."""
    return pg.evaluate("window.__arcxivMark === 1")


def mark(pg) -> None:
    pg.evaluate("window.__arcxivMark = 1")


def review_card(pg, grade: str, with_button: bool) -> str:
    """Show the answer with Space, grade the card with a key (or its button); return the card id.
    With JavaScript neither step reloads the page."""
    front = pg.locator(".review-card .front").inner_text()
    assert pg.locator("form.grades").count() == 0  # no grading before the answer is shown
    mark(pg)
    pg.keyboard.press("Space")  # focus is on the page: no click first
    pg.locator("form.grades").wait_for()
    card_id = pg.locator("form.grades input[name=card_id]").get_attribute("value")
    assert pg.locator(".review-card .back").is_visible() and pg.locator(".review-card .front").inner_text() == front
    previews = pg.locator("form.grades .when").all_inner_texts()
    assert len(previews) == 4 and all(re.fullmatch(r"[\d.]+ (min|h|d|mo|y)", p) for p in previews), previews
    if with_button:
        pg.locator(f"form.grades button[value='{grade}']").click()
    else:
        pg.keyboard.press(grade)
    pg.locator(".last-review").wait_for()
    pg.wait_for_function("() => !document.querySelector('form.grades')")
    assert not_reloaded(pg) and pg.url.endswith("/review")
    return card_id


def check_progress(pg, reviews: int, answered: int, due: int, read: int) -> None:
    assert number(pg, "#review-count") == reviews
    assert number(pg, "#due-count") == due
    assert score(pg, "#quiz-score")[1] == answered
    assert pg.locator("#lessons-read").inner_text().startswith(f"{read} of")
    assert pg.locator("table tbody tr").count() > 0
    assert pg.locator("ol.history li").count() >= answered  # every answer, retries too


def take_quiz(pg, key: str) -> tuple[int, int]:
    """Start the quiz and answer every question, one at a time (the first option, or any text: some
    right, some wrong); missed ones come back at the end. Returns (right the first time, asked)."""
    pg.get_by_role("button", name="Start").click()
    pg.wait_for_url(re.compile(rf"/papers/{re.escape(key)}/quiz/session/\w+$"))
    total = int(re.search(r"0 of (\d+) answered", pg.locator("p.session-count").inner_text()).group(1))
    mark(pg)
    wrong_ids = []
    for i in range(total * 2):
        form = pg.locator("form.quiz-item")
        if form.count() == 0:
            break
        assert form.count() == 1  # one question at a time
        item_id = form.get_attribute("id")
        retry = pg.locator("text=You missed this one before").count() > 0
        radios = form.locator("input[type=radio]")
        if i == 0 and radios.count():  # keyboard only: Space picks the focused option, Enter submits
            radios.first.focus()
            pg.keyboard.press("Space")
            assert radios.first.is_checked()
            pg.keyboard.press("Enter")
        else:
            answer_item(pg, form)
            form.get_by_role("button", name="Check").click()
        feedback = pg.locator("section.feedback[role=status]")
        feedback.wait_for()
        text = feedback.inner_text()
        assert ("Right." in text) != ("Not quite." in text), text
        assert "Your answer" in text and "The paper" in text, text  # your answer, and the cited source
        sync_api.expect(feedback).to_be_in_viewport()
        if "Not quite." in text and not retry:
            wrong_ids.append(item_id)
        if i == 0:
            shot(pg, "quiz-feedback")
        pg.get_by_role("link", name=re.compile("Next question|See the summary")).click()
        pg.locator("form.quiz-item, section.summary").first.wait_for()
    assert not_reloaded(pg), "a quiz answer reloaded the page"
    summary = pg.locator("section.summary")
    summary.wait_for()
    shot(pg, "quiz-summary")
    first, asked = re.search(r"(\d+) of (\d+) right the first time", summary.inner_text()).groups()
    assert int(asked) == total and int(first) == total - len(wrong_ids)
    return int(first), total


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
    # -- home: paste the example paper and compile it, with a note that it is working -------------
    pg.goto(server.base + "/")
    assert pg.locator("h1").inner_text() == "Learn a paper"
    pg.get_by_label("Paper text").fill(SEED.read_text(encoding="utf-8"))
    shot(pg, "home")
    # what the page says while the paper compiles, kept in sessionStorage across the navigation
    pg.evaluate("""document.addEventListener('submit', () => setTimeout(() => sessionStorage.setItem('busy',
        document.querySelector('.busy').textContent + '|' + document.querySelector('.compile-form button').disabled)))""")
    with pg.expect_navigation(url=re.compile(r"/papers/[0-9a-f]{32}-[^/]+$"), timeout=60_000):
        pg.get_by_role("button", name="Compile").click()
    busy = pg.evaluate("sessionStorage.getItem('busy')") or ""
    assert busy.startswith("Compiling the paper") and busy.endswith("|true"), busy
    key = pg.url.rsplit("/", 1)[-1]
    paper_url = pg.url
    title = SEED.read_text(encoding="utf-8").splitlines()[0].strip()
    assert pg.locator("main h1").inner_text() == title
    due_at_start = int(re.search(r"(\d+) due", pg.locator("a.button:has-text('Review cards')").inner_text()).group(1))
    assert due_at_start >= 3
    assert pg.locator("ul.downloads a").count() == 6
    shot(pg, "paper")

    # -- the progress page before anything was done ------------------------------------------
    pg.get_by_role("link", name="your progress").click()
    pg.wait_for_url(f"**/papers/{key}/progress")
    check_progress(pg, reviews=0, answered=0, due=due_at_start, read=0)

    # -- the course, lesson 1, marked read --------------------------------------------------------
    pg.goto(paper_url)
    pg.get_by_role("link", name="Open the course").click()
    pg.wait_for_url(f"**/papers/{key}/course/index.html")
    assert pg.locator("ol.roadmap li").count() > 0
    pg.locator("ol.roadmap a").first.click()
    pg.wait_for_url("**/course/lesson-01.html")
    assert pg.locator("p.meta").first.inner_text().startswith("Lesson 1 of")
    assert pg.locator("#source-text").inner_text().strip()
    shot(pg, "lesson-01")
    pg.get_by_role("button", name=re.compile("mark it read")).click()
    pg.wait_for_url(re.compile(r"\?read="))  # the paper's page says so, with the next lesson
    assert "Lesson 1 is marked read." in pg.locator("p.note").inner_text()
    pg.get_by_role("link", name=re.compile("Next: lesson 2")).click()
    pg.wait_for_url("**/course/lesson-02.html")

    # -- a deep dive, from the paper page's list -------------------------------------------------
    pg.goto(paper_url)
    assert pg.locator("ol.lessons li").first.locator(".read").count() == 1
    dives = pg.locator("h2:has-text('Deep dives') + ul a")
    section_title = dives.first.inner_text()
    dives.first.click()
    pg.wait_for_url(re.compile(rf"/papers/{re.escape(key)}/deep/[^/]+$"), timeout=60_000)
    assert pg.locator("h1").inner_text() == f"Deep dive: {section_title}"

    # -- review: Space, then keys 3 and 4, then the Hard button; an Again card comes back; undo ---------
    pg.goto(paper_url)
    pg.get_by_role("link", name=re.compile("Review cards")).click()
    pg.wait_for_url(f"**/papers/{key}/review")
    assert pg.locator(".c-new").inner_text() == f"{due_at_start} new"
    shot(pg, "review")
    seen = [review_card(pg, "3", with_button=False)]
    seen.append(review_card(pg, "4", with_button=False))
    pg.keyboard.press("Space")
    pg.locator("form.grades").wait_for()
    shot(pg, "review-answer")
    pg.go_back()  # the answer hidden again (history works with the swapped pages)
    pg.locator("#show-answer").wait_for()
    seen.append(review_card(pg, "2", with_button=True))
    assert len(set(seen)) == 3, seen
    assert "Last card graded Hard" in pg.locator(".last-review").inner_text()
    pg.get_by_role("button", name="Undo").click()
    pg.wait_for_function("() => !document.body.innerText.includes('Last card graded Hard')")
    assert seen[2] in pg.url  # the card just undone is shown again
    seen[2] = review_card(pg, "2", with_button=True)
    assert pg.locator(".c-new").inner_text() == f"{due_at_start - 3} new"

    # -- the quiz, one question at a time, two missed on purpose and asked again -------------------
    pg.get_by_role("navigation", name="This paper").get_by_role("link", name="Quiz").click()
    pg.wait_for_url(f"**/papers/{key}/quiz")
    right, answered = take_quiz(pg, key)
    assert 0 <= right <= answered

    # -- progress: the numbers changed; they survive a reload and a server restart ---------------
    pg.get_by_role("link", name="Your progress").click()
    pg.wait_for_url(f"**/papers/{key}/progress")
    history = pg.locator("ol.history li").count()
    due_after = due_at_start - 3 + 2  # the Good and Hard cards are back within minutes: due, in learning
    check_progress(pg, reviews=3, answered=answered, due=due_after, read=1)
    shot(pg, "progress")
    for restart in (False, True):
        if restart:
            server.stop()
            server.start()
        pg.reload()
        check_progress(pg, reviews=3, answered=answered, due=due_after, read=1)
        assert pg.locator("ol.history li").count() == history

    fresh = context.browser.new_context()  # a new browser session: the one learner's progress is still there
    watch.page(fresh.new_page())
    try:
        other = fresh.pages[0]
        other.on("request", lambda r: watch.urls.append(r.url))
        other.goto(f"{server.base}/papers/{key}/progress")
        check_progress(other, reviews=3, answered=answered, due=due_after, read=1)
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
    cells = re.findall(r"<tr><td><a [^>]*>.*?</a></td><td>.*?</td><td>.*?</td><td>(.*?)</td></tr>", html)
    assert len(cells) == len(rows)
    assert cells == [f"{row['right']} of {row['quiz_items']}" + (f" ({row['answered']} answered)" if row["quiz_items"] else "")
                     for row in rows]


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
        pg.goto(f"{server.base}/papers/{key}/quiz/{item['id']}")  # one question on its own page
        form = pg.locator(f"form#{item['id']}")
        prompt = form.locator("p.prompt")
        assert prompt.locator("math").count() >= 1 and "$" not in prompt.inner_text()
        assert pg.locator("math").first.bounding_box()["width"] > 0  # laid out, not hidden
        form.get_by_label("Your answer").fill("2^m")
        with pg.expect_navigation():
            form.get_by_role("button", name="Check").click()
        feedback = pg.locator("section.feedback")
        assert feedback.locator(".verdict").inner_text() == "Right."
        assert feedback.locator("math").count() >= 1 and "$" not in feedback.inner_text()
        shot(pg, "quiz-math")
        result_url = pg.url
        assert result_url.endswith(f"/quiz/{item['id']}")
        response = pg.goto(result_url)  # the result's URL opened again: a GET
        assert response is not None and response.status == 200
        assert "Your latest answer" in pg.locator("section.feedback").inner_text()

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


# -- without JavaScript, at phone width and in dark mode, and for axe-core (issue 16) --------------------------

def compiled_key(server, text: str | None = None) -> str:
    with httpx.Client(base_url=server.base, timeout=60) as c:
        csrf = c.get("/api/session").json()["csrf"]
        r = c.post("/api/papers", json={"text": text or SEED.read_text(encoding="utf-8")}, headers={"X-CSRF-Token": csrf})
        assert r.status_code in (200, 201), r.text
        return r.json()["key"]


def test_without_javascript_review_and_quiz_work_one_page_at_a_time(server, browser):
    key = compiled_key(server)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1000, "height": 800})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    try:
        pg.goto(f"{server.base}/papers/{key}/review")
        assert pg.locator("form.grades").count() == 0
        with pg.expect_navigation():
            pg.get_by_role("link", name=re.compile("Show the answer")).click()
        assert "show=1" in pg.url and pg.locator(".review-card .back").is_visible()
        with pg.expect_navigation():
            pg.locator("form.grades button[value='1']").click()  # Again
        assert "Last card graded Again: back in 1 min." in pg.locator(".last-review").inner_text()
        with pg.expect_navigation():
            pg.get_by_role("button", name="Undo").click()
        assert "card=" in pg.url
        pg.goto(f"{server.base}/papers/{key}/quiz")
        with pg.expect_navigation():
            pg.get_by_role("button", name="Start").click()
        for _ in range(3):
            form = pg.locator("form.quiz-item")
            answer_item(pg, form)
            with pg.expect_navigation():
                form.get_by_role("button", name="Check").click()
            assert pg.locator("section.feedback .verdict").count() == 1 and "answered=" in pg.url
            with pg.expect_navigation():
                pg.get_by_role("link", name="Next question →").click()
        assert "3 of" in pg.locator("main p.session-count").inner_text()
        shot(pg, "nojs-quiz")
    finally:
        context.close()


def test_phone_width_and_dark_mode(server, browser):
    key = compiled_key(server)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, color_scheme="dark")
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    try:
        for path, name in ((f"/papers/{key}", "paper"), (f"/papers/{key}/review?show=1", "review"),
                           ("/library", "library"), ("/stats", "stats"), (f"/papers/{key}/progress", "progress")):
            pg.goto(server.base + path)
            assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{path} scrolls sideways"
            # a compact header: the paper's title on one line
            title = pg.locator(".paper-nav .paper-title")
            if title.count():
                box = title.bounding_box()
                assert box["height"] < 40, (path, box)
            # touch targets of at least 44 px, no keyboard hints on a touch screen
            for el in pg.locator("main button:visible, .app-nav a:visible, main a.button:visible").all():
                assert el.bounding_box()["height"] >= 43.5, (path, el.inner_text(), el.bounding_box())
            assert all(not k.is_visible() for k in pg.locator("kbd").all()), path
            bg = pg.evaluate("getComputedStyle(document.body).backgroundColor")
            assert bg in ("rgb(21, 22, 26)",), bg  # the dark palette
            shot(pg, f"phone-dark-{name}")
        pg.goto(f"{server.base}/papers/{key}/review?show=1")
        grades = pg.locator("form.grades button").all()
        assert len(grades) == 4 and grades[0].bounding_box()["width"] > 150  # two a row, thumb-sized
    finally:
        context.close()


def test_the_app_pages_have_no_serious_axe_violation(server, browser):
    from axe_playwright_python.sync_playwright import Axe

    key = compiled_key(server)
    with httpx.Client(base_url=server.base, timeout=60) as c:
        cur = c.get(f"/api/papers/{key}/curriculum").json()
    item = cur["quiz"][0]["id"]
    pages = ["/", "/library", f"/papers/{key}", f"/papers/{key}/review", f"/papers/{key}/review?show=1", "/review",
             f"/papers/{key}/quiz", f"/papers/{key}/quiz/{item}", f"/papers/{key}/cards", f"/papers/{key}/progress",
             "/stats", "/settings"]
    axe = Axe()
    found = []
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1100, "height": 900}, color_scheme=scheme)
        pg = context.new_page()
        try:
            for path in pages:
                pg.goto(server.base + path)
                for v in axe.run(pg).response["violations"]:
                    if v["impact"] in ("serious", "critical"):
                        found.append((scheme, path, v["id"], [n["target"] for n in v["nodes"]][:3]))
            # a quiz answer's feedback, with its source
            pg.goto(f"{server.base}/papers/{key}/quiz")
            with pg.expect_navigation():
                pg.get_by_role("button", name="Start").click()
            form = pg.locator("form.quiz-item")
            answer_item(pg, form)
            form.get_by_role("button", name="Check").click()
            pg.locator("section.feedback").wait_for()
            for v in axe.run(pg).response["violations"]:
                if v["impact"] in ("serious", "critical"):
                    found.append((scheme, "feedback", v["id"], [n["target"] for n in v["nodes"]][:3]))
        finally:
            context.close()
    assert found == [], found


def test_the_daily_queue_mixes_papers_and_downloads_arrive(server, browser):
    from .conftest import corpus_lines

    first, second = compiled_key(server), compiled_key(server, corpus_lines()[2])
    context = browser.new_context(viewport={"width": 1100, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    try:
        def review_until_done(titles: set) -> int:
            pg.goto(f"{server.base}/review")
            for n in range(25):
                if pg.locator("#show-answer").count() == 0:
                    return n
                titles.add(pg.locator(".review-card .meta").inner_text().split(" · ", 1)[1])
                pg.keyboard.press("Space")
                pg.locator("form.grades").wait_for()
                pg.keyboard.press("4")
                pg.locator(".last-review").wait_for()
                pg.wait_for_function("() => !document.querySelector('form.grades')")
            raise AssertionError("the daily limit of 20 new cards did not end the queue")

        titles = set()
        first_pass = review_until_done(titles)  # one card a sentence: the siblings wait, and the page says so
        done = pg.locator(".done").inner_text()
        assert first_pass < 20 and f"{20 - first_pass} new cards wait for tomorrow" in done, (first_pass, done)
        pg.get_by_role("link", name="Settings").last.click()
        pg.select_option("#bury_siblings", "0")
        pg.get_by_role("button", name="Save").click()
        pg.locator("text=Saved.").wait_for()
        try:
            assert first_pass + review_until_done(titles) == 20  # the new cards of both papers, up to the limit
        finally:
            pg.goto(f"{server.base}/settings")
            pg.select_option("#bury_siblings", "1")
            pg.get_by_role("button", name="Save").click()
        assert len(titles) == 2, titles
        pg.goto(f"{server.base}/review")
        assert "Done for now" in pg.locator("main").inner_text() and "20" in pg.locator(".done").inner_text()
        shot(pg, "daily-done")
        pg.goto(f"{server.base}/papers/{first}")
        for fmt in ("anki", "gift", "html"):
            with pg.expect_download() as d:
                pg.locator(f"a[href$='/download/{fmt}']").click()
            name = d.value.suggested_filename
            assert name.endswith({"anki": ".apkg", "gift": ".gift", "html": "-html.zip"}[fmt]), name
            assert d.value.path().stat().st_size > 1000
        pg.goto(f"{server.base}/stats")
        assert pg.locator("#reviews-today").inner_text() == "20"
        shot(pg, "stats")
    finally:
        context.close()
    assert second
