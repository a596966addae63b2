"""The static course in a real browser: Debian's Chromium, driven by Playwright, from file://."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from arcxiv.ingest import ingest
from arcxiv.pipeline import compile_paper, render_files, write_outputs

from .conftest import ROOT, SEED

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium (see .ci/run)")
    pytest.skip("no Chromium on this machine (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    out = tmp_path_factory.mktemp("course")
    cur = compile_paper(ingest(SEED.read_bytes()), deep_dives=True)
    write_outputs(render_files(cur), out)
    return out, cur


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, request):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    pg.requests = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=False)
    context.close()


def url(out: Path, name: str) -> str:
    return (out / name).as_uri()


def test_roadmap_lesson_and_no_network(course, page):
    out, cur = course
    page.goto(url(out, "index.html"))
    assert page.locator("h2#roadmap-heading").is_visible()
    assert page.locator("ol.roadmap li").count() == len(cur.lessons)
    page.locator("ol.roadmap a").nth(4).click()
    assert page.url.endswith("lesson-05.html")
    assert page.locator("h1").inner_text().startswith("Result 3")
    assert page.locator("math").count() > 0  # S* is typeset
    assert all(u.startswith("file://") for u in page.requests), page.requests
    assert page.errors == []


def test_source_highlight_shows_the_cited_words(course, page):
    out, cur = course
    page.goto(url(out, "lesson-05.html"))
    st = page.locator(".reading .st.rephrase").first  # a sentence of the reading, restated from its words
    st.hover()
    marks = page.locator("#source-text mark")
    assert marks.count() >= 1
    spans = [tuple(map(int, p.split("-"))) for p in st.get_attribute("data-spans").split(",")]
    assert marks.first.inner_text() == cur.source.text[spans[0][0]:spans[0][1]]


def test_a_card_flips_with_click_and_keyboard(course, page):
    out, _ = course
    page.goto(url(out, "cards.html"))
    card = page.locator(".card").first
    assert card.locator(".back").is_hidden()
    card.click()
    assert card.get_attribute("aria-pressed") == "true" and card.locator(".back").is_visible()
    card.focus()
    page.keyboard.press("Enter")
    assert card.get_attribute("aria-pressed") == "false"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement === document.querySelectorAll('.card')[1]")


def test_a_wrong_quiz_answer_shows_feedback_with_the_source(course, page):
    out, cur = course
    page.goto(url(out, "quiz.html"))
    index = next(i for i, q in enumerate(cur.quiz) if q.kind == "mcq")
    q = cur.quiz[index]
    form = page.locator("form.quiz-item").nth(index)
    wrong = next(i for i in range(len(q.choices)) if i != q.answer)
    form.locator("input[type=radio]").nth(wrong).check()
    form.locator("button").click()
    feedback = form.locator(".feedback")
    assert feedback.is_visible()
    assert "Not quite" in feedback.locator(".verdict").inner_text()
    assert q.choices[q.answer] in feedback.locator(".key").inner_text()
    assert page.locator("#source-text mark").count() >= 1  # the cited passage lights up
    form.locator("input[type=radio]").nth(q.answer).check()
    form.locator("button").click()
    assert feedback.locator(".verdict").inner_text() == "Correct."


def test_exercise_reveals_its_model_answer(course, page):
    out, _ = course
    page.goto(url(out, "exercises.html"))
    details = page.locator("details").first
    assert not details.locator(".st").first.is_visible()
    details.locator("summary").click()
    assert details.locator(".st").first.is_visible()


@pytest.mark.parametrize("name", ["index.html", "lesson-03.html", "lesson-06.html", "guides.html", "glossary.html",
                                  "cards.html", "quiz.html", "exercises.html", "deep-dives.html"])
def test_axe_finds_no_serious_violation(course, page, name):
    from axe_playwright_python.sync_playwright import Axe

    out, _ = course
    page.goto(url(out, name))
    violations = Axe().run(page).response["violations"]
    serious = [(v["id"], v["impact"], v["nodes"][0]["html"][:120]) for v in violations
               if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_phone_width_dark_mode_and_print(course, browser):
    out, _ = course
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    pg = context.new_page()
    pg.goto(url(out, "lesson-04.html"))
    assert pg.evaluate("document.scrollingElement.scrollWidth") <= 392  # nothing wider than the phone
    bg = pg.evaluate("getComputedStyle(document.body).backgroundColor")
    assert bg == "rgb(21, 22, 26)"
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / "phone-dark-lesson-04.png"))
    pg.emulate_media(media="print")
    assert pg.locator("aside.source").is_hidden() and pg.locator("header nav").is_hidden()
    context.close()


def test_on_a_phone_a_tapped_line_opens_the_source_as_a_sheet(course, browser):
    out, _ = course
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.goto(url(out, "lesson-02.html"))
    sheet = pg.locator("aside.source")
    assert not sheet.is_visible() or not sheet.evaluate("el => el.classList.contains('open')")
    line = pg.locator("main [data-spans]").nth(1)
    line.tap()
    pg.wait_for_function("() => document.querySelector('aside.source').classList.contains('open')")
    pg.wait_for_timeout(400)  # the sheet slides in
    box, view = sheet.bounding_box(), pg.viewport_size
    assert box["y"] + box["height"] <= view["height"] + 1 and box["height"] <= 0.62 * view["height"]
    mark = pg.locator("#source-text mark").first
    m = mark.bounding_box()  # the cited words are in sight, inside the sheet, not far below the fold
    assert box["y"] <= m["y"] and m["y"] + m["height"] <= box["y"] + box["height"], (box, m)
    assert pg.evaluate("document.activeElement.closest('aside.source') !== null")  # focus moved into the sheet
    close = sheet.get_by_role("button", name="Close")
    assert close.bounding_box()["height"] >= 44
    pg.keyboard.press("Escape")
    assert not sheet.evaluate("el => el.classList.contains('open')")
    figure = pg.goto(url(out, "index.html")) and pg.locator("svg text").first
    if figure.count():  # a visual keeps its labels readable: it scrolls sideways instead of shrinking
        size = figure.evaluate("t => t.getBoundingClientRect().height")
        assert size >= 10, size
    assert all(not k.is_visible() for k in pg.locator("kbd").all())  # no keyboard hints on a touch screen
    pg.screenshot(path=str(ARTIFACTS / "phone-source-sheet.png"))
    context.close()


def _course(paper: str, out) -> None:
    """Compile a plain-text paper and write its HTML course into ``out``."""
    write_outputs(render_files(compile_paper(ingest(paper.encode(), fmt="text"))), out)


def test_hostile_paper_runs_nothing(browser, tmp_path):
    paper = ("<script>alert(1)</script> A <img src=x onerror=alert(2)> study\n\n"
             "We propose the <b onmouseover=alert(3)>method</b> X, which improves <script>alert(4)</script> results "
             "on $\\mathcal{O}(n)$ tasks. First, we show that X works. Second, we show that X is fast. "
             "Third, we show that X scales. The results suggest that X helps. The proofs are self-contained.")
    _course(paper, tmp_path / "out")
    pg = browser.new_page()
    dialogs = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for name in ("index.html", "lesson-01.html", "quiz.html", "glossary.html"):
        pg.goto(url(tmp_path / "out", name))
        pg.mouse.move(10, 10)
        assert pg.locator("script").count() == 1  # only the course's own script
        assert pg.locator("img").count() == 0
    assert dialogs == []
    pg.goto(url(tmp_path / "out", "lesson-01.html"))
    assert "\\mathcal" not in pg.locator("main").inner_text()  # TeX is typeset, never shown raw
    pg.close()


def test_the_source_panel_typesets_math_and_still_highlights(browser, tmp_path):
    paper = ("Rates for $\\mathcal{N}$-valued limits\n\n"
             "We prove that the estimator $\\hat\\theta_n$ converges at rate $O(n^{-1/2})$ under mild moments. "
             "First, we show that $\\hat\\theta_n$ is consistent. Second, we bound its variance by $\\sigma^2/n$. "
             "Third, we show that the bound is sharp. The proofs are self-contained.")
    _course(paper, tmp_path / "out")
    pg = browser.new_page()
    pg.goto(url(tmp_path / "out", "lesson-01.html"))
    panel = pg.locator("#source-text")
    assert panel.locator("math").count() >= 3 and "\\hat" not in panel.inner_text()  # typeset, not raw TeX
    cited = pg.locator(".st[data-spans]").filter(has=pg.locator("math")).first
    cited.hover()
    assert pg.locator("#source-text mark").count() >= 1  # the words around the formula
    assert pg.locator("#source-text .sm.hl math").count() >= 1  # and the formula itself
    pg.close()
