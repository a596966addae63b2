"""web: the ArcXiv app — paste or upload a paper, learn from it, review its cards on a
schedule (FSRS), take its quiz, open deep dives; every page has a JSON twin under /api.

One learner on localhost by default; ``multi_user`` adds accounts. A login's
session is a server-side row, a visitor's a signed token, both behind an
HttpOnly, SameSite cookie; every form and every API write carries the
session's CSRF token. Paper text is always escaped.
"""
from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import json
import secrets
import uuid
import weakref
from datetime import datetime, timezone
from importlib import resources
from threading import Lock

import anyio
from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser

from . import __version__
from .errors import ArcxivError, InputError
from .ingest import MAX_BYTES, ingest
from .ingest.normalize import too_big
from .models import Curriculum, Paper, QuizItem
from .render.html import answer_text, to_html
from .store import ReviewConflict, Store

COOKIE = "arcxiv_session"
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "frame-ancestors 'none'; form-action 'self'")
SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer")]
ANONYMOUS = 0  # learner id of a visitor who has not logged in (multi-user mode)
VISITOR = "v."  # the prefix of a visitor's signed token (a login's token is a plain random string)
KNOWN_SESSIONS = 10_000  # login sessions cached in memory, at most
UPLOAD_TYPES = ("text/", "application/json", "application/xml", "application/atom+xml", "application/x-bibtex",
                "application/octet-stream", "application/x-tex")


def media_type(path: str) -> str:
    media = "text/css" if path.endswith(".css") else "text/javascript" if path.endswith(".js") else "text/html"
    return f"{media}; charset=utf-8"


