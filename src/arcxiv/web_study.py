"""web_study: the app's study pages — card review (one paper or the daily queue of all), the quiz
taken one item at a time, the cards of a paper, statistics, settings, progress, downloads and
lessons marked read. Every page has a JSON twin under /api; every page works without JavaScript
(web.js only saves the reloads).

Routes are added to the app by ``add_study_routes`` with the app's own helpers (access checks,
sessions, pages), so every route that names a paper checks the learner's library first.
"""
from __future__ import annotations

import functools
import io
import re
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from types import SimpleNamespace
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .answers import given_text, row_marks
from .models import Curriculum, QuizItem
from .render.exports import EXPORTERS, Sentences, slug
from .render.html import answer_text, lesson_file
from . import schedule as S

QUIZ_KINDS = {"mcq": "Multiple choice", "true_false": "True or false", "fill_blank": "Fill in the blank",
              "matching": "Match the pairs", "ordering": "Put in order"}
CARD_KINDS = {"term": "Term", "symbol": "Symbol", "acronym": "Abbreviation", "cloze": "Fill the gap",
              "relation": "How two ideas relate", "members": "What belongs together", "condition": "Condition",
              "own": "Your card"}
DOWNLOADS = {  # format -> (what it is, the real tool that opens it)
    "anki": ("Anki deck (.apkg)", "Anki"), "csv": ("Flashcards and quiz as CSV (.zip)", "Anki, Quizlet, spreadsheets"),
    "gift": ("Quiz as GIFT", "Moodle"), "qti": ("Quiz as QTI 2.1 (.zip)", "Canvas, Blackboard, QTI players"),
    "markdown": ("Markdown notes (.zip)", "Obsidian, Logseq"), "html": ("The course as a website (.zip)", "a browser")}
CARD_ACTIONS = {"suspend": {"suspended": True}, "unsuspend": {"suspended": False}, "delete": {"deleted": True},
                "restore": {"deleted": False}, "unbury": {"buried_until": None}}
DONE_ACTIONS = {"bury": ("buried until tomorrow", "unbury"), "suspend": ("suspended", "unsuspend"),
                "delete": ("deleted", "restore")}  # what the review page says after an action, and its undo
SETTINGS = {"time_zone": "", "new_per_day": str(S.NEW_PER_DAY), "reviews_per_day": str(S.REVIEWS_PER_DAY),
            "bury_siblings": "1"}  # 1: a new card waits a day when a card of its sentence is shown today
SAFE_BACK = re.compile(r"^/(?!/)[\w\-./?=&:%]*$")  # a path on this site, never another host
ALL = "all"  # the review scope of the daily queue of every paper


@lru_cache(maxsize=1)
def zone_names() -> list[str]:
    """The time zones the settings page offers (read from the system's database once)."""
    from zoneinfo import available_timezones

    return sorted(available_timezones())


def ascii_name(filename: str) -> str:
    """The plain filename= of a download (its filename* has the UTF-8 one): "μ-law.apkg" -> "u-law.apkg"."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", filename.replace("μ", "u")).encode("ascii", "ignore").decode()
    return re.sub(r'[^\w.\-]', "_", folded) or "download"


@dataclass(frozen=True)
class Prefs:
    tz: object  # a ZoneInfo, or UTC
    limits: S.Limits
    bury_siblings: bool = True


@dataclass
class CardView:
    """A card as the review page shows it, generated or the learner's own."""
    paper_key: str
    paper_title: str
    id: str
    kind: str
    front: str
    back: str
    passage: str
    lesson_id: str | None
    sentence: int | None = None  # the paper's sentence it asks about: its siblings share it

    @property
    def kind_name(self) -> str:
        return CARD_KINDS.get(self.kind, self.kind)

    @property
    def ref(self) -> str:
        return f"{self.paper_key}:{self.id}"


