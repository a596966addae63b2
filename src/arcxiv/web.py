"""web: the ArcXiv app — paste or upload a paper, learn from it, review its cards on a
schedule (FSRS), take its quiz, open deep dives; every page has a JSON twin under /api.

One learner on localhost by default; ``multi_user`` adds accounts. Every paper belongs to the
libraries of the learners who added it: the compiled content is shared by content hash, access
is not, and every route that names a paper checks it (a visitor who has not logged in sees
none). A login's session is a server-side row that expires, a visitor's a signed token, both
behind an HttpOnly, SameSite cookie with a lifetime (and Secure over HTTPS); every form and every
API write carries the session's CSRF token. Paper text is always escaped; its math is MathML.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import functools
import hashlib
import hmac
import json
import logging
import re
import secrets
import uuid
import weakref
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from threading import Lock
from types import SimpleNamespace

import anyio
from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser

from . import __version__
from .answers import check_answer, given_text, plain_math
from .errors import ArcxivError, InputError
from .ingest import MAX_BYTES, MAX_PAPER_BYTES, count_papers, ingest
from .models import Curriculum, Paper, QuizItem
from .render.html import answer_text, lesson_file, to_html
from .render.mathml import rich
from .store import SESSION_LIFETIME, AnswerConflict, ReviewConflict, StaleReview, Store
from .web_study import DOWNLOADS, add_study_routes

COOKIE = "arcxiv_session"
COOKIE_MAX_AGE = int(SESSION_LIFETIME.total_seconds())  # a browser restart keeps the login
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "frame-ancestors 'none'; form-action 'self'")
SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer")]
ANONYMOUS = 0  # learner id of a visitor who has not logged in (multi-user mode)
VISITOR = "v."  # the prefix of a visitor's signed token (a login's token is a plain random string)
KNOWN_SESSIONS = 10_000  # login sessions cached in memory, at most
KNOWN_GRANTS = 100_000  # (learner, paper) pairs known to be in a library, cached in memory, at most
NO_PAPER = "No paper with that key in your library."
PASTED = "pasted text"  # the name ingest gives a paste in its messages
LIMIT_MB = MAX_BYTES // 2 ** 20
PAPER_LIMIT_MB = MAX_PAPER_BYTES // 2 ** 20
REQUEST_LIMIT = 2 * MAX_BYTES  # a form carrying a kept paper (base64) still fits
UPLOAD_LIMIT = MAX_PAPER_BYTES + MAX_BYTES  # a whole paper's file and the form around it
# whole papers: a PDF, a LaTeX source archive, a .tex file or JATS XML, by type or by name
WHOLE_PAPER_TYPES = ("application/pdf", "application/gzip", "application/x-gzip", "application/x-tar",
                     "application/zip", "application/x-zip-compressed", "application/x-compressed-tar",
                     "application/x-gtar", "application/jats+xml")
WHOLE_PAPER_NAMES = (".pdf", ".tar.gz", ".tgz", ".tar", ".zip", ".gz", ".tex", ".xml", ".nxml")
UPLOAD_TYPES = ("text/", "application/json", "application/xml", "application/atom+xml", "application/x-bibtex",
                "application/octet-stream", "application/x-tex") + WHOLE_PAPER_TYPES
KIND_NAMES = {"application/msword": "Word document",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
              "application/vnd.oasis.opendocument.text": "OpenDocument text", "application/rtf": "RTF document",
              "application/epub+zip": "EPUB book", "application/postscript": "PostScript file",
              "application/vnd.ms-excel": "Excel spreadsheet",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel spreadsheet",
              "application/vnd.ms-powerpoint": "PowerPoint file",
              "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint file"}
READABLE = ("a whole paper (a PDF, JATS XML, a .tex file or its LaTeX source archive) or a text, Markdown, "
            "arXiv JSON, Atom XML or BibTeX file")
# the course's study pages: in the app, its own review and quiz pages, which record what is done
STUDY_PAGES = {"cards.html": "review", "quiz.html": "quiz"}
COURSE_NAV = re.compile(r'<nav aria-label="Course">\s*<ul>')


def media_type(path: str) -> str:
    if path.endswith(".svg"):
        return "image/svg+xml"
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


# -- what a learner is told about a paper that cannot be read -------------------------------------
def size_message(what: str, size: int, limit_mb: int = LIMIT_MB) -> str:
    """"The file is 6.0 MB; the limit is 5 MB." A size that rounds to the limit is "just over" it."""
    megabytes = f"{size / 2 ** 20:.1f}"
    amount = f"{megabytes} MB" if float(megabytes) > limit_mb else f"just over {limit_mb} MB"
    return f"{what} is {amount}; the limit is {limit_mb} MB."


def is_whole_paper_upload(content_type: str, filename: str) -> bool:
    return content_type in WHOLE_PAPER_TYPES or filename.lower().endswith(WHOLE_PAPER_NAMES)


def kind_name(content_type: str) -> str:
    """A media type in words: "PDF file", "PNG image", "file of type application/x-foo"."""
    major, _, minor = content_type.partition("/")
    if content_type in KIND_NAMES:
        return KIND_NAMES[content_type]
    if major == "image" and minor:
        return f"{minor.split('+')[0].upper()} image"
    if major in ("video", "audio"):
        return f"{major} file"
    return f"file of type {content_type}"


def with_article(name: str) -> str:
    """"a PDF file", "an SVG image", "an audio file": by the sound, so an initialism by its first letter's name."""
    first = name.split()[0]
    vowel_sound = first[0] in "AEFHILMNORSX" if first.isupper() else first[0].lower() in "aeiou"
    return ("an " if vowel_sound else "a ") + name