class Failure(Exception):
    """An error a user can act on, with its HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def paper_key(paper: Paper) -> str:
    """Content hash of what was compiled, plus the compiler version: never compile twice."""
    digest = hashlib.sha256(f"{paper.title}\x1f{paper.text}".encode("utf-8")).hexdigest()[:32]
    return f"{digest}-{__version__}"


def check_answer(q: QuizItem, given) -> bool:
    """``given``: a string (mcq index, true/false, text) or a list of indices (matching, ordering)."""
    try:
        if q.kind == "mcq":
            return int(given) == q.answer
        if q.kind == "true_false":
            return str(given).strip().lower() == q.answer
        if q.kind == "fill_blank":
            return " ".join(str(given).lower().split()) == " ".join(str(q.answer).lower().split())
        picks = [int(x) for x in given]
        if q.kind == "matching":
            return picks == list(q.answer)
        if q.kind == "ordering":  # picks[i]: the position given to choice i
            return len(picks) == len(q.answer) and all(q.answer[p] == i for i, p in enumerate(picks))
    except (TypeError, ValueError, IndexError):
        return False
    return False


def create_app(db_url: str | None = None, multi_user: bool = False) -> FastAPI:
    store = Store(db_url)
    visitor_id = ANONYMOUS if multi_user else store.single_learner()
    env = Environment(loader=PackageLoader("arcxiv", "web_templates"), autoescape=select_autoescape(["html"]))
    env.globals["answer_text"] = answer_text
    compile_lock = Lock()
    # Writes wait for a writer slot here, holding no thread: waiting on the database's write lock
    # inside the thread pool would starve page views of threads (SQLite has a single writer).
    # One limiter per event loop: a limiter belongs to the loop it is used on (uvicorn runs one;
    # tests run several apps' clients, each on a loop of its own).
    slots = 1 if store.url.startswith("sqlite") else 8
    writers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def in_writer(fn, *args):
        loop = asyncio.get_running_loop()
        limiter = writers.get(loop) or writers.setdefault(loop, anyio.CapacityLimiter(slots))
        return await anyio.to_thread.run_sync(functools.partial(fn, *args), limiter=limiter)
    app = FastAPI(title="ArcXiv", version=__version__, docs_url=None, redoc_url=None,  # no CDN: /openapi.json
                  description="Compile a paper into a grounded course; review its cards; take its quiz.")

    # -- caches: a compiled paper is parsed and rendered once per process -----------------------
    rendered: dict[str, tuple[Curriculum, dict[str, bytes]]] = {}

    def loaded(key: str) -> tuple[Curriculum, dict[str, bytes]]:
        if key in rendered:
            return rendered[key]
        row = store.get_paper(key)
        if row is None:
            raise Failure(404, "No paper with that key in the library.")
        cur = Curriculum.model_validate_json(row["curriculum"])
        files = {name: (text.encode("utf-8") if isinstance(text, str) else text) for name, text in to_html(cur).items()}
        if len(rendered) >= 64:  # keep the most recent papers only
            rendered.pop(next(iter(rendered)))
        rendered[key] = (cur, files)
        return rendered[key]

    def paper_of(key: str) -> Curriculum:
        return loaded(key)[0]

    # -- sessions and CSRF --------------------------------------------------------------------
    # A visitor (the one learner of single-learner mode, or anyone not logged in) gets a signed token
    # and a CSRF value derived from it: no database row, so requests without a cookie cost no write
    # and leave nothing behind. A login gets a database session instead, which logout ends.
    signing_key = store.secret("visitor-token-key")

    def _sign(message: str) -> str:
        return hmac.new(signing_key, message.encode(), hashlib.sha256).hexdigest()[:40]

    def new_visitor_token() -> str:
        nonce = secrets.token_urlsafe(18)
        return f"{VISITOR}{nonce}.{_sign(nonce)}"

    def visitor_csrf(token: str) -> str | None:
        """The CSRF value of a well-signed visitor token, else None."""
        nonce, _, signature = token[len(VISITOR):].partition(".")
        if not token.startswith(VISITOR) or not hmac.compare_digest(_sign(nonce), signature):
            return None
        return _sign(f"csrf:{token}")

    known: dict[str, tuple[int, str]] = {}  # login token -> (learner, csrf): no database read per request

    def forget(token: str) -> None:
        known.pop(token, None)
        if not token.startswith(VISITOR):  # a visitor's token has no row to end
            store.end_session(token)

    async def find_session(cookie_header: str) -> tuple[tuple[str, int, str], str | None]:
        """(token, learner, csrf) for this request, and the new token when one had to be made."""
        token = cookie_parser(cookie_header).get(COOKIE) if cookie_header else None
        if token in known:
            return (token, *known[token]), None
        if token:
            csrf = visitor_csrf(token)
            if csrf is not None:
                return (token, visitor_id, csrf), None
            found = await run_in_threadpool(store.session, token)
            if found is not None:
                if len(known) >= KNOWN_SESSIONS:
                    known.clear()  # a cache only: the database still has every session
                known[token] = found
                return (token, *found), None
        new_token = new_visitor_token()
        return (new_token, visitor_id, visitor_csrf(new_token)), new_token

    async def send_cached_page(path: str, send) -> bool:
        """A course page already rendered goes out without FastAPI's routing: the hot path of a
        learner reading a course (about three times the throughput of the routed one)."""
        parts = path.split("/", 4)  # "", "papers", key, "course", file
        if len(parts) != 5 or parts[1] != "papers" or parts[3] != "course" or parts[2] not in rendered:
            return False
        body = rendered[parts[2]][1].get(parts[4])
        if body is None:
            return False
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", media_type(parts[4]).encode()),
                                (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]})
        await send({"type": "http.response.body", "body": body})
        return True

    async def sessions(scope, receive, send, inner):
        """Plain ASGI middleware (cheaper than BaseHTTPMiddleware): attach the session, add the
        security headers and a new session's cookie, and turn any crash into a clean 500."""
        if scope["type"] != "http":
            return await inner(scope, receive, send)
        cookie = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"cookie"), "")
        (token, learner_id, csrf), new_token = await find_session(cookie)
        if new_token is None and scope["method"] == "GET" and await send_cached_page(scope["path"], send):
            return
        scope.setdefault("state", {}).update(token=token, learner=learner_id, csrf=csrf)
        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers[name.decode()] = value.decode()
                if new_token:
                    headers.append("set-cookie", f"{COOKIE}={new_token}; HttpOnly; Path=/; SameSite=strict")
            await send(message)

        try:
            await inner(scope, receive, send_with_headers)
        except Exception:  # never a traceback page
            if not started:
                await JSONResponse({"error": "Something went wrong on our side; nothing was saved."}, 500)(
                    scope, receive, send_with_headers)

    class _Sessions:
        def __init__(self, app):
            self.app = app

        async def __call__(self, scope, receive, send):
            await sessions(scope, receive, send, self.app)

    app.add_middleware(_Sessions)

    def _set_cookie(response: Response, token: str) -> None:
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/")

    def learner(request: Request) -> int:
        if request.state.learner == ANONYMOUS:
            raise Failure(401, "Log in first.")
        return request.state.learner

    async def form_with_csrf(request: Request):
        form = await request.form(max_part_size=2 * MAX_BYTES)  # a pasted paper is one part: let it reach the 5 MB check
        token = form.get("csrf") or request.headers.get("x-csrf-token") or ""
        if not hmac.compare_digest(str(token), request.state.csrf):
            raise Failure(403, "This form has expired or did not come from ArcXiv; reload the page and try again.")
        return form

    def api_csrf(request: Request) -> None:
        if not hmac.compare_digest(request.headers.get("x-csrf-token", ""), request.state.csrf):
            raise Failure(403, "Send the X-CSRF-Token header (GET /api/session gives it).")

    def page(request: Request, template: str, status: int = 200, **ctx) -> HTMLResponse:
        username = None
        if multi_user and request.state.learner != ANONYMOUS:
            username = store.username(request.state.learner)
        html = env.get_template(template).render(csrf=request.state.csrf, multi_user=multi_user, user=username, **ctx)
        return HTMLResponse(html, status_code=status)

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    @app.exception_handler(Failure)
    async def failure(request: Request, exc: Failure):
        if wants_json(request):
            return JSONResponse({"error": exc.message}, exc.status)
        if exc.status == 401:
            return RedirectResponse("/login", 303)
        return page(request, "error.html", exc.status, title="Problem", heading="That did not work", message=exc.message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        message = "No such page." if exc.status_code == 404 else str(exc.detail)
        if wants_json(request):
            return JSONResponse({"error": message}, exc.status_code)
        return page(request, "error.html", exc.status_code, title="Problem", heading="That did not work", message=message)

    @app.exception_handler(422)
    async def invalid(request: Request, exc):
        return JSONResponse({"error": "The request is missing a field or has one of the wrong type."}, 422)

    # -- compiling ----------------------------------------------------------------------------
    def compile_bytes(data: bytes, name: str) -> tuple[str, str, bool]:
        from .pipeline import compile_paper
        from .render.json_out import to_json

        if len(data) > MAX_BYTES:
            raise Failure(413, str(too_big("The paper", len(data))))
        try:
            paper = ingest(data, name=name)
        except InputError as e:
            text = str(e)
            status = 415 if any(w in text for w in ("binary", "PDF", "UTF-16", "not valid UTF-8")) else 422
            raise Failure(status, text) from None
        key = paper_key(paper)
        if store.get_paper(key):
            return key, paper.title, True
        with compile_lock:  # one compile at a time: spaCy is loaded once and the CPU is small
            if store.get_paper(key):  # compiled by a request that held the lock before us
                return key, paper.title, True
            try:
                cur = compile_paper(paper)
            except ArcxivError as e:
                raise Failure(422, str(e)) from None
            store.put_paper(key, cur.source.title, to_json(cur))
        return key, cur.source.title, False

    async def upload(request: Request) -> tuple[bytes, str]:
        form = await form_with_csrf(request)
        file = form.get("file")
        if file is not None and getattr(file, "filename", ""):
            ctype = (file.content_type or "application/octet-stream").split(";")[0].strip().lower()
            if not ctype.startswith(UPLOAD_TYPES):
                raise Failure(415, f"A {ctype} file cannot be a paper here; upload text, Markdown, JSON, XML or BibTeX.")
            data = await file.read(MAX_BYTES + 1)
            return data, file.filename
        text = str(form.get("text") or "")
        return text.encode("utf-8"), "pasted text"

    # -- pages ------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse)
    def home(request: Request):
        return page(request, "home.html", title="Learn a paper")

    @app.get("/api")
    def api_home():
        return {"name": "ArcXiv", "version": __version__, "papers": "/api/papers", "openapi": "/openapi.json"}

    @app.get("/api/session")
    def api_session(request: Request):
        return {"learner": None if request.state.learner == ANONYMOUS else request.state.learner,
                "csrf": request.state.csrf}

    @app.post("/papers")
    async def new_paper(request: Request):
        learner(request)  # in multi-user mode, only a learner who is logged in compiles
        data, name = await upload(request)
        key, _, _ = await run_in_threadpool(compile_bytes, data, name)
        return RedirectResponse(f"/papers/{key}", 303)

    @app.post("/api/papers")
    async def api_new_paper(request: Request):
        learner(request)
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            api_csrf(request)
            body = await request.body()
            if len(body) > 2 * MAX_BYTES:
                raise Failure(413, "The paper is over 5 MB.")
            try:
                text = json.loads(body).get("text", "")
            except (ValueError, AttributeError):
                raise Failure(400, 'Send JSON like {"text": "Title\\n\\nAbstract…"}.') from None
            data, name = str(text).encode("utf-8"), "posted text"
        else:
            data, name = await upload(request)
        key, title, cached = await run_in_threadpool(compile_bytes, data, name)
        return JSONResponse({"key": key, "title": title, "cached": cached, "url": f"/papers/{key}"}, 200 if cached else 201)

    @app.get("/library", response_class=HTMLResponse)
    def library(request: Request):
        return page(request, "library.html", title="Library", papers=store.list_papers())

    @app.get("/api/papers")
    def api_library():
        return [{"key": p["key"], "title": p["title"], "url": f"/papers/{p['key']}"} for p in store.list_papers()]

    def paper_ctx(key: str) -> dict:
        cur = paper_of(key)
        return {"paper": {"key": key, "title": cur.source.title}}

    @app.get("/papers/{key}", response_class=HTMLResponse)
    def paper_page(request: Request, key: str):
        cur = paper_of(key)
        due = len(store.due_cards(learner(request), key, [c.id for c in cur.flashcards], _now()))
        return page(request, "paper.html", title=cur.source.title, lessons=cur.lessons, sections=cur.sections,
                    due=due, quiz_count=len(cur.quiz), **paper_ctx(key))

    @app.get("/api/papers/{key}")
    def api_paper(key: str):
        cur = paper_of(key)
        return {"key": key, "title": cur.source.title, "lessons": [{"number": l.number, "title": l.title, "level": l.level}
                                                                  for l in cur.lessons],
                "sections": [{"id": s.id, "title": s.title} for s in cur.sections],
                "curriculum": f"/api/papers/{key}/curriculum"}

    @app.get("/api/papers/{key}/curriculum")
    def api_curriculum(key: str):
        return JSONResponse(json.loads(store.get_paper(key)["curriculum"]) if paper_of(key) else None)

    @app.get("/papers/{key}/course/{path:path}")
    async def course_file(key: str, path: str):
        ready = rendered.get(key)  # a cached page is served without leaving the event loop
        files = ready[1] if ready else (await run_in_threadpool(loaded, key))[1]
        if path not in files:
            raise Failure(404, "No such page in this course.")
        return Response(files[path], media_type=media_type(path))

    @app.get("/assets/{name}")
    def assets(name: str):
        if name not in ("style.css", "web.js"):
            raise Failure(404, "No such file.")
        folder = "render/static" if name == "style.css" else "web_static"
        body = resources.files("arcxiv").joinpath(folder, name).read_bytes()
        return Response(body, media_type="text/css" if name.endswith(".css") else "text/javascript")

    # -- deep dives, generated when first opened ---------------------------------------------
    def dive_json(key: str, section: str) -> dict:
        """Generated when first opened and kept in the database (not in the CLI's file cache)."""
        from .pipeline import build_deep_dive

        cached = store.get_deep_dive(key, section)
        if cached:
            return json.loads(cached)
        cur = paper_of(key)
        src = cur.source
        paper = Paper(title=src.title, text=src.text, format=src.format, paper_id=src.id, authors=tuple(src.authors),
                      categories=tuple(src.categories), sha256=src.sha256)
        try:
            body = build_deep_dive(paper, section).model_dump_json()
        except InputError as e:
            raise Failure(404, str(e)) from None
        store.put_deep_dive(key, section, body)
        return json.loads(body)

    @app.get("/papers/{key}/deep/{section}", response_class=HTMLResponse)
    def deep_page(request: Request, key: str, section: str):
        from .models import DeepDive

        dive = DeepDive.model_validate(dive_json(key, section))
        return page(request, "deep.html", title=dive.title, dive=dive, **paper_ctx(key))

    @app.get("/api/papers/{key}/deep/{section}")
    def api_deep(key: str, section: str):
        return dive_json(key, section)

    # -- flashcard review ------------------------------------------------------------------------
    def next_card(request: Request, key: str):
        cur = paper_of(key)
        due = store.due_cards(learner(request), key, [c.id for c in cur.flashcards], _now())
        card = next((c for c in cur.flashcards if due and c.id == due[0]), None)
        return cur, card, len(due)

    @app.get("/papers/{key}/review", response_class=HTMLResponse)
    def review_page(request: Request, key: str):
        cur, card, remaining = next_card(request, key)
        passage = ""
        if card:
            from .render.exports import Sentences

            passage = Sentences(cur).passage(card.back)
        return page(request, "review.html", title="Review", card=card, remaining=remaining, passage=passage,
                    review_id=uuid.uuid4().hex, **paper_ctx(key))

    @app.get("/api/papers/{key}/review")
    def api_next_card(request: Request, key: str):
        _, card, remaining = next_card(request, key)
        return {"remaining": remaining, "card": card.model_dump() if card else None}

    def do_review(request: Request, key: str, card_id: str, grade, review_id: str | None) -> dict:
        cur = paper_of(key)
        if card_id not in {c.id for c in cur.flashcards}:
            raise Failure(404, "No such card in this paper.")
        review_id = _client_id(review_id, "review_id")
        try:
            grade = int(grade)
            return store.review(learner(request), key, card_id, grade, _now(), review_id)
        except ReviewConflict:
            raise Failure(409, "That review_id was already used for another review; send a new one.") from None
        except (TypeError, ValueError):
            raise Failure(422, "A grade is 1 (again), 2 (hard), 3 (good) or 4 (easy).") from None

    @app.post("/papers/{key}/review")
    async def review_post(request: Request, key: str):
        form = await form_with_csrf(request)
        await in_writer(do_review, request, key, str(form.get("card_id", "")), form.get("grade"),
                        str(form.get("review_id", "")))
        return RedirectResponse(f"/papers/{key}/review", 303)

    @app.post("/api/papers/{key}/reviews")
    async def api_review(request: Request, key: str):
        api_csrf(request)
        body = await _json(request)
        return await in_writer(do_review, request, key, str(body.get("card_id", "")), body.get("grade"),
                               body.get("review_id"))

    # -- quiz -----------------------------------------------------------------------------------
    def quiz_state(request: Request, key: str) -> tuple[int, int]:
        latest = store.latest_answers(learner(request), key)
        return sum(latest.values()), len(latest)

    def quiz_page_response(request: Request, key: str, feedback=None, status: int = 200):
        cur = paper_of(key)
        right, answered = quiz_state(request, key)
        return page(request, "quiz.html", status, title="Quiz", quiz=cur.quiz, right=right, answered=answered,
                    feedback=feedback, answer_ids={q.id: uuid.uuid4().hex for q in cur.quiz}, **paper_ctx(key))

    @app.get("/papers/{key}/quiz", response_class=HTMLResponse)
    def quiz_page(request: Request, key: str):
        return quiz_page_response(request, key)

    @app.get("/api/papers/{key}/quiz")
    def api_quiz(request: Request, key: str):
        cur = paper_of(key)
        right, answered = quiz_state(request, key)
        return {"right": right, "answered": answered,
                "items": [{"id": q.id, "kind": q.kind, "prompt": q.prompt.text, "choices": q.choices, "left": q.left}
                          for q in cur.quiz]}

    def do_answer(request: Request, key: str, item_id: str, given, answer_id: str | None) -> dict:
        cur = paper_of(key)
        q = next((q for q in cur.quiz if q.id == item_id), None)
        if q is None:
            raise Failure(404, "No such quiz item in this paper.")
        answer_id = _client_id(answer_id, "answer_id")
        correct = check_answer(q, given)
        stored = store.record_answer(learner(request), key, item_id, correct, json.dumps(given, ensure_ascii=False),
                                     _now(), answer_id)
        return {"item_id": item_id, "answer_id": answer_id, "repeated": not stored, "correct": correct,
                "key": answer_text(q), "explanation": q.explanation.text, "explanation_spans": q.explanation.spans}

    @app.post("/papers/{key}/quiz/{item_id}", response_class=HTMLResponse)
    async def answer_post(request: Request, key: str, item_id: str):
        form = await form_with_csrf(request)
        multi = [form[k] for k in sorted((k for k in form if k.startswith("answer_") and k[7:].isdigit()),
                                         key=lambda k: int(k[7:]))]  # answer_0, answer_1…; not answer_id
        given = multi if multi else form.get("answer", "")
        result = await in_writer(do_answer, request, key, item_id, given, str(form.get("answer_id", "")))
        return quiz_page_response(request, key, feedback=result)

    @app.post("/api/papers/{key}/answers")
    async def api_answer(request: Request, key: str):
        api_csrf(request)
        body = await _json(request)
        return await in_writer(do_answer, request, key, str(body.get("item_id", "")), body.get("answer"),
                               body.get("answer_id"))

    # -- progress -------------------------------------------------------------------------------
    def progress_data(request: Request, key: str) -> dict:
        cur = paper_of(key)
        p = store.progress(learner(request), key, _now())
        latest = p["latest"]
        prompts = {q.id: q.prompt.text for q in cur.quiz}
        lessons = []
        for l in cur.lessons:
            cards = [c.id for c in cur.flashcards if c.lesson_id == l.id]
            items = [q.id for q in cur.quiz if q.lesson_id == l.id]
            lessons.append({"number": l.number, "title": l.title, "cards": len(cards), "quiz_items": len(items),
                            "seen": sum(c in p["cards"] for c in cards), "answered": sum(i in latest for i in items),
                            "right": sum(latest.get(i, False) for i in items)})
        due = len(store.due_cards(learner(request), key, [c.id for c in cur.flashcards], _now()))
        history = [{"at": a["at"][:19].replace("T", " "), "correct": a["correct"], "prompt": prompts.get(a["item_id"], "")}
                   for a in p["answers"]]
        return {"due": due, "reviews": p["reviews"], "right": sum(latest.values()), "answered": len(latest),
                "lessons": lessons, "history": history}

    @app.get("/papers/{key}/progress", response_class=HTMLResponse)
    def progress_page(request: Request, key: str):
        return page(request, "progress.html", title="Progress", **progress_data(request, key), **paper_ctx(key))

    @app.get("/api/papers/{key}/progress")
    def api_progress(request: Request, key: str):
        return progress_data(request, key)

    # -- accounts (multi-user mode) ----------------------------------------------------------------
    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request):
        return page(request, "login.html", title="Log in", signup=False, message=None)

    @app.get("/signup", response_class=HTMLResponse)
    def signup_page(request: Request):
        return page(request, "login.html", title="Create an account", signup=True, message=None)

    def start_session(request: Request, learner_id: int) -> Response:
        forget(request.state.token)  # a fresh token at login: no session fixation
        token, _ = store.new_session(learner_id)
        response = RedirectResponse("/library", 303)
        _set_cookie(response, token)
        return response

    @app.post("/login")
    async def login(request: Request):
        if not multi_user:
            raise Failure(404, "This server has one learner and no accounts (start it with --multi-user).")
        form = await form_with_csrf(request)
        found = await run_in_threadpool(store.authenticate, str(form.get("username", "")), str(form.get("password", "")))
        if found is None:
            return page(request, "login.html", 401, title="Log in", signup=False, message="Wrong user name or password.")
        return start_session(request, found)

    @app.post("/signup")
    async def signup(request: Request):
        if not multi_user:
            raise Failure(404, "This server has one learner and no accounts (start it with --multi-user).")
        form = await form_with_csrf(request)
        name, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
        if not (1 <= len(name) <= 64) or len(password) < 8:
            return page(request, "login.html", 422, title="Create an account", signup=True,
                        message="Choose a user name (up to 64 characters) and a password of at least 8 characters.")
        try:
            learner_id = await run_in_threadpool(store.create_learner, name, password)
        except ValueError:
            return page(request, "login.html", 409, title="Create an account", signup=True, message="That user name is taken.")
        return start_session(request, learner_id)

    @app.post("/logout")
    async def logout(request: Request):
        await form_with_csrf(request)
        forget(request.state.token)
        response = RedirectResponse("/", 303)
        response.delete_cookie(COOKIE, path="/")
        return response

    app.state.store = store
    return app


async def _json(request: Request) -> dict:
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise Failure(400, "The request body is not JSON.") from None
    if not isinstance(body, dict):
        raise Failure(400, "The request body must be a JSON object.")
    return body


def _client_id(value, field: str) -> str | None:
    """A client-made id (review_id, answer_id) that makes a retried request apply once; absent: none."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise Failure(422, f"{field} must be a string of at most 64 characters (a fresh one per request, e.g. a UUID).")
    return value


def _now() -> datetime:
    return datetime.now(timezone.utc)