def add_study_routes(app: FastAPI, h):
    """``h``: the app's helpers (see ``create_app``)."""
    store, Failure = h.store, h.Failure

    # -- the learner's settings and day ------------------------------------------------------
    def settings_of(learner_id: int) -> dict[str, str]:
        return {**SETTINGS, **store.settings(learner_id)}

    def prefs_of(learner_id: int) -> Prefs:
        """The learner's time zone and daily limits: read once per request."""
        s = settings_of(learner_id)
        return Prefs(S.zone(s["time_zone"]), S.Limits(int(s["new_per_day"]), int(s["reviews_per_day"])),
                     s["bury_siblings"] == "1")

    # -- cards ----------------------------------------------------------------------------------
    paper_cards: dict[str, list[tuple]] = {}  # paper -> its cards as shown, with their passages: made once

    def cards_of(learner_id: int, keys: list[str]) -> dict[tuple[str, str], CardView]:
        """Every card of these papers, in deck order: the paper's, then the learner's own."""
        out: dict[tuple[str, str], CardView] = {}
        own = store.own_cards(learner_id, keys)
        titles = {p["key"]: p["title"] for p in store.library(learner_id)}
        for key in keys:
            cur = h.loaded(key)[0]
            if key not in paper_cards:
                if len(paper_cards) >= 64:
                    paper_cards.pop(next(iter(paper_cards)))
                sentences = Sentences(cur)
                paper_cards[key] = [(c.id, c.kind, c.front.text, c.back.text, sentences.passage(c.back), c.lesson_id,
                                     next(iter(sentences.numbers(c.back) or sentences.numbers(c.front)), None))
                                    for c in cur.flashcards]
            title = titles.get(key, cur.source.title)
            for card in paper_cards[key]:
                out[(key, card[0])] = CardView(key, title, *card)
            for o in own:
                if o["paper_key"] == key:
                    out[(key, o["id"])] = CardView(key, title, o["id"], "own", o["front"], o["back"], "", None)
        return out

    def scope_keys(request: Request, scope: str) -> list[str]:
        learner_id = h.learner(request)
        if scope == ALL:
            return [p["key"] for p in store.library(learner_id)]
        h.paper_for(request, scope)
        return [scope]

    def siblings_of(cards: dict[tuple[str, str], CardView], prefs: Prefs) -> dict:
        if not prefs.bury_siblings:
            return {}
        return {ref: (ref[0], c.sentence) for ref, c in cards.items() if c.sentence is not None}

    def queue_for(learner_id: int, keys: list[str], now: datetime, prefs: Prefs):
        cards = cards_of(learner_id, keys)
        states = store.card_states(learner_id, keys)
        today = store.done_since(learner_id, S.day_start(now, prefs.tz))
        return cards, states, S.build_queue(list(cards), states, now, prefs.limits, today, siblings_of(cards, prefs)), today

    def scope_url(scope: str) -> str:
        return "/review" if scope == ALL else f"/papers/{scope}/review"

    def review_data(request: Request, scope: str, show: bool, pick: str | None) -> dict:
        learner_id, now = h.learner(request), h.now()
        keys = scope_keys(request, scope)
        prefs = prefs_of(learner_id)
        cards, states, queue, done = queue_for(learner_id, keys, now, prefs)
        card = None
        if pick and ":" in pick and tuple(pick.split(":", 1)) in queue.cards:
            # a card named by the page (the one an undo brought back); one graded since (a page reached
            # by Back, an old link) is not shown again: the queue's next card is
            card = cards[tuple(pick.split(":", 1))]
        if card is None and queue.cards:
            card = cards[queue.cards[0]]
        tz = prefs.tz
        last = store.last_review(learner_id)
        last_view = None
        if last and (last["paper_key"], last["card_id"]) in cards:
            st = states.get((last["paper_key"], last["card_id"]))
            at = last["reviewed_at"] if last["reviewed_at"].tzinfo else last["reviewed_at"].replace(tzinfo=timezone.utc)
            # the interval the grade gave, as its button said it (counted from now, 5.5 min had become "5 min")
            last_view = {"review_id": last["id"], "front": cards[(last["paper_key"], last["card_id"])].front,
                         "grade": S.GRADES[last["rating"]],
                         "back_in": S.interval_label(st.due - at) if st and st.due > now else "now"}
        previews, reps = None, 0
        if card is not None:
            st = states.get((card.paper_key, card.id))
            reps = st.reps if st else 0
            if show:
                previews = S.previews(st.fsrs if st and st.reps else None, card.id, now)
        return {"scope": scope, "card": card, "show": show and card is not None, "previews": previews, "reps": reps,
                "deck_size": len(cards),
                "queue": queue, "last": last_view, "done_today": done.new + done.reviews,
                "next_due": S.local_time(queue.next_due, tz) if queue.next_due else None,
                "grades": S.GRADES}

    def done_action(params, cards) -> dict | None:
        """What the page says after suspend, bury or delete (?did=ACTION:PAPER:CARD), with its undo."""
        action, _, ref = params.get("did", "").partition(":")
        key = tuple(ref.split(":", 1))
        if action not in DONE_ACTIONS or key not in cards:
            return None
        said, undo = DONE_ACTIONS[action]
        return {"said": said, "undo": undo, "card": cards[key]}

    def review_page(request: Request, scope: str):
        show = request.query_params.get("show") == "1"
        data = review_data(request, scope, show, request.query_params.get("card"))
        if request.query_params.get("stale") == "1":
            data["stale"] = True
        learner_id = h.learner(request)
        data["did"] = done_action(request.query_params, cards_of(learner_id, scope_keys(request, scope)))
        if data["did"] or data.get("stale"):
            data["last"] = None  # the banner says what just happened, not an older grade
        paper = None if scope == ALL else (scope, h.paper_for(request, scope))
        if paper is None and data["card"] is not None:  # the daily queue: the card's math with its paper's symbols
            data["m"] = h.math_markup(h.loaded(data["card"].paper_key)[0])
        return h.page(request, "review.html", title="Review" if scope != ALL else "Today's review",
                      review_id=uuid.uuid4().hex, paper=paper, **data)

    def review_json(request: Request, scope: str) -> dict:
        data = review_data(request, scope, True, request.query_params.get("card"))
        card, q = data["card"], data["queue"]
        return {"remaining": q.size, "new": q.new, "learning": q.learning, "review": q.review,
                "done_today": data["done_today"], "next_due": q.next_due.isoformat() if q.next_due else None,
                "held": q.held,
                "card": None if card is None else {
                    "paper_key": card.paper_key, "id": card.id, "kind": card.kind, "kind_name": card.kind_name,
                    "front": {"text": card.front}, "back": {"text": card.back}, "source": card.passage,
                    "intervals": {S.GRADES[g].lower(): v for g, v in data["previews"].items()}},
                "last": data["last"]}

    @app.get("/review", response_class=HTMLResponse)
    def daily_review(request: Request):
        return review_page(request, ALL)

    @app.get("/api/review")
    def api_daily_review(request: Request):
        return review_json(request, ALL)

    @app.get("/papers/{key}/review", response_class=HTMLResponse)
    def paper_review(request: Request, key: str):
        return review_page(request, key)

    @app.get("/api/papers/{key}/review")
    def api_paper_review(request: Request, key: str):
        return review_json(request, key)

    def do_review(request: Request, key: str, card_id: str, grade, review_id, seen_reps=None) -> dict:
        learner_id = h.learner(request)
        h.paper_for(request, key)
        if (key, card_id) not in cards_of(learner_id, [key]):
            raise Failure(404, "No such card in this paper.")
        review_id = h.client_id(review_id, "review_id")
        if seen_reps is not None and (isinstance(seen_reps, bool) or not str(seen_reps).isdigit()):
            raise Failure(422, "reps, when given, is the card's number of reviews as the page showed it.")
        try:
            return store.review(learner_id, key, card_id, int(grade), h.now(), review_id,
                                None if seen_reps is None else int(seen_reps))
        except h.ReviewConflict:
            raise Failure(409, "That review_id was already used for another review; send a new one.") from None
        except h.StaleReview:
            raise Failure(409, "That card was graded since this page showed it; nothing was changed.") from None
        except (TypeError, ValueError):
            raise Failure(422, "A grade is 1 (again), 2 (hard), 3 (good) or 4 (easy).") from None

    async def grade_form(request: Request, key: str):
        form = await h.form_with_csrf(request)
        scope = ALL if form.get("scope") == ALL else key
        try:
            await h.in_writer(do_review, request, key, str(form.get("card_id", "")), form.get("grade"),
                              str(form.get("review_id", "")), form.get("reps"))
        except Failure as e:
            if e.status != 409 or "graded since" not in e.message:
                raise
            return RedirectResponse(f"{scope_url(scope)}?stale=1", 303)
        return RedirectResponse(scope_url(scope), 303)

    @app.post("/papers/{key}/review")
    async def review_post(request: Request, key: str):
        return await grade_form(request, key)

    @app.post("/api/papers/{key}/reviews")
    async def api_review(request: Request, key: str):
        h.api_csrf(request)
        body = await h.read_json(request)
        return await h.in_writer(do_review, request, key, str(body.get("card_id", "")), body.get("grade"),
                                 body.get("review_id"), body.get("reps"))

    def do_undo(request: Request, review_id: str) -> dict:
        undone = store.undo_review(h.learner(request), review_id)
        if undone is None:
            raise Failure(409, "That review was already undone.")
        return undone

    @app.post("/review/undo")
    async def undo_post(request: Request):
        form = await h.form_with_csrf(request)
        undone = await h.in_writer(do_undo, request, str(form.get("review_id", "")))
        scope = ALL if form.get("scope") == ALL else undone["paper_key"]
        return RedirectResponse(f"{scope_url(scope)}?card={quote(undone['paper_key'])}:{quote(undone['card_id'])}", 303)

    @app.post("/api/reviews/undo")
    async def api_undo(request: Request):
        h.api_csrf(request)
        body = await h.read_json(request)
        return await h.in_writer(do_undo, request, str(body.get("review_id", "")))

    # -- a paper's cards: suspend, bury, delete, add your own -----------------------------------
    def do_card_action(request: Request, key: str, card_id: str, action: str, fields: dict) -> dict:
        learner_id, now = h.learner(request), h.now()
        h.paper_for(request, key)
        card = cards_of(learner_id, [key]).get((key, card_id))
        if card is None:
            raise Failure(404, "No such card in this paper.")
        if action == "edit":  # only a card of your own: the paper's cards cite its words
            if card.kind != "own":
                raise Failure(422, "Only your own cards can be edited; the paper's cards keep its words.")
            front, back = card_text(fields)
            store.edit_own_card(learner_id, key, card_id, front, back)
            return {"card_id": card_id, "action": action, "front": front, "back": back}
        if action == "bury":
            flags = {"buried_until": S.next_day_start(now, prefs_of(learner_id).tz)}
        elif action in CARD_ACTIONS:
            flags = CARD_ACTIONS[action]
        else:
            raise Failure(422, f"An action is one of bury, edit, {', '.join(CARD_ACTIONS)}.")
        store.flag_card(learner_id, key, card_id, now, **flags)  # an own card too: deleted, it can be restored
        return {"card_id": card_id, "action": action}

    @app.post("/papers/{key}/cards/{card_id}")
    async def card_action_post(request: Request, key: str, card_id: str):
        form = await h.form_with_csrf(request)
        action = str(form.get("action", ""))
        await h.in_writer(do_card_action, request, key, card_id, action, form)
        if action == "edit":
            return RedirectResponse(f"/papers/{key}/cards?edited={quote(card_id)}#{quote(card_id)}", 303)
        back = str(form.get("back", ""))
        if not SAFE_BACK.match(back):
            return RedirectResponse(f"/papers/{key}/cards", 303)
        if action in DONE_ACTIONS and back.endswith("/review"):  # the review page says what was done, with an undo
            back += f"?did={quote(action)}:{quote(key)}:{quote(card_id)}"
        return RedirectResponse(back, 303)

    @app.post("/api/papers/{key}/cards/{card_id}")
    async def api_card_action(request: Request, key: str, card_id: str):
        h.api_csrf(request)
        body = await h.read_json(request)
        return await h.in_writer(do_card_action, request, key, card_id, str(body.get("action", "")), body)

    def card_text(fields) -> tuple[str, str]:
        front, back = str(fields.get("front", "")).strip(), str(fields.get("back", "")).strip()
        if not (1 <= len(front) <= 2000 and 1 <= len(back) <= 2000):
            raise Failure(422, "A card needs a front and a back, each of at most 2,000 characters.")
        return front, back

    def do_add_card(request: Request, key: str, fields) -> dict:
        h.paper_for(request, key)
        front, back = card_text(fields)
        return {"id": store.add_own_card(h.learner(request), key, front, back, h.now())}

    @app.post("/papers/{key}/cards")
    async def add_card_post(request: Request, key: str):
        form = await h.form_with_csrf(request)
        added = await h.in_writer(do_add_card, request, key, form)
        return RedirectResponse(f"/papers/{key}/cards?added={quote(added['id'])}#{quote(added['id'])}", 303)

    @app.post("/api/papers/{key}/cards")
    async def api_add_card(request: Request, key: str):
        h.api_csrf(request)
        body = await h.read_json(request)
        return await h.in_writer(do_add_card, request, key, body)

    def cards_data(request: Request, key: str) -> list[dict]:
        learner_id, now = h.learner(request), h.now()
        h.paper_for(request, key)
        cards = cards_of(learner_id, [key])
        states = store.card_states(learner_id, [key])
        tz = prefs_of(learner_id).tz
        rows = []
        for ref, card in cards.items():
            st = states.get(ref)
            if st is None or st.reps == 0:
                status = "new"
            elif st.state in (S.LEARNING, S.RELEARNING):
                status = "learning"
            else:
                status = "mature" if st.interval >= S.MATURE else "young"
            rows.append({"id": card.id, "kind": card.kind, "kind_name": card.kind_name, "front": card.front,
                         "back": card.back, "status": status, "own": card.kind == "own",
                         "due": S.local_time(st.due, tz) if st and st.reps else None,
                         "suspended": bool(st and st.suspended), "deleted": bool(st and st.deleted),
                         "buried": bool(st and st.buried_until and st.buried_until > now)})
        return rows

    @app.get("/papers/{key}/cards", response_class=HTMLResponse)
    def cards_page(request: Request, key: str):
        cards = cards_data(request, key)
        ids = {c["id"] for c in cards}
        said = next(((c, request.query_params[c]) for c in ("added", "edited") if request.query_params.get(c) in ids), None)
        return h.page(request, "cards.html", title="Cards", cards=cards, said=said,
                      paper=(key, h.paper_for(request, key)))

    @app.get("/api/papers/{key}/cards")
    def api_cards(request: Request, key: str):
        return cards_data(request, key)

    # -- statistics and settings --------------------------------------------------------------
    def stats_data(request: Request) -> dict:
        learner_id, now = h.learner(request), h.now()
        tz = prefs_of(learner_id).tz
        keys = [p["key"] for p in store.library(learner_id)]
        cards = cards_of(learner_id, keys)
        states = {k: v for k, v in store.card_states(learner_id, keys).items() if k in cards}
        studied = functools.partial(store.studied_between, learner_id)
        log = store.review_log(learner_id, now - timedelta(days=183))  # the heat map's 26 weeks
        daily = S.per_day([r["at"] for r in log], tz)
        today = S.local_day(now, tz)
        last30 = [(today - timedelta(days=i), daily.get(today - timedelta(days=i), 0)) for i in range(29, -1, -1)]
        weeks = 26  # the heat map: columns of weeks, Monday on top, ending with this week
        first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
        heat = [[(first + timedelta(days=7 * w + d), daily.get(first + timedelta(days=7 * w + d), 0))
                 for d in range(7)] for w in range(weeks)]
        month = [r["rating"] for r in log if r["learned"] and r["at"] >= now - timedelta(days=30)]
        kinds = {"new": 0, "learning": 0, "young": 0, "mature": 0, "suspended": 0, "deleted": 0}
        for ref in cards:
            st = states.get(ref)
            if st is not None and (st.suspended or st.deleted):
                kinds["deleted" if st.deleted else "suspended"] += 1
            elif st is None or st.reps == 0:
                kinds["new"] += 1
            elif st.state in (S.LEARNING, S.RELEARNING):
                kinds["learning"] += 1
            else:
                kinds["mature" if st.interval >= S.MATURE else "young"] += 1
        rate = S.retention(month)
        return {"today": today.isoformat(), "streak": S.streak(studied, now, tz), "reviews_today": daily.get(today, 0),
                "per_day": [{"day": d.isoformat(), "reviews": n} for d, n in last30],
                "heat_map": [[{"day": d.isoformat(), "reviews": n, "future": d > today} for d, n in week] for week in heat],
                "retention": None if rate is None else round(rate, 3), "retention_reviews": len(month),
                "forecast": [{"day": d.isoformat(), "due": n} for d, n in S.forecast(list(states.values()), now, tz)],
                "cards": kinds, "time_zone": str(tz)}

    @app.get("/stats", response_class=HTMLResponse)
    def stats_page(request: Request):
        data = stats_data(request)
        top = max([d["reviews"] for d in data["per_day"]] + [1])
        due_top = max([d["due"] for d in data["forecast"]] + [1])
        return h.page(request, "stats.html", title="Statistics", top=top, due_top=due_top, **data)

    @app.get("/api/stats")
    def api_stats(request: Request):
        return stats_data(request)

    def do_settings(request: Request, values: dict) -> dict:
        learner_id = h.learner(request)
        clean = {}
        for name, value in values.items():
            if name not in SETTINGS or value is None:
                continue
            value = str(value).strip()
            if name == "time_zone":
                if value and not S.valid_zone(value):
                    raise Failure(422, f"“{value[:60]}” is no time zone; use a name such as Europe/Berlin or "
                                       "America/New_York.")
            elif name == "bury_siblings":
                if value not in ("0", "1"):
                    raise Failure(422, "bury_siblings is 1 (a new card waits a day when a card of its sentence "
                                       "is shown today) or 0.")
            elif not (value.isdigit() and int(value) <= 9999):
                raise Failure(422, "A daily limit is a whole number from 0 to 9999.")
            clean[name] = value
        store.set_settings(learner_id, clean)
        return settings_of(learner_id)

    @app.get("/settings", response_class=HTMLResponse)
    def settings_page(request: Request):
        return h.page(request, "settings.html", title="Settings", settings=settings_of(h.learner(request)),
                      zones=zone_names(), saved=request.query_params.get("saved") == "1")

    @app.post("/settings")
    async def settings_post(request: Request):
        form = await h.form_with_csrf(request)
        typed = {name: form.get(name) for name in SETTINGS}
        try:
            await h.in_writer(do_settings, request, typed)
        except Failure as e:  # the form again, as typed, with what to change
            if e.status != 422:
                raise
            shown = {**settings_of(h.learner(request)), **{k: str(v) for k, v in typed.items() if v is not None}}
            return h.page(request, "settings.html", 422, title="Settings", settings=shown, zones=zone_names(),
                          problem=e.message)
        return RedirectResponse("/settings?saved=1", 303)

    @app.get("/api/settings")
    def api_settings(request: Request):
        return settings_of(h.learner(request))

    @app.post("/api/settings")
    async def api_set_settings(request: Request):
        h.api_csrf(request)
        return await h.in_writer(do_settings, request, await h.read_json(request))

    # -- the quiz, one item at a time -------------------------------------------------------------
    def quiz_start_data(request: Request, key: str) -> dict:
        cur = h.paper_for(request, key)
        latest = store.latest_answers(h.learner(request), key)
        missed = [q.id for q in cur.quiz if q.id not in latest or not latest[q.id]]
        return {"items": len(cur.quiz), "answered": len(latest), "right": sum(latest.values()), "not_yet_right": len(missed),
                "lessons": [{"id": l.id, "number": l.number, "title": l.title,
                             "questions": sum(q.lesson_id == l.id for q in cur.quiz)} for l in cur.lessons]}

    @app.get("/papers/{key}/quiz", response_class=HTMLResponse)
    def quiz_start(request: Request, key: str):
        return h.page(request, "quiz.html", title="Quiz", **quiz_start_data(request, key), paper=(key, h.paper_for(request, key)))

    def quiz_twin(request: Request, key: str) -> dict:
        cur = h.paper_for(request, key)
        data = quiz_start_data(request, key)
        return {"right": data["right"], "answered": data["answered"],
                "items": [{"id": q.id, "kind": q.kind, "kind_name": QUIZ_KINDS[q.kind], "prompt": q.prompt.text,
                           "choices": q.choices, "left": q.left, "lesson_id": q.lesson_id} for q in cur.quiz]}

    @app.get("/api/papers/{key}/quiz")
    def api_quiz(request: Request, key: str):
        return quiz_twin(request, key)

    def do_start(request: Request, key: str, which: str) -> str:
        cur = h.paper_for(request, key)
        learner_id = h.learner(request)
        items = [q.id for q in cur.quiz]
        if which == "missed":
            latest = store.latest_answers(learner_id, key)
            items = [i for i in items if not latest.get(i)]
        elif which.startswith("lesson-"):
            items = [q.id for q in cur.quiz if q.lesson_id == which[len("lesson-"):]]
        if not items:
            raise Failure(422, "There is nothing to ask in that choice: every item is already answered right.")
        sentences = Sentences(cur)
        group_of = {q.id: next(iter(sentences.numbers(q.explanation)), None) for q in cur.quiz}
        return store.new_study(learner_id, key, S.spread(items, group_of), h.now())

    @app.post("/papers/{key}/quiz")
    async def quiz_start_post(request: Request, key: str):
        form = await h.form_with_csrf(request)
        study_id = await h.in_writer(do_start, request, key, str(form.get("which", "all")))
        return RedirectResponse(f"/papers/{key}/quiz/session/{study_id}", 303)

    @app.post("/api/papers/{key}/quiz/sessions")
    async def api_quiz_start(request: Request, key: str):
        h.api_csrf(request)
        body = await h.read_json(request)
        study_id = await h.in_writer(do_start, request, key, str(body.get("which", "all")))
        return {"id": study_id, "url": f"/api/papers/{key}/quiz/sessions/{study_id}"}

    def feedback_of(cur: Curriculum, q: QuizItem, given, correct: bool, repeated: bool = False) -> dict:
        sentences = Sentences(cur)
        source = sentences.passage(q.explanation)
        why = q.explanation.text if " ".join(q.explanation.text.split()) not in " ".join(source.split()) else ""
        return {"item_id": q.id, "correct": correct, "given": given, "given_text": given_text(q, given),
                "key": answer_text(q), "rows": row_marks(q, given), "explanation": why,  # "": the source says it
                "source": source, "sentences": sentences.numbers(q.explanation),
                "repeated": repeated}

    def session_data(request: Request, key: str, study_id: str) -> dict:
        cur = h.paper_for(request, key)
        learner_id = h.learner(request)
        s = store.study(learner_id, study_id)
        if s is None or s["paper_key"] != key:
            raise Failure(404, "No such quiz session; start the quiz again.")
        by_id = {q.id: q for q in cur.quiz}
        items = [i for i in s["items"] if i in by_id]
        done = s["position"] >= len(s["items"])
        current = None if done else by_id.get(s["items"][s["position"]])
        first = {}
        for item_id, _, correct in s["results"]:
            first.setdefault(item_id, []).append(correct)
        summary = {"right_first_time": sum(r[0] for r in first.values()),
                   "right_on_retry": sum(not r[0] and any(r[1:]) for r in first.values()),
                   "still_wrong": [{"id": i, "prompt": by_id[i].prompt.text} for i, r in first.items()
                                   if not any(r) and i in by_id],
                   "asked": len(first)}
        return {"id": study_id, "position": min(s["position"], len(items)), "total": len(items), "done": done,
                "first_round": len(dict.fromkeys(items)),
                "retrying": current is not None and s["items"].index(current.id) < s["position"],
                "current": current, "answer_id": uuid.uuid4().hex, "summary": summary}

    def answered_feedback(request: Request, key: str, answer_id: str | None) -> dict | None:
        if not answer_id:
            return None
        cur = h.paper_for(request, key)
        found = store.answer(answer_id)
        if found is None or (found["learner_id"], found["paper_key"]) != (h.learner(request), key):
            return None
        q = next((q for q in cur.quiz if q.id == found["item_id"]), None)
        return feedback_of(cur, q, h.stored_given(found["answer"]), found["correct"]) if q else None

    def session_page(request: Request, key: str, study_id: str, problem: str = "", status: int = 200):
        data = session_data(request, key, study_id)
        feedback = None if problem else answered_feedback(request, key, request.query_params.get("answered"))
        cur = h.paper_for(request, key)
        item = next((q for q in cur.quiz if feedback and q.id == feedback["item_id"]), None)
        return h.page(request, "quiz_item.html", status, title="Quiz", session=data, feedback=feedback, item=item,
                      kinds=QUIZ_KINDS, paper=(key, cur), problem=problem)

    @app.get("/papers/{key}/quiz/session/{study_id}", response_class=HTMLResponse)
    def quiz_session(request: Request, key: str, study_id: str):
        return session_page(request, key, study_id)

    @app.get("/api/papers/{key}/quiz/sessions/{study_id}")
    def api_quiz_session(request: Request, key: str, study_id: str):
        data = session_data(request, key, study_id)
        q = data.pop("current")
        data["current"] = None if q is None else {"id": q.id, "kind": q.kind, "kind_name": QUIZ_KINDS[q.kind],
                                                  "prompt": q.prompt.text, "choices": q.choices, "left": q.left}
        return data

    def do_session_answer(request: Request, key: str, study_id: str, item_id: str, given, answer_id) -> dict:
        result = h.do_answer(request, key, item_id, given, answer_id)
        store.study_answered(h.learner(request), study_id, item_id, result["answer_id"], result["correct"])
        return result

    def given_of(form):
        multi = [form[k] for k in sorted((k for k in form if k.startswith("answer_") and k[7:].isdigit()),
                                         key=lambda k: int(k[7:]))]  # answer_0, answer_1…; not answer_id
        return multi if multi else form.get("answer", "")

    @app.post("/papers/{key}/quiz/{item_id}", response_class=HTMLResponse)
    async def answer_post(request: Request, key: str, item_id: str):
        form = await h.form_with_csrf(request)
        given, answer_id = given_of(form), str(form.get("answer_id", "")) or uuid.uuid4().hex
        study_id = str(form.get("study", ""))
        if study_id:
            session_data(request, key, study_id)  # 404 before anything is stored
            try:
                result = await h.in_writer(do_session_answer, request, key, study_id, item_id, given, answer_id)
            except Failure as e:  # an answer that cannot be marked: the same item, asked again with why
                if e.status != 422:
                    raise
                return session_page(request, key, study_id, problem=e.message, status=422)
            return RedirectResponse(f"/papers/{key}/quiz/session/{study_id}?answered={quote(result['answer_id'])}", 303)
        try:
            result = await h.in_writer(h.do_answer, request, key, item_id, given, answer_id)
        except Failure as e:
            if e.status != 422:
                raise
            return item_page(request, key, item_id, None, problem=e.message, status=422)
        return item_page(request, key, item_id, feedback_of(h.paper_for(request, key), h.quiz_item(
            h.paper_for(request, key), item_id), result["given"], result["correct"], result["repeated"]))

    @app.post("/api/papers/{key}/quiz/sessions/{study_id}")
    async def api_session_answer(request: Request, key: str, study_id: str):
        h.api_csrf(request)
        body = await h.read_json(request)
        session_data(request, key, study_id)
        result = await h.in_writer(do_session_answer, request, key, study_id, str(body.get("item_id", "")),
                                   body.get("answer"), body.get("answer_id"))
        return {**result, "rows": row_marks(h.quiz_item(h.paper_for(request, key), result["item_id"]), result["given"])}

    def item_page(request: Request, key: str, item_id: str, feedback: dict | None, latest: bool = False,
                  problem: str = "", status: int = 200):
        cur = h.paper_for(request, key)
        q = h.quiz_item(cur, item_id)
        answers = store.latest_answers(h.learner(request), key)
        return h.page(request, "quiz_item.html", status, title="Quiz", session=None, feedback=feedback, item=q,
                      latest=latest, single=q, answer_id=uuid.uuid4().hex, kinds=QUIZ_KINDS,
                      right=sum(answers.values()), answered=len(answers), paper=(key, cur), problem=problem)

    @app.get("/papers/{key}/quiz/{item_id}", response_class=HTMLResponse)
    def answer_page(request: Request, key: str, item_id: str):
        """One item on its own: its form, and the latest answer stored for it."""
        cur = h.paper_for(request, key)
        q = h.quiz_item(cur, item_id)
        latest = store.latest_answer(h.learner(request), key, item_id)
        feedback = feedback_of(cur, q, h.stored_given(latest["answer"]), latest["correct"]) if latest else None
        return item_page(request, key, item_id, feedback, latest=True)

    # -- lessons read -------------------------------------------------------------------------
    def do_mark_read(request: Request, key: str, lesson_id: str) -> dict:
        cur = h.paper_for(request, key)
        if lesson_id not in {l.id for l in cur.lessons}:
            raise Failure(404, "No such lesson in this paper.")
        store.mark_read(h.learner(request), key, lesson_id, h.now())
        h.read_lessons(h.learner(request), key).add(lesson_id)  # the lesson's page says so from now on
        return {"lesson_id": lesson_id, "read": True}

    @app.post("/papers/{key}/lessons/{lesson_id}/read")
    async def mark_read_post(request: Request, key: str, lesson_id: str):
        await h.same_site_form(request)
        await h.in_writer(do_mark_read, request, key, lesson_id)
        return RedirectResponse(f"/papers/{key}?read={quote(lesson_id)}", 303)  # says so, and links the next one

    @app.post("/api/papers/{key}/lessons/{lesson_id}/read")
    async def api_mark_read(request: Request, key: str, lesson_id: str):
        h.api_csrf(request)
        return await h.in_writer(do_mark_read, request, key, lesson_id)

    # -- progress -------------------------------------------------------------------------------
    def progress_data(request: Request, key: str) -> dict:
        cur = h.paper_for(request, key)
        learner_id, now = h.learner(request), h.now()
        prefs = prefs_of(learner_id)
        tz = prefs.tz
        p = store.progress(learner_id, key, now)
        latest = p["latest"]
        states = store.card_states(learner_id, [key])
        reads = store.lessons_read(learner_id, [key])
        prompts = {q.id: q.prompt.text for q in cur.quiz}

        def learned(cid: str) -> bool:
            st = states.get((key, cid))
            return bool(st and st.reps and st.state == S.REVIEW)

        def mature(cid: str) -> bool:
            st = states.get((key, cid))
            return learned(cid) and st.interval >= S.MATURE

        lessons = []
        for l in cur.lessons:
            cards = [c.id for c in cur.flashcards if c.lesson_id == l.id]
            items = [q.id for q in cur.quiz if q.lesson_id == l.id]
            read = reads.get((key, l.id))
            lessons.append({"number": l.number, "title": l.title, "file": lesson_file(l), "cards": len(cards),
                            "quiz_items": len(items), "seen": sum(c in p["cards"] for c in cards),
                            "learned": sum(map(learned, cards)), "mature": sum(map(mature, cards)),
                            "answered": sum(i in latest for i in items), "right": sum(latest.get(i, False) for i in items),
                            "read": S.local_time(read, tz) if read else None})
        by_kind = []
        for kind, name in QUIZ_KINDS.items():
            items = [q.id for q in cur.quiz if q.kind == kind]
            if items:
                by_kind.append({"kind": kind, "name": name, "questions": len(items), "answered": sum(i in latest for i in items),
                                "right": sum(latest.get(i, False) for i in items)})
        queue = queue_for(learner_id, [key], now, prefs)[2]
        history = [{"at": S.local_time(datetime.fromisoformat(a["at"]), tz), "correct": a["correct"],
                    "prompt": prompts.get(a["item_id"], "")} for a in p["answers"]]
        return {"due": queue.size, "reviews": p["reviews"], "right": sum(latest.values()), "answered": len(latest),
                "lessons_read": sum(l["read"] is not None for l in lessons), "cards_learned": sum(map(learned, (c.id for c in cur.flashcards))),
                "cards_mature": sum(map(mature, (c.id for c in cur.flashcards))), "cards": len(cur.flashcards),
                "streak": S.streak(functools.partial(store.studied_between, learner_id), now, tz), "lessons": lessons, "by_kind": by_kind,
                "history": history, "time_zone": str(tz)}

    @app.get("/papers/{key}/progress", response_class=HTMLResponse)
    def progress_page(request: Request, key: str):
        data = progress_data(request, key)
        return h.page(request, "progress.html", title="Progress", **data, paper=(key, h.paper_for(request, key)))

    @app.get("/api/papers/{key}/progress")
    def api_progress(request: Request, key: str):
        return progress_data(request, key)

    # -- downloads: every export, made by the CLI's exporters ------------------------------------------
    @app.get("/papers/{key}/download/{fmt}")
    def download(request: Request, key: str, fmt: str):
        cur = h.paper_for(request, key)
        if fmt not in EXPORTERS:
            raise Failure(404, f"No such download; choose one of {', '.join(EXPORTERS)}.")
        learner_id = h.learner(request)
        states = store.card_states(learner_id, [key])
        deleted = {card_id for (_, card_id), st in states.items() if st.deleted}
        if deleted:  # the cards the learner deleted are not in the files either
            cur = cur.model_copy(update={"flashcards": [c for c in cur.flashcards if c.id not in deleted]})
        files = EXPORTERS[fmt](cur)
        title = next((p["title"] for p in store.library(learner_id) if p["key"] == key), cur.source.title)
        stem = slug(title)
        if len(files) == 1:
            name, body = next(iter(files.items()))
            suffix = name[name.index("."):] if "." in name else ""
            filename, media = f"{stem}{suffix}", "application/octet-stream"
        else:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
                for name in sorted(files):  # deterministic: sorted names, a fixed time
                    z.writestr(zipfile.ZipInfo(f"{stem}-{fmt}/{name}", date_time=(1980, 1, 1, 0, 0, 0)), files[name])
            body, filename, media = buffer.getvalue(), f"{stem}-{fmt}.zip", "application/zip"
        return Response(body, media_type=media,
                        headers={"content-disposition": f"attachment; filename=\"{ascii_name(filename)}\"; "
                                                        f"filename*=UTF-8''{quote(filename)}"})

    def due(learner_id: int, keys: list[str], together: bool = False):
        """Cards in the learner's queue now, for each of these papers (one read of each kind for all);
        ``together``: in the one queue of them all, where the day's limits are shared."""
        now, prefs = h.now(), prefs_of(learner_id)
        cards = cards_of(learner_id, keys)
        states = store.card_states(learner_id, keys)
        today = store.done_since(learner_id, S.day_start(now, prefs.tz))
        siblings = siblings_of(cards, prefs)
        if together:
            return S.build_queue(list(cards), states, now, prefs.limits, today, siblings).size
        return {key: S.build_queue([c for c in cards if c[0] == key], states, now, prefs.limits, today, siblings).size
                for key in keys}

    return SimpleNamespace(due=due)