def unreadable_kind(content_type: str) -> str:
    article_and_kind = with_article(kind_name(content_type))
    return (f"{article_and_kind[0].upper()}{article_and_kind[1:]} cannot be read as a paper: paste the paper's title "
            f"and abstract, or upload {READABLE}.")


def pasted_bytes(text: str) -> bytes:
    """A paste as bytes, refused with a message that says to paste or choose a file."""
    if not text.strip():
        state = "is empty" if not text else "contains only whitespace"
        raise Failure(422, f"The paste {state}: paste a paper's title and abstract, or choose a file.")
    data = text.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise Failure(413, size_message("The pasted text", len(data)))
    return data


def read_paper(data: bytes, name: str) -> Paper:
    """The one paper in ``data``; a file of several is refused here, in the app's words (no CLI options)."""
    what = "The pasted text" if name == PASTED else "The file"
    try:
        count = count_papers(data, name=name)
        if count > 1:
            raise Failure(422, f"{what} holds {count} papers; upload one paper at a time: a file with just the "
                               "one you want, or its title and abstract pasted.")
        return ingest(data, name=name)
    except InputError as e:
        text = str(e)
        status = 415 if any(w in text for w in ("binary", "PDF", "UTF-16", "not valid UTF-8")) else 422
        raise Failure(status, text) from None


@dataclass(frozen=True)
class Pending:
    """A paper sent before logging in: the login and signup forms carry it (base64 in a hidden field),
    so it is compiled right after the login and nothing is stored for a visitor."""
    encoded: str
    name: str

    @classmethod
    def of(cls, data: bytes, name: str) -> Pending:
        return cls(base64.b64encode(data).decode("ascii"), name)

    @classmethod
    def from_form(cls, form) -> Pending | None:
        encoded = str(form.get("pending") or "")
        return cls(encoded, str(form.get("pending_name") or PASTED)) if encoded else None

    def data(self) -> bytes:
        try:
            return base64.b64decode(self.encoded, validate=True)
        except (binascii.Error, ValueError):
            raise Failure(400, "The paper kept for the login was damaged on the way; paste it again.") from None

    def label(self) -> str:
        if self.name != PASTED:
            return f"the file {self.name}"
        first = next((line.strip() for line in self.data().decode("utf-8", "replace").splitlines() if line.strip()), "")
        return f"the text you pasted (“{first[:80]}{'…' if len(first) > 80 else ''}”)"


def stored_given(text: str):
    """A stored answer as it was sent (stored JSON, cut at 2,000 characters: then as text)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def answer_result(q: QuizItem, answer_id: str | None, given, correct: bool, repeated: bool) -> dict:
    return {"item_id": q.id, "answer_id": answer_id, "repeated": repeated, "correct": correct, "given": given,
            "key": answer_text(q), "explanation": q.explanation.text, "explanation_spans": q.explanation.spans}


@functools.lru_cache(maxsize=4096)
def _rich(text: str, symbols: tuple[str, ...]) -> Markup:
    return Markup(rich(text, list(symbols)))  # the same card or prompt is shown again and again


def math_markup(cur: Curriculum | None):
    """Escaped text with its TeX and the paper's symbols as MathML (the static course's rendering)."""
    symbols = tuple(t.label for t in cur.terms if t.kind in ("symbol", "quantity")) if cur else ()
    return lambda text: _rich(str(text), symbols)


def linked_into_app(key: str, html: str, lesson_id: str | None = None) -> str:
    """The app's copy of a course page: a way back to the app, the study pages sent to the app's own,
    and on a lesson a button that marks it read (the course that ``arcxiv compile`` writes stays as it is)."""
    back = f'<li><a href="/papers/{key}">← Back to ArcXiv</a></li>'
    html = COURSE_NAV.sub(lambda m: m.group(0) + back, html, count=1)
    if lesson_id:
        mark = (f'<form method="post" action="/papers/{key}/lessons/{lesson_id}/read" class="read-mark">'
                f'{READ_BUTTON.decode()}</form>\n')
        at = html.find('<nav class="pager"')
        at = at if at >= 0 else html.find("</main>")
        html = html[:at] + mark + html[at:] if at >= 0 else html
    for study_page, route in STUDY_PAGES.items():
        html = html.replace(f'href="{study_page}"', f'href="/papers/{key}/{route}"')
    return html


READ_BUTTON = b'<button type="submit">I have read this lesson: mark it read</button>'
READ_DONE = '<p class="done">\u2713 You marked this lesson read.</p>'.encode()  # the same page, for a lesson read


def cookie_value(token: str, https: bool) -> str:
    secure = "; Secure" if https else ""
    return f"{COOKIE}={token}; HttpOnly; Path=/; SameSite=strict; Max-Age={COOKIE_MAX_AGE}{secure}"


def create_app(db_url: str | None = None, multi_user: bool = False) -> FastAPI:
    store = Store(db_url)
    visitor_id = ANONYMOUS if multi_user else store.single_learner()
    env = Environment(loader=PackageLoader("arcxiv", "web_templates"), autoescape=select_autoescape(["html"]))
    env.globals.update(answer_text=answer_text, given_text=given_text, plain=plain_math, m=math_markup(None))
    compile_lock = Lock()
    # Writes wait for a writer slot here, holding no thread: waiting on the database's write lock
    # inside the thread pool would starve page views of threads (SQLite has a single writer).
    # One limiter per event loop: a limiter belongs to the loop it is used on (uvicorn runs one;
    # tests run several apps' clients, each on a loop of its own).
    sqlite = store.url.startswith("sqlite")
    limiters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def in_threads(pool: str, fn, *args):
        """Run fn in a thread of its own pool: "writer" (one on SQLite) or "compile" (one: a compile holds a
        thread for seconds and must not take the page views' only thread)."""
        per_loop = limiters.setdefault(asyncio.get_running_loop(), {})
        limiter = per_loop.get(pool) or per_loop.setdefault(
            pool, anyio.CapacityLimiter(8 if pool == "writer" and not sqlite else 1))
        return await anyio.to_thread.run_sync(functools.partial(fn, *args), limiter=limiter)

    in_writer = functools.partial(in_threads, "writer")

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        # Page views (the routes without async) share the default pool. Each is CPU work under the GIL, so
        # more threads add no throughput, but every one of them competes with the event loop, which serves
        # the cached course pages: with 40 threads a lesson waited 150 ms behind study pages, with one 13 ms
        # (benchmarks/web.py, phase c). PostgreSQL waits on the network outside the GIL, so it gets four.
        anyio.to_thread.current_default_thread_limiter().total_tokens = 1 if sqlite else 4
        yield

    app = FastAPI(title="ArcXiv", version=__version__, docs_url=None, redoc_url=None,  # no CDN: /openapi.json
                  description="Compile a paper into a grounded course; review its cards; take its quiz.",
                  lifespan=lifespan)

    # -- caches: a compiled paper is parsed and rendered once per process -----------------------
    rendered: dict[str, tuple[Curriculum, dict[str, bytes]]] = {}
    lesson_files: dict[str, dict[str, str]] = {}  # paper -> {lesson page: lesson id}
    reads: dict[tuple[int, str], set[str]] = {}  # (learner, paper) -> the lessons marked read: a cache

    def read_lessons(learner_id: int, key: str) -> set[str]:
        if (learner_id, key) not in reads:
            if len(reads) >= KNOWN_GRANTS:
                reads.clear()  # a cache only: the database has every read
            reads[(learner_id, key)] = {lesson for _, lesson in store.lessons_read(learner_id, [key])}
        return reads[(learner_id, key)]

    def marked(key: str, name: str, body: bytes, done: set[str]) -> bytes:
        """A lesson's page as this learner sees it: its button says so once the lesson is marked read."""
        return body.replace(READ_BUTTON, READ_DONE) if lesson_files.get(key, {}).get(name) in done else body

    def loaded(key: str) -> tuple[Curriculum, dict[str, bytes]]:
        if key in rendered:
            return rendered[key]
        row = store.get_paper(key)
        if row is None:
            raise Failure(404, NO_PAPER)
        cur = Curriculum.model_validate_json(row["curriculum"])
        lessons = {lesson_file(l): l.id for l in cur.lessons}
        files = {name: (linked_into_app(key, text, lessons.get(name)) if name.endswith(".html") else text).encode("utf-8")
                 for name, text in to_html(cur).items() if name not in STUDY_PAGES}
        if len(rendered) >= 64:  # keep the most recent papers only
            rendered.pop(next(iter(rendered)))
        rendered[key] = (cur, files)
        lesson_files[key] = lessons
        return rendered[key]

    # -- access: a paper is opened only from its learner's library -------------------------------
    granted: set[tuple[int, str]] = set()  # (learner, paper) pairs found in the library: no read per request

    def learner(request: Request) -> int:
        if request.state.learner == ANONYMOUS:
            raise Failure(401, "Log in first.")
        return request.state.learner

    def paper_for(request: Request, key: str) -> Curriculum:
        """The paper behind every route that names one: 401 before a login, 404 unless the learner
        added it (the same answer as for no such paper: a key reveals nothing)."""
        learner_id = learner(request)
        if (learner_id, key) not in granted:
            if not store.in_library(learner_id, key):
                raise Failure(404, NO_PAPER)
            if len(granted) >= KNOWN_GRANTS:
                granted.clear()  # a cache only: the database has every library
            granted.add((learner_id, key))
        return loaded(key)[0]

    # -- sessions and CSRF --------------------------------------------------------------------
    # A visitor (the one learner of single-learner mode, or anyone not logged in) gets a signed token
    # and a CSRF value derived from it: no database row, so requests without a cookie cost no write
    # and leave nothing behind. A login gets a database session instead, which logout or its expiry ends.
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

    known: dict[str, tuple[int, str, datetime]] = {}  # login token -> (learner, csrf, expiry): no read per request

    def forget(token: str) -> None:
        known.pop(token, None)
        if not token.startswith(VISITOR):  # a visitor's token has no row to end
            store.end_session(token)

    def known_login(token: str) -> tuple[int, str] | None:
        found = known.get(token)
        if found is None or found[2] <= _now():
            known.pop(token, None)
            return None
        return found[:2]

    async def find_session(cookie_header: str) -> tuple[tuple[str, int, str], str | None]:
        """(token, learner, csrf) for this request, and the new token when one had to be made."""
        token = cookie_parser(cookie_header).get(COOKIE) if cookie_header else None
        if token and (cached := known_login(token)):
            return (token, *cached), None
        if token:
            csrf = visitor_csrf(token)
            if csrf is not None:
                return (token, visitor_id, csrf), None
            found = await run_in_threadpool(store.session_until, token)
            if found is not None:
                if len(known) >= KNOWN_SESSIONS:
                    known.clear()  # a cache only: the database still has every session
                known[token] = found
                return (token, *found[:2]), None
        new_token = new_visitor_token()
        return (new_token, visitor_id, visitor_csrf(new_token)), new_token

    async def send_cached_page(path: str, learner_id: int, send) -> bool:
        """A course page already rendered, of a paper this learner may open, goes out without FastAPI's
        routing: the hot path of a learner reading a course (about three times the throughput of the routed one)."""
        parts = path.split("/", 4)  # "", "papers", key, "course", file
        if len(parts) != 5 or parts[1] != "papers" or parts[3] != "course" or parts[2] not in rendered \
                or (learner_id, parts[2]) not in granted:
            return False
        body = rendered[parts[2]][1].get(parts[4])
        if body is None:
            return False
        if parts[4] in lesson_files.get(parts[2], ()):
            known = reads.get((learner_id, parts[2]))
            if known is None:
                known = await run_in_threadpool(read_lessons, learner_id, parts[2])
            body = marked(parts[2], parts[4], body, known)
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
        if new_token is None and scope["method"] == "GET" and await send_cached_page(scope["path"], learner_id, send):
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
                    headers.append("set-cookie", cookie_value(new_token, scope["scheme"] == "https"))
            await send(message)

        try:
            await inner(scope, receive, send_with_headers)
        except Exception:  # never a traceback page: the traceback goes to the server's log
            logging.getLogger("arcxiv.web").exception("%s %s failed", scope["method"], scope["path"])
            if not started:
                await JSONResponse({"error": "Something went wrong on our side; nothing was saved."}, 500)(
                    scope, receive, send_with_headers)

    class _Sessions:
        def __init__(self, app):
            self.app = app

        async def __call__(self, scope, receive, send):
            await sessions(scope, receive, send, self.app)

    app.add_middleware(_Sessions)

    def set_cookie(request: Request, response: Response, token: str) -> None:
        """Behind a reverse proxy, uvicorn takes the scheme from X-Forwarded-Proto when the proxy is trusted
        (127.0.0.1 by default; FORWARDED_ALLOW_IPS names others), so Secure follows what the browser used."""
        response.headers.append("set-cookie", cookie_value(token, request.url.scheme == "https"))

    async def form_with_csrf(request: Request):
        size = request.headers.get("content-length", "")
        if size.isdigit() and int(size) > UPLOAD_LIMIT:  # said before the body is read
            raise Failure(413, size_message("The upload", int(size), PAPER_LIMIT_MB))
        form = await request.form(max_part_size=REQUEST_LIMIT)  # a pasted paper is one part: let it reach the 5 MB check
        token = form.get("csrf") or request.headers.get("x-csrf-token") or ""
        if not hmac.compare_digest(str(token), request.state.csrf):
            raise Failure(403, "This form has expired or did not come from ArcXiv; reload the page and try again.")
        return form

    def api_csrf(request: Request) -> None:
        if not hmac.compare_digest(request.headers.get("x-csrf-token", ""), request.state.csrf):
            raise Failure(403, "Send the X-CSRF-Token header (GET /api/session gives it).")

    def page(request: Request, template: str, status: int = 200, paper: tuple[str, Curriculum] | None = None,
             **ctx) -> HTMLResponse:
        """A page; with ``paper`` (key, curriculum), one of that paper's, its math typeset with its symbols."""
        username = None
        if multi_user and request.state.learner != ANONYMOUS:
            username = store.username(request.state.learner)
        if paper is not None:
            key, cur = paper
            own = next((p["title"] for p in store.library(request.state.learner) if p["key"] == key), None)
            ctx.update(paper={"key": key, "title": own or cur.source.title}, m=math_markup(cur))
        # the browser is asked for its time zone until the learner has one (web.js sends it)
        unset = request.state.learner != ANONYMOUS and not store.settings(request.state.learner).get("time_zone")
        html = env.get_template(template).render(csrf=request.state.csrf, multi_user=multi_user, user=username,
                                                 time_zone_unset=unset, **ctx)
        # never kept by the browser: Back shows the queue as it is now, not a card already graded
        return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})

    def problem_page(request: Request, exc: Failure) -> HTMLResponse:
        return page(request, "error.html", exc.status, title="Problem", heading="That did not work", message=exc.message)

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    @app.exception_handler(Failure)
    async def failure(request: Request, exc: Failure):
        if wants_json(request):
            return JSONResponse({"error": exc.message}, exc.status)
        if exc.status == 401:
            return RedirectResponse("/login", 303)
        return problem_page(request, exc)

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
    def compile_into_library(learner_id: int, data: bytes, name: str) -> tuple[str, str, bool]:
        """(key, title, whether it was compiled before): the paper compiled once per content, then
        added to this learner's library."""
        from .pipeline import compile_paper
        from .render.json_out import to_json

        paper = read_paper(data, name)
        key, title, cached = paper_key(paper), paper.title, True
        if not store.get_paper(key):
            with compile_lock:  # one compile at a time: spaCy is loaded once and the CPU is small
                if not store.get_paper(key):  # else compiled by a request that held the lock before us
                    try:
                        cur = compile_paper(paper)
                    except ArcxivError as e:
                        raise Failure(422, str(e)) from None
                    store.put_paper(key, cur.source.title, to_json(cur))
                    title, cached = cur.source.title, False
        store.add_to_library(learner_id, key)
        return key, title, cached

    async def upload(request: Request) -> tuple[bytes, str]:
        form = await form_with_csrf(request)
        file = form.get("file")
        if file is not None and getattr(file, "filename", ""):
            ctype = (file.content_type or "application/octet-stream").split(";")[0].strip().lower()
            if not ctype.startswith(UPLOAD_TYPES):
                raise Failure(415, unreadable_kind(ctype))
            whole = is_whole_paper_upload(ctype, file.filename)
            limit = MAX_PAPER_BYTES if whole else MAX_BYTES
            if file.size is not None and file.size > limit:  # the real size, not the part read
                raise Failure(413, size_message("The file", file.size, limit // 2 ** 20))
            return await file.read(), file.filename
        return pasted_bytes(str(form.get("text") or "")), PASTED

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
        data = b""
        try:
            data, name = await upload(request)
            if request.state.learner == ANONYMOUS:  # kept through the login, not lost on the way to it
                return account_page(request, signup=False, status=401, pending=Pending.of(data, name))
            had = {p["key"] for p in await run_in_threadpool(store.library, request.state.learner)}
            key, _, _ = await in_threads("compile", compile_into_library, request.state.learner, data, name)
        except Failure as e:  # said above the form, the pasted text still in it: not a page that leads away
            if e.status == 401:
                raise
            kept = data.decode("utf-8", "replace") if len(data) <= 200_000 else ""
            return page(request, "home.html", e.status, title="Learn a paper", problem=e.message, text=kept)
        return RedirectResponse(f"/papers/{key}{'?again=1' if key in had else ''}", 303)

    @app.post("/api/papers")
    async def api_new_paper(request: Request):
        learner_id = learner(request)
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            api_csrf(request)
            body = await request.body()
            if len(body) > REQUEST_LIMIT:
                raise Failure(413, size_message("The request", len(body)))
            try:
                text = json.loads(body).get("text", "")
            except (ValueError, AttributeError):
                text = None
            if not isinstance(text, str):
                raise Failure(400, 'Send JSON like {"text": "Title\\n\\nAbstract…"}.')
            data, name = pasted_bytes(text), PASTED
        else:
            data, name = await upload(request)
        key, title, cached = await in_threads("compile", compile_into_library, learner_id, data, name)
        return JSONResponse({"key": key, "title": title, "cached": cached, "url": f"/papers/{key}"}, 200 if cached else 201)

    def library_data(request: Request) -> dict:
        """The learner's papers, found by words of their title or by tag; each with what is due and read."""
        learner_id = learner(request)
        typed = str(request.query_params.get("q", "")).strip()
        words = typed.lower()
        tag = str(request.query_params.get("tag", "")).strip().lower()
        entries = store.library(learner_id)
        every_tag = sorted({t for p in entries for t in p["tags"]})
        # a renamed paper is still found by its own title
        found = [p for p in entries if (not words or all(
                     w in f"{p['title']} {p['compiled_title']} {' '.join(p['tags'])}".lower() for w in words.split()))
                 and (not tag or tag in (t.lower() for t in p["tags"]))]
        reads = store.lessons_read(learner_id)
        due = study.due(learner_id, [p["key"] for p in found])
        out = []
        for p in found:
            cur = loaded(p["key"])[0]
            out.append({"key": p["key"], "title": p["title"], "tags": p["tags"], "url": f"/papers/{p['key']}",
                        "lessons": len(cur.lessons), "read": sum((p["key"], l.id) in reads for l in cur.lessons),
                        "cards": len(cur.flashcards), "quiz_items": len(cur.quiz),
                        "due": due[p["key"]]})
        return {"papers": out, "q": typed, "tag": tag, "tags": every_tag, "total": len(entries),
                "today": study.due(learner_id, [p["key"] for p in entries], together=True) if entries else 0}

    @app.get("/library", response_class=HTMLResponse)
    def library_page(request: Request):
        return page(request, "library.html", title="Library", **library_data(request))

    @app.get("/api/papers")
    def api_library(request: Request):
        return library_data(request)["papers"]

    def paper_data(request: Request, key: str) -> dict:
        cur = paper_for(request, key)
        learner_id = learner(request)
        entry = next(p for p in store.library(learner_id) if p["key"] == key)
        reads = store.lessons_read(learner_id, [key])
        latest = store.latest_answers(learner_id, key)
        return {"key": key, "title": entry["title"], "compiled_title": cur.source.title, "tags": entry["tags"],
                "lessons": [{"number": l.number, "title": l.title, "level": l.level, "id": l.id,
                             "url": f"/papers/{key}/course/{lesson_file(l)}", "read": (key, l.id) in reads}
                            for l in cur.lessons],
                "sections": [{"id": s.id, "title": s.title} for s in cur.sections],
                "cards": len(cur.flashcards), "quiz_items": len(cur.quiz), "answered": len(latest),
                "right": sum(latest.values()),
                "downloads": [{"format": f, "label": label, "opens_in": opens, "url": f"/papers/{key}/download/{f}"}
                              for f, (label, opens) in DOWNLOADS.items()],
                "curriculum": f"/api/papers/{key}/curriculum"}

    @app.get("/papers/{key}", response_class=HTMLResponse)
    def paper_page(request: Request, key: str):
        data = paper_data(request, key)
        just = next((i for i, l in enumerate(data["lessons"]) if l["id"] == request.query_params.get("read")), None)
        data["just_read"] = None if just is None else {
            "lesson": data["lessons"][just], "next": data["lessons"][just + 1] if just + 1 < len(data["lessons"]) else None}
        data["again"] = request.query_params.get("again") == "1"
        return page(request, "paper.html", **data, due=study.due(learner(request), [key])[key],
                    paper=(key, paper_for(request, key)))

    @app.get("/api/papers/{key}")
    def api_paper(request: Request, key: str):
        return {**paper_data(request, key), "due": study.due(learner(request), [key])[key]}

    def rename(request: Request, key: str, title, tags) -> dict:
        paper_for(request, key)
        title = " ".join(str(title or "").split())
        words = re.findall(r"[\w\-.]+", str(tags or "").replace(",", " "))
        if len(title) > 300 or len(words) > 30 or any(len(t) > 40 for t in words):
            raise Failure(422, "A title is at most 300 characters; tags are up to 30 words of up to 40 characters.")
        store.set_library_entry(learner(request), key, title, list(dict.fromkeys(words)))
        return {"key": key, "title": title or loaded(key)[0].source.title, "tags": list(dict.fromkeys(words))}

    @app.post("/papers/{key}/entry")
    async def rename_post(request: Request, key: str):
        form = await form_with_csrf(request)
        await in_writer(rename, request, key, form.get("title"), form.get("tags"))
        return RedirectResponse(f"/papers/{key}", 303)

    @app.post("/api/papers/{key}/entry")
    async def api_rename(request: Request, key: str):
        api_csrf(request)
        body = await _json(request)
        return await in_writer(rename, request, key, body.get("title"), body.get("tags"))

    @app.get("/api/papers/{key}/curriculum")
    def api_curriculum(request: Request, key: str):
        paper_for(request, key)
        return Response(store.get_paper(key)["curriculum"], media_type="application/json")

    @app.get("/papers/{key}/course/{path:path}")
    def course_file(request: Request, key: str, path: str):
        paper_for(request, key)
        if path in STUDY_PAGES:
            return RedirectResponse(f"/papers/{key}/{STUDY_PAGES[path]}", 303)
        files = loaded(key)[1]
        if path not in files:
            raise Failure(404, "No such page in this course.")
        return Response(marked(key, path, files[path], read_lessons(learner(request), key)), media_type=media_type(path))

    @app.get("/assets/{name}")
    def assets(name: str):
        if name not in ("style.css", "web.js", "app.css", "icon.svg"):
            raise Failure(404, "No such file.")
        folder = "render/static" if name == "style.css" else "web_static"
        body = resources.files("arcxiv").joinpath(folder, name).read_bytes()
        return Response(body, media_type=media_type(name))

    @app.get("/favicon.ico")  # asked for by every browser on every page, the course's included
    def favicon():
        return Response(resources.files("arcxiv").joinpath("web_static", "icon.svg").read_bytes(),
                        media_type=media_type("icon.svg"), headers={"cache-control": "max-age=86400"})

    # -- a learner's library: removing a paper ----------------------------------------------------
    def remove_paper(request: Request, key: str) -> None:
        """Out of this learner's library, with their schedule and answers; others who added it keep it."""
        paper_for(request, key)
        learner_id = learner(request)
        store.remove_from_library(learner_id, key)
        granted.discard((learner_id, key))
        reads.pop((learner_id, key), None)

    @app.post("/papers/{key}/delete")
    async def delete_post(request: Request, key: str):
        await form_with_csrf(request)
        await in_writer(remove_paper, request, key)
        return RedirectResponse("/library", 303)

    @app.delete("/api/papers/{key}")
    async def api_delete(request: Request, key: str):
        api_csrf(request)
        await in_writer(remove_paper, request, key)
        return {"removed": key}

    # -- deep dives, generated when first opened ---------------------------------------------
    def dive_json(request: Request, key: str, section: str) -> dict:
        """Generated when first opened and kept in the database (not in the CLI's file cache)."""
        from .pipeline import build_deep_dive

        cur = paper_for(request, key)
        cached = store.get_deep_dive(key, section)
        if cached:
            return json.loads(cached)
        src = cur.source
        paper = Paper(title=src.title, text=src.text, format=src.format, paper_id=src.id, authors=tuple(src.authors),
                      categories=tuple(src.categories), sha256=src.sha256)
        try:
            body = build_deep_dive(paper, section).model_dump_json()
        except InputError as e:
            raise Failure(404, str(e)) from None
        store.put_deep_dive(key, section, body)
        return json.loads(body)

    # A first opening generates the dive: on the compile thread, not the page views' one.
    @app.get("/papers/{key}/deep/{section}", response_class=HTMLResponse)
    async def deep_page(request: Request, key: str, section: str):
        from .models import DeepDive

        dive = DeepDive.model_validate(await in_threads("compile", dive_json, request, key, section))
        return await run_in_threadpool(page, request, "deep.html", title=dive.title, dive=dive,
                                       paper=(key, paper_for(request, key)))

    @app.get("/api/papers/{key}/deep/{section}")
    async def api_deep(request: Request, key: str, section: str):
        return await in_threads("compile", dive_json, request, key, section)

    # -- quiz answers (the study pages in web_study use these) ----------------------------------
    def quiz_item(cur: Curriculum, item_id: str) -> QuizItem:
        q = next((q for q in cur.quiz if q.id == item_id), None)
        if q is None:
            raise Failure(404, "No such quiz item in this paper.")
        return q

    def do_answer(request: Request, key: str, item_id: str, given, answer_id: str | None) -> dict:
        q = quiz_item(paper_for(request, key), item_id)
        answer_id = _client_id(answer_id, "answer_id") or uuid.uuid4().hex
        if q.kind == "ordering" and isinstance(given, list) and len(set(map(str, given))) < len(given):
            # an order with a place given twice is no order: it is asked again, and nothing is stored
            raise Failure(422, "Give each part a place of its own: a place was given to more than one part.")
        correct = check_answer(q, given)
        try:
            stored = store.record_answer(learner(request), key, item_id, correct, json.dumps(given, ensure_ascii=False),
                                         _now(), answer_id)
        except AnswerConflict:
            raise Failure(409, "That answer_id was already used for another answer; send a new one.") from None
        first = None if stored else store.answer(answer_id)
        if first:  # a resent answer (a retry, or a form sent again after Back): the stored one counts
            given, correct = stored_given(first["answer"]), first["correct"]
        return answer_result(q, answer_id, given, correct, repeated=not stored)

    @app.post("/api/papers/{key}/answers")
    async def api_answer(request: Request, key: str):
        api_csrf(request)
        body = await _json(request)
        return await in_writer(do_answer, request, key, str(body.get("item_id", "")), body.get("answer"),
                               body.get("answer_id"))

    async def same_site_form(request: Request) -> None:
        """A form on a cached course page (shared by every learner, so it cannot carry a session's CSRF
        token): accepted when the browser says it was sent from this site."""
        origin = request.headers.get("origin") or ""
        site = request.headers.get("sec-fetch-site") or ""
        own = f"{request.url.scheme}://{request.url.netloc}"
        if origin != own and site != "same-origin":
            await form_with_csrf(request)

    study = add_study_routes(app, SimpleNamespace(
        store=store, page=page, paper_for=paper_for, learner=learner, loaded=loaded, in_writer=in_writer,
        form_with_csrf=form_with_csrf, same_site_form=same_site_form, api_csrf=api_csrf, read_json=_json,
        client_id=_client_id, now=lambda: _now(), do_answer=do_answer, quiz_item=quiz_item, stored_given=stored_given,
        math_markup=math_markup, Failure=Failure, ReviewConflict=ReviewConflict,
        StaleReview=StaleReview, read_lessons=read_lessons))

    # -- accounts (multi-user mode) ----------------------------------------------------------------
    def account_page(request: Request, signup: bool, status: int = 200, message: str | None = None,
                     pending: Pending | None = None) -> HTMLResponse:
        return page(request, "login.html", status, title="Create an account" if signup else "Log in", signup=signup,
                    message=message, pending=pending)

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request):
        return account_page(request, signup=False)

    @app.get("/signup", response_class=HTMLResponse)
    def signup_page(request: Request):
        return account_page(request, signup=True)

    async def start_session(request: Request, learner_id: int, pending: Pending | None) -> Response:
        """A fresh token at login (no session fixation); then the paper sent before the login, if any."""
        forget(request.state.token)
        token, csrf = await run_in_threadpool(store.new_session, learner_id)
        # what is shown from here on (an error page, its logout form) belongs to the new session
        request.state.token, request.state.learner, request.state.csrf = token, learner_id, csrf
        response: Response = RedirectResponse("/library", 303)
        if pending is not None:
            try:
                key, _, _ = await in_threads("compile", compile_into_library, learner_id, pending.data(), pending.name)
                response = RedirectResponse(f"/papers/{key}", 303)
            except Failure as e:
                response = problem_page(request, e)
        set_cookie(request, response, token)
        return response

    def accounts_only() -> None:
        if not multi_user:
            raise Failure(404, "This server has one learner and no accounts (start it with --multi-user).")

    @app.post("/login")
    async def login(request: Request):
        accounts_only()
        form = await form_with_csrf(request)
        pending = Pending.from_form(form)
        found = await run_in_threadpool(store.authenticate, str(form.get("username", "")), str(form.get("password", "")))
        if found is None:
            return account_page(request, signup=False, status=401, message="Wrong user name or password.",
                                pending=pending)
        return await start_session(request, found, pending)

    @app.post("/signup")
    async def signup(request: Request):
        accounts_only()
        form = await form_with_csrf(request)
        pending = Pending.from_form(form)
        name, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
        if not (1 <= len(name) <= 64) or len(password) < 8:
            return account_page(request, signup=True, status=422, pending=pending,
                                message="Choose a user name (up to 64 characters) and a password of at least 8 characters.")
        try:
            learner_id = await run_in_threadpool(store.create_learner, name, password)
        except ValueError:
            return account_page(request, signup=True, status=409, message="That user name is taken.", pending=pending)
        return await start_session(request, learner_id, pending)

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
